"""Alerts when a platform changes: a backend whose attempts keep failing is flagged.

Over the last ``[alerts] window`` (default one hour) of checks — every worker's, read from
``checks.attempts`` — each backend's **bad share** is its ``layout_changed`` and ``error``
attempts divided by the attempts it ran (``skipped`` and ``cassette_miss`` do not count). With
at least ``min_attempts`` attempts in the window:

- a share at or above ``threshold`` flags the backend: event ``backend.degraded``;
- a flagged backend whose share falls below ``threshold`` is cleared: ``backend.recovered``.

With fewer attempts the state does not move (not enough evidence either way). The state lives
in ``backend_alerts`` (shared by all workers; a row lock decides which worker sends the
event). Each event is a WARNING in the log and, when ``[webhooks] url`` is set, a signed
webhook through the same outbox as awards (``webhook_deliveries``). Its body names the
platform, the backend, the share, the attempts, the detail of the latest bad attempt (the
account's handle replaced by ``…``) and a sample check id.

A process looks again after a check at most every ``[alerts] interval`` seconds (default 60;
0: after every check), and once a minute in the worker's loop.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import weakref
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.config import Config
from engine.dates import iso_utc
from engine.errors import ConfigurationError
from engine.storage.models import BackendAlertRow, CheckRow, WebhookDeliveryRow

from .context import Service
from .settings import parse_duration
from .webhooks import stored_url

log = logging.getLogger(__name__)
DEGRADED_EVENT = "backend.degraded"
RECOVERED_EVENT = "backend.recovered"
BAD_OUTCOMES = ("layout_changed", "error")
RAN_OUTCOMES = ("ok", "private", "not_found", "unavailable", "layout_changed", "error")
KEYS = ("window", "threshold", "min_attempts", "interval")
MAX_DETAIL = 500  # characters of the latest bad attempt's detail kept in an event


@dataclass(frozen=True)
class AlertSettings:
    """``[alerts]``: ``window`` and ``interval`` in seconds, ``threshold`` a share in (0, 1],
    ``min_attempts`` the attempts a backend needs in the window before its state moves."""

    window: float = 3600.0
    threshold: float = 0.5
    min_attempts: int = 5
    interval: float = 60.0


def load_alert_settings(config: Config) -> AlertSettings:
    """Read and check ``[alerts]``; raises ``ConfigurationError`` naming the key and the fix."""
    table = config.section("alerts")
    where = f"{config.path or 'configuration'} [alerts]"
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigurationError(f"{where}: unknown key {unknown[0]!r}; known: "
                                 + ", ".join(KEYS))
    values: dict[str, Any] = {}
    for key in ("window", "interval"):
        if key in table:
            values[key] = parse_duration(table[key], f"{where} {key}")
    if values.get("window") == 0:
        raise ConfigurationError(f"{where} window: must be longer than 0; write \"1h\"")
    if "threshold" in table:
        value = table["threshold"]
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not 0 < value <= 1:
            raise ConfigurationError(f"{where} threshold: {value!r} is not a share; write a "
                                     "number above 0 and at most 1, like 0.5")
        values["threshold"] = float(value)
    if "min_attempts" in table:
        value = table["min_attempts"]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigurationError(f"{where} min_attempts: {value!r} is not a count; write "
                                     "a whole number, at least 1, like 5")
        values["min_attempts"] = value
    return AlertSettings(**values)


_SETTINGS: weakref.WeakKeyDictionary[Service, AlertSettings] = weakref.WeakKeyDictionary()
_NEXT_LOOK: weakref.WeakKeyDictionary[Service, float] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def alert_settings(service: Service) -> AlertSettings:
    """The service's ``[alerts]`` settings (read once per service)."""
    with _LOCK:
        found = _SETTINGS.get(service)
    if found is None:
        found = load_alert_settings(service.config)
        with _LOCK:
            _SETTINGS[service] = found
    return found


@dataclass(frozen=True, kw_only=True)
class BackendAlert:
    """A degraded backend as the console and the metrics show it (``since``: UTC)."""

    platform: str
    backend: str
    share: float
    attempts: int
    detail: str
    check_id: int | None
    since: datetime


@dataclass
class _Window:
    """One backend's attempts in the window, and its latest bad one."""

    ran: int = 0
    bad: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    latest: tuple[datetime, int, str] | None = None  # finished_at, check id, detail

    @property
    def share(self) -> float:
        return self.bad / self.ran if self.ran else 0.0


def _windows(service: Service, since: datetime) -> dict[tuple[str, str], _Window]:
    """Attempts per (platform, backend) of the checks (own fetches) finished since ``since``."""
    found: dict[tuple[str, str], _Window] = {}
    with service.db.sessions() as session:
        rows = session.execute(
            select(CheckRow.id, CheckRow.platform, CheckRow.handle, CheckRow.attempts,
                   CheckRow.finished_at)
            .where(CheckRow.finished_at >= since, CheckRow.shared_from.is_(None)))
        for check_id, platform, handle, attempts, finished_at in rows:
            for attempt in attempts or []:
                outcome = str(attempt.get("outcome"))
                if outcome not in RAN_OUTCOMES:
                    continue
                window = found.setdefault((platform, str(attempt.get("backend"))), _Window())
                window.ran += 1
                window.outcomes[outcome] += 1
                if outcome in BAD_OUTCOMES:
                    window.bad += 1
                    if window.latest is None or (finished_at, check_id) >= window.latest[:2]:
                        detail = str(attempt.get("detail") or outcome)
                        if handle:
                            detail = detail.replace(handle, "…")
                        window.latest = (finished_at, check_id, detail[:MAX_DETAIL])
    return found


def evaluate(service: Service) -> list[str]:
    """Look at every backend's window now and move the states that cross the threshold;
    returns the events sent (``"backend.degraded fake/first"``…), for tests and logs."""
    settings = alert_settings(service)
    now = service.now()
    windows = _windows(service, now - timedelta(seconds=settings.window))
    with service.db.sessions() as session:
        flagged = {(platform, backend) for platform, backend in session.execute(
            select(BackendAlertRow.platform, BackendAlertRow.backend)
            .where(BackendAlertRow.degraded.is_(True)))}
    sent: list[str] = []
    for key, window in sorted(windows.items()):
        if window.ran < settings.min_attempts:
            continue
        bad = window.share >= settings.threshold
        if bad != (key in flagged):
            for _try in range(2):  # a concurrent first insert of the row: look again
                try:
                    event = _change(service, key, window, degraded=bad, now=now)
                    break
                except IntegrityError:
                    event = None
            if event is not None:
                sent.append(f"{event} {key[0]}/{key[1]}")
    return sent


def _change(service: Service, key: tuple[str, str], window: _Window, *, degraded: bool,
            now: datetime) -> str | None:
    """Flag or clear one backend in a transaction holding its row; None when another
    worker already did. The event goes to the log and the webhook outbox."""
    settings = alert_settings(service)
    platform, backend = key
    event = DEGRADED_EVENT if degraded else RECOVERED_EVENT
    delivery_id = None
    with service.db.transaction() as session:
        row = session.scalar(select(BackendAlertRow).where(
            BackendAlertRow.platform == platform, BackendAlertRow.backend == backend)
            .with_for_update())
        if row is None:
            if not degraded:
                return None
            row = BackendAlertRow(platform=platform, backend=backend, degraded=False)
            session.add(row)
        elif row.degraded == degraded:
            return None
        _at, check_id, detail = window.latest if window.latest else (now, None, "")
        row.degraded, row.share, row.attempts = degraded, round(window.share, 4), window.ran
        row.detail, row.check_id, row.changed_at = detail, check_id, now
        body = {"event": event, "id": f"{event}:{platform}:{backend}:{iso_utc(now)}",
                "platform": platform, "backend": backend, "share": round(window.share, 4),
                "bad": window.bad, "attempts": window.ran,
                "outcomes": dict(sorted(window.outcomes.items())),
                "threshold": settings.threshold, "window_seconds": settings.window,
                "detail": detail, "check": check_id, "at": iso_utc(now)}
        if service.settings.webhook_url:
            delivery = WebhookDeliveryRow(
                ledger_id=None, url=stored_url(service, service.settings.webhook_url),
                state="pending", attempts=0,
                next_attempt_at=now, created_at=now, body=json.dumps(body, sort_keys=True))
            session.add(delivery)
            session.flush()
            delivery_id = delivery.id
    log.warning("%s: %s backend %s, %.0f%% of its %d attempts in the last %.0f s were "
                "layout_changed or error (threshold %.0f%%); latest: %s (check %s)", event,
                platform, backend, window.share * 100, window.ran, settings.window,
                settings.threshold * 100, detail or "-", check_id,
                extra={"event": event, "platform": platform, "backend": backend,
                       "share": round(window.share, 4), "attempts": window.ran,
                       "check": check_id})
    if delivery_id is not None and service.queue is not None:
        service.queue.enqueue_webhook(delivery_id)
    return event


def after_check(service: Service) -> list[str]:
    """What a worker runs after recording a check: :func:`evaluate`, at most every
    ``[alerts] interval`` seconds in this process (0: after every check); returns the events
    sent. The first check of a process only starts the clock: the worker's own look at start
    (:mod:`.runtime`) has just evaluated, and a claim's path stays two transactions."""
    interval = alert_settings(service).interval
    now = time.monotonic()
    with _LOCK:
        due = _NEXT_LOOK.get(service)
        if interval > 0 and (due is None or now < due):
            if due is None:
                _NEXT_LOOK[service] = now + interval
            return []
        _NEXT_LOOK[service] = now + interval
    return evaluate(service)


def degraded_backends(service: Service) -> list[BackendAlert]:
    """The backends flagged now, by platform and backend."""
    with service.db.sessions() as session:
        rows = session.scalars(select(BackendAlertRow).where(BackendAlertRow.degraded.is_(True))
                               .order_by(BackendAlertRow.platform, BackendAlertRow.backend))
        return [BackendAlert(platform=row.platform, backend=row.backend, share=row.share,
                             attempts=row.attempts, detail=row.detail, check_id=row.check_id,
                             since=row.changed_at) for row in rows]

