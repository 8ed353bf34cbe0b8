"""R5 and R9: running a claim's check, recording it, and deciding what comes next.

A claim is processed by whichever worker takes its lease (``claims.lease_until``); a worker that
dies leaves the lease to expire and the next worker finishes the claim. The fetch happens
outside any transaction; everything it leads to (the check row, verdicts, credits, ledger rows,
webhook deliveries, the claim's next state) is written in one transaction, retried whole when
a unique constraint reports a concurrent writer.

Simultaneous claims of one account share one fetch: a completed fetch serves the account's
claims for ``[missions] share_fetch`` seconds, and while one worker fetches (it holds
``linked_accounts.fetch_lease_until``) the others wait a moment and then reuse its result.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from engine.dates import iso_utc, parse_instant
from engine.errors import CassetteMiss, ConfigurationError
from engine.models import (
    Account,
    AccountStatus,
    Attempt,
    Post,
    PostKind,
    Snapshot,
    UnavailableCause,
)
from engine.storage.models import (
    ActionRow,
    CheckRow,
    ClaimRow,
    LinkedAccountRow,
    MissionActionRow,
    MissionRow,
)

from . import ownership
from .claims import to_claim
from .context import Service
from .counting import CountOutcome, count_posts
from .members import linked_handle, linked_row
from .progress import goal_met
from .records import CheckResult, Claim

log = logging.getLogger(__name__)
DUE_STATES = ("queued", "rechecking", "retrying")
WAIT_FOR_SHARED_FETCH = 2.0  # seconds before a claim looks again for a fetch in progress
# How long a worker waits, in the same pass, for another worker's fetch of the same account
# (seconds), and how often it looks; past that the claim is postponed by the delay above.
MAX_WAIT_FOR_SHARED_FETCH = 45.0
SHARED_FETCH_POLL = 0.05
RECORD_ATTEMPTS = 5


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


@dataclass(frozen=True)
class _Leased:
    claim: Claim
    kind: str
    mission_status: str
    hashtag: str | None
    handle: str | None


def process_claim(service: Service, claim_id: int, owner: str | None = None) -> CheckResult | None:
    """Run the claim's check if it is due and free; None when there was nothing to do."""
    owner = owner or worker_name()
    leased = _take_lease(service, claim_id, owner)
    if leased is None:
        return None
    claim = leased.claim
    if leased.handle is None or leased.hashtag is None or leased.mission_status != "published":
        reason = ("the member no longer has a linked handle on this platform"
                  if leased.handle is None else "the mission is no longer published")
        _finish_without_check(service, claim_id, owner, reason)
        return None
    account = Account(platform=claim.platform, handle=leased.handle)
    snapshot, shared_from, fetched = _obtain_snapshot(service, account)
    # Another worker is fetching this account: wait for its answer in this same pass (R9:
    # simultaneous claims share one fetch; `worker --once` leaves none of them behind).
    deadline = time.monotonic() + min(MAX_WAIT_FOR_SHARED_FETCH, service.settings.lease / 2)
    while snapshot is None and time.monotonic() < deadline:
        time.sleep(SHARED_FETCH_POLL)
        snapshot, shared_from, fetched = _obtain_snapshot(service, account)
    if snapshot is None:
        _postpone(service, claim_id, owner, WAIT_FOR_SHARED_FETCH)
        return None
    try:
        result = _record(service, leased, owner, snapshot, shared_from)
    finally:
        if fetched:
            _release_fetch(service, account)
    if result is None:
        return None
    if service.queue is not None and result.next_check_at is not None:
        delay = (result.next_check_at - service.now()).total_seconds()
        service.queue.enqueue_claim(claim_id, max(delay, 0.0))
    return result


def due_claims(service: Service, limit: int = 100) -> list[int]:
    """Claims whose check is due and that no worker holds (the sweep after lost jobs)."""
    now = service.now()
    with service.db.sessions() as session:
        return list(session.scalars(
            select(ClaimRow.id).where(ClaimRow.state.in_(DUE_STATES), ClaimRow.due_at <= now,
                                      or_(ClaimRow.lease_until.is_(None),
                                          ClaimRow.lease_until < now))
            .order_by(ClaimRow.due_at, ClaimRow.id).limit(limit)))


def next_due_at(service: Service) -> datetime | None:
    """When the next claim check is due (for ``worker --once`` and tests)."""
    with service.db.sessions() as session:
        return session.scalar(select(ClaimRow.due_at).where(ClaimRow.state.in_(DUE_STATES))
                              .order_by(ClaimRow.due_at).limit(1))


# -- lease --------------------------------------------------------------------------------------


def _take_lease(service: Service, claim_id: int, owner: str) -> _Leased | None:
    now = service.now()
    until = now + timedelta(seconds=service.settings.lease)
    with service.db.transaction() as session:
        taken = session.execute(
            update(ClaimRow)
            .where(ClaimRow.id == claim_id, ClaimRow.state.in_(DUE_STATES),
                   ClaimRow.due_at <= now,
                   or_(ClaimRow.lease_until.is_(None), ClaimRow.lease_until < now))
            .values(lease_owner=owner, lease_until=until))
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = session.get(ClaimRow, claim_id)
        assert row is not None
        session.refresh(row)
        mission = session.get(MissionRow, row.mission_id)
        assert mission is not None
        hashtag = session.scalar(
            select(ActionRow.hashtag).join(MissionActionRow,
                                           MissionActionRow.action_id == ActionRow.id)
            .where(MissionActionRow.mission_id == mission.id,
                   MissionActionRow.platform == row.platform))
        kind = {"queued": "first", "rechecking": "recheck"}.get(row.state, "retry")
        return _Leased(claim=to_claim(row), kind=kind, mission_status=mission.status,
                       hashtag=hashtag,
                       handle=linked_handle(session, row.member_id, row.platform))


def _still_ours(row: ClaimRow, owner: str) -> bool:
    return row.lease_owner == owner


def _postpone(service: Service, claim_id: int, owner: str, seconds: float) -> None:
    now = service.now()
    with service.db.transaction() as session:
        session.execute(update(ClaimRow).where(ClaimRow.id == claim_id,
                                               ClaimRow.lease_owner == owner)
                        .values(due_at=now + timedelta(seconds=seconds), lease_owner=None,
                                lease_until=None))
    if service.queue is not None:
        service.queue.enqueue_claim(claim_id, seconds)


def _finish_without_check(service: Service, claim_id: int, owner: str, reason: str) -> None:
    with service.db.transaction() as session:
        session.execute(update(ClaimRow).where(ClaimRow.id == claim_id,
                                               ClaimRow.lease_owner == owner)
                        .values(state="done", due_at=None, lease_owner=None, lease_until=None,
                                finished_at=service.now(), last_detail=reason))


# -- fetch --------------------------------------------------------------------------------------


def _obtain_snapshot(service: Service,
                     account: Account) -> tuple[Snapshot | None, int | None, bool]:
    """(snapshot, check it was shared from, whether this worker fetched it)."""
    now = service.now()
    shared = _recent_fetch(service, account, now)
    if shared is not None:
        return shared[0], shared[1], False
    with service.db.transaction() as session:
        rows = ownership.holders(session, account.platform, account.handle)
        if not rows:
            return None, None, False
        # The lease lives on the handle's oldest link (a contested handle has several).
        taken = session.execute(
            update(LinkedAccountRow)
            .where(LinkedAccountRow.id == rows[0].id,
                   or_(LinkedAccountRow.fetch_lease_until.is_(None),
                       LinkedAccountRow.fetch_lease_until < now))
            .values(fetch_lease_until=now + timedelta(seconds=service.settings.lease)))
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None, None, False
        # A link waiting for its proof: read the bio even where that costs a request.
        want_bio = ownership.needs_proof(rows, service.settings.ownership)
    # Another worker may have recorded its fetch between our first look and the lease.
    shared = _recent_fetch(service, account, now)
    if shared is not None:
        _release_fetch(service, account)
        return shared[0], shared[1], False
    try:
        snapshot = service.engine.snapshot(account, want_bio=want_bio)
    except (CassetteMiss, ConfigurationError) as error:
        # Not a platform answer: keep the claim and retry it like an unavailable check.
        snapshot = Snapshot(account=account, status=AccountStatus.UNAVAILABLE,
                            detail=f"{type(error).__name__}: {error}",
                            cause=UnavailableCause.BACKEND_ERROR)
    except BaseException:
        _release_fetch(service, account)
        raise
    return snapshot, None, True


def _recent_fetch(service: Service, account: Account,
                  now: datetime) -> tuple[Snapshot, int] | None:
    if service.settings.share_fetch <= 0:
        return None
    since = now - timedelta(seconds=service.settings.share_fetch)
    with service.db.sessions() as session:
        row = session.scalar(
            select(CheckRow).where(
                CheckRow.platform == account.platform, CheckRow.handle == account.handle,
                CheckRow.shared_from.is_(None), CheckRow.fetched_at >= since,
                CheckRow.status.in_(("ok", "private", "not_found")))
            .order_by(CheckRow.fetched_at.desc()).limit(1))
        if row is None:
            return None
        snapshot = Snapshot(
            account=account, status=AccountStatus(row.status),
            posts=tuple(post_from_json(item) for item in row.posts),
            public=row.status == "ok", backend=row.backend, detail=row.detail, requests=0,
            fetched_at=row.fetched_at)
        return snapshot, row.id


def _release_fetch(service: Service, account: Account) -> None:
    try:
        with service.db.transaction() as session:
            session.execute(update(LinkedAccountRow)
                            .where(LinkedAccountRow.platform == account.platform,
                                   LinkedAccountRow.handle == account.handle,
                                   LinkedAccountRow.fetch_lease_until.is_not(None))
                            .values(fetch_lease_until=None))
    except OperationalError:  # the lease simply expires
        log.warning("could not release the fetch lease of %s", account)


def post_to_json(post: Post) -> dict[str, Any]:
    return {"platform": post.platform, "id": post.id, "url": post.url,
            "published_at": iso_utc(post.published_at),
            "kind": post.kind.value if post.kind else None, "text": post.text,
            "hashtags": list(post.hashtags), "pinned": post.pinned}


def post_from_json(item: dict[str, Any]) -> Post:
    return Post(platform=str(item["platform"]), id=str(item["id"]), url=str(item["url"]),
                published_at=parse_instant(str(item["published_at"])),
                kind=PostKind(item["kind"]) if item.get("kind") else None,
                text=str(item.get("text") or ""), hashtags=tuple(item.get("hashtags") or ()),
                pinned=bool(item.get("pinned")))


def _attempt_json(attempt: Attempt) -> dict[str, object]:
    return {"backend": attempt.backend, "outcome": str(attempt.outcome),
            "cause": attempt.cause.value if attempt.cause else None, "detail": attempt.detail,
            "requests": attempt.requests, "seconds": round(attempt.seconds, 4)}


# -- record -------------------------------------------------------------------------------------


def _record(service: Service, leased: _Leased, owner: str, snapshot: Snapshot,
            shared_from: int | None) -> CheckResult | None:
    for attempt in range(RECORD_ATTEMPTS):
        try:
            return _record_once(service, leased, owner, snapshot, shared_from)
        except IntegrityError:
            # A concurrent worker credited the same post or paid the same key: count again.
            log.info("claim %s: concurrent write, counting again (%s)", leased.claim.id,
                     attempt + 1)
        except OperationalError as error:
            if not _is_serialization_failure(error):
                raise
            log.info("claim %s: deadlock or serialization failure, counting again (%s)",
                     leased.claim.id, attempt + 1)
    raise RuntimeError(f"claim {leased.claim.id}: could not record the check after "
                       f"{RECORD_ATTEMPTS} attempts")


def _record_once(service: Service, leased: _Leased, owner: str, snapshot: Snapshot,
                 shared_from: int | None) -> CheckResult | None:
    settings = service.settings
    now = service.now()
    claim_id = leased.claim.id
    deliveries: list[int] = []
    with service.db.transaction() as session:
        claim = session.scalar(select(ClaimRow).where(ClaimRow.id == claim_id).with_for_update())
        if claim is None or not _still_ours(claim, owner):
            log.warning("claim %s: lease lost to another worker; dropping this check", claim_id)
            return None
        mission = session.get(MissionRow, claim.mission_id)
        assert mission is not None and leased.hashtag is not None
        account = snapshot.account
        # Lock every member a proof may touch (a contest involves several), in id order.
        ownership.lock_members(session, {claim.member_id} | ownership.involved_members(
            session, account.platform, account.handle))
        check = CheckRow(
            claim_id=claim_id, kind=leased.kind, platform=snapshot.account.platform,
            handle=snapshot.account.handle, status=snapshot.status.value,
            backend=snapshot.backend, requests=snapshot.requests, seconds=snapshot.seconds,
            detail=snapshot.detail, cause=snapshot.cause.value if snapshot.cause else None,
            attempts=[_attempt_json(a) for a in snapshot.attempts],
            posts=[post_to_json(p) for p in snapshot.posts] if shared_from is None else [],
            shared_from=shared_from, fetched_at=now if shared_from is None else
            snapshot.fetched_at, finished_at=now)
        session.add(check)
        session.flush()
        outcome = CountOutcome()
        detail = snapshot.detail
        if shared_from is None and snapshot.status in (AccountStatus.OK, AccountStatus.PRIVATE):
            deliveries += ownership.apply_proofs(service, session, snapshot, check.id, now)
        link = linked_row(session, claim.member_id, claim.platform)
        if link is None or link.handle != account.handle:
            # This member's link ended (another member proved the handle) or changed.
            detail = (f"@{account.handle} is no longer linked to this member: another member "
                      "proved it is theirs" if link is None else
                      f"the member now links @{link.handle}, not @{account.handle}")
            claim.state, claim.due_at, claim.finished_at = "done", None, now
            claim.last_status, claim.last_detail, claim.last_cause = snapshot.status.value, \
                detail, None
            claim.lease_owner = None
            claim.lease_until = None
            result = CheckResult(
                claim_id=claim_id, check_id=check.id, kind=leased.kind,
                status=snapshot.status.value, cause=None, backend=snapshot.backend,
                requests=snapshot.requests if shared_from is None else 0,
                shared_from=shared_from, detail=detail, posts=(), counted=0, points=0,
                claim_state=claim.state, next_check_at=None)
            ownership.enqueue_deliveries(service, deliveries)
            return result
        unproven = None
        if not ownership.is_credited(link, settings.ownership):
            unproven = (f"the ownership of @{account.handle} is not proved yet: put the code "
                        f"{link.verification_code} in the account's bio or a recent caption"
                        + (" (another member linked the same handle)" if link.contested
                           else ""))
        if snapshot.status is AccountStatus.OK:
            posts = list(snapshot.posts)
            if claim.post_id:
                posts = [p for p in posts if p.id == claim.post_id]
                if not posts:
                    detail = (f"post {claim.post_id} is not among the {len(snapshot.posts)} most "
                              f"recent posts of @{snapshot.account.handle}; only those are read")
            outcome = count_posts(service, session, mission=mission, hashtag=leased.hashtag,
                                  member_id=claim.member_id, posts=posts, check_id=check.id,
                                  now=now, handle=account.handle, unproven=unproven)
            deliveries += outcome.deliveries
        _next_state(claim, leased.kind, snapshot.status, outcome.counted, now, settings,
                    complete=goal_met(session, mission, claim.member_id))
        claim.last_status = snapshot.status.value
        claim.last_detail = detail
        claim.last_cause = snapshot.cause.value if snapshot.cause else None
        claim.lease_owner = None
        claim.lease_until = None
        result = CheckResult(
            claim_id=claim_id, check_id=check.id, kind=leased.kind,
            status=snapshot.status.value, cause=claim.last_cause, backend=snapshot.backend,
            requests=snapshot.requests if shared_from is None else 0, shared_from=shared_from,
            detail=detail, posts=tuple(outcome.posts), counted=outcome.counted,
            points=outcome.points, claim_state=claim.state, next_check_at=claim.due_at)
    ownership.enqueue_deliveries(service, deliveries)
    return result


def _is_serialization_failure(error: OperationalError) -> bool:
    """PostgreSQL's deadlock (40P01) or serialization failure (40001): retry the transaction."""
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return code in ("40P01", "40001")


def _next_state(claim: ClaimRow, kind: str, status: AccountStatus, counted: int,
                now: datetime, settings: Any, *, complete: bool = False) -> None:
    """R9: re-checks when nothing counted; retries with backoff when the platform failed.

    A claim whose N-post goal is met (``complete``) is done: no automatic re-check follows.
    """
    claim.counted += counted
    if complete:
        if kind == "recheck":
            claim.rechecks_done += 1
        claim.failures = 0
        claim.first_failure_at = None
        claim.state, claim.due_at, claim.finished_at = "done", None, now
        return
    if status.completed:
        if kind == "recheck":
            claim.rechecks_done += 1
        claim.failures = 0
        claim.first_failure_at = None
        delays = settings.recheck_delays
        if counted == 0 and claim.rechecks_done < len(delays):
            # Delays count from the first completed check: 5 min, then 1 h after it.
            step = delays[claim.rechecks_done] - (
                delays[claim.rechecks_done - 1] if claim.rechecks_done else 0.0)
            claim.state = "rechecking"
            claim.due_at = now + timedelta(seconds=max(step, 0.0))
        else:
            claim.state, claim.due_at, claim.finished_at = "done", None, now
        return
    claim.failures += 1
    first_failure = claim.first_failure_at or now
    claim.first_failure_at = first_failure
    give_up_at = first_failure + timedelta(seconds=settings.retry_period)
    if now >= give_up_at:
        claim.state, claim.due_at, claim.finished_at = "unavailable", None, now
        return
    delay = min(settings.retry_first_delay * 2 ** (claim.failures - 1), settings.retry_max_delay)
    claim.state = "retrying"
    claim.due_at = min(now + timedelta(seconds=delay), give_up_at)
