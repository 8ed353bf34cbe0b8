"""Claims (presses of the button) and the per-(member, mission, platform) cooldown (rule R4,
docs/rules.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.storage.models import ClaimRow, MissionActionRow

from .backlog import estimate
from .claim_states import ClaimState
from .context import Service
from .errors import Conflict, CooldownActive, GoalMet
from .members import linked_handle, load_member_row
from .metrics import observe_transition
from .missions import load_mission_row
from .progress import goal_met
from .records import Claim, ClaimReceipt
from .rows import page_after, row_by_id

MAX_POST_ID = 100  # characters; real ids are 11 (YouTube) to 19 (TikTok)


def create_claim(service: Service, member_id: str, mission_id: int, platform: str,
                 post_url: str | None = None) -> ClaimReceipt:
    """Accept a claim (its check is queued) or refuse it with the reason (R4).

    Refusals (all ``InvalidInput``): ``InvalidInput`` for a URL that is not the platform's
    post URL, ``NotFound`` (member, mission), ``Conflict`` (mission not published, no action
    for the platform, no linked handle), ``GoalMet`` (the member completed this N-post
    mission), ``CooldownActive`` (the button comes back later). The receipt tells how many
    claims are due before this one and when its check is expected (:mod:`.backlog`).
    """
    found = service.engine.platform(platform)
    post_id = None
    if post_url:
        post_url = post_url.strip()
        scheme = urlsplit(post_url).scheme.lower()
        post_id = found.post_id_from_url(post_url) if scheme in ("", "http", "https") else None
        if post_id is None or len(post_id) > MAX_POST_ID:
            shown = post_url if len(post_url) <= 80 else post_url[:80] + "…"
            raise InvalidInput(f"{shown!r} is not a post URL of {found.title}; copy the post's "
                               "link from the app (Share → Copy link)")
    now = service.now()
    cooldown = timedelta(seconds=service.settings.cooldown)
    with service.db.transaction() as session:
        # Locking the member serialises their claims: two presses cannot both pass the cooldown.
        load_member_row(session, member_id, lock=True)
        mission = load_mission_row(session, mission_id)
        if mission.status != "published":
            raise Conflict(f"mission {mission_id} is {mission.status}; only published missions "
                           "accept claims")
        if session.scalar(select(MissionActionRow.id).where(
                MissionActionRow.mission_id == mission_id,
                MissionActionRow.platform == found.name)) is None:
            raise Conflict(f"mission {mission_id} has no {found.title} action")
        handle = linked_handle(session, member_id, found.name)
        if handle is None:
            raise Conflict(f"member {member_id!r} has no linked {found.title} handle; link one "
                           "first (PUT /api/v1/members/{member}/accounts/{platform}, the "
                           "member's page, or `social-missions member link`)")
        if goal_met(session, mission, member_id):
            raise GoalMet(f"member {member_id!r} already completed mission {mission_id} "
                          f"(goal: {mission.goal_posts} counted posts): the mission is finished "
                          "for them and takes no more claims")
        last = last_claim_at(session, member_id, mission_id, found.name)
        if last is not None and now < last + cooldown:
            raise CooldownActive(last + cooldown)
        if post_id is not None:
            # Stored as the platform's own canonical URL, never as typed (R4); a platform
            # without a post URL template keeps the URL its patterns matched.
            post_url = found.post_url(post_id, handle) or post_url
        row = ClaimRow(member_id=member_id, mission_id=mission_id, platform=found.name,
                       post_url=post_url, post_id=post_id, state=ClaimState.QUEUED, created_at=now,
                       due_at=now, failures=0, rechecks_done=0, counted=0, last_detail="")
        session.add(row)
        session.flush()
        receipt = ClaimReceipt(claim_id=row.id, member_id=member_id, mission_id=mission_id,
                               platform=found.name, handle=handle, post_url=post_url,
                               created_at=now, available_at=now + cooldown)
    if service.queue is not None:
        service.queue.enqueue_claim(receipt.claim_id)
    observe_transition(claim_id=receipt.claim_id, mission_id=mission_id, platform=found.name,
                       before="new", after=ClaimState.QUEUED)
    ahead = estimate(service, receipt.claim_id)
    if ahead is None:
        return receipt
    return replace(receipt, queue_position=ahead.position, expected_check_at=ahead.expected_at)


def last_claim_at(session: Session, member_id: str, mission_id: int,
                  platform: str) -> datetime | None:
    return session.scalar(
        select(ClaimRow.created_at).where(ClaimRow.member_id == member_id,
                                          ClaimRow.mission_id == mission_id,
                                          ClaimRow.platform == platform)
        .order_by(ClaimRow.created_at.desc()).limit(1))


def to_claim(row: ClaimRow) -> Claim:
    return Claim(id=row.id, member_id=row.member_id, mission_id=row.mission_id,
                 platform=row.platform, post_url=row.post_url, state=row.state,
                 created_at=row.created_at, due_at=row.due_at, counted=row.counted,
                 rechecks_done=row.rechecks_done, failures=row.failures,
                 last_status=row.last_status, last_detail=row.last_detail,
                 last_cause=row.last_cause,
                 finished_at=row.finished_at)


def get_claim(service: Service, claim_id: int) -> Claim:
    """The claim ``claim_id``; ``NotFound`` when there is none."""
    with service.db.sessions() as session:
        return to_claim(row_by_id(session, ClaimRow, claim_id, f"no claim {claim_id}"))


def list_claims(service: Service, *, member_id: str | None = None,
                mission_id: int | None = None, limit: int | None = None,
                after: int | None = None) -> list[Claim]:
    """Claims by id (oldest first), of one member and/or mission: every one, or ``limit`` of
    them after the claim id ``after`` (the API's pages)."""
    with service.db.sessions() as session:
        query = select(ClaimRow)
        if member_id is not None:
            query = query.where(ClaimRow.member_id == member_id)
        if mission_id is not None:
            query = query.where(ClaimRow.mission_id == mission_id)
        query = page_after(query, ClaimRow.id, after=after, limit=limit)
        return [to_claim(row) for row in session.scalars(query)]
