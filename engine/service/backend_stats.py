"""How each backend fared over recent checks: attempts by outcome, and refusals by cause.

Read from the attempts every check records (``checks.attempts``), so that an operator sees a
backend that started answering ``layout_changed`` after a platform change, or ``error`` after
an upgrade, before members complain.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from engine.storage.models import CheckRow

from .context import Service


@dataclass(frozen=True, kw_only=True)
class BackendStats:
    """One backend's attempts since ``since`` (UTC): ``outcomes`` maps an attempt outcome
    (``ok``, ``private``, ``not_found``, ``unavailable``, ``layout_changed``, ``error``,
    ``skipped``) to a count; ``causes`` maps an ``unavailable`` cause to a count."""

    platform: str
    backend: str
    since: datetime
    attempts: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    causes: dict[str, int] = field(default_factory=dict)


def backend_stats(service: Service, days: float = 7.0) -> list[BackendStats]:
    """Attempts per (platform, backend) of the checks finished in the last ``days`` days.

    Shared checks (a claim served by another claim's fetch) made no attempt and are left out.
    Raises nothing for an empty database: the list is then empty.
    """
    since = service.now() - timedelta(days=days)
    outcomes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    causes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    with service.db.sessions() as session:
        rows = session.execute(select(CheckRow.platform, CheckRow.attempts).where(
            CheckRow.finished_at >= since, CheckRow.shared_from.is_(None)))
        for platform, attempts in rows:
            for attempt in attempts or []:
                key = (platform, str(attempt.get("backend")))
                outcome = str(attempt.get("outcome"))
                outcomes[key][outcome] += 1
                if outcome in ("unavailable", "error"):
                    causes[key][str(attempt.get("cause") or "unknown")] += 1
    return [BackendStats(platform=platform, backend=backend, since=since,
                         attempts=sum(outcomes[(platform, backend)].values()),
                         outcomes=dict(sorted(outcomes[(platform, backend)].items())),
                         causes=dict(sorted(causes[(platform, backend)].items())))
            for platform, backend in sorted(outcomes)]
