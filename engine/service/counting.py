"""R6–R7: the verdict of every post a check saw, credits, progress, caps and awards.

Runs inside the transaction that records the check, with the member's row locked, so counting
for one member is serial; the unique constraints on credits and ledger keys are the last line
of defence (the caller retries the whole transaction on a conflict).

Posts are counted oldest first, so that with a goal or a cap the earliest posts are the ones
that count. A recurring cap is per calendar day or ISO week of the post's publication in the
community's time zone (``[service] timezone``: a post at 00:30 in Paris counts for that Paris
day), which keeps a re-check's answer identical to the first check's.

Counting is batched: one query each for the posts already credited, the posts credited to
another mission (exclusive posts), the member's progress or the credits in the cap's periods,
and the award keys already paid; then one multi-row insert each for credits, ledger rows and
seen posts. A check of N posts costs a handful of statements, not several per post.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, func, insert, select
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

# The tables, for Core statements (cheaper than the ORM's unit of work on the hot path).
SEEN_POSTS = cast(Table, SeenPostRow.__table__)
CREDITS = cast(Table, CreditRow.__table__)
LEDGER = cast(Table, LedgerRow.__table__)

# Built once, run on the transaction's connection with parameters: building a statement and
# going through the Session's execute cost several times the statement itself.
_CREDITED = select(CREDITS.c.active_key, CREDITS.c.check_id).where(
    CREDITS.c.active_key.in_(bindparam("keys", expanding=True)))
_ELSEWHERE = select(CREDITS.c.exclusive_key, CREDITS.c.mission_id).where(
    CREDITS.c.exclusive_key.in_(bindparam("keys", expanding=True)),
    CREDITS.c.mission_id != bindparam("mission_id"))
_LIVE = (CREDITS.c.mission_id == bindparam("mission_id"),
         CREDITS.c.member_id == bindparam("member_id"), CREDITS.c.revoked_at.is_(None))
_PROGRESS = select(func.count(CREDITS.c.id)).where(*_LIVE)
_IN_PERIODS = select(CREDITS.c.published_at).where(
    *_LIVE, CREDITS.c.published_at >= bindparam("start"), CREDITS.c.published_at < bindparam("end"))
_LIVE_POSTS = select(CREDITS.c.platform, CREDITS.c.post_id).where(*_LIVE).order_by(CREDITS.c.id)
_PAID = select(LEDGER.c.id).where(
    LEDGER.c.idempotency_key.in_(bindparam("keys", expanding=True))).limit(1)
_INSERT_CREDITS = insert(CREDITS)
_INSERT_LEDGER = insert(LEDGER).returning(LEDGER.c.idempotency_key, LEDGER.c.id)
_INSERT_SEEN = insert(SEEN_POSTS)


@dataclass
class CountOutcome:
    """What counting one check did.

    ``progress`` is the member's live credits for the mission after counting, for a mission
    with an N-post goal (None for a recurring one, or when nothing was counted).
    """

    posts: list[JudgedPost] = field(default_factory=list)
    counted: int = 0
    points: int = 0
    awards: list[LedgerRow] = field(default_factory=list)
    deliveries: list[int] = field(default_factory=list)
    progress: int | None = None


def mission_window(mission: MissionRow) -> Window:
    """The mission's publication window (start and end, UTC; None for an open side)."""
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


@dataclass
class _Known:
    """What the database already holds about a check's matching posts (read in one batch)."""

    credited: dict[str, int]  # active key -> the check that credited it
    elsewhere: dict[str, int]  # exclusive key -> another mission it credits
    progress: int  # live credits of the member for the mission (N-post goal)
    used: Counter[tuple[datetime, datetime]]  # live credits per cap period


def _load_known(service: Service, session: Session, mission: MissionRow, member_id: str,
                posts: Sequence[Post], exclusive: bool) -> _Known:
    known = _Known(credited={}, elsewhere={}, progress=0, used=Counter())
    if not posts:
        return known
    connection = session.connection()
    # A post credited to a member since erased keeps its key as a digest (erased_key): it
    # still counts as credited, in the same query.
    keys = _with_erased([active_key(mission.id, post.platform, post.id) for post in posts])
    known.credited = {keys[key]: check for key, check in connection.execute(
        _CREDITED, {"keys": list(keys)}) if key is not None}
    if exclusive:
        keys = _with_erased([exclusive_key(post.platform, post.id) for post in posts])
        for key, other in connection.execute(_ELSEWHERE, {"keys": list(keys),
                                                          "mission_id": mission.id}):
            if key is not None:
                known.elsewhere.setdefault(keys[key], other)
    live = {"mission_id": mission.id, "member_id": member_id}
    if mission.goal_kind == "posts":
        known.progress = int(connection.execute(_PROGRESS, live).scalar() or 0)
    elif mission.cap_count and mission.cap_period:
        zone = ZoneInfo(service.settings.timezone)
        periods = {period_bounds(post.published_at, mission.cap_period, zone) for post in posts}
        published = connection.execute(_IN_PERIODS, {
            **live, "start": min(start for start, _ in periods),
            "end": max(end for _, end in periods)}).scalars()
        for moment in published:
            for start, end in periods:
                if start <= moment < end:
                    known.used[(start, end)] += 1
    return known


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
    it among its failures. Raises ``IntegrityError`` when a concurrent writer credited the same
    post or paid the same award (the caller retries its transaction).
    """
    outcome = CountOutcome()
    window = mission_window(mission)
    exclusive = service.settings.exclusive_posts
    ordered = sorted(posts, key=lambda p: (p.published_at, p.id))
    judged = [(post, judge_post(post, hashtag, window)) for post in ordered]
    known = _load_known(service, session, mission, member_id,
                        [] if unproven else [post for post, j in judged if j.matched],
                        exclusive)
    zone = ZoneInfo(service.settings.timezone)
    # (post, verdict, detail, failures); points are filled in once the awards are written.
    verdicts: list[tuple[Post, str, str, tuple[str, ...]]] = []
    credited: list[Post] = []
    for post, judgement in judged:
        failures = tuple(f.value for f in judgement.failures)
        if not judgement.matched:
            verdict, detail = judgement.verdict.value, judgement.detail
            if unproven:
                failures = (*failures, OWNERSHIP_UNPROVEN)
        elif unproven:
            verdict, detail, failures = OWNERSHIP_UNPROVEN, unproven, (OWNERSHIP_UNPROVEN,)
        else:
            verdict, detail = _counting_verdict(mission, post, exclusive, known, zone)
            if verdict == COUNTED:
                credited.append(post)
                known.credited[active_key(mission.id, post.platform, post.id)] = check_id
                known.progress += 1
                if mission.cap_count and mission.cap_period and mission.goal_kind != "posts":
                    known.used[period_bounds(post.published_at, mission.cap_period, zone)] += 1
                detail = (f"#{hashtag} found; progress {known.progress}/{mission.goal_posts}"
                          if mission.goal_kind == "posts" else f"#{hashtag} found")
            else:
                failures = (verdict,)
        verdicts.append((post, verdict, detail, failures))
    points = _credit(service, session, mission, member_id, credited, check_id, now, exclusive,
                     outcome, handle, known.progress - len(credited))
    if verdicts:
        session.connection().execute(_INSERT_SEEN, [
            {"check_id": check_id, "mission_id": mission.id, "member_id": member_id,
             "platform": post.platform, "post_id": post.id, "url": post.url,
             "published_at": post.published_at, "kind": post.kind.value if post.kind else None,
             "hashtags": list(post.hashtags), "pinned": post.pinned, "verdict": verdict,
             "detail": detail, "failures": list(failures), "points": points.get(post.id, 0)}
            for post, verdict, detail, failures in verdicts])
    outcome.posts = [JudgedPost(
        post_id=post.id, url=post.url, published_at=post.published_at, hashtags=post.hashtags,
        verdict=verdict, detail=detail, failures=failures, points=points.get(post.id, 0))
        for post, verdict, detail, failures in verdicts]
    outcome.counted = len(credited)
    outcome.points = sum(points.values())
    if mission.goal_kind == "posts" and credited:
        outcome.progress = known.progress
    return outcome


def _counting_verdict(mission: MissionRow, post: Post, exclusive: bool, known: _Known,
                      zone: tzinfo) -> tuple[str, str]:
    """For a matching post: counted, or why it does not count (R6)."""
    credited = known.credited.get(active_key(mission.id, post.platform, post.id))
    if credited is not None:
        return ALREADY_COUNTED, f"already counted for this mission (check {credited})"
    if exclusive:
        elsewhere = known.elsewhere.get(exclusive_key(post.platform, post.id))
        if elsewhere is not None:
            return USED_ELSEWHERE, f"already credited for mission {elsewhere}; posts are exclusive"
    if mission.goal_kind == "posts":
        if mission.goal_posts is not None and known.progress >= mission.goal_posts:
            return GOAL_ALREADY_MET, f"the goal of {mission.goal_posts} posts is already met"
    elif mission.cap_count and mission.cap_period:
        start, end = period_bounds(post.published_at, mission.cap_period, zone)
        if known.used[(start, end)] >= mission.cap_count:
            what = "day" if mission.cap_period == "day" else "week"
            return CAP_REACHED, (f"{mission.cap_count} post(s) already rewarded for the {what} "
                                 f"of {start.astimezone(zone).date().isoformat()}")
    return COUNTED, ""


def erased_key(key: str | None) -> str | None:
    """What a credit's unique key becomes when its member is erased: ``erased:`` and the hex
    SHA-256 of the key (a mission, a platform and a public post id; never the member), so the
    post can never be credited again while the database holds no post id of the member."""
    if key is None:
        return None
    return "erased:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _with_erased(keys: Sequence[str]) -> dict[str, str]:
    """Each key and its :func:`erased_key`, mapped to the key."""
    found = {key: key for key in keys}
    found.update({str(erased_key(key)): key for key in keys})
    return found


def active_key(mission_id: int, platform: str, post_id: str) -> str:
    """The unique key of a live credit: one per post and mission."""
    return f"{mission_id}:{platform}:{post_id}"


def exclusive_key(platform: str, post_id: str) -> str:
    """The unique key of a live credit when posts are exclusive: one per post."""
    return f"{platform}:{post_id}"


def _credit(service: Service, session: Session, mission: MissionRow, member_id: str,
            posts: list[Post], check_id: int, now: datetime, exclusive: bool,
            outcome: CountOutcome, handle: str | None, progress_before: int) -> dict[str, int]:
    """Insert the credits of ``posts`` (one statement) and their awards: the post that
    completes an N-post goal earns the mission's points, each post of a recurring mission
    does. Returns the points per post id (posts that earned nothing are absent)."""
    if not posts:
        return {}
    connection = session.connection()
    # A concurrent credit of the same post fails here (IntegrityError on active_key).
    connection.execute(_INSERT_CREDITS, [
        {"mission_id": mission.id, "member_id": member_id, "platform": post.platform,
         "post_id": post.id, "published_at": post.published_at, "check_id": check_id,
         "created_at": now, "active_key": active_key(mission.id, post.platform, post.id),
         "handle": handle, "revoked_at": None,
         "exclusive_key": exclusive_key(post.platform, post.id) if exclusive else None}
        for post in posts])
    # (post, key, reason, posts named by the award, progress after it)
    wanted: list[tuple[Post, str, str, list[str], int | None]] = []
    if mission.goal_kind == "posts":
        if mission.goal_posts is None:
            return {}
        index = mission.goal_posts - progress_before - 1
        if not 0 <= index < len(posts):
            return {}
        named = [f"{platform}:{post_id}" for platform, post_id in connection.execute(
            _LIVE_POSTS, {"mission_id": mission.id, "member_id": member_id})]
        wanted.append((posts[index], ledger_module.completion_key(mission.id, member_id),
                       "mission_completed", named, mission.goal_posts))
    else:
        wanted = [(post, ledger_module.post_key(mission.id, member_id, post.platform, post.id),
                   "recurring_post", [f"{post.platform}:{post.id}"], None) for post in posts]
    rows = _award_all(session, wanted, member_id=member_id, mission=mission,
                      check_id=check_id, now=now)
    points: dict[str, int] = {}
    webhook = bool(service.settings.webhook_url)
    balance = ledger_module.balance(session, member_id) - sum(
        row.points for _, row, _ in rows) if webhook and rows else 0
    deliveries = []
    for post, row, progress in rows:
        outcome.awards.append(row)
        points[post.id] = row.points
        if webhook:
            balance += row.points
            body = event_body(row, progress=progress, goal=mission.goal_posts, balance=balance)
            delivery = new_delivery(service, row, body, now)
            if delivery is not None:
                deliveries.append(delivery)
    if deliveries:
        session.add_all(deliveries)
        session.flush()
        outcome.deliveries += [delivery.id for delivery in deliveries]
    return points


def _award_all(session: Session, wanted: list[tuple[Post, str, str, list[str], int | None]],
               *, member_id: str, mission: MissionRow, check_id: int,
               now: datetime) -> list[tuple[Post, LedgerRow, int | None]]:
    """Write the awards of ``wanted`` whose key is not paid yet: one multi-row insert when no
    key was ever used (the usual case), else one :func:`ledger.award` each (it finds the next
    free key of a reversed award). Returns (post, ledger row, progress) per award written."""
    if not wanted:
        return []
    keys = [key for _, key, _, _, _ in wanted]
    connection = session.connection()
    if connection.execute(_PAID, {"keys": keys}).first() is not None:
        written = []
        for post, key, reason, named, progress in wanted:
            row = ledger_module.award(session, key=key, member_id=member_id,
                                      mission_id=mission.id, points=mission.points,
                                      reason=reason, posts=named, check_id=check_id, now=now)
            if row is not None:
                written.append((post, row, progress))
        return written
    rows = [LedgerRow(member_id=member_id, mission_id=mission.id, points=mission.points,
                      reason=reason, posts=named, check_id=check_id, idempotency_key=key,
                      created_at=now, reverses_id=None)
            for _, key, reason, named, _ in wanted]
    values: list[dict[str, Any]] = [
        {"member_id": row.member_id, "mission_id": row.mission_id, "points": row.points,
         "reason": row.reason, "posts": row.posts, "check_id": row.check_id,
         "idempotency_key": row.idempotency_key, "created_at": row.created_at,
         "reverses_id": None} for row in rows]
    # A concurrent award of the same key fails here (IntegrityError on idempotency_key).
    # Ids matched by key: one multi-row statement (ordered RETURNING would insert row by row
    # on SQLite).
    ids: dict[str, int] = {key: row_id for key, row_id
                           in connection.execute(_INSERT_LEDGER, values)}
    for row in rows:
        row.id = ids[row.idempotency_key]  # transient copies, read by the events; never added
    return [(post, row, progress)
            for (post, _, _, _, progress), row in zip(wanted, rows, strict=True)]
