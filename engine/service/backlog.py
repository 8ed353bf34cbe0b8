"""How long the queue of claim checks is, and when a claim will be checked (no silent backlog).

A claim's **queue position** is the number of claims due before it (state ``queued``,
``rechecking`` or ``retrying``, ordered by due time then id, the order the workers take them),
those being checked included. Its **expected check time** (UTC) is when its due time has come
and the claims ahead are through at the assumed throughput:

- when the queue has been busy for the whole look-back window (its oldest due claim has waited
  at least :data:`WINDOW` seconds), the workers were saturated, so the throughput is what they
  did: the checks finished in the window divided by its length (this sees every worker
  process, and the platform budget if it is what holds them back);
- otherwise the recent count only measures demand, so the throughput is the workers' capacity:
  ``[queue] workers`` threads divided by the mean check time of the window (the fetch's
  seconds; :data:`DEFAULT_CHECK_SECONDS` without any check), or the recent rate when that is
  higher (several worker processes).

:func:`watch_backlog` is what a worker runs now and then: a warning in the log when the oldest
due claim has waited longer than ``[queue] backlog_warning`` seconds.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased

from engine.storage.models import CheckRow, ClaimRow

from .claim_states import DUE_STATES
from .context import Service

log = logging.getLogger(__name__)
WINDOW = 300.0  # seconds of finished checks the throughput is measured on
DEFAULT_CHECK_SECONDS = 2.0  # a check's duration assumed before any check ran
MIN_CHECK_SECONDS = 0.05  # a floor for the mean check time (replayed checks take ~0)


@dataclass(frozen=True, kw_only=True)
class Throughput:
    """The checks per second the estimate assumes, and on what it rests.

    ``basis`` is ``"recent"`` (checks finished in the window, the workers being saturated) or
    ``"workers"`` (``workers`` threads over ``check_seconds``, the mean check time).
    """

    per_second: float
    basis: str
    recent: int  # checks finished in the last WINDOW seconds
    check_seconds: float
    workers: int


@dataclass(frozen=True, kw_only=True)
class Backlog:
    """The due claims now: how many, and how long the oldest has waited (seconds)."""

    due: int
    oldest_wait: float
    throughput: Throughput


@dataclass(frozen=True, kw_only=True)
class QueueEstimate:
    """Where one claim stands: ``position`` claims ahead of it (0: next), and the UTC instant
    its check is expected (``expected_at``; its due time when that is later)."""

    position: int
    expected_at: datetime
    throughput: Throughput


def _oldest_due(session: Session, now: datetime) -> tuple[int, datetime | None]:
    due, oldest = session.execute(
        select(func.count(ClaimRow.id), func.min(ClaimRow.due_at))
        .where(ClaimRow.state.in_(DUE_STATES), ClaimRow.due_at <= now)).one()
    return int(due or 0), oldest


# Per service: (monotonic time, service time, recent checks, their mean seconds) of the last
# look at the finished checks; reused for CACHE_SECONDS (a busy window holds many rows).
_RECENT: weakref.WeakKeyDictionary[Service, tuple[float, datetime, int, float | None]] = \
    weakref.WeakKeyDictionary()
_RECENT_LOCK = threading.Lock()
CACHE_SECONDS = 10.0


def _recent_checks(service: Service, session: Session, now: datetime) -> tuple[int, float | None]:
    """Checks finished in the last :data:`WINDOW` seconds (their own fetches) and their mean
    duration (seconds), cached for :data:`CACHE_SECONDS` of both clocks."""
    with _RECENT_LOCK:
        cached = _RECENT.get(service)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS \
            and abs((now - cached[1]).total_seconds()) < CACHE_SECONDS:
        return cached[2], cached[3]
    since = now - timedelta(seconds=WINDOW)
    count, mean = session.execute(
        select(func.count(CheckRow.id), func.avg(CheckRow.seconds))
        .where(CheckRow.finished_at >= since, CheckRow.shared_from.is_(None))).one()
    found = (int(count or 0), float(mean) if mean is not None else None)
    with _RECENT_LOCK:
        _RECENT[service] = (time.monotonic(), now, *found)
    return found


def _throughput(service: Service, session: Session, now: datetime,
                oldest: datetime | None) -> Throughput:
    recent, mean = _recent_checks(service, session, now)
    check_seconds = max(mean, MIN_CHECK_SECONDS) if recent and mean is not None \
        else DEFAULT_CHECK_SECONDS
    workers = service.settings.workers
    capacity = workers / check_seconds
    observed = recent / WINDOW
    saturated = oldest is not None and (now - oldest).total_seconds() >= WINDOW
    if saturated and recent:
        return Throughput(per_second=observed, basis="recent", recent=recent,
                          check_seconds=check_seconds, workers=workers)
    return Throughput(per_second=max(capacity, observed), basis="workers", recent=recent,
                      check_seconds=check_seconds, workers=workers)


def backlog(service: Service) -> Backlog:
    """The due claims now, the oldest one's wait and the throughput (three small queries)."""
    now = service.now()
    with service.db.sessions() as session:
        due, oldest = _oldest_due(session, now)
        throughput = _throughput(service, session, now, oldest)
    wait = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
    return Backlog(due=due, oldest_wait=wait, throughput=throughput)


_AHEAD = aliased(ClaimRow, name="ahead")
_DUE = aliased(ClaimRow, name="due")
# One statement for a claim: its state and due time, the claims due before it, and the
# oldest due claim's due time (built once: a claim's answer runs it).
_WHERE_IT_STANDS = (
    select(ClaimRow.state, ClaimRow.due_at,
           select(func.count(_AHEAD.id)).where(
               _AHEAD.state.in_(DUE_STATES),
               or_(_AHEAD.due_at < ClaimRow.due_at,
                   and_(_AHEAD.due_at == ClaimRow.due_at, _AHEAD.id < ClaimRow.id)))
           .scalar_subquery().label("ahead"),
           select(func.min(_DUE.due_at)).where(_DUE.state.in_(DUE_STATES),
                                               _DUE.due_at <= bindparam("now"))
           .scalar_subquery().label("oldest"))
    .where(ClaimRow.id == bindparam("claim_id")))


def estimate(service: Service, claim_id: int) -> QueueEstimate | None:
    """When the claim ``claim_id`` will be checked; None when no check of it is due (it is
    finished, or unknown)."""
    now = service.now()
    with service.db.sessions() as session:
        row = session.connection().execute(_WHERE_IT_STANDS,
                                           {"claim_id": claim_id, "now": now}).first()
        if row is None or row.state not in DUE_STATES or row.due_at is None:
            return None
        throughput = _throughput(service, session, now, row.oldest)
    due_at: datetime = row.due_at
    start = max(due_at, now)
    wait = row.ahead / throughput.per_second if throughput.per_second > 0 else 0.0
    return QueueEstimate(position=int(row.ahead), expected_at=start + timedelta(seconds=wait),
                         throughput=throughput)


def watch_backlog(service: Service) -> Backlog | None:
    """Log a warning when the oldest due claim has waited longer than ``[queue]
    backlog_warning`` seconds (0 turns the warning off); returns the backlog it measured
    (None when off)."""
    threshold = service.settings.backlog_warning
    if threshold <= 0:
        return None
    found = backlog(service)
    if found.oldest_wait > threshold:
        throughput = found.throughput
        drain = found.due / throughput.per_second if throughput.per_second > 0 else 0.0
        log.warning(
            "claim checks are falling behind: %d due, the oldest waiting for %.0f s (more than "
            "[queue] backlog_warning = %.0f s); about %.1f checks/s (%s), so about %.0f s to "
            "catch up: raise [queue] workers (now %d per process) or start more worker "
            "processes", found.due, found.oldest_wait, threshold, throughput.per_second,
            throughput.basis, drain, throughput.workers)
    return found
