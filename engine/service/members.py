"""R3 and R11: members and their linked handles (validated, normalised), and who may hold one.

A handle is held by one member, except while a contest under the ``on_conflict`` policy waits
for one of its holders to prove it (see :mod:`engine.service.ownership`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.storage.models import LinkedAccountRow, MemberRow

from . import ownership
from .context import Service
from .errors import Conflict, HandleVerified, NotFound
from .ledger import balance, entries
from .records import Member


def link_account(service: Service, member_id: str, platform: str, handle: str) -> Member:
    """Link (or replace) the member's handle on ``platform`` (R3, R11).

    A handle another member holds: refused with ``Conflict`` under the policy ``off``;
    refused with ``HandleVerified`` when that member proved it; otherwise accepted as a
    contest (both links ``contested``: nobody is credited for the handle until one proves it).
    Changing one's handle is a new link: its proof starts again. Raises ``InvalidHandle`` for a
    handle that does not fit the platform's rules.
    """
    member_id = member_id.strip()
    if not member_id:
        raise NotFound("the member id is empty")
    account = service.engine.account(platform, handle)
    policy = service.settings.ownership
    now = service.now()
    with service.db.transaction() as session:
        others = [row for row in ownership.holders(session, account.platform, account.handle)
                  if row.member_id != member_id]
        if others and policy == "off":
            raise Conflict(f"{account.platform} handle @{account.handle} is already linked to "
                           "another member")
        if any(row.verified_at is not None for row in others):
            raise HandleVerified(
                f"{account.platform} handle @{account.handle} is already linked to another "
                "member, who proved it is theirs; if it is yours, contact the community's admins")
        member = session.get(MemberRow, member_id)
        if member is None:
            session.add(MemberRow(id=member_id, created_at=now))
            session.flush()
        current = session.scalar(select(LinkedAccountRow).where(
            LinkedAccountRow.member_id == member_id,
            LinkedAccountRow.platform == account.platform))
        if current is None:
            current = LinkedAccountRow(member_id=member_id, platform=account.platform,
                                       handle=account.handle, linked_at=now,
                                       verification_code=ownership.new_code(session))
            session.add(current)
        elif current.handle != account.handle:
            previous = current.handle
            current.handle = account.handle
            current.linked_at = now
            current.verified_at = None
            current.verified_by = None
            current.contested = False
            session.flush()
            _end_contest_if_alone(session, account.platform, previous)
        if not current.verification_code:
            current.verification_code = ownership.new_code(session)
        if others:
            for row in [*others, current]:
                row.contested = True
        session.flush()
        return to_member(session, member_id, with_ledger=False, policy=policy)


def _end_contest_if_alone(session: Session, platform: str, handle: str) -> None:
    """A contest with one holder left is over: that holder is no longer contested."""
    left = ownership.holders(session, platform, handle)
    if len(left) == 1:
        left[0].contested = False


def get_member(service: Service, member_id: str) -> Member:
    """The member's handles (with their ownership, R11), balance and ledger."""
    with service.db.sessions() as session:
        return to_member(session, member_id, with_ledger=True,
                         policy=service.settings.ownership)


def load_member_row(session: Session, member_id: str, *, lock: bool = False) -> MemberRow:
    query = select(MemberRow).where(MemberRow.id == member_id)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"no member {member_id!r}; link a handle first with "
                       "`social-missions member link`")
    return row


def linked_row(session: Session, member_id: str, platform: str) -> LinkedAccountRow | None:
    return session.scalar(select(LinkedAccountRow).where(
        LinkedAccountRow.member_id == member_id, LinkedAccountRow.platform == platform))


def linked_handle(session: Session, member_id: str, platform: str) -> str | None:
    return session.scalar(select(LinkedAccountRow.handle).where(
        LinkedAccountRow.member_id == member_id, LinkedAccountRow.platform == platform))


def to_member(session: Session, member_id: str, *, with_ledger: bool,
              policy: str = "on_conflict") -> Member:
    load_member_row(session, member_id)
    accounts = session.scalars(select(LinkedAccountRow).where(
        LinkedAccountRow.member_id == member_id).order_by(LinkedAccountRow.platform))
    return Member(
        id=member_id,
        accounts=tuple(ownership.to_linked_account(a, policy) for a in accounts),
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
        handle = current.handle
        session.delete(current)
        session.flush()
        _end_contest_if_alone(session, name, handle)
        session.flush()
        return to_member(session, member_id, with_ledger=False,
                         policy=service.settings.ownership)


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
