"""The service's Prometheus metrics (``/metrics``) and its activity log lines.

Counters live in this process (:data:`REGISTRY`): each process (the server with its embedded
worker, every ``social-missions worker``) counts what it did, and Prometheus adds the processes
up (``sum by (platform, backend, status) (…)``). What every process sees the same — the due
claims, the oldest one's wait, the webhook deliveries by state, the degraded backends — is read
from the database at scrape time (:class:`DatabaseCollector`), so any process answers it for
all. The metric names are listed in docs/service.md ("Metrics").

The same hook writes one log line per check and per claim transition
(:data:`ACTIVITY_LOG`). Lines name the claim, the mission and the check by id, never a member
id or a handle: member ids are the host platform's identifiers of people, and a log file
kept elsewhere cannot be erased on request (docs/privacy.md); the claim id leads to the member
in the database for as long as the member exists.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from engine.models import AccountStatus, Snapshot
from engine.storage.models import ClaimRow, WebhookDeliveryRow

from .claim_states import DUE_STATES
from .context import Service

ACTIVITY_LOG = logging.getLogger("social_missions.activity")
PREFIX = "social_missions"
# Seconds: a claim answered within a second (replay) up to a day of retries.
VERDICT_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400)

REGISTRY = CollectorRegistry(auto_describe=True)
CHECKS = Counter(f"{PREFIX}_checks", "Checks recorded, by platform, backend that answered, "
                 "status, unavailable cause and fetch (own or shared)",
                 ("platform", "backend", "status", "cause", "fetch"), registry=REGISTRY)
ATTEMPTS = Counter(f"{PREFIX}_attempts", "Backend attempts of the checks' own fetches, by "
                   "outcome (ok, private, not_found, unavailable, layout_changed, error, "
                   "skipped, cassette_miss)", ("platform", "backend", "outcome"),
                   registry=REGISTRY)
REQUESTS = Counter(f"{PREFIX}_platform_requests", "HTTP requests made to the platforms by "
                   "the checks", ("platform", "backend"), registry=REGISTRY)
TRANSITIONS = Counter(f"{PREFIX}_claim_transitions", "Claim state changes written by checks",
                      ("platform", "from_state", "to_state"), registry=REGISTRY)
VERDICT_SECONDS = Histogram(
    f"{PREFIX}_claim_verdict_seconds", "Seconds from a claim to its first answer from the "
    "platform (outcome answered), or to its end without one (outcome unavailable)",
    ("platform", "outcome"), buckets=VERDICT_BUCKETS, registry=REGISTRY)
WEBHOOK_FAILURES = Counter(f"{PREFIX}_webhook_failures", "Failed webhook delivery attempts, "
                           "by event (gave_up: the last allowed attempt)",
                           ("event", "gave_up"), registry=REGISTRY)


def observe_check(service: Service, *, claim_id: int, mission_id: int, platform: str,
                  kind: str, before: str, after: str, created_at: datetime,
                  snapshot: Snapshot, check_id: int, shared_from: int | None,
                  first_answer: bool) -> None:
    """Count one recorded check (and its claim's transition) and log them.

    ``before``/``after`` are the claim's states around the check; ``first_answer`` is True
    when this check gave the claim its first definite answer (the verdict latency is then
    observed, from ``created_at``, UTC). Never raises for a metric (they are in memory).
    """
    status = snapshot.status.value
    cause = snapshot.cause.value if snapshot.cause else ""
    backend = snapshot.backend or ""
    fetch = "shared" if shared_from is not None else "own"
    CHECKS.labels(platform, backend, status, cause, fetch).inc()
    if shared_from is None:
        for attempt in snapshot.attempts:
            ATTEMPTS.labels(platform, attempt.backend, str(attempt.outcome)).inc()
            if attempt.requests:
                REQUESTS.labels(platform, attempt.backend).inc(attempt.requests)
    waited = max((service.now() - created_at).total_seconds(), 0.0)
    if first_answer:
        VERDICT_SECONDS.labels(platform, "answered").observe(waited)
    elif after == "unavailable" and snapshot.status is not AccountStatus.OK:
        VERDICT_SECONDS.labels(platform, "unavailable").observe(waited)
    ACTIVITY_LOG.info(
        "check %s of claim %s (mission %s, %s, %s): %s%s via %s, requests: %d, %.2f s",
        check_id, claim_id, mission_id, platform, kind, status, f" ({cause})" if cause else "",
        backend or "no backend", snapshot.requests if shared_from is None else 0,
        snapshot.seconds, extra={"event": "check", "check": check_id, "claim": claim_id,
                                 "mission": mission_id, "platform": platform, "kind": kind,
                                 "status": status, "cause": cause or None,
                                 "backend": backend or None, "shared_from": shared_from,
                                 "requests": snapshot.requests if shared_from is None else 0,
                                 "seconds": round(snapshot.seconds, 3)})
    observe_transition(claim_id=claim_id, mission_id=mission_id, platform=platform,
                       before=before, after=after, check_id=check_id)


def observe_transition(*, claim_id: int, mission_id: int | None, platform: str, before: str,
                       after: str, check_id: int | None = None, reason: str = "") -> None:
    """Count and log a claim's move from ``before`` to ``after`` (nothing when they are the
    same, as a re-check that stays ``rechecking``; a new claim has ``before`` ``"new"``)."""
    if before == after:
        return
    TRANSITIONS.labels(platform, before, after).inc()
    ACTIVITY_LOG.info("claim %s (mission %s, %s): %s -> %s%s", claim_id, mission_id, platform,
                      before, after, f" ({reason})" if reason else "",
                      extra={"event": "claim", "claim": claim_id, "mission": mission_id,
                             "platform": platform, "from": before, "to": after,
                             "check": check_id})


def observe_webhook_failure(event: str, gave_up: bool) -> None:
    """Count one failed webhook delivery attempt of ``event``."""
    WEBHOOK_FAILURES.labels(event, "true" if gave_up else "false").inc()


class DatabaseCollector(Collector):
    """Gauges read from the database at scrape time (the same from every process)."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def describe(self) -> Iterable[Metric]:
        """Nothing to declare ahead (so that registering reads no database)."""
        return []

    def collect(self) -> Iterator[Metric]:
        """Due claims, the oldest one's wait (seconds), deliveries by state, degraded
        backends. A database error propagates (the scrape fails, as it should)."""
        from .alerts import degraded_backends

        now = self.service.now()
        with self.service.db.sessions() as session:
            due, oldest = session.execute(
                select(func.count(ClaimRow.id), func.min(ClaimRow.due_at))
                .where(ClaimRow.state.in_(DUE_STATES), ClaimRow.due_at <= now)).one()
            states: dict[str, int] = {state: int(count) for state, count in session.execute(
                select(WebhookDeliveryRow.state, func.count(WebhookDeliveryRow.id))
                .where(WebhookDeliveryRow.state.in_(("pending", "failed")))
                .group_by(WebhookDeliveryRow.state))}
        yield GaugeMetricFamily(f"{PREFIX}_claims_due", "Claims whose check is due now "
                                "(queued, rechecking or retrying)", value=int(due or 0))
        wait = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
        yield GaugeMetricFamily(f"{PREFIX}_claims_oldest_due_seconds", "How long the oldest "
                                "due claim has waited (seconds; 0 when none is due)", value=wait)
        deliveries = GaugeMetricFamily(f"{PREFIX}_webhook_deliveries", "Webhook deliveries "
                                       "pending or failed (given up)", labels=("state",))
        for state in ("pending", "failed"):
            deliveries.add_metric((state,), int(states.get(state, 0)))
        yield deliveries
        degraded = GaugeMetricFamily(f"{PREFIX}_backend_degraded", "1 for each backend "
                                     "whose share of layout_changed or error attempts crossed "
                                     "[alerts] threshold", labels=("platform", "backend"))
        for alert in degraded_backends(self.service):
            degraded.add_metric((alert.platform, alert.backend), 1)
        yield degraded


class _Forward(Collector):
    """The process's counters, inside another registry."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def registry_for(service: Service) -> CollectorRegistry:
    """A registry with this process's counters and ``service``'s database gauges."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Forward())
    registry.register(DatabaseCollector(service))
    return registry


def exposition(service: Service) -> bytes:
    """The text format of every metric (counters of this process, gauges of the database)."""
    return generate_latest(registry_for(service))


def parse_address(value: Any, where: str) -> tuple[str, int]:
    """``"127.0.0.1:9108"`` or ``"[::1]:9108"`` as (host, port); ``ConfigurationError``
    naming ``where`` otherwise."""
    from engine.errors import ConfigurationError

    text = value if isinstance(value, str) else ""
    host, _, port = text.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ConfigurationError(f"{where}: {value!r} is not an address; write host:port, like "
                                 "\"127.0.0.1:9108\"")
    return host, int(port)


def metrics_address(service: Service) -> tuple[str, int] | None:
    """``[web] metrics_address`` as (host, port), or None when unset."""
    value = service.config.section("web").get("metrics_address")
    if value in (None, ""):
        return None
    return parse_address(value, f"{service.config.path or 'configuration'} [web] "
                                "metrics_address")


@contextlib.contextmanager
def metrics_served(service: Service, address: tuple[str, int] | None) -> Iterator[None]:
    """:func:`serve_metrics` on ``address`` (nothing when None) for the ``with`` block, the
    server stopped and its socket closed at the end. Raises what :func:`serve_metrics`
    raises."""
    server = serve_metrics(service, address) if address is not None else None
    try:
        yield
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()


def serve_metrics(service: Service, address: tuple[str, int]) -> Any:
    """Serve ``/metrics`` without a token on ``address`` in a background thread; returns the
    server (``shutdown()`` stops it). Raises ``ConfigurationError`` when the address cannot
    be listened on (in use, not local)."""
    from prometheus_client import start_http_server

    from engine.errors import ConfigurationError

    host, port = address
    try:
        server, _thread = start_http_server(port, addr=host, registry=registry_for(service))
    except OSError as error:
        raise ConfigurationError(
            f"cannot serve metrics on {host}:{port}: {error.strerror or error}; each process "
            "needs its own address (a worker takes --metrics-address)") from None
    ACTIVITY_LOG.info("metrics on http://%s:%d/metrics", host, port)
    return server
