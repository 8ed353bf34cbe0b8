"""A claim's lease: which worker checks a due claim (rule R5 and R9, docs/rules.md).

A claim is processed by whichever worker takes its lease (``claims.lease_owner`` and
``claims.lease_until``, ``[missions] lease`` seconds); a worker that dies leaves the lease to
expire and the next worker finishes the claim. :func:`take_lease` is the first of a check's two
transactions: it takes the lease, reads what the check needs (mission status, hashtag, the
member's handle) and plans the account's fetch (:mod:`.shared_fetch`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from engine.models import Account
from engine.storage.database import constant_in
from engine.storage.models import ActionRow, ClaimRow, LinkedAccountRow, MissionActionRow, MissionRow

from .claim_states import DUE_STATES, CheckKind, ClaimState
from .claims import to_claim
from .context import Service
from .records import Claim
from .shared_fetch import DROP_FETCH, FETCH_LEASE_FREE, FetchPlan, LastFetch, plan_fetch

log = logging.getLogger(__name__)

# The tables, for Core statements (cheaper than the ORM's unit of work on the hot path).
CLAIMS = cast(Table, ClaimRow.__table__)
LINKS = cast(Table, LinkedAccountRow.__table__)
MISSIONS = cast(Table, MissionRow.__table__)
_MINE = LINKS.alias("mine")

# The claim's columns a check reads (all but the lease's own, which it has just written).
_CLAIM_READ = tuple(column for column in CLAIMS.c
                    if column.name not in ("lease_owner", "lease_until"))
# A link's columns a check reads: whose it is, the handle, and what ownership.is_credited
# reads (fewer columns: each costs the driver and SQLAlchemy a little on every claim).
_LINK_READ = (LINKS.c.id, LINKS.c.member_id, LINKS.c.handle, LINKS.c.verified_at,
              LINKS.c.contested)

# Built once and run on the transaction's connection with parameters (building a statement
# and the Session's execute cost more than SQLite's work). The due states are written into
# the SQL (constant_in): an expanding IN is rendered again at every execution.
_LEASE = (update(CLAIMS)
          .where(CLAIMS.c.id == bindparam("claim_id"), constant_in(CLAIMS.c.state, DUE_STATES),
                 CLAIMS.c.due_at <= bindparam("now"),
                 # Free, expired, or already this worker's (a lease whose answer was lost
                 # with its connection, taken again by the same thread: never two checks).
                 or_(CLAIMS.c.lease_until.is_(None), CLAIMS.c.lease_until < bindparam("now"),
                     CLAIMS.c.lease_owner == bindparam("owner")))
          .values(lease_owner=bindparam("owner"), lease_until=bindparam("until"))
          .returning(*_CLAIM_READ))
# The member's handle on the claim's platform (None when not linked).
_MY_HANDLE = select(_MINE.c.handle).where(
    _MINE.c.member_id == bindparam("member_id"),
    _MINE.c.platform == bindparam("platform")).scalar_subquery()
# In one statement: the mission's columns (prefixed m_), the hashtag of its action on the
# claim's platform (at most one per platform), and every link of the member's handle
# (prefixed l_, the columns of _LINK_READ; oldest first; several only while it is contested;
# one row of NULLs when the member has no handle there). No row when the mission is gone.
_CONTEXT = (
    select(*(column.label(f"m_{column.name}") for column in MISSIONS.c),
           ActionRow.hashtag.label("hashtag"),
           *(column.label(f"l_{column.name}") for column in _LINK_READ))
    .select_from(MISSIONS)
    .outerjoin(MissionActionRow, and_(MissionActionRow.mission_id == MISSIONS.c.id,
                                      MissionActionRow.platform == bindparam("platform")))
    .outerjoin(ActionRow, ActionRow.id == MissionActionRow.action_id)
    .outerjoin(LINKS, and_(LINKS.c.platform == bindparam("platform"),
                           LINKS.c.handle == _MY_HANDLE))
    .where(MISSIONS.c.id == bindparam("mission_id"))
    .order_by(LINKS.c.id))
# Every link of the member's handle, oldest first (when the mission is gone).
_HANDLE_LINKS = (select(*_LINK_READ).where(LINKS.c.platform == bindparam("platform"),
                                           LINKS.c.handle == _MY_HANDLE).order_by(LINKS.c.id))
# PostgreSQL only (SQLite has no UPDATE in a WITH): _LEASE and _CONTEXT in one statement, a
# data-modifying CTE whose claim row (prefixed c_) is joined to its mission, hashtag and the
# links of the member's handle (one row per link; mission columns NULL when it is gone).
# No row when the claim is not due or another worker holds it.
_LEASED = _LEASE.cte("leased")
_LEASED_HANDLE = select(_MINE.c.handle).where(
    _MINE.c.member_id == _LEASED.c.member_id,
    _MINE.c.platform == _LEASED.c.platform).scalar_subquery()
# And, in the same statement, the account's fetch lease (shared_fetch.TAKE_FETCH), when the
# claim can be checked (a published mission with an action on the claim's platform, a handle
# there): held on the handle's oldest link, it comes back as ``taken`` (that link's id; NULL
# when another worker holds it or the claim cannot be checked). The look for a recent fetch
# stays a statement of its own, after this one (see shared_fetch.plan_fetch).
_THEIRS = LINKS.alias("theirs")
_OLDEST_LINK = (select(func.min(_THEIRS.c.id))
                .where(_THEIRS.c.platform == _LEASED.c.platform,
                       _THEIRS.c.handle == _LEASED_HANDLE)
                .scalar_subquery())
_CHECKABLE = (select(MISSIONS.c.id)
              .join(MissionActionRow, MissionActionRow.mission_id == MISSIONS.c.id)
              .where(MISSIONS.c.id == _LEASED.c.mission_id, MISSIONS.c.status == "published",
                     MissionActionRow.platform == _LEASED.c.platform)
              .exists())
_TAKEN = (update(LINKS)
          .where(LINKS.c.id == _OLDEST_LINK, _CHECKABLE, FETCH_LEASE_FREE)
          .values(fetch_lease_until=bindparam("until"))
          .returning(LINKS.c.id, LINKS.c.last_fetched_at).cte("taken"))
_LEASE_WITH_CONTEXT = (
    select(*(column.label(f"c_{column.name}") for column in _LEASED.c),
           select(_TAKEN.c.id).scalar_subquery().label("taken"),
           # The account's latest shareable fetch, as the row the take updated says
           # (shared_fetch.LastFetch): when it is old, no look for a fetch to share.
           select(_TAKEN.c.last_fetched_at).scalar_subquery().label("taken_fetched"),
           *(column.label(f"m_{column.name}") for column in MISSIONS.c),
           ActionRow.hashtag.label("hashtag"),
           *(column.label(f"l_{column.name}") for column in _LINK_READ))
    .select_from(_LEASED)
    .outerjoin(MISSIONS, MISSIONS.c.id == _LEASED.c.mission_id)
    .outerjoin(MissionActionRow, and_(MissionActionRow.mission_id == MISSIONS.c.id,
                                      MissionActionRow.platform == _LEASED.c.platform))
    .outerjoin(ActionRow, ActionRow.id == MissionActionRow.action_id)
    .outerjoin(LINKS, and_(LINKS.c.platform == _LEASED.c.platform,
                           LINKS.c.handle == _LEASED_HANDLE))
    .order_by(LINKS.c.id))
# Where each part of a row of _LEASE_WITH_CONTEXT (and, without the claim's columns and
# ``taken``, of _CONTEXT) stands: rows are read by position (a tuple's slice costs less than
# a mapping's look-up of every label).
_CLAIM_NAMES = tuple(column.name for column in _CLAIM_READ)
_MISSION_NAMES = tuple(column.name for column in MISSIONS.c)
_LINK_NAMES = tuple(column.name for column in _LINK_READ)
# The index of ``taken`` in a row of _LEASE_WITH_CONTEXT (``taken_fetched`` follows it).
_TAKEN_AT = len(_CLAIM_NAMES)


def worker_name() -> str:
    """This thread's name as a lease owner: ``host:pid:thread id``."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


@dataclass(frozen=True)
class Leased:
    """A claim whose lease this worker holds, and what its check needs to know.

    ``row`` is the ``claims`` row as the lease wrote it (its columns as attributes, all but
    ``lease_owner`` and ``lease_until``: the outcome starts from its counters, which only the
    lease holder moves); ``mission`` the mission's columns as attributes, read in the same
    transaction (None when the mission is gone); ``mission_status`` is ``missing`` when the
    mission is gone; ``hashtag`` is None when the mission has no action on the claim's
    platform, ``handle`` when the member has no link there; ``fetch`` is None when the claim
    cannot be checked (no handle, no hashtag, or the mission is not published).
    """

    claim: Claim
    row: Any
    kind: CheckKind
    mission: Any
    mission_status: str
    hashtag: str | None
    handle: str | None
    fetch: FetchPlan | None = None


# A lease statement whose connection the database dropped (a restart, an administrator's
# pg_terminate_backend) runs again once, on a new connection.
LEASE_ATTEMPTS = 2


def take_lease(service: Service, claim_id: int, owner: str) -> Leased | None:
    """:func:`lease_once`, run again once on a new connection when the database dropped the
    connection (``DBAPIError`` with ``connection_invalidated``): the statements may have
    committed before their answer was lost, so the fetch lease they took is dropped first
    (:func:`_drop_lost_fetch_lease`) and the claim's lease, ``owner``'s, is taken again.
    Raises the second error, or any other ``DBAPIError`` at once."""
    now = service.now()
    for attempt in range(LEASE_ATTEMPTS):
        try:
            return lease_once(service, claim_id, owner, now)
        except DBAPIError as error:
            if not error.connection_invalidated or attempt + 1 == LEASE_ATTEMPTS:
                raise
            log.warning("claim %s: the database connection was lost while taking the lease; "
                        "taking it again", claim_id)
            _drop_lost_fetch_lease(service, claim_id, owner,
                                   now + timedelta(seconds=service.settings.lease))
    raise AssertionError("unreachable")


def _drop_lost_fetch_lease(service: Service, claim_id: int, owner: str,
                           until: datetime) -> None:
    """After a lease whose answer was lost: free the account's fetch lease when it ends at
    ``until`` and the claim's lease is ``owner``'s until that same instant, which is what
    the lost statements wrote when they committed (a fetch lease that no worker holds would
    only make the next checks of the account wait for it to expire). Raises ``DBAPIError``
    when the database still fails."""
    mine = and_(CLAIMS.c.id == claim_id, CLAIMS.c.lease_owner == owner,
                CLAIMS.c.lease_until == until)
    handle = (select(_MINE.c.handle).where(_MINE.c.member_id == CLAIMS.c.member_id,
                                           _MINE.c.platform == CLAIMS.c.platform)
              .correlate(CLAIMS).scalar_subquery())
    with service.db.statements() as connection:
        connection.execute(update(LINKS).where(
            LINKS.c.fetch_lease_until == until,
            select(CLAIMS.c.id).where(mine, LINKS.c.platform == CLAIMS.c.platform,
                                      LINKS.c.handle == handle).exists())
            .values(fetch_lease_until=None))


def lease_once(service: Service, claim_id: int, owner: str,
               now: datetime | None = None) -> Leased | None:
    """The claim's lease, what the check needs to know (mission status, hashtag, the member's
    handle), and the account's fetch (a recent one to share, or the fetch lease). None when
    the claim is not due or another worker holds it (a lease ``owner`` already holds is
    taken again).

    On a plain connection (Core only: an ORM session costs more than the statements here).
    On PostgreSQL one statement, in autocommit (no ``BEGIN`` or ``COMMIT`` round trip): the
    claim's lease, its context and the account's fetch lease are written and read together;
    when a recent fetch may be shared, the look for it (and dropping the fetch lease just
    taken, when it finds one) are statements of their own, each standing alone: an error
    between them leaves at worst a lease that expires, as a worker's death does. On SQLite
    one transaction (``BEGIN IMMEDIATE``: the database's write lock). ``now``: the
    service's clock when None; the leases end ``[missions] lease`` seconds after it."""
    now = service.now() if now is None else now
    until = now + timedelta(seconds=service.settings.lease)
    lease = {"claim_id": claim_id, "now": now, "owner": owner, "until": until}
    with service.db.statements() as connection:
        row: Any
        if connection.dialect.name == "postgresql":  # one round trip instead of two
            rows = connection.execute(_LEASE_WITH_CONTEXT, lease).all()
            if not rows:
                return None
            first = rows[0]
            row = SimpleNamespace(**dict(zip(_CLAIM_NAMES, first[:_TAKEN_AT], strict=True)))
            mission, hashtag, links = _read_context(rows, _TAKEN_AT + 2)
            taken: bool | None = first[_TAKEN_AT] is not None
            last_fetch = LastFetch(first[_TAKEN_AT + 1]) if taken else None
        else:
            row = connection.execute(_LEASE, lease).first()
            if row is None:
                return None
            mission, hashtag, links = _context(connection, row)
            taken, last_fetch = None, None  # plan_fetch takes the fetch lease
        status = mission.status if mission is not None else "missing"
        handle = next((link.handle for link in links if link.member_id == row.member_id), None)
        leased = Leased(claim=to_claim(row), row=row, kind=CheckKind.of(row.state),
                        mission=mission, mission_status=status, hashtag=hashtag, handle=handle)
        if handle is None or hashtag is None or status != "published":
            if taken:  # never expected (same conditions in SQL); never keep it then
                connection.execute(DROP_FETCH, {"link_id": links[0].id})
            return leased
        try:
            plan = plan_fetch(service, connection, links, Account(platform=row.platform,
                                                                  handle=handle), now,
                              taken=taken, last_fetch=last_fetch)
        except Exception:
            if taken is not None:  # PostgreSQL: the leases were committed by the first statement
                _give_back(service, claim_id, owner, links[0].id if taken else None)
            raise
        return replace(leased, fetch=plan)


_GIVE_BACK = (update(CLAIMS).where(CLAIMS.c.id == bindparam("claim_id"),
                                   CLAIMS.c.lease_owner == bindparam("owner"))
              .values(lease_owner=None, lease_until=None))


def _give_back(service: Service, claim_id: int, owner: str, link_id: int | None) -> None:
    """After an error that followed the autocommitted lease statement (PostgreSQL): give the
    claim's lease back, and the account's fetch lease when it was taken (on its link
    ``link_id``), on a fresh connection, so that the next worker does not wait for them to
    expire. Best effort: a database that still fails is logged and the leases expire, as a
    killed worker's do."""
    try:
        with service.db.statements() as connection:
            connection.execute(_GIVE_BACK, {"claim_id": claim_id, "owner": owner})
            if link_id is not None:
                connection.execute(DROP_FETCH, {"link_id": link_id})
    except Exception:  # the database is still failing: the leases expire instead
        log.warning("claim %s: could not give its leases back after an error; they expire "
                    "after [missions] lease seconds", claim_id, exc_info=True)


def _context(connection: Connection, claim: Any) -> tuple[Any, str | None, list[Any]]:
    """The claim's mission (its columns as attributes; None when it is gone), the hashtag of
    its action on the claim's platform, and the links of the member's handle, oldest first
    (the columns of :data:`_LINK_READ` as attributes)."""
    parameters = {"mission_id": claim.mission_id, "platform": claim.platform,
                  "member_id": claim.member_id}
    rows = connection.execute(_CONTEXT, parameters).all()
    if not rows:
        return None, None, [SimpleNamespace(**dict(zip(_LINK_NAMES, found, strict=True)))
                            for found in connection.execute(_HANDLE_LINKS, parameters)]
    return _read_context(rows, 0)


def _read_context(rows: Sequence[Any], start: int) -> tuple[Any, str | None, list[Any]]:
    """The mission (None when its columns are NULL: it is gone), hashtag and links in the
    rows of :data:`_CONTEXT` (``start`` 0) or :data:`_LEASE_WITH_CONTEXT` (``start`` the
    index of its first mission column): at least one row, read by position."""
    first = rows[0]
    hashtag_at = start + len(_MISSION_NAMES)
    mission = (SimpleNamespace(**dict(zip(_MISSION_NAMES, first[start:hashtag_at],
                                          strict=True)))
               if first[start] is not None else None)
    links = [SimpleNamespace(**dict(zip(_LINK_NAMES, found[hashtag_at + 1:], strict=True)))
             for found in rows if found[hashtag_at + 1] is not None]
    return mission, first[hashtag_at], links


def postpone(service: Service, claim_id: int, owner: str, seconds: float) -> None:
    """Give the claim's lease back and make it due again in ``seconds`` (re-queued)."""
    now = service.now()
    with service.db.transaction() as session:
        session.execute(update(ClaimRow).where(ClaimRow.id == claim_id,
                                               ClaimRow.lease_owner == owner)
                        .values(due_at=now + timedelta(seconds=seconds), lease_owner=None,
                                lease_until=None))
    if service.queue is not None:
        service.queue.enqueue_claim(claim_id, seconds)


def finish_without_check(service: Service, claim_id: int, owner: str, reason: str) -> None:
    """End a claim that cannot be checked any more (``done``, ``reason`` as its detail)."""
    with service.db.transaction() as session:
        session.execute(update(ClaimRow).where(ClaimRow.id == claim_id,
                                               ClaimRow.lease_owner == owner)
                        .values(state=ClaimState.DONE, due_at=None, lease_owner=None,
                                lease_until=None, finished_at=service.now(),
                                last_detail=reason))


def due_claims(service: Service, limit: int = 100) -> list[int]:
    """Claims whose check is due and that no worker holds (the sweep after lost jobs), at most
    ``limit``, the earliest due first."""
    now = service.now()
    with service.db.sessions() as session:
        return list(session.scalars(
            select(ClaimRow.id).where(constant_in(ClaimRow.state, DUE_STATES),
                                      ClaimRow.due_at <= now,
                                      or_(ClaimRow.lease_until.is_(None),
                                          ClaimRow.lease_until < now))
            .order_by(ClaimRow.due_at, ClaimRow.id).limit(limit)))


def next_due_at(service: Service) -> datetime | None:
    """When the next claim check is due (UTC; for ``worker --once`` and tests)."""
    with service.db.sessions() as session:
        return session.scalar(select(ClaimRow.due_at)
                              .where(constant_in(ClaimRow.state, DUE_STATES))
                              .order_by(ClaimRow.due_at).limit(1))
