"""R8: an event per award, delivered to the host platform as a signed webhook.

The body is fixed when the award is written (same transaction), so every retry sends and signs
the same bytes. The signature header is ``X-Social-Missions-Signature: sha256=<hex>``, the
HMAC-SHA256 of the raw body with the configured secret. Deliveries are retried with exponential
backoff up to ``[webhooks] max_attempts``; every attempt is recorded.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from engine.dates import iso_utc
from engine.storage.models import LedgerRow, WebhookAttemptRow, WebhookDeliveryRow

from .context import Service
from .keys import SecretUnreadable, decrypt_secret, encrypt_secret
from .metrics import observe_webhook_failure
from .webhook_targets import WebhookTargetRefused, pinned_target, redact_text, redact_url

log = logging.getLogger(__name__)
EVENT = "points.awarded"
REVERSAL_EVENT = "points.reversed"
SIGNATURE_HEADER = "X-Social-Missions-Signature"


def sign(body: bytes, secret: str) -> str:
    """The signature header's value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, header: str) -> bool:
    """What an integrator runs: constant-time comparison of the signature."""
    return hmac.compare_digest(sign(body, secret), header)


def event_body(ledger: LedgerRow, *, progress: int | None, goal: int | None,
               balance: int, reverses: str | None = None) -> str:
    """The JSON body of one ledger row's event: ``points.awarded``, or ``points.reversed`` for
    a compensating row (``reverses`` is then the reversed award's ``id``, points negative)."""
    event = {
        "event": REVERSAL_EVENT if reverses else EVENT,
        "id": ledger.idempotency_key,
        "member": ledger.member_id,
        "mission": ledger.mission_id,
        "points": ledger.points,
        "reason": ledger.reason,
        "posts": list(ledger.posts),
        "check": ledger.check_id,
        "progress": progress,
        "goal": goal,
        "balance": balance,
        "awarded_at": iso_utc(ledger.created_at),
    }
    if reverses:
        event["reverses"] = reverses
    return json.dumps(event, ensure_ascii=False, sort_keys=True)


def deliver(service: Service, delivery_id: int, owner: str = "worker") -> str | None:
    """Try one delivery if it is due and nobody else is on it; returns its new state.

    The URL's host is resolved and checked at every attempt (:func:`pinned_target`): a host
    that now resolves to a private, loopback, link-local… address is a failed attempt with no
    connection made (unless ``[webhooks] allow_private``). Errors are recorded without the
    URL's credentials; redirects are not followed."""
    settings = service.settings
    now = service.now()
    with service.db.transaction() as session:
        taken = session.execute(
            update(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.id == delivery_id, WebhookDeliveryRow.state == "pending",
                   WebhookDeliveryRow.next_attempt_at <= now,
                   or_(WebhookDeliveryRow.lease_until.is_(None),
                       WebhookDeliveryRow.lease_until < now))
            .values(lease_until=now + timedelta(seconds=settings.webhook_timeout * 3))
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = session.get(WebhookDeliveryRow, delivery_id)
        assert row is not None
        url, body = delivery_url(service, row.url), row.body.encode()
    secret = settings.webhook_secret or ""
    started = time.perf_counter()
    status_code: int | None = None
    error = ""
    try:
        # Resolved and checked again now (DNS may have changed since the URL was set); the
        # connection goes to the address that was checked.
        target = pinned_target(url, allow_private=settings.webhook_allow_private)
        with httpx.Client(timeout=settings.webhook_timeout, follow_redirects=False) as client:
            response = client.post(
                target.url, content=body, extensions=target.extensions or None,
                auth=target.auth or httpx.USE_CLIENT_DEFAULT, headers={
                    **target.headers, "content-type": "application/json",
                    SIGNATURE_HEADER: sign(body, secret),
                    "X-Social-Missions-Event": _event_of(body),
                    "X-Social-Missions-Delivery": str(delivery_id)})
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except WebhookTargetRefused as refused:  # no connection was made
        error = f"refused: {refused}"
    except Exception as failure:  # any failure is one failed attempt, recorded and retried
        error = f"{type(failure).__name__}: {str(failure).splitlines()[0] if str(failure) else ''}"
    error = redact_text(error, url)[:1000]
    seconds = time.perf_counter() - started
    done = service.now()
    with service.db.transaction() as session:
        row = session.get(WebhookDeliveryRow, delivery_id)
        assert row is not None
        row.attempts += 1
        session.add(WebhookAttemptRow(delivery_id=delivery_id, attempted_at=done,
                                      status_code=status_code, error=error, seconds=seconds))
        row.lease_until = None
        if row.state == "cancelled":  # the member was erased meanwhile: no more tries
            row.next_attempt_at = None
        elif not error:
            row.state, row.delivered_at, row.next_attempt_at = "delivered", done, None
        elif row.attempts >= settings.webhook_max_attempts:
            row.state, row.next_attempt_at = "failed", None
            log.warning("webhook delivery %s failed %s times; giving up", delivery_id,
                        row.attempts)
        else:
            row.next_attempt_at = done + retry_delay(settings.webhook_first_delay, row.attempts)
        state, next_at = row.state, row.next_attempt_at
    if error:
        observe_webhook_failure(_event_of(body), gave_up=state == "failed")
    if next_at is not None and service.queue is not None:
        service.queue.enqueue_webhook(delivery_id, (next_at - done).total_seconds())
    return state


def _event_of(body: bytes) -> str:
    """The ``event`` a body names (``points.awarded``, ``member.erased``…), for the header."""
    try:
        event = json.loads(body).get("event")
    except (ValueError, AttributeError):
        event = None
    return str(event) if event else EVENT


def retry_delay(first: float, attempts: int) -> timedelta:
    """Exponential backoff: first, 2×first, 4×first… capped at six hours."""
    return timedelta(seconds=min(first * 2 ** max(attempts - 1, 0), 6 * 3600))


def due_deliveries(service: Service, limit: int = 100) -> list[int]:
    now = service.now()
    with service.db.sessions() as session:
        return list(session.scalars(
            select(WebhookDeliveryRow.id)
            .where(WebhookDeliveryRow.state == "pending", WebhookDeliveryRow.next_attempt_at <= now,
                   or_(WebhookDeliveryRow.lease_until.is_(None),
                       WebhookDeliveryRow.lease_until < now))
            .order_by(WebhookDeliveryRow.id).limit(limit)))


def deliveries(service: Service, *, limit: int | None = None,
               after: int | None = None) -> list[dict[str, object]]:
    """Deliveries by id with their attempts (for tests, the API and operators): every one, or
    ``limit`` of them after the delivery id ``after`` (the API's pages). Two queries."""
    with service.db.sessions() as session:
        query = select(WebhookDeliveryRow).order_by(WebhookDeliveryRow.id)
        if after is not None:
            query = query.where(WebhookDeliveryRow.id > after)
        rows = list(session.scalars(query.limit(limit) if limit is not None else query))
        attempts: dict[int, list[dict[str, object]]] = {row.id: [] for row in rows}
        if rows:
            for attempt in session.scalars(select(WebhookAttemptRow).where(
                    WebhookAttemptRow.delivery_id.between(rows[0].id, rows[-1].id))
                    .order_by(WebhookAttemptRow.id)):
                if attempt.delivery_id in attempts:
                    attempts[attempt.delivery_id].append({
                        "status_code": attempt.status_code, "error": attempt.error,
                        "at": iso_utc(attempt.attempted_at)})
        return [{"id": row.id, "ledger_id": row.ledger_id, "state": row.state,
                 "attempts": attempts[row.id], "body": row.body} for row in rows]


def stored_url(service: Service, url: str) -> str:
    """How a delivery keeps its URL: encrypted like the stored settings
    (:func:`engine.service.keys.encrypt_secret`), since a URL may carry credentials or a
    token: a copy of the database alone reveals no target."""
    return encrypt_secret(service, url)


def delivery_url(service: Service, stored: str) -> str:
    """The clear URL of a delivery (a value stored in clear by an older version is returned
    as it is); "" when this signing key cannot decrypt it (the delivery then fails with that
    reason instead of reaching a wrong target)."""
    try:
        return decrypt_secret(service, stored)[0]
    except SecretUnreadable:
        return ""


def reencrypt_delivery_urls(service: Service, readable: dict[int, str]) -> int:
    """Write the URLs ``readable`` (delivery id → clear URL, read before a key rotation)
    encrypted with the signing key now in effect; returns how many were written."""
    with service.db.transaction() as session:
        for delivery_id, url in readable.items():
            session.execute(update(WebhookDeliveryRow).where(
                WebhookDeliveryRow.id == delivery_id).values(url=stored_url(service, url)))
    return len(readable)


def readable_delivery_urls(service: Service) -> dict[int, str]:
    """The clear URLs of deliveries that may still be sent (pending or failed), by id."""
    with service.db.sessions() as session:
        rows = session.execute(select(WebhookDeliveryRow.id, WebhookDeliveryRow.url).where(
            WebhookDeliveryRow.state.in_(("pending", "failed")))).all()
    return {delivery_id: url for delivery_id, stored in rows
            if (url := delivery_url(service, stored))}


def new_delivery(service: Service, ledger: LedgerRow, body: str,
                 now: datetime) -> WebhookDeliveryRow | None:
    """The delivery row for an award, or None when no webhook is configured."""
    if not service.settings.webhook_url:
        return None
    return WebhookDeliveryRow(ledger_id=ledger.id,
                              url=stored_url(service, service.settings.webhook_url), body=body,
                              state="pending", attempts=0, next_attempt_at=now, created_at=now)


def add_event_delivery(service: Service, session: Session, ledger: LedgerRow, *,
                       progress: int | None, goal: int | None, balance: int, now: datetime,
                       reverses: str | None = None) -> int | None:
    """Write the webhook event of one ledger row (:func:`event_body` with the member's
    ``balance`` after it) as a pending delivery, flushed; returns its id to enqueue once the
    transaction commits, or None when no webhook is configured."""
    body = event_body(ledger, progress=progress, goal=goal, balance=balance, reverses=reverses)
    delivery = new_delivery(service, ledger, body, now)
    if delivery is None:
        return None
    session.add(delivery)
    session.flush()
    return delivery.id


@dataclass(frozen=True, kw_only=True)
class DeliveryAttempt:
    """One try of a delivery: when, the HTTP status (None without an answer), the error."""

    attempted_at: datetime
    status_code: int | None
    error: str


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """One award event's delivery with its attempts, oldest attempt first (``url`` with any
    credentials replaced by ``***``)."""

    id: int
    ledger_id: int | None  # None for an event about no award (member.erased)
    url: str
    state: str  # pending, delivered, failed
    event: str
    member_id: str
    points: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    attempts: tuple[DeliveryAttempt, ...]


def delivery_page(service: Service, *, offset: int = 0, limit: int = 20,
                  state: str | None = None) -> tuple[list[Delivery], bool]:
    """One page of deliveries, newest first (only ``state`` ones when given), with their
    attempts; and whether older ones follow. Only the page's rows are read."""
    with service.db.sessions() as session:
        query = select(WebhookDeliveryRow).order_by(WebhookDeliveryRow.id.desc())
        if state:
            query = query.where(WebhookDeliveryRow.state == state)
        rows = list(session.scalars(query.offset(max(offset, 0)).limit(limit + 1)))
        page = rows[:limit]
        attempts: dict[int, list[DeliveryAttempt]] = {row.id: [] for row in page}
        for attempt in session.scalars(select(WebhookAttemptRow).where(
                WebhookAttemptRow.delivery_id.in_(list(attempts)))
                .order_by(WebhookAttemptRow.id)):
            attempts[attempt.delivery_id].append(DeliveryAttempt(
                attempted_at=attempt.attempted_at, status_code=attempt.status_code,
                error=attempt.error))
        out = []
        for row in page:
            try:
                body = json.loads(row.body)
            except ValueError:
                body = {}
            out.append(Delivery(
                id=row.id, ledger_id=row.ledger_id,
                url=redact_url(delivery_url(service, row.url)) or "",
                state=row.state,
                event=str(body.get("event", EVENT)), member_id=str(body.get("member", "")),
                points=int(body.get("points", 0) or 0), created_at=row.created_at,
                next_attempt_at=row.next_attempt_at, delivered_at=row.delivered_at,
                attempts=tuple(attempts[row.id])))
        return out, len(rows) > limit


def resend(service: Service, delivery_id: int) -> None:
    """Send a failed delivery again: a new round of up to ``[webhooks] max_attempts`` tries,
    to the webhook URL configured now (the same signed body); earlier attempts stay recorded.

    Raises ``NotFound`` for an unknown delivery, ``Conflict`` when it has not failed (pending
    or delivered) or when no webhook URL is configured.
    """
    from .errors import Conflict, NotFound

    url = service.settings.webhook_url
    now = service.now()
    with service.db.transaction() as session:
        row = session.get(WebhookDeliveryRow, delivery_id)
        if row is None:
            raise NotFound(f"no webhook delivery {delivery_id}")
        if row.state != "failed":
            raise Conflict(f"webhook delivery {delivery_id} is {row.state}; only a failed "
                           "delivery can be sent again")
        if not url:
            raise Conflict("no webhook URL is configured; set one before sending again")
        row.state, row.url, row.attempts = "pending", stored_url(service, url), 0
        row.next_attempt_at, row.lease_until = now, None
    if service.queue is not None:
        service.queue.enqueue_webhook(delivery_id)
