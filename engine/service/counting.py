"""R6–R7: the verdict of every post a check saw, credits, progress, caps and awards.

Runs inside the transaction that records the check, with the member's row locked, so counting
for one member is serial; the unique constraints on credits and ledger keys are the last line
of defence (the caller retries the whole transaction on a conflict).

Posts are counted oldest first, so that with a goal or a cap the earliest posts are the ones
that count. A recurring cap is per calendar day or ISO week of the post's publication in the
community's time zone (``[service] timezone``: a post at 00:30 in Paris counts for that Paris
day), which keeps a re-check's answer identical to the first check's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import Post
from engine.storage.models import CreditRow, LedgerRow, MissionRow, SeenPostRow
from engine.verdicts import Window, judge_post

from . import ledger as ledger_module
from .context import Service
from .records import JudgedPost
from .webhooks import event_body, new_delivery

COUNTED = "counted"
ALREADY_COUNTED = "already_counted"
USED_ELSEWHERE = "used_elsewhere"
GOAL_ALREADY_MET = "goal_already_met"
CAP_REACHED = "cap_reached"
OWNERSHIP_UNPROVEN = "ownership_unproven"


@dataclass
class CountOutcome:
    """What counting one check did."""

    posts: list[JudgedPost] = field(default_factory=list)
    counted: int = 0
    points: int = 0
    awards: list[LedgerRow] = field(default_factory=list)
    deliveries: list[int] = field(default_factory=list)


def mission_window(mission: MissionRow) -> Window:
    return Window(start=mission.start_at, end=mission.end_at)


def period_bounds(moment: datetime, period: str,
                  zone: tzinfo = UTC) -> tuple[datetime, datetime]:
    """The calendar day or ISO week (Monday first) of ``zone`` that holds ``moment``, as UTC
    instants (start included, end excluded).

    The bounds are local midnights, so a day across a daylight-saving change lasts 23 or 25
    hours: 2026-03-29 in Paris is [2026-03-28T23:00Z, 2026-03-29T22:00Z).
    """
    day = moment.astimezone(zone).date()
    if period == "day":
        first, last = day, day + timedelta(days=1)
    else:
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=7)
    return (datetime.combine(first, time(), tzinfo=zone).astimezone(UTC),
            datetime.combine(last, time(), tzinfo=zone).astimezone(UTC))


def count_posts(
    service: Service,
    session: Session,
    *,
    mission: MissionRow,
    hashtag: str,
    member_id: str,
    posts: Sequence[Post],
    check_id: int,
    now: datetime,
    handle: str | None = None,
    unproven: str | None = None,
) -> CountOutcome:
    """Judge ``posts`` for ``mission``, credit what counts, write seen posts and awards.

    ``handle`` is the account the posts were read from (kept on credits, so that a transfer of
    ownership can revoke them). With ``unproven`` (why the account's ownership is not proved,
    R11), no post is credited: matching posts get ``ownership_unproven``, and every post lists
    it among its failures.
    """
    outcome = CountOutcome()
    window = mission_window(mission)
    exclusive = service.settings.exclusive_posts
    for post in sorted(posts, key=lambda p: (p.published_at, p.id)):
        judged = judge_post(post, hashtag, window)
        failures = tuple(f.value for f in judged.failures)
        points = 0
        if not judged.matched:
            verdict, detail = judged.verdict.value, judged.detail
            if unproven:
                failures = (*failures, OWNERSHIP_UNPROVEN)
        elif unproven:
            verdict, detail, failures = OWNERSHIP_UNPROVEN, unproven, (OWNERSHIP_UNPROVEN,)
        else:
            verdict, detail = _counting_verdict(service, session, mission, member_id, post,
                                                exclusive)
            if verdict == COUNTED:
                points = _credit(service, session, mission, member_id, post, check_id, now,
                                 exclusive, outcome, handle)
                outcome.counted += 1
                outcome.points += points
                detail = _progress_detail(session, mission, member_id, hashtag)
            else:
                failures = (verdict,)
        session.add(SeenPostRow(
            check_id=check_id, mission_id=mission.id, member_id=member_id,
            platform=post.platform, post_id=post.id, url=post.url,
            published_at=post.published_at, kind=post.kind.value if post.kind else None,
            hashtags=list(post.hashtags), pinned=post.pinned, verdict=verdict, detail=detail,
            failures=list(failures), points=points))
        outcome.posts.append(JudgedPost(
            post_id=post.id, url=post.url, published_at=post.published_at,
            hashtags=post.hashtags, verdict=verdict, detail=detail, failures=failures,
            points=points))
    session.flush()
    return outcome


def _counting_verdict(service: Service, session: Session, mission: MissionRow,
                      member_id: str, post: Post, exclusive: bool) -> tuple[str, str]:
    """For a matching post: counted, or why it does not count (R6)."""
    credited = session.scalar(select(CreditRow).where(
        CreditRow.active_key == active_key(mission.id, post.platform, post.id)))
    if credited is not None:
        return ALREADY_COUNTED, f"already counted for this mission (check {credited.check_id})"
    if exclusive:
        elsewhere = session.scalar(select(CreditRow.mission_id).where(
            CreditRow.exclusive_key == exclusive_key(post.platform, post.id),
            CreditRow.mission_id != mission.id).limit(1))
        if elsewhere is not None:
            return USED_ELSEWHERE, f"already credited for mission {elsewhere}; posts are exclusive"
    if mission.goal_kind == "posts":
        progress = _credits(session, mission.id, member_id)
        if mission.goal_posts is not None and progress >= mission.goal_posts:
            return GOAL_ALREADY_MET, f"the goal of {mission.goal_posts} posts is already met"
    elif mission.cap_count and mission.cap_period:
        zone = ZoneInfo(service.settings.timezone)
        start, end = period_bounds(post.published_at, mission.cap_period, zone)
        used = _credits(session, mission.id, member_id, start, end)
        if used >= mission.cap_count:
            what = "day" if mission.cap_period == "day" else "week"
            return CAP_REACHED, (f"{mission.cap_count} post(s) already rewarded for the {what} "
                                 f"of {start.astimezone(zone).date().isoformat()}")
    return COUNTED, ""


def _credits(session: Session, mission_id: int, member_id: str,
             start: datetime | None = None, end: datetime | None = None) -> int:
    query = select(func.count(CreditRow.id)).where(CreditRow.mission_id == mission_id,
                                                   CreditRow.member_id == member_id,
                                                   CreditRow.revoked_at.is_(None))
    if start is not None and end is not None:
        query = query.where(CreditRow.published_at >= start, CreditRow.published_at < end)
    return int(session.scalar(query) or 0)


def active_key(mission_id: int, platform: str, post_id: str) -> str:
    """The unique key of a live credit: one per post and mission."""
    return f"{mission_id}:{platform}:{post_id}"


def exclusive_key(platform: str, post_id: str) -> str:
    """The unique key of a live credit when posts are exclusive: one per post."""
    return f"{platform}:{post_id}"


def _credit(service: Service, session: Session, mission: MissionRow, member_id: str,
            post: Post, check_id: int, now: datetime, exclusive: bool,
            outcome: CountOutcome, handle: str | None) -> int:
    """Insert the credit; award points when it completes the goal or for a recurring post."""
    session.add(CreditRow(
        mission_id=mission.id, member_id=member_id, platform=post.platform, post_id=post.id,
        published_at=post.published_at, check_id=check_id, created_at=now,
        active_key=active_key(mission.id, post.platform, post.id), handle=handle,
        exclusive_key=exclusive_key(post.platform, post.id) if exclusive else None))
    session.flush()  # a concurrent credit of the same post fails here (IntegrityError)
    if mission.goal_kind == "posts":
        progress = _credits(session, mission.id, member_id)
        if progress != mission.goal_posts:
            return 0
        posts = [f"{c.platform}:{c.post_id}" for c in session.scalars(
            select(CreditRow).where(CreditRow.mission_id == mission.id,
                                    CreditRow.member_id == member_id,
                                    CreditRow.revoked_at.is_(None)).order_by(CreditRow.id))]
        key = ledger_module.completion_key(mission.id, member_id)
        reason = "mission_completed"
    else:
        progress = None
        posts = [f"{post.platform}:{post.id}"]
        key = ledger_module.post_key(mission.id, member_id, post.platform, post.id)
        reason = "recurring_post"
    row = ledger_module.award(session, key=key, member_id=member_id, mission_id=mission.id,
                              points=mission.points, reason=reason, posts=posts,
                              check_id=check_id, now=now)
    if row is None:
        return 0
    outcome.awards.append(row)
    body = event_body(row, progress=progress, goal=mission.goal_posts,
                      balance=ledger_module.balance(session, member_id))
    delivery = new_delivery(service, row, body, now)
    if delivery is not None:
        session.add(delivery)
        session.flush()
        outcome.deliveries.append(delivery.id)
    return row.points


def _progress_detail(session: Session, mission: MissionRow, member_id: str, hashtag: str) -> str:
    if mission.goal_kind == "posts":
        return (f"#{hashtag} found; progress {_credits(session, mission.id, member_id)}"
                f"/{mission.goal_posts}")
    return f"#{hashtag} found"
