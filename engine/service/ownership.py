"""R11: proof that a linked handle belongs to the member who links it.

Each (member, platform) link gets a short verification code (``SM-7QK3F``: ``SM-`` and five
characters from an alphabet without the look-alikes 0/O, 1/I/L). The member puts it in the
account's bio (Instagram ``biography``, TikTok ``signature``, the YouTube channel description)
or in the caption of a recent post; a check reads it from the answer it already fetches and the
link becomes **verified** (time and check recorded). The code may then be removed.

The community's policy, ``[members] ownership``:

- ``off``: no proof; a handle another member holds cannot be linked (as before R11);
- ``on_conflict`` (default): linking works without proof until a second member links a handle
  held by a member who has not proved it. Both links are then **contested**: nobody is credited
  for that handle until one of them proves it. The prover keeps it; the other link ends, and
  every award the other member earned from that handle's posts is reversed by a compensating
  ledger row (negative points, reason ``ownership_transferred``, one per award, with its
  webhook event); those posts then count for the prover at their next check;
- ``always``: no post is credited before the account is proved (verdict
  ``ownership_unproven``).

A verified handle cannot be linked by anyone else. Changing one's handle is a new link (proof
again under ``always``). An admin may mark a link verified, with a reason; that settles a
contest the same way.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Snapshot
from engine.storage.models import CreditRow, LedgerRow, LinkedAccountRow

from . import ledger as ledger_module
from .context import Service
from .errors import NotFound
from .records import LinkedAccount
from .webhooks import add_event_delivery

CODE_PREFIX = "SM-"
# No 0/O, 1/I/L: the code is read off a phone and typed into a bio.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 5
CODE_PATTERN = re.compile(rf"(?<![A-Za-z0-9])SM-[{CODE_ALPHABET}]{{{CODE_LENGTH}}}(?![A-Za-z0-9])",
                          re.IGNORECASE)
TRANSFER_REASON = "ownership_transferred"
VERIFIED = "verified"
CONTESTED = "contested"
UNVERIFIED = "unverified"
# Where the code goes, per platform (words for the member page and the CLI).
CODE_PLACES: dict[str, dict[str, str]] = {
    "instagram": {"fr": "la bio du compte Instagram, ou la légende d'une publication récente",
                  "en": "the Instagram account's bio, or the caption of a recent post"},
    "tiktok": {"fr": "la bio du compte TikTok, ou la légende d'une vidéo récente",
               "en": "the TikTok account's bio, or the caption of a recent video"},
    "youtube": {"fr": "la description de la chaîne YouTube, ou celle d'une vidéo récente",
                "en": "the YouTube channel's description, or a recent video's description"},
}


def new_code(session: Session) -> str:
    """A fresh verification code no other link has (``SM-`` + 5 characters)."""
    while True:
        code = CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        taken = session.scalar(select(LinkedAccountRow.id).where(
            LinkedAccountRow.verification_code == code))
        if taken is None:
            return code


def codes_in(texts: Iterable[str | None]) -> set[str]:
    """Every verification code written in ``texts`` (upper-cased), wherever it stands."""
    return {found.group(0).upper() for text in texts if text
            for found in CODE_PATTERN.finditer(text)}


def snapshot_codes(snapshot: Snapshot) -> set[str]:
    """The codes in an account's bio and in the captions of the posts a check read."""
    return codes_in([snapshot.bio, *(post.text for post in snapshot.posts)])


def ownership_of(row: LinkedAccountRow) -> str:
    """``verified``, ``contested`` or ``unverified``."""
    if row.verified_at is not None:
        return VERIFIED
    return CONTESTED if row.contested else UNVERIFIED


def is_credited(row: LinkedAccountRow, policy: str) -> bool:
    """Whether posts read from this link may be credited now under ``policy``."""
    if row.verified_at is not None or policy == "off":
        return True
    return policy == "on_conflict" and not row.contested


def needs_proof(rows: Iterable[LinkedAccountRow], policy: str) -> bool:
    """True when some link of a handle waits for its proof (so checks read the bio)."""
    return any(not is_credited(row, policy) for row in rows)


def to_linked_account(row: LinkedAccountRow, policy: str) -> LinkedAccount:
    return LinkedAccount(platform=row.platform, handle=row.handle, linked_at=row.linked_at,
                         ownership=ownership_of(row),
                         verification_code=row.verification_code or "",
                         verified_at=row.verified_at, verified_by=row.verified_by,
                         credited=is_credited(row, policy))


def holders(session: Session, platform: str, handle: str) -> list[LinkedAccountRow]:
    """Every link of one handle (two or more only while it is contested), oldest first."""
    return list(session.scalars(select(LinkedAccountRow).where(
        LinkedAccountRow.platform == platform, LinkedAccountRow.handle == handle)
        .order_by(LinkedAccountRow.id)))


def link_row(session: Session, member_id: str, platform: str) -> LinkedAccountRow:
    row = session.scalar(select(LinkedAccountRow).where(
        LinkedAccountRow.member_id == member_id, LinkedAccountRow.platform == platform))
    if row is None:
        raise NotFound(f"member {member_id!r} has no linked {platform} handle; link one first "
                       "(PUT /api/v1/members/{member}/accounts/{platform}, or "
                       "`social-missions member link`)")
    return row


def verification_code(service: Service, member_id: str, platform: str) -> LinkedAccount:
    """The member's link on ``platform`` with its verification code (created if missing).

    Raises ``NotFound`` when the member has no handle linked there.
    """
    name = service.engine.platform(platform).name
    with service.db.transaction() as session:
        row = link_row(session, member_id, name)
        if not row.verification_code:
            row.verification_code = new_code(session)
            session.flush()
        return to_linked_account(row, service.settings.ownership)


def mark_verified(service: Service, member_id: str, platform: str, reason: str) -> LinkedAccount:
    """An admin's decision: the member's link is verified, ``reason`` recorded.

    Settles a contest as a proof does (the other links end, their awards from the handle are
    reversed). Raises ``NotFound`` without a link and ``InvalidInput`` without a reason.
    """
    from engine.errors import InvalidInput

    why = " ".join(reason.split())
    if not why:
        raise InvalidInput("a reason is required to mark an account verified (--reason TEXT)")
    name = service.engine.platform(platform).name
    now = service.now()
    deliveries: list[int] = []
    with service.db.transaction() as session:
        row = link_row(session, member_id, name)
        lock_members(session, involved_members(session, name, row.handle))
        deliveries = settle(service, session, row, now, by=f"admin: {why}", check_id=None)
        result = to_linked_account(row, service.settings.ownership)
    enqueue_deliveries(service, deliveries)
    return result


def involved_members(session: Session, platform: str, handle: str) -> set[str]:
    """Members a proof of ``handle`` may touch: its holders, and whoever has live credits
    from it (a former holder)."""
    members = {row.member_id for row in holders(session, platform, handle)}
    members.update(session.scalars(select(CreditRow.member_id).where(
        CreditRow.platform == platform, CreditRow.handle == handle,
        CreditRow.revoked_at.is_(None))))
    return members


def lock_members(session: Session, member_ids: Iterable[str]) -> None:
    """Lock members' rows in id order (the one order every writer uses: no deadlock)."""
    from .members import load_member_row

    for member_id in sorted(set(member_ids)):
        load_member_row(session, member_id, lock=True)


def may_prove(session: Session, snapshot: Snapshot) -> bool:
    """True when the snapshot shows the code of a link of its handle that is not verified yet
    (a proof may follow, so the check locks every member involved). Reads the handle's links
    only when the bio or a caption holds a code at all."""
    seen = snapshot_codes(snapshot)
    if not seen:
        return False
    return any(row.verified_at is None and (row.verification_code or "").upper() in seen
               for row in holders(session, snapshot.account.platform, snapshot.account.handle))


def apply_proofs(service: Service, session: Session, snapshot: Snapshot, check_id: int,
                 now: datetime) -> list[int]:
    """Verify the links of the snapshot's handle whose code the check saw; settle contests.

    Runs inside the transaction that records the check, with every holder's member row
    locked (:func:`lock_members`). Returns the webhook deliveries written (reversals).
    """
    rows = holders(session, snapshot.account.platform, snapshot.account.handle)
    seen = snapshot_codes(snapshot)
    if not seen:
        return []
    deliveries: list[int] = []
    for row in rows:
        if row.verified_at is None and (row.verification_code or "").upper() in seen:
            deliveries += settle(service, session, row, now, by=f"check:{check_id}",
                                 check_id=check_id)
            break  # one prover: every other link of the handle has ended
    return deliveries


def settle(service: Service, session: Session, winner: LinkedAccountRow, now: datetime, *,
           by: str, check_id: int | None) -> list[int]:
    """Make ``winner`` the verified link of its handle; end the other links, and reverse what
    any other member earned from the handle's posts (a member who held it before and left
    was paid for posts that are now proved the winner's). Returns the webhook deliveries of
    the compensating rows."""
    winner.verified_at = winner.verified_at or now
    winner.verified_by = winner.verified_by or by
    winner.contested = False
    for other in holders(session, winner.platform, winner.handle):
        if other.id != winner.id:
            session.delete(other)
    session.flush()
    paid = set(session.scalars(select(CreditRow.member_id).where(
        CreditRow.platform == winner.platform, CreditRow.handle == winner.handle,
        CreditRow.member_id != winner.member_id, CreditRow.revoked_at.is_(None))))
    deliveries: list[int] = []
    for member_id in sorted(paid):
        deliveries += reverse_handle(service, session, member_id, winner.platform,
                                     winner.handle, now, check_id=check_id)
    return deliveries


def reverse_handle(service: Service, session: Session, member_id: str, platform: str,
                   handle: str, now: datetime, *, check_id: int | None) -> list[int]:
    """Revoke the member's credits for posts read from ``handle`` and reverse every award
    that paid for one of them, once each (a compensating row per award)."""
    credits = list(session.scalars(select(CreditRow).where(
        CreditRow.member_id == member_id, CreditRow.platform == platform,
        CreditRow.handle == handle, CreditRow.revoked_at.is_(None))))
    if not credits:
        return []
    posts = {f"{credit.platform}:{credit.post_id}" for credit in credits}
    missions = {credit.mission_id for credit in credits}
    for credit in credits:
        credit.revoked_at = now
        credit.active_key = None
        credit.exclusive_key = None
    session.flush()
    deliveries: list[int] = []
    awards = session.scalars(select(LedgerRow).where(
        LedgerRow.member_id == member_id, LedgerRow.mission_id.in_(missions),
        LedgerRow.points > 0, LedgerRow.reverses_id.is_(None)).order_by(LedgerRow.id))
    for award in list(awards):
        if not posts.intersection(award.posts):
            continue
        reversal = ledger_module.reverse(session, award, reason=TRANSFER_REASON,
                                         check_id=check_id or award.check_id, now=now)
        if reversal is None:
            continue
        delivery_id = add_event_delivery(
            service, session, reversal, progress=None, goal=None,
            balance=ledger_module.balance(session, member_id), now=now,
            reverses=award.idempotency_key)
        if delivery_id is not None:
            deliveries.append(delivery_id)
    return deliveries


def enqueue_deliveries(service: Service, deliveries: Iterable[int]) -> None:
    if service.queue is not None:
        for delivery_id in deliveries:
            service.queue.enqueue_webhook(delivery_id)
