"""Members' data (issue 12): what checks keep of the posts they read, export, erasure and
retention. ``docs/privacy.md`` is the operator's and the host platform's account of it.

- :func:`stored_posts`: a check keeps the caption of the posts that matter to the mission (the
  hashtag or a near miss of it, the post a claim aimed at, a post showing a verification code);
  of the others only what the rules and the diagnosis read (id, URL, time, kind, hashtags,
  pinned, a verdict), never their text.
- :func:`export_member`: everything held about one member, as JSON.
- :func:`erase_member`: removes the member's handles, post texts and snapshots, the personal
  fields of their report rows and their webhook bodies. Their ledger rows, credits, claims and
  checks stay under a random pseudonym (``erased-<hex>``) so that mission totals and the
  balances of others do not move; this is the one place where ledger rows are rewritten (the
  ledger is otherwise append-only). A ``member.erased`` event goes to the host platform.
- :func:`purge_post_texts`: retention, ``[privacy] keep_post_text_days`` (90 by default); the
  worker runs it hourly (:func:`maybe_purge`), operators with ``social-missions privacy purge``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import logging
import secrets
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session

from engine.dates import iso_utc
from engine.hashtags import find_near_miss, normalise_tag
from engine.models import ENGAGEMENT_FIELDS, Post
from engine.storage.models import (
    Base,
    CheckRow,
    ClaimRow,
    CreditRow,
    ErasedMemberRow,
    LedgerRow,
    LinkedAccountRow,
    MemberRow,
    SeenPostRow,
    WebhookAttemptRow,
    WebhookDeliveryRow,
)

from . import ownership
from .claim_states import DUE_STATES, ClaimState
from .context import Service
from .counting import erased_key
from .errors import NotFound
from .keys import current_digest, known_digests
from .members import ERASED_PREFIX
from .records import Record
from .webhooks import stored_url

log = logging.getLogger(__name__)

PSEUDONYM_PREFIX = ERASED_PREFIX  # reserved: link_account refuses such ids
ERASED_EVENT = "member.erased"
EXPORT_FORMAT = "social-missions.member-export/1"
# Characters of a caption a check keeps (YouTube descriptions reach 5000; more is noise).
MAX_KEPT_TEXT = 5000
# Hashtags kept per post (Instagram allows 30, TikTok and YouTube fewer in practice).
MAX_KEPT_HASHTAGS = 60
PURGE_INTERVAL = 3600.0  # seconds between two retention passes of one worker process
PURGE_BATCH = 500  # checks cleared per transaction
# Tables this module erases column by column; any other table with a ``member_id`` column
# (added later) has the member's rows deleted.
HANDLED_TABLES = frozenset({"members", "linked_accounts", "claims", "checks", "seen_posts",
                            "credits", "ledger", "webhook_deliveries", "webhook_attempts",
                            "erased_members", "member_link_revocations"})


# -- what a check keeps -------------------------------------------------------------------------


def post_matters(post: Post, hashtag: str | None, *, claimed_post: str | None = None) -> bool:
    """True when ``post``'s caption is worth keeping for the mission: it carries ``hashtag``
    (any case or accents) or a near miss of it (the diagnosis explains the typo), it is the
    post the claim aimed at, or it shows a verification code (R11's proof)."""
    if claimed_post is not None and post.id == claimed_post:
        return True
    if ownership.codes_in([post.text]):
        return True
    if not hashtag:
        return False
    wanted = normalise_tag(hashtag)
    if any(normalise_tag(tag) == wanted for tag in post.hashtags):
        return True
    return find_near_miss(post.hashtags, hashtag) is not None


def stored_posts(posts: Iterable[Post], hashtag: str | None, *,
                 claimed_post: str | None = None) -> list[dict[str, Any]]:
    """The JSON a check stores for the posts it read (``checks.posts``).

    Every post keeps ``platform``, ``id``, ``url``, ``published_at`` (ISO 8601 UTC), ``kind``,
    ``hashtags``, ``pinned`` and its ``likes``, ``comments``, ``views``, ``shares``: what the
    rules need to judge it again for a simultaneous claim (R9), the diagnosis to explain it and
    the shared check to keep its numbers. ``text`` (at most 5000 characters) is kept
    only for the posts that matter (:func:`post_matters`); the others carry
    ``"verdict": "unrelated"`` instead.
    """
    out: list[dict[str, Any]] = []
    for post in posts:
        item: dict[str, Any] = {
            "platform": post.platform, "id": post.id, "url": post.url,
            "published_at": iso_utc(post.published_at),
            "kind": post.kind.value if post.kind else None,
            "hashtags": list(post.hashtags[:MAX_KEPT_HASHTAGS]), "pinned": post.pinned,
            **{name: getattr(post, name) for name in ENGAGEMENT_FIELDS}}
        if post_matters(post, hashtag, claimed_post=claimed_post):
            item["text"] = post.text[:MAX_KEPT_TEXT]
        else:
            item["verdict"] = "unrelated"
        out.append(item)
    return out


# -- references the host can match --------------------------------------------------------------


def member_ref(member_id: str, secret: str) -> str:
    """How a ``member.erased`` event names the member: the hex HMAC-SHA256 of the member id
    (UTF-8) keyed with the webhook secret (UTF-8). The host computes the same to match it."""
    return hmac.new(secret.encode(), member_id.encode(), hashlib.sha256).hexdigest()


ERASURE = "erased-member"  # the purpose of erased_members.digest (keys.keyed_digest)


# -- export -------------------------------------------------------------------------------------


def _when(value: datetime | None) -> str | None:
    return iso_utc(value) if value is not None else None


def _body(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def export_member(service: Service, member_id: str) -> dict[str, Any]:
    """Everything held about ``member_id``, as JSON-ready values (instants ISO 8601 UTC).

    Keys: ``format``, ``member_id``, ``exported_at``, ``created_at``, ``balance``,
    ``accounts`` (handles, verification codes and state), ``claims`` (each with its
    ``checks``, each with the ``posts`` it stored and the ``seen_posts`` it judged),
    ``credits``, ``ledger`` and ``webhook_events`` (each with its parsed ``body``).
    Raises ``NotFound`` for an unknown member (an erased one included).
    """
    with service.db.sessions() as session:
        member = session.get(MemberRow, member_id)
        if member is None:
            raise NotFound(f"no member {member_id!r}")
        accounts = [{
            "platform": row.platform, "handle": row.handle, "linked_at": _when(row.linked_at),
            "ownership": ownership.ownership_of(row),
            "verification_code": row.verification_code, "verified_at": _when(row.verified_at),
            "verified_by": row.verified_by, "contested": row.contested}
            for row in session.scalars(select(LinkedAccountRow).where(
                LinkedAccountRow.member_id == member_id).order_by(LinkedAccountRow.platform))]
        claims = list(session.scalars(select(ClaimRow).where(ClaimRow.member_id == member_id)
                                      .order_by(ClaimRow.id)))
        checks: dict[int, list[dict[str, Any]]] = {claim.id: [] for claim in claims}
        seen: dict[int, list[dict[str, Any]]] = {}
        for post in session.scalars(select(SeenPostRow).where(
                SeenPostRow.member_id == member_id).order_by(SeenPostRow.id)):
            seen.setdefault(post.check_id, []).append({
                "mission_id": post.mission_id, "platform": post.platform,
                "post_id": post.post_id, "url": post.url,
                "published_at": _when(post.published_at), "kind": post.kind,
                "hashtags": list(post.hashtags or ()), "pinned": post.pinned,
                "verdict": post.verdict, "detail": post.detail,
                "failures": list(post.failures or ()), "points": post.points})
        for check in session.scalars(select(CheckRow).where(
                CheckRow.claim_id.in_(list(checks))).order_by(CheckRow.id)):
            checks[check.claim_id].append({
                "id": check.id, "kind": check.kind, "platform": check.platform,
                "handle": check.handle, "status": check.status, "cause": check.cause,
                "backend": check.backend, "detail": check.detail, "requests": check.requests,
                "attempts": list(check.attempts or ()), "shared_from": check.shared_from,
                "fetched_at": _when(check.fetched_at), "finished_at": _when(check.finished_at),
                "posts": check.posts, "seen_posts": seen.get(check.id, [])})
        credits = [{
            "mission_id": row.mission_id, "platform": row.platform, "post_id": row.post_id,
            "published_at": _when(row.published_at), "check_id": row.check_id,
            "handle": row.handle, "created_at": _when(row.created_at),
            "revoked_at": _when(row.revoked_at)}
            for row in session.scalars(select(CreditRow).where(
                CreditRow.member_id == member_id).order_by(CreditRow.id))]
        ledger = list(session.scalars(select(LedgerRow).where(LedgerRow.member_id == member_id)
                                      .order_by(LedgerRow.id)))
        events = []
        for delivery in session.scalars(
                select(WebhookDeliveryRow).join(LedgerRow,
                                                LedgerRow.id == WebhookDeliveryRow.ledger_id)
                .where(LedgerRow.member_id == member_id).order_by(WebhookDeliveryRow.id)):
            attempts = session.scalars(select(WebhookAttemptRow).where(
                WebhookAttemptRow.delivery_id == delivery.id).order_by(WebhookAttemptRow.id))
            events.append({
                "id": delivery.id, "ledger_id": delivery.ledger_id, "state": delivery.state,
                "created_at": _when(delivery.created_at),
                "delivered_at": _when(delivery.delivered_at),
                "attempts": [{"at": _when(a.attempted_at), "status_code": a.status_code,
                              "error": a.error} for a in attempts],
                "body": _body(delivery.body)})
        return {
            "format": EXPORT_FORMAT, "member_id": member_id,
            "exported_at": iso_utc(service.now()), "created_at": _when(member.created_at),
            "balance": sum(row.points for row in ledger),
            "accounts": accounts,
            "claims": [{
                "id": claim.id, "mission_id": claim.mission_id, "platform": claim.platform,
                "post_url": claim.post_url, "post_id": claim.post_id, "state": claim.state,
                "created_at": _when(claim.created_at), "due_at": _when(claim.due_at),
                "finished_at": _when(claim.finished_at), "counted": claim.counted,
                "rechecks_done": claim.rechecks_done, "failures": claim.failures,
                "last_status": claim.last_status, "last_detail": claim.last_detail,
                "last_cause": claim.last_cause, "checks": checks[claim.id]}
                for claim in claims],
            "credits": credits,
            "ledger": [{
                "id": row.id, "mission_id": row.mission_id, "points": row.points,
                "reason": row.reason, "posts": list(row.posts or ()), "check_id": row.check_id,
                "idempotency_key": row.idempotency_key, "created_at": _when(row.created_at),
                "reverses_id": row.reverses_id} for row in ledger],
            "webhook_events": events,
        }


def describe_export(export: dict[str, Any]) -> str:
    """A readable summary of :func:`export_member`'s document (the CLI without ``--json``)."""
    claims = export["claims"]
    checks = [check for claim in claims for check in claim["checks"]]
    stored = [post for check in checks for post in (check["posts"] or ())]
    lines = [f"member {export['member_id']} (since {export['created_at']}): balance "
             f"{export['balance']} point(s)"]
    for account in export["accounts"]:
        lines.append(f"  {account['platform']:<10} @{account['handle']}  {account['ownership']}"
                     f" (code {account['verification_code']})")
    lines.append(
        f"  {len(claims)} claim(s), {len(checks)} check(s), "
        f"{sum(len(check['seen_posts']) for check in checks)} post verdict(s), "
        f"{sum(1 for post in stored if 'text' in post)} caption(s) kept, "
        f"{len(export['credits'])} credit(s), {len(export['ledger'])} ledger row(s), "
        f"{len(export['webhook_events'])} webhook event(s)")
    for claim in claims:
        lines.append(f"  claim {claim['id']}: mission {claim['mission_id']} {claim['platform']} "
                     f"{claim['state']}, {claim['counted']} counted, created "
                     f"{claim['created_at']}")
    for entry in export["ledger"]:
        lines.append(f"  ledger {entry['created_at']}  {entry['points']:+d}  mission "
                     f"{entry['mission_id']}  {entry['reason']}")
    lines.append("  the whole document: --json")
    return "\n".join(lines)


# -- erasure ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Erasure(Record):
    """What an erasure removed (or, with ``erased`` False, would remove).

    ``already_erased``: the member had been erased before (nothing more was done; the counts
    are 0 and ``erased_at`` is the first erasure's time). ``cancelled_claims``: claims whose
    check was still to come, now finished without it. ``event_queued``: a ``member.erased``
    event was queued for the host (only when a webhook is configured). Instants in UTC.
    """

    member_id: str
    erased: bool
    already_erased: bool = False
    erased_at: datetime | None = None
    linked_accounts: int = 0
    claims: int = 0
    cancelled_claims: int = 0
    checks: int = 0
    seen_posts: int = 0
    credits: int = 0
    ledger_rows: int = 0
    webhook_events: int = 0
    event_queued: bool = False


def _count(session: Session, column: Any, *where: Any) -> int:
    return int(session.scalar(select(func.count(column)).where(*where)) or 0)


def _counts(session: Session, member_id: str) -> Erasure:
    """A preview of the member's erasure: how many rows of each kind name them."""
    claim_ids = select(ClaimRow.id).where(ClaimRow.member_id == member_id)
    return Erasure(
        member_id=member_id, erased=False,
        linked_accounts=_count(session, LinkedAccountRow.id,
                               LinkedAccountRow.member_id == member_id),
        claims=_count(session, ClaimRow.id, ClaimRow.member_id == member_id),
        cancelled_claims=_count(session, ClaimRow.id, ClaimRow.member_id == member_id,
                                ClaimRow.state.in_(DUE_STATES)),
        checks=_count(session, CheckRow.id, CheckRow.claim_id.in_(claim_ids)),
        seen_posts=_count(session, SeenPostRow.id, SeenPostRow.member_id == member_id),
        credits=_count(session, CreditRow.id, CreditRow.member_id == member_id),
        ledger_rows=_count(session, LedgerRow.id, LedgerRow.member_id == member_id),
        webhook_events=int(session.scalar(
            select(func.count(WebhookDeliveryRow.id))
            .join(LedgerRow, LedgerRow.id == WebhookDeliveryRow.ledger_id)
            .where(LedgerRow.member_id == member_id)) or 0))


def erasure_plan(service: Service, member_id: str) -> Erasure:
    """What :func:`erase_member` would remove (``erased`` False); nothing is changed.

    Raises ``NotFound`` for a member that does not exist (an erased one gives
    ``already_erased``)."""
    with service.db.sessions() as session:
        if session.get(MemberRow, member_id) is None:
            return _already_erased(service, session, member_id)
        return _counts(session, member_id)


def _already_erased(service: Service, session: Session, member_id: str) -> Erasure:
    row = session.scalar(select(ErasedMemberRow).where(ErasedMemberRow.digest.in_(
        known_digests(service, ERASURE, member_id))).limit(1))
    if row is None:
        raise NotFound(f"no member {member_id!r} (nor any erased under that id); check the "
                       "id (GET /api/v1/members/{member}, or `social-missions member show`)")
    return Erasure(member_id=member_id, erased=True, already_erased=True,
                   erased_at=row.erased_at)


def erase_member(service: Service, member_id: str) -> Erasure:
    """Erase ``member_id`` (one transaction; idempotent: a second call answers
    ``already_erased``). Raises ``NotFound`` for a member that never existed.

    Removed: linked handles (a contest with another member ends in their favour), post
    texts and snapshots of the member's checks, the handle and details of those checks and
    claims, the URLs, ids and hashtags of the posts seen (report rows keep their verdicts,
    points and times), post ids of credits and ledger rows, the bodies of the member's
    webhook events (pending ones are cancelled), and rows of any other table naming the
    member. Kept under a random pseudonym: ledger amounts, credits, claims and checks, so
    mission totals and every other member's balance are unchanged. Claims still waiting for a
    check are finished without it, so their queued jobs do nothing.
    """
    digest = current_digest(service, ERASURE, member_id)
    now = service.now()
    secret = service.settings.webhook_secret
    delivery_id: int | None = None
    with service.db.transaction() as session:
        member = session.scalar(select(MemberRow).where(MemberRow.id == member_id)
                                .with_for_update())
        if member is None:
            return _already_erased(service, session, member_id)
        counts = _counts(session, member_id)
        pseudonym = PSEUDONYM_PREFIX + secrets.token_hex(8)
        # Same creation time as the member: nothing ties the pseudonym to the erasure's time.
        session.add(MemberRow(id=pseudonym, created_at=member.created_at))
        session.flush()
        _erase_accounts(session, member_id)
        _erase_claims_and_checks(session, member_id, pseudonym, now)
        _erase_seen_posts(session, member_id, pseudonym)
        for credit in session.scalars(select(CreditRow).where(CreditRow.member_id == member_id)):
            # The keys stay, as digests: the same post can never be credited again.
            credit.member_id, credit.post_id, credit.handle = pseudonym, "erased", None
            credit.active_key = erased_key(credit.active_key)
            credit.exclusive_key = erased_key(credit.exclusive_key)
        _erase_ledger(session, member_id, pseudonym, now)
        _erase_other_tables(session, member_id)
        _revoke_links(service, session, member_id, now)
        session.delete(member)
        # A member re-created after an earlier erasure: one marker, of the latest erasure.
        session.execute(delete(ErasedMemberRow).where(ErasedMemberRow.digest.in_(
            known_digests(service, ERASURE, member_id))))
        session.add(ErasedMemberRow(digest=digest, erased_at=now))
        if service.settings.webhook_url and secret:
            delivery = WebhookDeliveryRow(
                ledger_id=None, url=stored_url(service, service.settings.webhook_url),
                state="pending", attempts=0,
                next_attempt_at=now, created_at=now, body=json.dumps({
                    "event": ERASED_EVENT, "id": f"{ERASED_EVENT}:{secrets.token_hex(8)}",
                    "member_ref": member_ref(member_id, secret), "erased_at": iso_utc(now)},
                    sort_keys=True))
            session.add(delivery)
            session.flush()
            delivery_id = delivery.id
        elif service.settings.webhook_url:
            log.warning("no webhook secret: the member.erased event is not sent")
    _compact(service)
    if delivery_id is not None and service.queue is not None:
        service.queue.enqueue_webhook(delivery_id)
    return dataclasses.replace(counts, erased=True, erased_at=now,
                               event_queued=delivery_id is not None)


def _erase_accounts(session: Session, member_id: str) -> None:
    links = list(session.scalars(select(LinkedAccountRow).where(
        LinkedAccountRow.member_id == member_id)))
    handles = {(row.platform, row.handle) for row in links}
    for row in links:
        session.delete(row)
    session.flush()
    for platform, handle in handles:
        left = ownership.holders(session, platform, handle)
        if len(left) == 1:  # the contest is over: the other member keeps the handle
            left[0].contested = False


def _erase_claims_and_checks(session: Session, member_id: str, pseudonym: str,
                             now: datetime) -> None:
    claim_ids = select(ClaimRow.id).where(ClaimRow.member_id == member_id).scalar_subquery()
    for check in session.scalars(select(CheckRow).where(CheckRow.claim_id.in_(claim_ids))):
        check.handle, check.detail, check.posts = "", "", None
        # An attempt's detail may quote the handle or a URL: keep its outcome and cost only.
        check.attempts = [{key: attempt.get(key) for key in
                           ("backend", "outcome", "cause", "requests", "seconds")}
                          for attempt in (check.attempts or ())]
    session.execute(update(ClaimRow).where(ClaimRow.member_id == member_id,
                                           ClaimRow.state.in_(DUE_STATES))
                    .values(state=ClaimState.DONE, due_at=None, finished_at=now))
    session.execute(update(ClaimRow).where(ClaimRow.member_id == member_id).values(
        member_id=pseudonym, post_url=None, post_id=None, last_detail="", lease_owner=None,
        lease_until=None))


def _erase_seen_posts(session: Session, member_id: str, pseudonym: str) -> None:
    for row in session.scalars(select(SeenPostRow).where(SeenPostRow.member_id == member_id)):
        row.member_id, row.post_id, row.url = pseudonym, f"erased-{row.id}", ""
        row.hashtags, row.detail = [], ""


def _erase_ledger(session: Session, member_id: str, pseudonym: str, now: datetime) -> None:
    """The one documented exception to the append-only ledger: the erased member's rows keep
    their amounts, missions, reasons and times under ``pseudonym``; their post ids go, and
    the member id leaves their idempotency keys. Their webhook bodies are rewritten likewise
    (pending deliveries are cancelled: the host asked to forget the member)."""
    rows = list(session.scalars(select(LedgerRow).where(LedgerRow.member_id == member_id)))
    marker = f":member:{member_id}:"
    for row in rows:
        row.member_id, row.posts = pseudonym, []
        if marker in row.idempotency_key:
            row.idempotency_key = row.idempotency_key.replace(marker, f":member:{pseudonym}:")
        elif member_id in row.idempotency_key:  # a key of another shape: keep it unique only
            row.idempotency_key = f"erased:{pseudonym}:{row.id}"
    session.flush()
    by_id = {row.id: row for row in rows}
    for delivery in session.scalars(select(WebhookDeliveryRow).where(
            WebhookDeliveryRow.ledger_id.in_(list(by_id)))):
        award = by_id[delivery.ledger_id or 0]
        body = _body(delivery.body)
        event = body.get("event") if isinstance(body, dict) else None
        delivery.body = json.dumps({
            "event": event, "erased": True, "member": pseudonym, "id": award.idempotency_key,
            "mission": award.mission_id, "points": award.points, "reason": award.reason,
            "awarded_at": iso_utc(award.created_at)}, sort_keys=True)
        if delivery.state == "pending":
            delivery.state, delivery.next_attempt_at, delivery.lease_until = \
                "cancelled", None, None


def _erase_other_tables(session: Session, member_id: str) -> None:
    """Rows naming the member in tables this module does not know (added after it)."""
    for table in Base.metadata.sorted_tables:
        if table.name in HANDLED_TABLES or "member_id" not in table.c:
            continue
        assert isinstance(table, Table)
        session.execute(delete(table).where(table.c.member_id == member_id))


def _revoke_links(service: Service, session: Session, member_id: str, now: datetime) -> None:
    """Every member link of the member issued until now stops working (one revocation row
    replaces the member's earlier ones); a link the host makes later for the same id opens a
    new member's page."""
    from engine.storage.models import MemberLinkRevocationRow

    from .link_revocations import REVOCATION

    digest = current_digest(service, REVOCATION, member_id)
    session.execute(delete(MemberLinkRevocationRow).where(
        MemberLinkRevocationRow.member_digest.in_(known_digests(service, REVOCATION, member_id))))
    session.add(MemberLinkRevocationRow(member_digest=digest, link_id=None, issued_until=now,
                                        revoked_at=now))


def _compact(service: Service) -> None:
    """SQLite: move the erased values out of the write-ahead log into the (secure-deleted)
    database file at once, rather than at the next automatic checkpoint."""
    if not service.db.is_sqlite:
        return
    # The DB-API connection itself (autocommit): a checkpoint cannot run inside the
    # ``BEGIN IMMEDIATE`` SQLAlchemy would open.
    connection = service.db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.close()
        if busy and busy[0]:  # a reader is still on older pages: the next checkpoint does it
            log.info("WAL checkpoint after an erasure postponed (database busy)")
    except Exception:
        log.info("WAL checkpoint after an erasure postponed", exc_info=True)
    finally:
        connection.close()


# -- retention ----------------------------------------------------------------------------------


def purge_post_texts(service: Service, *, days: int | None = None) -> int:
    """Clear the posts (captions and snapshots) of checks finished more than ``days`` days ago
    (``[privacy] keep_post_text_days`` by default); verdicts, report rows, credits and the
    ledger stay. Returns how many checks were cleared; idempotent."""
    keep = service.settings.keep_post_text_days if days is None else days
    if keep < 1:
        from engine.errors import InvalidInput

        raise InvalidInput(f"the days to keep (days, --days) must be at least 1, not {keep}")
    cutoff = service.now() - timedelta(days=keep)
    cleared = 0
    while True:
        with service.db.transaction() as session:
            batch: Sequence[int] = list(session.scalars(
                select(CheckRow.id).where(CheckRow.finished_at < cutoff,
                                          CheckRow.posts.is_not(None))
                .order_by(CheckRow.id).limit(PURGE_BATCH)))
            if not batch:
                break
            session.execute(update(CheckRow).where(CheckRow.id.in_(batch)).values(posts=None))
            cleared += len(batch)
    if cleared:
        log.info("retention: cleared the posts of %s check(s) older than %s day(s)", cleared,
                 keep)
        _compact(service)
    return cleared


_purge_lock = threading.Lock()


def maybe_purge(service: Service) -> int:
    """Run :func:`purge_post_texts` when this process has not in the last hour (by the
    service's clock); the worker calls it from its loop. Returns how many checks it cleared."""
    with _purge_lock:
        last: datetime | None = getattr(service, "_last_purge", None)
        now = service.now()
        if last is not None and (now - last).total_seconds() < PURGE_INTERVAL:
            return 0
        service._last_purge = now  # type: ignore[attr-defined]
    try:
        return purge_post_texts(service)
    except Exception:  # the next pass tries again; the worker goes on
        log.exception("retention pass failed")
        return 0
