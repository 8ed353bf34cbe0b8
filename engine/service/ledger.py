"""R8: the append-only points ledger; a member's balance is its sum.

Rows are only inserted, inside the transaction that writes the credit behind them. The unique
``idempotency_key`` names the award (``mission:7:member:ana:completed``,
``mission:7:member:ana:post:instagram:C0ffee``), so a repeated or concurrent job cannot pay
twice: the second insert finds the key taken. A correction is a compensating row
(``reverses_id`` names the award, unique: an award is reversed once at most; its key is
``reversal:<award id>``). An award that was reversed may be earned again (the member proved
the handle later): the new award's key takes a suffix (``…:completed:2``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.storage.models import LedgerRow

from .records import LedgerEntry


def completion_key(mission_id: int, member_id: str) -> str:
    return f"mission:{mission_id}:member:{member_id}:completed"


def post_key(mission_id: int, member_id: str, platform: str, post_id: str) -> str:
    return f"mission:{mission_id}:member:{member_id}:post:{platform}:{post_id}"


def award(
    session: Session,
    *,
    key: str,
    member_id: str,
    mission_id: int,
    points: int,
    reason: str,
    posts: Sequence[str],
    check_id: int,
    now: datetime,
) -> LedgerRow | None:
    """Insert one award, or return None when ``key`` was already paid and stands.

    When every award under ``key`` (and its suffixed successors) was reversed, the new award
    takes the next free suffix.
    """
    candidate, generation = key, 1
    while True:
        paid = session.scalar(select(LedgerRow.id).where(LedgerRow.idempotency_key == candidate))
        if paid is None:
            break
        if not is_reversed(session, paid):
            return None
        generation += 1
        candidate = f"{key}:{generation}"
    row = LedgerRow(member_id=member_id, mission_id=mission_id, points=points, reason=reason,
                    posts=list(posts), check_id=check_id, idempotency_key=candidate,
                    created_at=now)
    session.add(row)
    session.flush()  # a concurrent insert of the same key fails here (IntegrityError)
    return row


def is_reversed(session: Session, award_id: int) -> bool:
    """True when a compensating row reverses the award ``award_id``."""
    return session.scalar(select(LedgerRow.id).where(LedgerRow.reverses_id == award_id)) \
        is not None


def reverse(session: Session, award: LedgerRow, *, reason: str, check_id: int,
            now: datetime) -> LedgerRow | None:
    """Insert the compensating row of ``award`` (its points negated), or None when it was
    already reversed. A concurrent reversal of the same award fails on the unique
    ``reverses_id`` (IntegrityError: the caller retries its transaction)."""
    if is_reversed(session, award.id):
        return None
    row = LedgerRow(member_id=award.member_id, mission_id=award.mission_id,
                    points=-award.points, reason=reason, posts=list(award.posts),
                    check_id=check_id, idempotency_key=f"reversal:{award.id}",
                    created_at=now, reverses_id=award.id)
    session.add(row)
    session.flush()
    return row


def balance(session: Session, member_id: str) -> int:
    total = session.scalar(select(func.coalesce(func.sum(LedgerRow.points), 0))
                           .where(LedgerRow.member_id == member_id))
    return int(total or 0)


def to_entry(row: LedgerRow) -> LedgerEntry:
    return LedgerEntry(id=row.id, member_id=row.member_id, mission_id=row.mission_id,
                       points=row.points, reason=row.reason, posts=tuple(row.posts),
                       check_id=row.check_id, idempotency_key=row.idempotency_key,
                       created_at=row.created_at)


def entries(session: Session, member_id: str | None = None) -> list[LedgerEntry]:
    query = select(LedgerRow).order_by(LedgerRow.id)
    if member_id is not None:
        query = query.where(LedgerRow.member_id == member_id)
    return [to_entry(row) for row in session.scalars(query)]
