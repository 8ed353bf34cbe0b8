"""Running a claim's check and recording its outcome (rule R5 and R9, docs/rules.md).

A check costs two transactions: a short one takes the claim's lease (:mod:`.leases`) and the
account's fetch lease, or finds a recent fetch to share (:mod:`.shared_fetch`); then the fetch
happens outside any transaction, and everything it leads to (the check row, verdicts, credits,
ledger rows, webhook deliveries, the claim's next state (:mod:`.claim_states`), the fetch lease
released) is written in one transaction, retried whole when a unique constraint reports a
concurrent writer. Rows just written are not read back; counting is batched
(:mod:`.counting`).
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import time
from dataclasses import replace
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, insert, select
from sqlalchemy.dialects.postgresql import psycopg
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from engine.models import Account, AccountStatus, Snapshot, UnavailableCause
from engine.storage.models import CheckRow, ClaimRow, LinkedAccountRow, MemberRow
from engine.storage.multi_insert import Tail
from engine.storage.types import stored_instant
from engine.verdicts import Verdict

from . import alerts, metrics, ownership, privacy
from .claim_states import CheckKind, ClaimSchedule, ClaimState, next_state
from .context import Service
from .counting import CountOutcome, count_posts
from .errors import NotFound
from .leases import Leased, finish_without_check, postpone, take_lease, worker_name
from .post_codec import attempt_to_json
from .progress import goal_met
from .records import CheckResult
from .shared_fetch import (
    MAX_WAIT_FOR_SHARED_FETCH,
    RELEASE_AFTER_FETCH,
    SHAREABLE,
    SHARED_FETCH_POLL,
    WAIT_FOR_SHARED_FETCH,
    clear_fetch_lease_after,
    fetch_account,
    obtain_snapshot,
    release_fetch,
)
from .thresholds import next_recheck

log = logging.getLogger(__name__)
RECORD_ATTEMPTS = 5
# The tables, for Core statements (cheaper than the ORM's unit of work on the hot path).
CLAIMS = cast(Table, ClaimRow.__table__)
LINKS = cast(Table, LinkedAccountRow.__table__)
CHECKS = cast(Table, CheckRow.__table__)
MEMBERS = cast(Table, MemberRow.__table__)

# What _write_outcome reads of the member's link: whether there is one, its handle, and what
# ownership.is_credited and the "not proved yet" detail read (only these: every column of a
# result costs the driver and SQLAlchemy a little on every claim).
_LINK_READ = (LINKS.c.id, LINKS.c.handle, LINKS.c.verification_code, LINKS.c.verified_at,
              LINKS.c.contested)
# The member's row locked (counting for one member is serial) and, in the same statement, the
# member's link on the claim's platform (the columns of _LINK_READ prefixed l_, NULL when there
# is none).
_LOCK_MEMBER_AND_LINK = (
    select(MEMBERS.c.id.label("member"),
           *(column.label(f"l_{column.name}") for column in _LINK_READ))
    .select_from(MEMBERS)
    .outerjoin(LINKS, and_(LINKS.c.member_id == MEMBERS.c.id,
                           LINKS.c.platform == bindparam("platform")))
    .where(MEMBERS.c.id == bindparam("member_id"))
    .with_for_update(of=MEMBERS))
_LINK_COLUMNS = tuple((f"l_{column.name}", column.name) for column in _LINK_READ)
_MEMBER_LINK = select(*_LINK_READ).where(LINKS.c.member_id == bindparam("member_id"),
                                         LINKS.c.platform == bindparam("platform"))
_INSERT_CHECK = insert(CHECKS).returning(CHECKS.c.id)
# The columns of a check row _write_outcome writes: all but its id.
_CHECK_FIELDS = tuple(column.name for column in CHECKS.c if column.name != "id")
# PostgreSQL only: _LOCK_MEMBER_AND_LINK and _INSERT_CHECK in one round trip. The insert is a
# data-modifying CTE (run exactly once, whether or not the member exists: a missing member
# raises NotFound and the transaction is rolled back); its id comes back as ``check_id``. The
# check's parameters are prefixed k_ (``platform`` and ``claim_id`` are shared names).
_INSERTED_CHECK = (insert(CHECKS)
                   .values(**{name: bindparam(f"k_{name}") for name in _CHECK_FIELDS})
                   .returning(CHECKS.c.id).cte("inserted_check"))
_LOCK_MEMBER_AND_INSERT_CHECK = _LOCK_MEMBER_AND_LINK.add_columns(
    select(_INSERTED_CHECK.c.id).scalar_subquery().label("check_id"))
# Without .values(): the SET clause is the parameters given (every column _write_outcome
# moves). Only while this worker holds the lease: no row updated means the lease was lost.
_WRITE_CLAIM = CLAIMS.update().where(CLAIMS.c.id == bindparam("claim_id"),
                                     CLAIMS.c.lease_owner == bindparam("owner"))
# PostgreSQL only: the same, and the account's fetch lease released with the time of a
# shareable fetch recorded (clear_fetch_lease_after) in the same round trip, as a
# data-modifying CTE (rolled back with the claim's row when the lease was lost).
_WRITE_CLAIM_AND_RELEASE = _WRITE_CLAIM.add_cte(RELEASE_AFTER_FETCH.cte("released_fetch"))
# PostgreSQL only, the same two statements as parts of the statement that inserts a check's
# credits, awards and seen posts (multi_insert.Tail): one round trip fewer for a check that
# credits posts. Compiled once from the statements above; their parameters are bound by
# psycopg as they are (see _bound).
_CLAIM_WRITTEN = (*(item.name for item in dataclasses.fields(ClaimSchedule)), "last_status",
                  "last_detail", "last_cause", "lease_owner", "lease_until")
_POSTGRESQL = psycopg.dialect()
_CLAIM_TAIL = (
    ("released_fetch", str(RELEASE_AFTER_FETCH.compile(dialect=_POSTGRESQL))),
    ("claim_written", str(_WRITE_CLAIM.returning(CLAIMS.c.id).compile(
        dialect=_POSTGRESQL, column_keys=list(_CLAIM_WRITTEN)))))


def _bound(value: Any) -> Any:
    """A value as psycopg should bind it for a column of ours: an aware datetime as naive
    UTC (as :class:`~engine.storage.types.UTCDateTime` stores it; a naive one raises
    ``ValueError``), an enum as its value, anything else as it is."""
    if isinstance(value, datetime):
        return stored_instant(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


class _LeaseLost(Exception):
    """Another worker took the claim's lease over while this one checked it: the outcome's
    transaction is rolled back."""


def process_claim(service: Service, claim_id: int, owner: str | None = None) -> CheckResult | None:
    """Run the claim's check if it is due and free; None when there was nothing to do.

    Two transactions when the check reads the platform: the lease (the claim's and the
    account's fetch lease, or a recent fetch to share), then, after the platform call, the
    outcome (check, seen posts, credits, ledger, webhook deliveries, the claim's next state,
    the fetch lease released). Raises ``RuntimeError`` when the outcome cannot be written
    after :data:`RECORD_ATTEMPTS` tries (the claim's lease then expires and it runs again).
    """
    owner = owner or worker_name()
    leased = take_lease(service, claim_id, owner)
    if leased is None:
        return None
    claim = leased.claim
    if leased.fetch is None or leased.handle is None or leased.hashtag is None:
        reason = ("the member no longer has a linked handle on this platform"
                  if leased.handle is None else "the mission is no longer published")
        finish_without_check(service, claim_id, owner, reason)
        metrics.observe_transition(claim_id=claim_id, mission_id=claim.mission_id,
                                   platform=claim.platform, before=claim.state,
                                   after=ClaimState.DONE, reason=reason)
        return None
    account = Account(platform=claim.platform, handle=leased.handle)
    snapshot: Snapshot | None
    if leased.fetch.shared is not None:
        (snapshot, shared_from), fetched = leased.fetch.shared, False
    elif leased.fetch.ours:
        snapshot, shared_from, fetched = (fetch_account(service, account, leased.fetch.want_bio),
                                          None, True)
    else:
        # Another worker is fetching this account: wait for its answer in this same pass (R9:
        # simultaneous claims share one fetch; `worker --once` leaves none of them behind).
        snapshot, shared_from, fetched = None, None, False
        deadline = time.monotonic() + min(MAX_WAIT_FOR_SHARED_FETCH, service.settings.lease / 2)
        while snapshot is None and time.monotonic() < deadline:
            time.sleep(SHARED_FETCH_POLL)
            snapshot, shared_from, fetched = obtain_snapshot(service, account)
    if snapshot is None:
        postpone(service, claim_id, owner, WAIT_FOR_SHARED_FETCH)
        return None
    released = False
    try:
        # The outcome's transaction also releases the fetch lease (when it commits).
        result = _record(service, leased, owner, snapshot, shared_from, release=fetched)
        released = True
    finally:
        if fetched and not released:
            release_fetch(service, account)
    if result is None:
        return None
    _observe(service, leased, snapshot, result)
    if service.queue is not None and result.next_check_at is not None:
        delay = (result.next_check_at - service.now()).total_seconds()
        service.queue.enqueue_claim(claim_id, max(delay, 0.0))
    return result


def _observe(service: Service, leased: Leased, snapshot: Snapshot,
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
            first_answer=(snapshot.status.completed and leased.kind != CheckKind.RECHECK
                          and not answered_before))
        alerts.after_check(service)
    except Exception:  # the check is recorded; only its metrics or the alert look failed
        log.exception("claim %s: could not record the metrics or alerts of check %s",
                      claim.id, result.check_id)


def _record(service: Service, leased: Leased, owner: str, snapshot: Snapshot,
            shared_from: int | None, *, release: bool = False) -> CheckResult | None:
    """Write the check's outcome in one transaction (``release``: and free the account's
    fetch lease), retried whole on a concurrent write; None when the lease was lost."""
    for attempt in range(RECORD_ATTEMPTS):
        try:
            return _record_once(service, leased, owner, snapshot, shared_from, release)
        except DBAPIError as error:  # IntegrityError, OperationalError, a lost connection…
            if not _retry_record(leased, error, attempt):
                return _record_failure(service, leased, owner, snapshot, shared_from, error,
                                       release)
        except Exception as error:  # any other fault becomes the check's error
            return _record_failure(service, leased, owner, snapshot, shared_from, error,
                                   release)
    raise RuntimeError(f"claim {leased.claim.id}: could not record the check after "
                       f"{RECORD_ATTEMPTS} attempts")


def _retry_record(leased: Leased, error: Exception, attempt: int) -> bool:
    """Whether the outcome is written again after ``error``: a concurrent writer's, or a
    connection the server ended."""
    if isinstance(error, IntegrityError):
        # A concurrent worker credited the same post or paid the same key: count again.
        log.info("claim %s: concurrent write, counting again (%s)", leased.claim.id,
                 attempt + 1)
        return True
    if isinstance(error, OperationalError) and _is_serialization_failure(error):
        log.info("claim %s: deadlock or serialization failure, counting again (%s)",
                 leased.claim.id, attempt + 1)
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        # The server ended the connection (a restart, an administrator): nothing of this
        # transaction was kept; the pool gives a new connection and the platform's answer
        # is written, not thrown away as an error. (Had the COMMIT gone through before the
        # connection dropped, the claim's lease is no longer ours: the retry writes nothing.)
        log.warning("claim %s: the database connection was lost, writing the outcome again "
                    "(%s)", leased.claim.id, attempt + 1)
        return True
    return False


def _record_failure(service: Service, leased: Leased, owner: str, snapshot: Snapshot,
                    shared_from: int | None, error: Exception,
                    release: bool) -> CheckResult | None:
    """Record the check as ``unavailable`` with cause ``backend_error`` (the engine's own
    error) when its outcome could not be written (a value the
    database refuses, a bug in counting): the claim counts a failure and is retried with
    back-off, then given up, never left leased and retried forever. Raises the original
    error when even this write fails (the lease then expires)."""
    log.exception("claim %s: could not record the outcome of the check (%s); recording it "
                  "as an error", leased.claim.id, type(error).__name__)
    failed = replace(snapshot, status=AccountStatus.UNAVAILABLE, posts=(),
                     cause=UnavailableCause.BACKEND_ERROR, bio=None, followers=None,
                     detail=f"the check's outcome could not be recorded: {type(error).__name__} "
                            "(see the worker's log)")
    try:
        return _record_once(service, leased, owner, failed, shared_from, release)
    except Exception:
        log.exception("claim %s: could not record the error either", leased.claim.id)
        raise error from None


def _record_once(service: Service, leased: Leased, owner: str, snapshot: Snapshot,
                 shared_from: int | None, release: bool) -> CheckResult | None:
    try:
        with service.db.connection_transaction() as (connection, session):
            result, deliveries = _write_outcome(service, session, connection, leased, owner,
                                                snapshot, shared_from, release)
    except _LeaseLost:
        log.warning("claim %s: lease lost to another worker; dropping this check",
                    leased.claim.id)
        if release:
            release_fetch(service, snapshot.account)
        return None
    ownership.enqueue_deliveries(service, deliveries)
    return result


def _write_outcome(service: Service, session: Session, connection: Connection, leased: Leased,
                   owner: str, snapshot: Snapshot, shared_from: int | None,
                   release: bool = False) -> tuple[CheckResult, list[int]]:
    """The check row, proofs, verdicts, credits, awards and the claim's next state (with
    ``release``, the account's fetch lease freed last); returns the result and the
    deliveries written. Core statements run on ``connection``; ``session`` (joined to its
    transaction) serves the rarer ORM work (proofs, an award key already used, webhooks).
    Raises :class:`_LeaseLost` when another worker took the lease over (the claim's row is
    written last, only by the lease holder).

    The claim's counters and the mission are the ones the lease transaction read: only the
    lease holder moves a claim's counters, and a mission edited during the fetch applies from
    the next check."""
    settings = service.settings
    now = service.now()
    claim_id = leased.claim.id
    claim = leased.row
    mission = leased.mission
    assert leased.hashtag is not None and mission is not None
    account = snapshot.account
    deliveries: list[int] = []
    proving = (shared_from is None
               and snapshot.status in (AccountStatus.OK, AccountStatus.PRIVATE)
               and ownership.may_prove(session, snapshot))
    link: Any = None
    check = {
        "claim_id": claim_id, "kind": leased.kind, "platform": account.platform,
        "handle": account.handle, "status": snapshot.status.value, "backend": snapshot.backend,
        "requests": snapshot.requests, "seconds": snapshot.seconds, "detail": snapshot.detail,
        "cause": snapshot.cause.value if snapshot.cause else None,
        "attempts": [attempt_to_json(a) for a in snapshot.attempts],
        # Captions only of the posts that matter to the mission (issue 12).
        "posts": privacy.stored_posts(snapshot.posts, leased.hashtag,
                                      claimed_post=claim.post_id)
        if shared_from is None else [],
        "shared_from": shared_from,
        "fetched_at": now if shared_from is None else snapshot.fetched_at,
        "finished_at": now}
    postgresql = connection.dialect.name == "postgresql"
    if proving:
        # Lock every member a proof may touch (a contest involves several), in id order.
        ownership.lock_members(session, {claim.member_id} | ownership.involved_members(
            session, account.platform, account.handle))
        check_id = connection.execute(_INSERT_CHECK, check).scalar_one()
    else:
        lock = {"member_id": claim.member_id, "platform": claim.platform}
        if postgresql:  # the check's row written in the same round trip
            found = connection.execute(_LOCK_MEMBER_AND_INSERT_CHECK, {
                **lock, **{f"k_{name}": value for name, value in check.items()}},
            ).mappings().first()
        else:
            found = connection.execute(_LOCK_MEMBER_AND_LINK, lock).mappings().first()
        if found is None:
            raise NotFound(f"no member {claim.member_id!r}")
        if found["l_id"] is not None:
            link = SimpleNamespace(**{name: found[label] for label, name in _LINK_COLUMNS})
        check_id = (found["check_id"] if postgresql
                    else connection.execute(_INSERT_CHECK, check).scalar_one())
    if proving:
        deliveries += ownership.apply_proofs(service, session, snapshot, check_id, now)
        session.flush()
    schedule = ClaimSchedule(state=claim.state, due_at=claim.due_at,
                             finished_at=claim.finished_at, counted=claim.counted,
                             rechecks_done=claim.rechecks_done, failures=claim.failures,
                             first_failure_at=claim.first_failure_at)
    outcome = CountOutcome()
    detail = snapshot.detail
    cause = snapshot.cause.value if snapshot.cause else None
    if proving:  # the proofs may have moved the links: read the member's after them
        # A Core row with the link's columns of _LINK_READ (what is_credited reads of a
        # LinkedAccountRow).
        link = connection.execute(_MEMBER_LINK, {"member_id": claim.member_id,
                                                 "platform": claim.platform}).first()
    # The time of this fetch, for the claims that may share it (shared_fetch.LastFetch).
    fetched = (now if shared_from is None and snapshot.status.value in SHAREABLE else None)

    def move(counted: int, progress: int | None, below: bool) -> None:
        """The claim's next state (``schedule`` moved: called once)."""
        complete = (progress >= (mission.goal_posts or 0)
                    if progress is not None and mission.goal_posts is not None
                    else goal_met(session, mission, claim.member_id))
        next_state(schedule, leased.kind, snapshot.status, counted, now, settings,
                   complete=complete, below_threshold=below, threshold_due=next_recheck(
                       claim.created_at, now, settings.threshold_rechecks) if below else None)

    def claim_values() -> dict[str, Any]:
        return {**vars(schedule), "claim_id": claim_id, "owner": owner,
                "last_status": snapshot.status.value, "last_detail": detail,
                "last_cause": cause, "lease_owner": None, "lease_until": None}

    def claim_tail(counted: int, progress: int | None, below: bool) -> Tail:
        """The claim's next state and the fetch lease's release, written by the statement
        that inserts the credits, awards and seen posts (PostgreSQL: one round trip)."""
        move(counted, progress, below)
        return Tail(_CLAIM_TAIL, {name: _bound(value) for name, value in {
            **claim_values(), "fetch_lease_until": None, "b_platform": account.platform,
            "b_handle": account.handle, "b_fetched": fetched}.items()},
            counted="claim_written")

    if link is None or link.handle != account.handle:
        # This member's link ended (another member proved the handle) or changed.
        detail = (f"@{account.handle} is no longer linked to this member: another member "
                  "proved it is theirs" if link is None else
                  f"the member now links @{link.handle}, not @{account.handle}")
        schedule.state, schedule.due_at, schedule.finished_at = ClaimState.DONE, None, now
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
            outcome = count_posts(service, session, connection, mission=mission,
                                  hashtag=leased.hashtag,
                                  member_id=claim.member_id, posts=posts, check_id=check_id,
                                  now=now, handle=account.handle, unproven=unproven,
                                  followers=snapshot.followers,
                                  measured_at=now if shared_from is None else snapshot.fetched_at,
                                  tail=claim_tail if release and postgresql else None)
            deliveries += outcome.deliveries
        if outcome.tail_rows is None:  # the tail, which moves the schedule, did not run
            move(outcome.counted, outcome.progress,
                 any(judged.verdict is Verdict.BELOW_THRESHOLD for judged in outcome.posts))
    if outcome.tail_rows is not None:  # written with the credits
        rows = outcome.tail_rows
    elif release and postgresql:  # and the account's fetch lease, in the same round trip
        rows = connection.execute(_WRITE_CLAIM_AND_RELEASE, {
            **claim_values(), "b_platform": account.platform, "b_handle": account.handle,
            "b_fetched": fetched}).rowcount
    else:
        rows = connection.execute(_WRITE_CLAIM, claim_values()).rowcount
        if release:  # last: members are locked before links (as a proof's settlement does)
            clear_fetch_lease_after(connection, account, fetched)
    if rows != 1:
        raise _LeaseLost(claim_id)
    result = CheckResult(
        claim_id=claim_id, check_id=check_id, kind=leased.kind, status=snapshot.status.value,
        cause=cause, backend=snapshot.backend,
        requests=snapshot.requests if shared_from is None else 0, shared_from=shared_from,
        detail=detail, posts=tuple(outcome.posts), counted=outcome.counted,
        points=outcome.points, claim_state=schedule.state, next_check_at=schedule.due_at)
    return result, deliveries


def _is_serialization_failure(error: OperationalError) -> bool:
    """PostgreSQL's deadlock (40P01) or serialization failure (40001): retry the transaction."""
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return code in ("40P01", "40001")
