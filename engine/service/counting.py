"""The verdict of every post a check saw, credits, progress, caps and awards (rules R6 and R7,
docs/rules.md).

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
seen posts, sent as one statement on PostgreSQL (:mod:`engine.storage.multi_insert`). A check
of N posts costs a handful of statements, not several per post.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Table,
    any_,
    bindparam,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from engine.models import Post
from engine.storage.models import CreditRow, LedgerRow, MissionRow, SeenPostRow
from engine.storage.multi_insert import TableRows, Tail, insert_into_tables, insert_into_tables_then
from engine.verdicts import JudgedPost, Verdict, Window, judge_post

from . import ledger as ledger_module
from .context import Service
from .engagement import refresh_seen, seen_numbers
from .thresholds import threshold_of
from .webhooks import event_body, new_delivery

# The tables, for Core statements (cheaper than the ORM's unit of work on the hot path).
SEEN_POSTS = cast(Table, SeenPostRow.__table__)
CREDITS = cast(Table, CreditRow.__table__)
LEDGER = cast(Table, LedgerRow.__table__)

# Built once, run on the transaction's connection with parameters: building a statement and
# going through the Session's execute cost several times the statement itself.
_LIVE = (CREDITS.c.mission_id == bindparam("mission_id"),
         CREDITS.c.member_id == bindparam("member_id"), CREDITS.c.revoked_at.is_(None))


def _known_part(tag: str, key: Any = None, number: Any = None, moment: Any = None) -> Any:
    """One part of :data:`_KNOWN_QUERIES`' union: (tag, key, number, moment) columns."""
    return select(literal_column(f"'{tag}'").label("tag"),
                  key if key is not None else type_coerce(null(), CREDITS.c.active_key.type),
                  number if number is not None else type_coerce(null(), CREDITS.c.id.type),
                  moment if moment is not None
                  else type_coerce(null(), CREDITS.c.published_at.type))


def _one_of(column: Any, name: str, postgresql_array: bool) -> Any:
    """``column`` is one of the list parameter ``name``: on PostgreSQL ``= ANY(%(name)s)``
    with the list bound as one array (the statement's text is the same for any number of
    posts: SQLAlchemy renders nothing at each execution and the server may keep its plan),
    elsewhere an expanding ``IN``."""
    if postgresql_array:
        return column == any_(bindparam(name, type_=postgresql.ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


def _known_query(exclusive: bool, need: str, postgresql_array: bool) -> Any:
    """What the database holds about a check's matching posts, in one statement (a union
    whose rows are tagged): c = an active key already credited and its check; e = an
    exclusive key credited to another mission and that mission (with ``exclusive``); p = the
    member's live credits for the mission (``need`` "posts": an N-post goal); t = the
    publication instant of each live credit in the cap's periods (``need`` "cap"); s = each
    post of the check that an earlier reading left a seen row of (engagement refresh)."""
    credited = _known_part("c", CREDITS.c.active_key, CREDITS.c.check_id).where(
        _one_of(CREDITS.c.active_key, "keys", postgresql_array))
    elsewhere = _known_part("e", CREDITS.c.exclusive_key, CREDITS.c.mission_id).where(
        _one_of(CREDITS.c.exclusive_key, "exclusive_keys", postgresql_array),
        CREDITS.c.mission_id != bindparam("mission_id"))
    needs = {"posts": [_known_part("p", number=func.count(CREDITS.c.id)).where(*_LIVE)],
             "cap": [_known_part("t", moment=CREDITS.c.published_at).where(
                 *_LIVE, CREDITS.c.published_at >= bindparam("start"),
                 CREDITS.c.published_at < bindparam("end"))],
             "": []}
    seen_before = _known_part("s", SEEN_POSTS.c.post_id).where(
        SEEN_POSTS.c.platform == bindparam("platform"),
        _one_of(SEEN_POSTS.c.post_id, "post_ids", postgresql_array),
        or_(SEEN_POSTS.c.measured_at.is_(None),
            SEEN_POSTS.c.measured_at < bindparam("measured_at"))).group_by(SEEN_POSTS.c.post_id)
    return union_all(credited, *([elsewhere] if exclusive else []), *needs[need], seen_before)


# By (PostgreSQL, exclusive posts, what the mission's goal needs: "posts", "cap" or ""),
# built once.
_KNOWN_QUERIES: dict[tuple[bool, bool, str], Any] = {
    (postgresql_array, exclusive, need): _known_query(exclusive, need, postgresql_array)
    for postgresql_array in (False, True) for exclusive in (False, True)
    for need in ("posts", "cap", "")}
_LIVE_POSTS = select(CREDITS.c.platform, CREDITS.c.post_id).where(*_LIVE).order_by(CREDITS.c.id)
_INSERT_CREDITS = insert(CREDITS)
# Awards whose key is free, in one statement; a key already used (an award that stands, or a
# reversed one whose next key ledger.award finds) inserts nothing and returns nothing.
_INSERT_LEDGER = {
    name: dialect_insert(LEDGER).on_conflict_do_nothing(index_elements=["idempotency_key"])
    .returning(LEDGER.c.idempotency_key, LEDGER.c.id)
    for name, dialect_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))}
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
    deliveries: list[int] = field(default_factory=list)
    progress: int | None = None
    # Rows returned by the counted part of count_posts' ``tail`` (None: the tail did not run).
    tail_rows: int | None = None


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
    # Ids of the check's posts with a seen row measured before this check (None: not looked)
    seen_before: set[str] | None = None


def _load_known(service: Service, connection: Connection, mission: MissionRow, member_id: str,
                posts: Sequence[Post], exclusive: bool, seen: Sequence[Post],
                measured_at: datetime) -> _Known:
    """What the database holds about the matching ``posts`` (none: nothing is read) and
    which of every post ``seen`` (all of one platform) has an older seen row, in one query."""
    known = _Known(credited={}, elsewhere={}, progress=0, used=Counter())
    if not posts or len({post.platform for post in seen}) != 1:
        return known
    known.seen_before = set()
    # A post credited to a member since erased keeps its key as a digest (erased_key): it
    # still counts as credited, in the same query.
    keys = _with_erased([active_key(mission.id, post.platform, post.id) for post in posts])
    parameters: dict[str, Any] = {"keys": list(keys), "mission_id": mission.id,
                                  "member_id": member_id, "platform": seen[0].platform,
                                  "post_ids": [post.id for post in seen],
                                  "measured_at": measured_at}
    exclusive_keys = {}
    if exclusive:
        exclusive_keys = _with_erased([exclusive_key(post.platform, post.id) for post in posts])
        parameters["exclusive_keys"] = list(exclusive_keys)
    need, periods = "", set()
    if mission.goal_kind == "posts":
        need = "posts"
    elif mission.cap_count and mission.cap_period:
        need = "cap"
        zone = ZoneInfo(service.settings.timezone)
        periods = {period_bounds(post.published_at, mission.cap_period, zone) for post in posts}
        parameters["start"] = min(start for start, _ in periods)
        parameters["end"] = max(end for _, end in periods)
    for tag, key, number, moment in connection.execute(
            _KNOWN_QUERIES[(connection.dialect.name == "postgresql", exclusive, need)],
            parameters):
        if tag == "c" and key is not None:
            known.credited[keys[key]] = number
        elif tag == "e" and key is not None:
            known.elsewhere.setdefault(exclusive_keys[key], number)
        elif tag == "s":
            known.seen_before.add(key)
        elif tag == "p":
            known.progress = int(number or 0)
        elif tag == "t":
            for start, end in periods:
                if start <= moment < end:
                    known.used[(start, end)] += 1
    return known


def count_posts(
    service: Service,
    session: Session,
    connection: Connection | None = None,
    *,
    mission: MissionRow,
    hashtag: str,
    member_id: str,
    posts: Sequence[Post],
    check_id: int,
    now: datetime,
    handle: str | None = None,
    unproven: str | None = None,
    followers: int | None = None,
    measured_at: datetime | None = None,
    tail: Callable[[int, int | None, bool], Tail] | None = None,
) -> CountOutcome:
    """Judge ``posts`` for ``mission``, credit what counts, write seen posts and awards.

    Each seen post keeps its engagement numbers, the account's ``followers`` and
    ``measured_at`` (the UTC time of the answer, ``now`` by default), and refreshes the numbers
    of the rows older checks wrote for the same posts (:mod:`engine.service.engagement`).

    ``handle`` is the account the posts were read from (kept on credits, so that a transfer of
    ownership can revoke them). With ``unproven`` (why the account's ownership is not proved,
    R11), no post is credited: matching posts get ``ownership_unproven``, and every post lists
    it among its failures. Raises ``IntegrityError`` when a concurrent writer credited the same
    post or paid the same award (the caller retries its transaction).

    The statements run on ``connection`` (Core), by default the session's.

    ``tail``, given (posts counted, the N-post goal's progress after counting or None, whether
    a post fell below its engagement threshold), returns more statements for the round trip
    that inserts the credits, awards and seen posts on PostgreSQL (the claim's next state);
    ``outcome.tail_rows`` then says how many rows its counted part returned. It is called at
    most once, before anything is inserted; ``tail_rows`` stays None when it was not run (on
    SQLite, or when the check completes an N-post goal): the caller writes it itself.
    """
    outcome = CountOutcome()
    window = mission_window(mission)
    exclusive = service.settings.exclusive_posts
    ordered = sorted(posts, key=lambda p: (p.published_at, p.id))
    judged = [(post, judge_post(post, hashtag, window)) for post in ordered]
    measured_at = measured_at or now
    connection = connection or session.connection()  # the statements below run on it
    known = _load_known(service, connection, mission, member_id,
                        [] if unproven else [post for post, j in judged if j.matched],
                        exclusive, ordered, measured_at)
    zone = ZoneInfo(service.settings.timezone)
    # (post, verdict, detail, failures); points are filled in once the awards are written.
    verdicts: list[tuple[Post, Verdict, str, tuple[Verdict, ...]]] = []
    credited: list[Post] = []
    for post, judgement in judged:
        failures = judgement.failures
        if not judgement.matched:
            verdict, detail = judgement.verdict, judgement.detail
            if unproven:
                failures = (*failures, Verdict.OWNERSHIP_UNPROVEN)
        elif unproven:
            verdict, detail = Verdict.OWNERSHIP_UNPROVEN, unproven
            failures = (Verdict.OWNERSHIP_UNPROVEN,)
        else:
            verdict, detail = _counting_verdict(mission, post, exclusive, known, zone)
            if verdict is Verdict.COUNTED:
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
    progress = known.progress if mission.goal_kind == "posts" and credited else None
    below = any(verdict is Verdict.BELOW_THRESHOLD for _, verdict, _, _ in verdicts)
    points, seen_rows = _write(
        service, session, connection, mission, member_id, credited, verdicts, check_id=check_id,
        now=now, exclusive=exclusive, outcome=outcome, handle=handle,
        progress_before=known.progress - len(credited), followers=followers,
        measured_at=measured_at,
        tail=(lambda: tail(len(credited), progress, below)) if tail is not None else None)
    # Only the posts an earlier reading saw have rows to refresh (when the query above
    # looked; first sightings, the usual case for new posts, cost no UPDATE).
    refresh_seen(connection, seen_rows if known.seen_before is None else
                 [row for row in seen_rows if row["post_id"] in known.seen_before])
    outcome.posts = [JudgedPost(post=post, verdict=verdict, detail=detail, failures=failures,
                                points=points.get(post.id, 0))
                     for post, verdict, detail, failures in verdicts]
    outcome.counted = len(credited)
    outcome.points = sum(points.values())
    outcome.progress = progress
    return outcome


def _counting_verdict(mission: MissionRow, post: Post, exclusive: bool, known: _Known,
                      zone: tzinfo) -> tuple[Verdict, str]:
    """For a matching post: counted, or why it does not count (rule R6, docs/rules.md)."""
    credited = known.credited.get(active_key(mission.id, post.platform, post.id))
    if credited is not None:
        return Verdict.ALREADY_COUNTED, f"already counted for this mission (check {credited})"
    if exclusive:
        elsewhere = known.elsewhere.get(exclusive_key(post.platform, post.id))
        if elsewhere is not None:
            return (Verdict.USED_ELSEWHERE,
                    f"already credited for mission {elsewhere}; posts are exclusive")
    if mission.goal_kind == "posts":
        if mission.goal_posts is not None and known.progress >= mission.goal_posts:
            return (Verdict.GOAL_ALREADY_MET,
                    f"the goal of {mission.goal_posts} posts is already met")
    elif mission.cap_count and mission.cap_period:
        start, end = period_bounds(post.published_at, mission.cap_period, zone)
        if known.used[(start, end)] >= mission.cap_count:
            what = "day" if mission.cap_period == "day" else "week"
            return Verdict.CAP_REACHED, (
                f"{mission.cap_count} post(s) already rewarded for the {what} "
                f"of {start.astimezone(zone).date().isoformat()}")
    # A performance mission (issue 17): the post otherwise counts; it must reach the number.
    threshold = threshold_of(mission)
    shortfall = threshold.shortfall(post) if threshold is not None else None
    if shortfall is not None:
        return Verdict.BELOW_THRESHOLD, shortfall
    return Verdict.COUNTED, ""


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




# (post, award key, reason, posts named by the award, progress after it)
_Wanted = tuple[Post, str, str, list[str], int | None]
# (post, verdict, detail, failures) for every post a check judged
_Judged = list[tuple[Post, Verdict, str, tuple[Verdict, ...]]]
_SEEN_POINTS = update(SEEN_POSTS).where(
    SEEN_POSTS.c.check_id == bindparam("b_check_id"),
    SEEN_POSTS.c.post_id == bindparam("b_post_id")).values(points=bindparam("points"))


def _write(service: Service, session: Session, connection: Connection, mission: MissionRow,
           member_id: str, credited: list[Post], verdicts: _Judged, *, check_id: int,
           now: datetime, exclusive: bool, outcome: CountOutcome, handle: str | None,
           progress_before: int, followers: int | None, measured_at: datetime,
           tail: Callable[[], Tail] | None = None) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Insert the credits of ``credited``, their awards (the post that completes an N-post
    goal earns the mission's points, each post of a recurring mission does) and the seen row
    of every judged post. Returns the points per post id (posts that earned nothing are
    absent) and the seen rows' parameters.

    On PostgreSQL the three inserts are one statement
    (:func:`engine.storage.multi_insert.insert_into_tables`), unless the check completes an
    N-post goal (once per member and mission: that award names every live credit, read after
    the credits are inserted); elsewhere they are one multi-row insert each. Raises
    ``IntegrityError`` when a concurrent writer credited the same post (the caller retries)."""
    credit_rows = [
        {"mission_id": mission.id, "member_id": member_id, "platform": post.platform,
         "post_id": post.id, "published_at": post.published_at, "check_id": check_id,
         "created_at": now, "active_key": active_key(mission.id, post.platform, post.id),
         "handle": handle, "revoked_at": None,
         "exclusive_key": exclusive_key(post.platform, post.id) if exclusive else None}
        for post in credited]
    completing = _completing_index(mission, progress_before, len(credited))
    if connection.dialect.name == "postgresql" and completing is None:
        wanted = _recurring_awards(mission, member_id, credited)
        planned = {post.id: mission.points for post, *_ in wanted}
        seen_rows = _seen_rows(mission, member_id, check_id, verdicts, planned, followers,
                               measured_at)
        values = _ledger_values(wanted, mission, member_id, check_id, now)
        # A concurrent credit of the same post fails here (IntegrityError on active_key); a
        # concurrent award of the same key waits for the other transaction, then is skipped.
        parts = [TableRows(CREDITS, credit_rows),
                 TableRows(LEDGER, values, conflict=("idempotency_key",),
                           returning=("idempotency_key", "id")),
                 TableRows(SEEN_POSTS, seen_rows)]
        if tail is not None:  # and the caller's statements, in the same round trip
            returned, outcome.tail_rows = insert_into_tables_then(connection, parts, tail())
        else:
            returned = insert_into_tables(connection, parts)
        ids: dict[str, int] = {key: row_id for key, row_id in returned}
        points = _settle(service, session, mission, member_id, wanted, values, ids,
                         check_id=check_id, now=now, outcome=outcome)
        if points != planned:  # a key was already used: the rows say what was really paid
            changed = [row for row in seen_rows
                       if row["points"] != points.get(row["post_id"], 0)]
            for row in changed:
                row["points"] = points.get(row["post_id"], 0)
            connection.execute(_SEEN_POINTS, [
                {"b_check_id": check_id, "b_post_id": row["post_id"], "points": row["points"]}
                for row in changed])
        return points, seen_rows
    if credit_rows:
        # A concurrent credit of the same post fails here (IntegrityError on active_key).
        connection.execute(_INSERT_CREDITS, credit_rows)
    if completing is not None:
        named = [f"{platform}:{post_id}" for platform, post_id in connection.execute(
            _LIVE_POSTS, {"mission_id": mission.id, "member_id": member_id})]
        wanted = [(credited[completing], ledger_module.completion_key(mission.id, member_id),
                   "mission_completed", named, mission.goal_posts)]
    else:
        wanted = _recurring_awards(mission, member_id, credited)
    values = _ledger_values(wanted, mission, member_id, check_id, now)
    # Ids matched by key: one multi-row statement (ordered RETURNING would insert row by row
    # on SQLite). A key already used (an award that stands, or a reversed one whose next key
    # ledger.award finds) inserts nothing and returns nothing.
    ids = {key: row_id for key, row_id in connection.execute(
        _INSERT_LEDGER[connection.dialect.name], values)} if values else {}
    points = _settle(service, session, mission, member_id, wanted, values, ids,
                     check_id=check_id, now=now, outcome=outcome)
    seen_rows = _seen_rows(mission, member_id, check_id, verdicts, points, followers,
                           measured_at)
    if seen_rows:
        connection.execute(_INSERT_SEEN, seen_rows)
    return points, seen_rows


def _completing_index(mission: MissionRow, progress_before: int, credited: int) -> int | None:
    """Which of the ``credited`` new credits (in order) completes the mission's N-post goal,
    from ``progress_before`` live credits; None when none does or the mission has no goal."""
    if mission.goal_kind != "posts" or mission.goal_posts is None:
        return None
    index = mission.goal_posts - progress_before - 1
    return index if 0 <= index < credited else None


def _recurring_awards(mission: MissionRow, member_id: str, posts: list[Post]) -> list[_Wanted]:
    """One award per post of a recurring mission; none for an N-post goal (only the post
    that completes it is paid, see :func:`_completing_index`)."""
    if mission.goal_kind == "posts":
        return []
    return [(post, ledger_module.post_key(mission.id, member_id, post.platform, post.id),
             "recurring_post", [f"{post.platform}:{post.id}"], None) for post in posts]


def _ledger_values(wanted: list[_Wanted], mission: MissionRow, member_id: str, check_id: int,
                   now: datetime) -> list[dict[str, Any]]:
    """The ledger rows of ``wanted``, in its order."""
    return [{"member_id": member_id, "mission_id": mission.id, "points": mission.points,
             "reason": reason, "posts": named, "check_id": check_id, "idempotency_key": key,
             "created_at": now, "reverses_id": None} for _, key, reason, named, _ in wanted]


def _seen_rows(mission: MissionRow, member_id: str, check_id: int, verdicts: _Judged,
               points: dict[str, int], followers: int | None,
               measured_at: datetime) -> list[dict[str, Any]]:
    """The ``seen_posts`` rows of the judged posts, with the ``points`` each earned."""
    return [
        {"check_id": check_id, "mission_id": mission.id, "member_id": member_id,
         "platform": post.platform, "post_id": post.id, "url": post.url,
         "published_at": post.published_at, "kind": post.kind.value if post.kind else None,
         "hashtags": list(post.hashtags), "pinned": post.pinned, "verdict": verdict.value,
         "detail": detail, "failures": [failure.value for failure in failures],
         "points": points.get(post.id, 0), **seen_numbers(post, followers, measured_at)}
        for post, verdict, detail, failures in verdicts]


def _settle(service: Service, session: Session, mission: MissionRow, member_id: str,
            wanted: list[_Wanted], values: list[dict[str, Any]], ids: dict[str, int], *,
            check_id: int, now: datetime, outcome: CountOutcome) -> dict[str, int]:
    """After the multi-row ledger insert returned ``ids`` (by key): one :func:`ledger.award`
    for each key it skipped (it finds the next free key of a reversed award, or nothing when
    the award stands), then the webhook's events and deliveries (their ids go to
    ``outcome``). Returns the points per post id."""
    webhook = bool(service.settings.webhook_url)
    # (post, points, ledger row, progress); the row only for the webhook's events (a transient
    # copy of what was inserted, never added to the session: building ORM objects costs more
    # than the insert).
    written: list[tuple[Post, int, LedgerRow | None, int | None]] = []
    for (post, key, reason, named, progress), value in zip(wanted, values, strict=True):
        if key in ids:
            row = LedgerRow(**value, id=ids[key]) if webhook else None
            written.append((post, mission.points, row, progress))
            continue
        award = ledger_module.award(session, key=key, member_id=member_id,
                                    mission_id=mission.id, points=mission.points,
                                    reason=reason, posts=named, check_id=check_id, now=now)
        if award is not None:
            written.append((post, award.points, award if webhook else None, progress))
    points = {post.id: paid for post, paid, _, _ in written}
    if not webhook or not written:
        return points
    balance = ledger_module.balance(session, member_id) - sum(points.values())
    deliveries = []
    for _, paid, row, progress in written:
        if row is not None:  # the webhook's event and delivery
            balance += paid
            body = event_body(row, progress=progress, goal=mission.goal_posts, balance=balance)
            delivery = new_delivery(service, row, body, now)
            if delivery is not None:
                deliveries.append(delivery)
    if deliveries:
        session.add_all(deliveries)
        session.flush()
        outcome.deliveries += [delivery.id for delivery in deliveries]
    return points
