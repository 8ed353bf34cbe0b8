"""One fetch for simultaneous claims of one account (rule R9, docs/rules.md).

A completed fetch serves the account's claims for ``[missions] share_fetch`` seconds (its
check is found again by :func:`recent_fetch`); while one worker fetches, it holds the account's
fetch lease (``linked_accounts.fetch_lease_until`` on the handle's oldest link) and the others
wait a moment and then reuse its result (:func:`obtain_snapshot`). The lease is released in the
transaction that records the check, or by :func:`release_fetch` after a failure.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from engine.errors import CassetteMiss, ConfigurationError
from engine.models import Account, AccountStatus, Snapshot, UnavailableCause
from engine.storage.database import constant_in
from engine.storage.models import CheckRow, LinkedAccountRow, SeenPostRow

from . import ownership
from .context import Service
from .post_codec import post_from_json

log = logging.getLogger(__name__)
LINKS = cast(Table, LinkedAccountRow.__table__)
CHECKS = cast(Table, CheckRow.__table__)
SEEN_POSTS = cast(Table, SeenPostRow.__table__)
WAIT_FOR_SHARED_FETCH = 2.0  # seconds before a claim looks again for a fetch in progress
# How long a worker waits, in the same pass, for another worker's fetch of the same account
# (seconds), and how often it looks; past that the claim is postponed by the delay above.
MAX_WAIT_FOR_SHARED_FETCH = 45.0
SHARED_FETCH_POLL = 0.05

# A link's fetch lease is free: never taken, or held until before ``now``.
FETCH_LEASE_FREE = or_(LINKS.c.fetch_lease_until.is_(None),
                       LINKS.c.fetch_lease_until < bindparam("now"))
# Take the account's fetch lease on its oldest link (``link_id``) unless a worker holds it:
# one row, with the account's last shareable fetch (:class:`LastFetch`), when taken.
TAKE_FETCH = (update(LINKS).where(LINKS.c.id == bindparam("link_id"), FETCH_LEASE_FREE)
              .values(fetch_lease_until=bindparam("until"))
              .returning(LINKS.c.last_fetched_at))
# Give back a fetch lease just taken (on ``link_id``).
DROP_FETCH = (update(LINKS).where(LINKS.c.id == bindparam("link_id"))
              .values(fetch_lease_until=None))
# Free the fetch lease of an account (every link of the handle); parameters b_platform and
# b_handle (prefixed: the claim's own statement, which embeds it, has a platform of its own).
RELEASE_FETCH = (update(LINKS)
                  .where(LINKS.c.platform == bindparam("b_platform"),
                         LINKS.c.handle == bindparam("b_handle"),
                         LINKS.c.fetch_lease_until.is_not(None))
                  .values(fetch_lease_until=None))
# The same after the fetch's check is written, which also records when a shareable fetch
# happened (``b_fetched``, its fetched_at; None for a fetch that cannot be shared) on every
# link of the handle, in the transaction that writes the check: see :class:`LastFetch`.
RELEASE_AFTER_FETCH = (update(LINKS)
                       .where(LINKS.c.platform == bindparam("b_platform"),
                              LINKS.c.handle == bindparam("b_handle"))
                       .values(fetch_lease_until=None, last_fetched_at=func.coalesce(
                           bindparam("b_fetched", type_=LINKS.c.last_fetched_at.type),
                           LINKS.c.last_fetched_at)))
# The statuses of a fetch that simultaneous claims may share.
SHAREABLE = ("ok", "private", "not_found")
# The checks of the account (``platform``, ``handle``) that read the platform and may be
# shared: what the look for a recent fetch and a new link's last_fetched_at both search.
_SHAREABLE_FETCHES = (CHECKS.c.platform == bindparam("platform"),
                      CHECKS.c.handle == bindparam("handle"), CHECKS.c.shared_from.is_(None),
                      constant_in(CHECKS.c.status, SHAREABLE))
_LAST_FETCH = select(func.max(CHECKS.c.fetched_at)).where(*_SHAREABLE_FETCHES)
_RECENT_FETCH = (
    select(CHECKS.c.id, CHECKS.c.status, CHECKS.c.posts, CHECKS.c.backend, CHECKS.c.detail,
           CHECKS.c.fetched_at,
           # The account's followers that fetch read, kept on its seen posts (issue 17).
           select(SEEN_POSTS.c.followers).where(SEEN_POSTS.c.check_id == CHECKS.c.id)
           .limit(1).scalar_subquery().label("followers"))
    .where(*_SHAREABLE_FETCHES, CHECKS.c.fetched_at >= bindparam("since"))
    .order_by(CHECKS.c.fetched_at.desc()).limit(1))


@dataclass(frozen=True)
class LastFetch:
    """When the account's latest shareable fetch happened (``at``, UTC; None: never), as
    the link holding its fetch lease says (``linked_accounts.last_fetched_at``).

    Read by the statement that took the fetch lease, it is the latest: a worker whose fetch
    committed before the take is counted (a take that waited for that worker's release
    re-reads the row), and no other fetch can start while this worker holds the lease. So
    when ``at`` is older than ``[missions] share_fetch`` seconds there is nothing to share and
    :func:`plan_fetch` spares the look for one (a statement per claim).
    """

    at: datetime | None


def last_fetch_of(connection: Connection, platform: str, handle: str) -> datetime | None:
    """The ``fetched_at`` of the handle's latest shareable fetch (None: never), from its
    checks: where a new link's ``last_fetched_at`` starts."""
    at = connection.execute(_LAST_FETCH, {"platform": platform, "handle": handle}).scalar()
    return cast(datetime | None, at)


@dataclass(frozen=True)
class FetchPlan:
    """What the lease transaction decided about the account's fetch.

    ``shared``: a recent fetch of the account to reuse (its snapshot and check id); ``ours``:
    this worker now holds the account's fetch lease and reads the platform (reading the bio
    when ``want_bio``); neither: another worker is fetching, wait for its answer.
    """

    shared: tuple[Snapshot, int] | None
    ours: bool
    want_bio: bool


def plan_fetch(service: Service, connection: Connection, links: Sequence[Any],
               account: Account, now: datetime, *, taken: bool | None = None,
               last_fetch: LastFetch | None = None) -> FetchPlan:
    """On the lease's connection (:func:`engine.service.leases.take_lease`: a transaction
    on SQLite, autocommit on PostgreSQL): share a recent fetch of ``account``, or take its
    fetch lease (held on the handle's oldest link, ``links[0]``, for ``[missions] lease``
    seconds), or neither (another worker is fetching). ``taken``: whether an earlier
    statement on this connection already tried the fetch lease (the claim's lease on
    PostgreSQL does);
    None to try it here. ``last_fetch``: what the take read of the account's latest fetch
    (:class:`LastFetch`), when it took the lease; with nothing recent enough to share, the
    look for a recent fetch is spared. (On SQLite the transaction holds the database's write
    lock from its start, so the take reads the latest row as well.)

    The lease is tried before the look for a recent fetch: a worker whose fetch committed
    before our lease is seen by the look; one that has not committed still holds the lease.
    """
    if taken is None:
        until = now + timedelta(seconds=service.settings.lease)
        took = connection.execute(TAKE_FETCH, {"link_id": links[0].id, "now": now,
                                               "until": until}).first()
        taken = took is not None
        last_fetch = LastFetch(took[0]) if took is not None else None
    if taken and last_fetch is not None and (
            last_fetch.at is None
            or last_fetch.at < now - timedelta(seconds=service.settings.share_fetch)):
        shared = None  # nothing to share (see LastFetch)
    else:
        shared = recent_fetch(service, connection, account, now)
    if shared is not None:
        if taken:
            connection.execute(DROP_FETCH, {"link_id": links[0].id})
        return FetchPlan(shared=shared, ours=False, want_bio=False)
    # A link waiting for its proof: read the bio even where that costs a request.
    return FetchPlan(shared=None, ours=taken,
                     want_bio=ownership.needs_proof(links, service.settings.ownership))


def fetch_account(service: Service, account: Account, want_bio: bool) -> Snapshot:
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
        release_fetch(service, account)
        raise


def obtain_snapshot(service: Service,
                    account: Account) -> tuple[Snapshot | None, int | None, bool]:
    """(snapshot, check it was shared from, whether this worker fetched it); no snapshot
    when another worker still fetches the account, or it has no link any more.

    The path of a claim whose account another worker was fetching at lease time: look again
    for its fetch, or take the fetch lease once it is free.
    """
    now = service.now()
    with service.db.transaction() as session:
        shared = recent_fetch(service, session.connection(), account, now)
        if shared is not None:
            return shared[0], shared[1], False
        rows = ownership.holders(session, account.platform, account.handle)
        if not rows:
            return None, None, False
        plan = plan_fetch(service, session.connection(), rows, account, now)
    if plan.shared is not None:
        return plan.shared[0], plan.shared[1], False
    if not plan.ours:
        return None, None, False
    return fetch_account(service, account, plan.want_bio), None, True


def recent_fetch(service: Service, connection: Connection, account: Account,
                 now: datetime) -> tuple[Snapshot, int] | None:
    """The latest completed fetch of ``account`` within ``[missions] share_fetch`` seconds,
    as a snapshot to reuse and its check id; None when there is none."""
    if service.settings.share_fetch <= 0:
        return None
    since = now - timedelta(seconds=service.settings.share_fetch)
    row = connection.execute(_RECENT_FETCH, {
        "platform": account.platform, "handle": account.handle, "since": since}).first()
    if row is None:
        return None
    snapshot = Snapshot(
        account=account, status=AccountStatus(row.status),
        posts=tuple(post_from_json(item) for item in row.posts or ()),
        public=row.status == "ok", backend=row.backend, detail=row.detail, requests=0,
        fetched_at=row.fetched_at, followers=row.followers)
    return snapshot, row.id


def clear_fetch_lease(session: Session, account: Account) -> None:
    """Inside a transaction: free the fetch lease of ``account`` (every link of the handle)."""
    session.connection().execute(RELEASE_FETCH, {"b_platform": account.platform,
                                                  "b_handle": account.handle})


def clear_fetch_lease_after(connection: Connection, account: Account,
                            fetched: datetime | None) -> None:
    """Inside the transaction that writes the fetch's check (on its ``connection``): free
    the fetch lease of ``account`` and record ``fetched`` (its ``fetched_at`` when the fetch
    may be shared, None when it may not) on every link of the handle (:class:`LastFetch`)."""
    connection.execute(RELEASE_AFTER_FETCH, {
        "b_platform": account.platform, "b_handle": account.handle, "b_fetched": fetched})


def release_fetch(service: Service, account: Account) -> None:
    """Release the account's fetch lease in a transaction of its own (after a failure); a
    database error is logged and the lease simply expires."""
    try:
        with service.db.transaction() as session:
            clear_fetch_lease(session, account)
    except OperationalError:  # the lease simply expires
        log.warning("could not release the fetch lease of %s", account)
