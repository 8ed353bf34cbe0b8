"""R3: members and their linked handles (validated, normalised, unique across members)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.storage.models import LinkedAccountRow, MemberRow

from .context import Service
from .errors import Conflict, NotFound
from .ledger import balance, entries
from .records import LinkedAccount, Member


def link_account(service: Service, member_id: str, platform: str, handle: str) -> Member:
    """Link (or replace) the member's handle on ``platform``; a handle has one member only."""
    member_id = member_id.strip()
    if not member_id:
        raise NotFound("the member id is empty")
    account = service.engine.account(platform, handle)
    now = service.now()
    with service.db.transaction() as session:
        holder = session.scalar(select(LinkedAccountRow).where(
            LinkedAccountRow.platform == account.platform,
            LinkedAccountRow.handle == account.handle))
        if holder is not None and holder.member_id != member_id:
            raise Conflict(f"{account.platform} handle @{account.handle} is already linked to "
                           "another member")
        member = session.get(MemberRow, member_id)
        if member is None:
            session.add(MemberRow(id=member_id, created_at=now))
            session.flush()
        current = session.scalar(select(LinkedAccountRow).where(
            LinkedAccountRow.member_id == member_id,
            LinkedAccountRow.platform == account.platform))
        if current is None:
            session.add(LinkedAccountRow(member_id=member_id, platform=account.platform,
                                         handle=account.handle, linked_at=now))
        elif current.handle != account.handle:
            current.handle = account.handle
            current.linked_at = now
        session.flush()
        return to_member(session, member_id, with_ledger=False)


def get_member(service: Service, member_id: str) -> Member:
    """The member's handles, balance and ledger."""
    with service.db.sessions() as session:
        return to_member(session, member_id, with_ledger=True)


def load_member_row(session: Session, member_id: str, *, lock: bool = False) -> MemberRow:
    query = select(MemberRow).where(MemberRow.id == member_id)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"no member {member_id!r}; link a handle first with "
                       "`social-missions member link`")
    return row


def linked_handle(session: Session, member_id: str, platform: str) -> str | None:
    return session.scalar(select(LinkedAccountRow.handle).where(
        LinkedAccountRow.member_id == member_id, LinkedAccountRow.platform == platform))


def to_member(session: Session, member_id: str, *, with_ledger: bool) -> Member:
    load_member_row(session, member_id)
    accounts = session.scalars(select(LinkedAccountRow).where(
        LinkedAccountRow.member_id == member_id).order_by(LinkedAccountRow.platform))
    return Member(
        id=member_id,
        accounts=tuple(LinkedAccount(platform=a.platform, handle=a.handle, linked_at=a.linked_at)
                       for a in accounts),
        balance=balance(session, member_id),
        ledger=tuple(entries(session, member_id)) if with_ledger else ())


def unlink_account(service: Service, member_id: str, platform: str) -> Member:
    """Remove the member's handle on ``platform`` (claims and points already earned stay)."""
    name = service.engine.platform(platform).name
    with service.db.transaction() as session:
        load_member_row(session, member_id)
        current = session.scalar(select(LinkedAccountRow).where(
            LinkedAccountRow.member_id == member_id, LinkedAccountRow.platform == name))
        if current is None:
            raise NotFound(f"member {member_id!r} has no linked {name} handle")
        session.delete(current)
        session.flush()
        return to_member(session, member_id, with_ledger=False)


def list_balances(service: Service) -> list[tuple[str, int]]:
    """Every member with their balance (0 without awards), by member id."""
    from sqlalchemy import func

    from engine.storage.models import LedgerRow

    with service.db.sessions() as session:
        totals: dict[str, int] = {}
        for member_id, total in session.execute(
                select(LedgerRow.member_id, func.sum(LedgerRow.points))
                .group_by(LedgerRow.member_id)):
            totals[member_id] = int(total or 0)
        return [(member_id, totals.get(member_id, 0))
                for member_id in session.scalars(select(MemberRow.id).order_by(MemberRow.id))]
