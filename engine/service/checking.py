"""R5 and R9: running a claim's check, recording it, and deciding what comes next.

A claim is processed by whichever worker takes its lease (``claims.lease_until``); a worker that
dies leaves the lease to expire and the next worker finishes the claim. A check costs two
transactions: a short one takes the lease (and the account's fetch lease, or finds a recent
fetch to share), then the fetch happens outside any transaction, and everything it leads to
(the check row, verdicts, credits, ledger rows, webhook deliveries, the claim's next state, the
fetch lease released) is written in one transaction, retried whole when a unique constraint
reports a concurrent writer. Rows just written are not read back; counting is batched
(:mod:`engine.service.counting`).

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
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

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
    MemberRow,
    MissionActionRow,
    MissionRow,
)

from . import alerts, metrics, ownership, privacy
from .context import Service
from .counting import CountOutcome, count_posts
from .errors import NotFound
from .progress import goal_met
from .records import CheckResult, Claim

log = logging.getLogger(__name__)
# The tables, for Core statements (cheaper than the ORM's unit of work on the hot path).
CLAIMS = cast(Table, ClaimRow.__table__)
LINKS = cast(Table, LinkedAccountRow.__table__)
CHECKS = cast(Table, CheckRow.__table__)
DUE_STATES = ("queued", "rechecking", "retrying")
WAIT_FOR_SHARED_FETCH = 2.0  # seconds before a claim looks again for a fetch in progress
# How long a worker waits, in the same pass, for another worker's fetch of the same account
# (seconds), and how often it looks; past that the claim is postponed by the delay above.
MAX_WAIT_FOR_SHARED_FETCH = 45.0
SHARED_FETCH_POLL = 0.05
RECORD_ATTEMPTS = 5
MISSIONS = cast(Table, MissionRow.__table__)
MEMBERS = cast(Table, MemberRow.__table__)
_MINE = LINKS.alias("mine")

# The hot path's statements, built once and run on the transaction's connection with
# parameters (building a statement and the Session's execute cost more than SQLite's work).
_LEASE = (update(CLAIMS)
          .where(CLAIMS.c.id == bindparam("claim_id"), CLAIMS.c.state.in_(DUE_STATES),
                 CLAIMS.c.due_at <= bindparam("now"),
                 or_(CLAIMS.c.lease_until.is_(None), CLAIMS.c.lease_until < bindparam("now")))
          .values(lease_owner=bindparam("owner"), lease_until=bindparam("until"))
          .returning(*CLAIMS.c))
_MISSION_AND_HASHTAG = (
    select(MISSIONS.c.status, ActionRow.hashtag).select_from(MISSIONS)
    .outerjoin(MissionActionRow, and_(MissionActionRow.mission_id == MISSIONS.c.id,
                                      MissionActionRow.platform == bindparam("platform")))
    .outerjoin(ActionRow, ActionRow.id == MissionActionRow.action_id)
    .where(MISSIONS.c.id == bindparam("mission_id")).limit(1))
# Every link of the member's handle, oldest first (several only while it is contested).
_HANDLE_LINKS = (
    select(LINKS).where(
        LINKS.c.platform == bindparam("platform"),
        LINKS.c.handle == select(_MINE.c.handle).where(
            _MINE.c.member_id == bindparam("member_id"),
            _MINE.c.platform == bindparam("platform")).scalar_subquery())
    .order_by(LINKS.c.id))
_TAKE_FETCH = (update(LINKS)
               .where(LINKS.c.id == bindparam("link_id"),
                      or_(LINKS.c.fetch_lease_until.is_(None),
                          LINKS.c.fetch_lease_until < bindparam("now")))
               .values(fetch_lease_until=bindparam("until")))
_DROP_FETCH = (update(LINKS).where(LINKS.c.id == bindparam("link_id"))
               .values(fetch_lease_until=None))
_RELEASE_FETCH = (update(LINKS)
                  .where(LINKS.c.platform == bindparam("b_platform"),
                         LINKS.c.handle == bindparam("b_handle"),
                         LINKS.c.fetch_lease_until.is_not(None))
                  .values(fetch_lease_until=None))
_RECENT_FETCH = (
    select(CHECKS.c.id, CHECKS.c.status, CHECKS.c.posts, CHECKS.c.backend, CHECKS.c.detail,
           CHECKS.c.fetched_at)
    .where(CHECKS.c.platform == bindparam("platform"), CHECKS.c.handle == bindparam("handle"),
           CHECKS.c.shared_from.is_(None), CHECKS.c.fetched_at >= bindparam("since"),
           CHECKS.c.status.in_(("ok", "private", "not_found")))
    .order_by(CHECKS.c.fetched_at.desc()).limit(1))
_CLAIM_FOR_UPDATE = select(CLAIMS).where(CLAIMS.c.id == bindparam("claim_id")).with_for_update()
_MISSION = select(MISSIONS).where(MISSIONS.c.id == bindparam("mission_id"))
_LOCK_MEMBER = (select(MEMBERS.c.id).where(MEMBERS.c.id == bindparam("member_id"))
                .with_for_update())
_MEMBER_LINK = select(LINKS).where(LINKS.c.member_id == bindparam("member_id"),
                                   LINKS.c.platform == bindparam("platform"))
_INSERT_CHECK = insert(CHECKS).returning(CHECKS.c.id)
# Without .values(): the SET clause is the parameters given (every column _write_outcome moves).
_WRITE_CLAIM = update(CLAIMS).where(CLAIMS.c.id == bindparam("claim_id"))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


@dataclass(frozen=True)
class _Fetch:
    """What the lease transaction decided about the account's fetch.

    ``shared``: a recent fetch of the account to reuse (its snapshot and check id); ``ours``:
    this worker now holds the account's fetch lease and reads the platform (reading the bio
    when ``want_bio``); neither: another worker is fetching, wait for its answer.
    """

    shared: tuple[Snapshot, int] | None
    ours: bool
    want_bio: bool


@dataclass(frozen=True)
class _Leased:
    claim: Claim
    kind: str
    mission_status: str
    hashtag: str | None
    handle: str | None
    fetch: _Fetch | None = None  # None when the claim cannot be checked (no handle, mission)


@dataclass
class _ClaimState:
    """The columns of a claim that :func:`_next_state` moves (written back in one UPDATE)."""

    state: str
    due_at: datetime | None
    finished_at: datetime | None
    counted: int
    rechecks_done: int
    failures: int
    first_failure_at: datetime | None


def process_claim(service: Service, claim_id: int, owner: str | None = None) -> CheckResult | None:
    """Run the claim's check if it is due and free; None when there was nothing to do.

    Two transactions when the check reads the platform: the lease (the claim's and the
    account's fetch lease, or a recent fetch to share), then, after the platform call, the
    outcome (check, seen posts, credits, ledger, webhook deliveries, the claim's next state,
    the fetch lease released). Raises ``RuntimeError`` when the outcome cannot be written
    after :data:`RECORD_ATTEMPTS` tries (the claim's lease then expires and it runs again).
    """
    owner = owner or worker_name()
    leased = _take_lease(service, claim_id, owner)
    if leased is None:
        return None
    claim = leased.claim
    if leased.fetch is None or leased.handle is None or leased.hashtag is None:
        reason = ("the member no longer has a linked handle on this platform"
                  if leased.handle is None else "the mission is no longer published")
        _finish_without_check(service, claim_id, owner, reason)
        metrics.observe_transition(claim_id=claim_id, mission_id=claim.mission_id,
                                   platform=claim.platform, before=claim.state, after="done",
                                   reason=reason)
        return None
    account = Account(platform=claim.platform, handle=leased.handle)
    snapshot: Snapshot | None
    if leased.fetch.shared is not None:
        (snapshot, shared_from), fetched = leased.fetch.shared, False
    elif leased.fetch.ours:
        snapshot, shared_from, fetched = _fetch(service, account, leased.fetch.want_bio), None, True
    else:
        # Another worker is fetching this account: wait for its answer in this same pass (R9:
        # simultaneous claims share one fetch; `worker --once` leaves none of them behind).
        snapshot, shared_from, fetched = None, None, False
        deadline = time.monotonic() + min(MAX_WAIT_FOR_SHARED_FETCH, service.settings.lease / 2)
        while snapshot is None and time.monotonic() < deadline:
            time.sleep(SHARED_FETCH_POLL)
            snapshot, shared_from, fetched = _obtain_snapshot(service, account)
    if snapshot is None:
        _postpone(service, claim_id, owner, WAIT_FOR_SHARED_FETCH)
        return None
    released = False
    try:
        # The outcome's transaction also releases the fetch lease (when it commits).
        result = _record(service, leased, owner, snapshot, shared_from, release=fetched)
        released = True
    finally:
        if fetched and not released:
            _release_fetch(service, account)
    if result is None:
        return None
    _observe(service, leased, snapshot, result)
    if service.queue is not None and result.next_check_at is not None:
        delay = (result.next_check_at - service.now()).total_seconds()
        service.queue.enqueue_claim(claim_id, max(delay, 0.0))
    return result


def _observe(service: Service, leased: _Leased, snapshot: Snapshot,
             result: CheckResult) -> None:
    """After a check is recorded: its metrics and log lines, then the backends' alerts
    (:mod:`.alerts`, at most every ``[alerts] interval``). A failure here is logged and never
    undoes or repeats the recorded check."""
    claim = leased.claim
    answered_before = claim.last_status is not None and AccountStatus(claim.last_status).completed
    try:
        metrics.observe_check(
            service, claim_id=claim.id, mission_id=claim.mission_id, platform=claim.platform,
            kind=leased.kind, before=claim.state, after=result.claim_state,
            created_at=claim.created_at, snapshot=snapshot, check_id=result.check_id,
            shared_from=result.shared_from,
            first_answer=(snapshot.status.completed and leased.kind != "recheck"
                          and not answered_before))
        alerts.after_check(service)
    except Exception:  # the check is recorded; only its metrics or the alert look failed
        log.exception("claim %s: could not record the metrics or alerts of check %s",
                      claim.id, result.check_id)


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


def _claim_of(row: Any) -> Claim:
    """The :class:`Claim` of a ``claims`` row read with Core (a Row of the table's columns)."""
    return Claim(id=row.id, member_id=row.member_id, mission_id=row.mission_id,
                 platform=row.platform, post_url=row.post_url, state=row.state,
                 created_at=row.created_at, due_at=row.due_at, counted=row.counted,
                 rechecks_done=row.rechecks_done, failures=row.failures,
                 last_status=row.last_status, last_detail=row.last_detail,
                 last_cause=row.last_cause, finished_at=row.finished_at)


def _take_lease(service: Service, claim_id: int, owner: str) -> _Leased | None:
    """One short transaction: the claim's lease, what the check needs to know (mission status,
    hashtag, the member's handle), and the account's fetch (a recent one to share, or the
    fetch lease). None when the claim is not due or another worker holds it."""
    now = service.now()
    until = now + timedelta(seconds=service.settings.lease)
    with service.db.transaction() as session:
        connection = session.connection()
        row = connection.execute(_LEASE, {"claim_id": claim_id, "now": now, "owner": owner,
                                          "until": until}).first()
        if row is None:
            return None
        found = connection.execute(_MISSION_AND_HASHTAG, {"mission_id": row.mission_id,
                                                          "platform": row.platform}).first()
        status, hashtag = (found[0], found[1]) if found is not None else ("missing", None)
        links = list(connection.execute(_HANDLE_LINKS, {"member_id": row.member_id,
                                                        "platform": row.platform}))
        handle = next((link.handle for link in links if link.member_id == row.member_id), None)
        kind = {"queued": "first", "rechecking": "recheck"}.get(row.state, "retry")
        leased = _Leased(claim=_claim_of(row), kind=kind, mission_status=status,
                         hashtag=hashtag, handle=handle)
        if handle is None or hashtag is None or status != "published":
            return leased
        fetch = _plan_fetch(service, session, links, Account(platform=row.platform,
                                                              handle=handle), now)
        return replace(leased, fetch=fetch)


def _plan_fetch(service: Service, session: Session, links: Sequence[Any],
                account: Account, now: datetime) -> _Fetch:
    """Inside the lease transaction: share a recent fetch of ``account``, or take its fetch
    lease (held on the handle's oldest link), or neither (another worker is fetching).

    The lease is tried before the look for a recent fetch: a worker whose fetch committed
    before our lease is seen by the look; one that has not committed still holds the lease.
    """
    connection = session.connection()
    until = now + timedelta(seconds=service.settings.lease)
    taken = connection.execute(_TAKE_FETCH, {"link_id": links[0].id, "now": now,
                                             "until": until}).rowcount == 1
    shared = _recent_fetch_in(service, session, account, now)
    if shared is not None:
        if taken:
            connection.execute(_DROP_FETCH, {"link_id": links[0].id})
        return _Fetch(shared=shared, ours=False, want_bio=False)
    # A link waiting for its proof: read the bio even where that costs a request.
    return _Fetch(shared=None, ours=taken,
                  want_bio=ownership.needs_proof(links, service.settings.ownership))


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


def _fetch(service: Service, account: Account, want_bio: bool) -> Snapshot:
    """Read the account from the platform (this worker holds its fetch lease).

    A cassette miss or a configuration error is not a platform answer: it becomes an
    unavailable snapshot (the claim is retried like one). Any other exception releases the
    fetch lease and propagates.
    """
    try:
        return service.engine.snapshot(account, want_bio=want_bio)
    except (CassetteMiss, ConfigurationError) as error:
        return Snapshot(account=account, status=AccountStatus.UNAVAILABLE,
                        detail=f"{type(error).__name__}: {error}",
                        cause=UnavailableCause.BACKEND_ERROR)
    except BaseException:
        _release_fetch(service, account)
        raise


def _obtain_snapshot(service: Service,
                     account: Account) -> tuple[Snapshot | None, int | None, bool]:
    """(snapshot, check it was shared from, whether this worker fetched it).

    The path of a claim whose account another worker was fetching at lease time: look again
    for its fetch, or take the fetch lease once it is free.
    """
    now = service.now()
    with service.db.transaction() as session:
        shared = _recent_fetch_in(service, session, account, now)
        if shared is not None:
            return shared[0], shared[1], False
        rows = ownership.holders(session, account.platform, account.handle)
        if not rows:
            return None, None, False
        fetch = _plan_fetch(service, session, rows, account, now)
    if fetch.shared is not None:
        return fetch.shared[0], fetch.shared[1], False
    if not fetch.ours:
        return None, None, False
    return _fetch(service, account, fetch.want_bio), None, True


def _recent_fetch_in(service: Service, session: Session, account: Account,
                     now: datetime) -> tuple[Snapshot, int] | None:
    """The latest completed fetch of ``account`` within ``[missions] share_fetch`` seconds,
    as a snapshot to reuse and its check id; None when there is none."""
    if service.settings.share_fetch <= 0:
        return None
    since = now - timedelta(seconds=service.settings.share_fetch)
    row = session.connection().execute(_RECENT_FETCH, {
        "platform": account.platform, "handle": account.handle, "since": since}).first()
    if row is None:
        return None
    snapshot = Snapshot(
        account=account, status=AccountStatus(row.status),
        posts=tuple(post_from_json(item) for item in row.posts or ()),
        public=row.status == "ok", backend=row.backend, detail=row.detail, requests=0,
        fetched_at=row.fetched_at)
    return snapshot, row.id


def _clear_fetch_lease(session: Session, account: Account) -> None:
    session.connection().execute(_RELEASE_FETCH, {"b_platform": account.platform,
                                                  "b_handle": account.handle})


def _release_fetch(service: Service, account: Account) -> None:
    """Release the account's fetch lease in a transaction of its own (after a failure)."""
    try:
        with service.db.transaction() as session:
            _clear_fetch_lease(session, account)
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
            shared_from: int | None, *, release: bool = False) -> CheckResult | None:
    """Write the check's outcome in one transaction (``release``: and free the account's
    fetch lease), retried whole on a concurrent write; None when the lease was lost."""
    for attempt in range(RECORD_ATTEMPTS):
        try:
            return _record_once(service, leased, owner, snapshot, shared_from, release)
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
                 shared_from: int | None, release: bool) -> CheckResult | None:
    with service.db.transaction() as session:
        result, deliveries = _write_outcome(service, session, leased, owner, snapshot,
                                            shared_from)
        if release:  # last: members are locked before links (as a proof's settlement does)
            _clear_fetch_lease(session, snapshot.account)
    ownership.enqueue_deliveries(service, deliveries)
    return result


def _write_outcome(service: Service, session: Session, leased: _Leased, owner: str,
                   snapshot: Snapshot,
                   shared_from: int | None) -> tuple[CheckResult | None, list[int]]:
    """The check row, proofs, verdicts, credits, awards and the claim's next state; returns
    the result (None when another worker took the lease over) and the deliveries written."""
    settings = service.settings
    now = service.now()
    claim_id = leased.claim.id
    connection = session.connection()
    claim = connection.execute(_CLAIM_FOR_UPDATE, {"claim_id": claim_id}).first()
    if claim is None or claim.lease_owner != owner:
        log.warning("claim %s: lease lost to another worker; dropping this check", claim_id)
        return None, []
    # A Core row with the mission's columns: what counting reads of a MissionRow.
    mission: Any = connection.execute(_MISSION, {"mission_id": claim.mission_id}).one()
    assert leased.hashtag is not None
    account = snapshot.account
    deliveries: list[int] = []
    proving = (shared_from is None
               and snapshot.status in (AccountStatus.OK, AccountStatus.PRIVATE)
               and ownership.may_prove(session, snapshot))
    if proving:
        # Lock every member a proof may touch (a contest involves several), in id order.
        ownership.lock_members(session, {claim.member_id} | ownership.involved_members(
            session, account.platform, account.handle))
    elif connection.execute(_LOCK_MEMBER, {"member_id": claim.member_id}).first() is None:
        raise NotFound(f"no member {claim.member_id!r}")
    check_id = connection.execute(_INSERT_CHECK, {
        "claim_id": claim_id, "kind": leased.kind, "platform": account.platform,
        "handle": account.handle, "status": snapshot.status.value, "backend": snapshot.backend,
        "requests": snapshot.requests, "seconds": snapshot.seconds, "detail": snapshot.detail,
        "cause": snapshot.cause.value if snapshot.cause else None,
        "attempts": [_attempt_json(a) for a in snapshot.attempts],
        # Captions only of the posts that matter to the mission (issue 12).
        "posts": privacy.stored_posts(snapshot.posts, leased.hashtag,
                                      claimed_post=claim.post_id)
        if shared_from is None else [],
        "shared_from": shared_from,
        "fetched_at": now if shared_from is None else snapshot.fetched_at,
        "finished_at": now}).scalar_one()
    if proving:
        deliveries += ownership.apply_proofs(service, session, snapshot, check_id, now)
        session.flush()
    state = _ClaimState(state=claim.state, due_at=claim.due_at, finished_at=claim.finished_at,
                        counted=claim.counted, rechecks_done=claim.rechecks_done,
                        failures=claim.failures, first_failure_at=claim.first_failure_at)
    outcome = CountOutcome()
    detail = snapshot.detail
    cause = snapshot.cause.value if snapshot.cause else None
    # A Core row with the link's columns (what is_credited reads of a LinkedAccountRow).
    link: Any = connection.execute(_MEMBER_LINK, {"member_id": claim.member_id,
                                             "platform": claim.platform}).first()
    if link is None or link.handle != account.handle:
        # This member's link ended (another member proved the handle) or changed.
        detail = (f"@{account.handle} is no longer linked to this member: another member "
                  "proved it is theirs" if link is None else
                  f"the member now links @{link.handle}, not @{account.handle}")
        state.state, state.due_at, state.finished_at = "done", None, now
        cause = None
    else:
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
                    detail = (f"post {claim.post_id} is not among the {len(snapshot.posts)} "
                              f"most recent posts of @{account.handle}; only those are read")
            outcome = count_posts(service, session, mission=mission, hashtag=leased.hashtag,
                                  member_id=claim.member_id, posts=posts, check_id=check_id,
                                  now=now, handle=account.handle, unproven=unproven)
            deliveries += outcome.deliveries
        complete = (outcome.progress >= (mission.goal_posts or 0)
                    if outcome.progress is not None and mission.goal_posts is not None
                    else goal_met(session, mission, claim.member_id))
        _next_state(state, leased.kind, snapshot.status, outcome.counted, now, settings,
                    complete=complete)
    connection.execute(_WRITE_CLAIM, {
        "claim_id": claim_id, "state": state.state, "due_at": state.due_at,
        "finished_at": state.finished_at, "counted": state.counted,
        "rechecks_done": state.rechecks_done, "failures": state.failures,
        "first_failure_at": state.first_failure_at, "last_status": snapshot.status.value,
        "last_detail": detail, "last_cause": cause, "lease_owner": None, "lease_until": None})
    result = CheckResult(
        claim_id=claim_id, check_id=check_id, kind=leased.kind, status=snapshot.status.value,
        cause=cause, backend=snapshot.backend,
        requests=snapshot.requests if shared_from is None else 0, shared_from=shared_from,
        detail=detail, posts=tuple(outcome.posts), counted=outcome.counted,
        points=outcome.points, claim_state=state.state, next_check_at=state.due_at)
    return result, deliveries


def _is_serialization_failure(error: OperationalError) -> bool:
    """PostgreSQL's deadlock (40P01) or serialization failure (40001): retry the transaction."""
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return code in ("40P01", "40001")


def _next_state(claim: _ClaimState, kind: str, status: AccountStatus, counted: int,
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
