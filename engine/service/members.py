"""R3 and R11: members and their linked handles (validated, normalised), and who may hold one.

A handle is held by one member, except while a contest under the ``on_conflict`` policy waits
for one of its holders to prove it (see :mod:`engine.service.ownership`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.storage.models import CheckRow, ClaimRow, LedgerRow, LinkedAccountRow, MemberRow

from . import ownership
from .context import Service
from .errors import Conflict, HandleVerified, NotFound
from .ledger import balance, entries
from .member_ids import check_member_id
from .records import Claim, LedgerEntry, Member
from .shared_fetch import last_fetch_of

ERASED_PREFIX = "erased-"  # the pseudonyms of erased members (engine.service.privacy)


def link_account(service: Service, member_id: str, platform: str, handle: str) -> Member:
    """Link (or replace) the member's handle on ``platform`` (R3, R11).

    A handle another member holds: refused with ``Conflict`` under the policy ``off``;
    refused with ``HandleVerified`` when that member proved it; otherwise accepted as a
    contest (both links ``contested``: nobody is credited for the handle until one proves it).
    Changing one's handle is a new link: its proof starts again. Raises ``InvalidHandle`` for a
    handle that does not fit the platform's rules, ``InvalidMemberId`` for a member id with
    surrounding spaces or control characters (see :mod:`.member_ids`), ``InvalidInput`` for an
    erased member's pseudonym (``erased-…``).
    """
    check_member_id(member_id)  # refused, never trimmed: " lea" is not "lea"
    if member_id.startswith(ERASED_PREFIX):
        raise InvalidInput(f"member ids starting with {ERASED_PREFIX!r} name erased members' "
                           "kept points and cannot link an account; use another id")
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
            check_member_id(member_id, new=True)  # a new member: no '/', nothing invisible
            session.add(MemberRow(id=member_id, created_at=now))
            session.flush()
        current = session.scalar(select(LinkedAccountRow).where(
            LinkedAccountRow.member_id == member_id,
            LinkedAccountRow.platform == account.platform))
        if current is None:
            current = LinkedAccountRow(
                member_id=member_id, platform=account.platform, handle=account.handle,
                linked_at=now, verification_code=ownership.new_code(session),
                last_fetched_at=last_fetch_of(session.connection(), account.platform,
                                              account.handle))
            session.add(current)
        elif current.handle != account.handle:
            previous = current.handle
            current.handle = account.handle
            current.linked_at = now
            current.last_fetched_at = last_fetch_of(session.connection(), account.platform,
                                                    account.handle)
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
        raise NotFound(f"no member {member_id!r}: a member exists from their first linked "
                       "handle (PUT /api/v1/members/{member}/accounts/{platform}, or "
                       "`social-missions member link`)")
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


def list_balances(service: Service, *, limit: int | None = None,
                  after: str | None = None) -> list[tuple[str, int]]:
    """Members with their balance (the sum of their ledger; 0 without awards), by member id:
    every one, or ``limit`` of them after the member id ``after`` (the API's pages)."""
    from sqlalchemy import func

    from engine.storage.models import LedgerRow

    totals = (select(LedgerRow.member_id, func.sum(LedgerRow.points).label("total"))
              .group_by(LedgerRow.member_id).subquery())
    query = (select(MemberRow.id, func.coalesce(totals.c.total, 0))
             .outerjoin(totals, totals.c.member_id == MemberRow.id).order_by(MemberRow.id))
    if after is not None:
        query = query.where(MemberRow.id > after)
    if limit is not None:
        query = query.limit(limit)
    with service.db.sessions() as session:
        return [(member_id, int(total)) for member_id, total in session.execute(query)]


# -- the console's views: search and one member's pages (bounded queries only) -----------------

SEARCH_MAX = 200  # a member id is at most 200 characters; so is a handle


@dataclass(frozen=True, kw_only=True)
class MemberMatch:
    """One member found by :func:`search_members`: id, linked handles, balance."""

    id: str
    accounts: tuple[tuple[str, str], ...]  # (platform, handle), by platform
    balance: int


def _like_prefix(text: str) -> str:
    """``text%`` for a LIKE with ``\\`` as escape: ``%`` and ``_`` typed are matched as such."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_members(service: Service, query: str = "", *, offset: int = 0,
                   limit: int = 50) -> tuple[list[MemberMatch], bool]:
    """One page of members, by id: those whose id starts with ``query`` or who linked a handle
    starting with it (``@`` and case ignored for handles); every member when ``query`` is
    empty. Returns the page and whether more follow. Only the page's rows are read.

    Raises ``InvalidInput`` for a query longer than 200 characters or with control characters.
    """
    text = query.strip()
    if len(text) > SEARCH_MAX:
        raise InvalidInput(f"the search is at most {SEARCH_MAX} characters long")
    if any(ord(char) < 32 or ord(char) == 127 for char in text):
        raise InvalidInput("the search contains control characters")
    offset, limit = max(offset, 0), max(min(limit, 200), 1)
    with service.db.sessions() as session:
        ids = select(MemberRow.id)
        if text:
            handle = text.removeprefix("@").lower()
            by_handle = select(LinkedAccountRow.member_id).where(
                func.lower(LinkedAccountRow.handle).like(_like_prefix(handle), escape="\\"))
            ids = ids.where(or_(MemberRow.id == text,
                                MemberRow.id.like(_like_prefix(text), escape="\\"),
                                MemberRow.id.in_(by_handle)))
        found = list(session.scalars(ids.order_by(MemberRow.id).offset(offset).limit(limit + 1)))
        more, page = len(found) > limit, found[:limit]
        accounts: dict[str, list[tuple[str, str]]] = {member_id: [] for member_id in page}
        for member_id, platform, handle in session.execute(
                select(LinkedAccountRow.member_id, LinkedAccountRow.platform,
                       LinkedAccountRow.handle)
                .where(LinkedAccountRow.member_id.in_(page))
                .order_by(LinkedAccountRow.platform)):
            accounts[member_id].append((platform, handle))
        totals: dict[str, int] = {}
        for member_id, total in session.execute(
                select(LedgerRow.member_id, func.sum(LedgerRow.points))
                .where(LedgerRow.member_id.in_(page)).group_by(LedgerRow.member_id)):
            totals[member_id] = int(total or 0)
        return [MemberMatch(id=member_id, accounts=tuple(accounts[member_id]),
                            balance=totals.get(member_id, 0))
                for member_id in page], more


def member_summary(service: Service, member_id: str) -> Member:
    """The member's handles (with their ownership) and balance, without the ledger."""
    with service.db.sessions() as session:
        return to_member(session, member_id, with_ledger=False,
                         policy=service.settings.ownership)


def ledger_page(service: Service, member_id: str, *, offset: int = 0,
                limit: int = 50) -> tuple[list[LedgerEntry], bool]:
    """One page of the member's ledger, newest first, and whether older rows follow."""
    from .ledger import to_entry

    with service.db.sessions() as session:
        rows = list(session.scalars(
            select(LedgerRow).where(LedgerRow.member_id == member_id)
            .order_by(LedgerRow.id.desc()).offset(max(offset, 0)).limit(limit + 1)))
        return [to_entry(row) for row in rows[:limit]], len(rows) > limit


@dataclass(frozen=True, kw_only=True)
class CheckSummary:
    """One run of a claim's check, without the posts it read: what the console shows."""

    id: int
    kind: str
    handle: str
    status: str
    cause: str | None
    backend: str | None
    detail: str
    requests: int
    finished_at: datetime
    attempts: tuple[dict[str, object], ...]


@dataclass(frozen=True, kw_only=True)
class ClaimWithChecks:
    """A claim and its checks, newest check first."""

    claim: Claim
    checks: tuple[CheckSummary, ...]


def claims_page(service: Service, member_id: str, *, offset: int = 0, limit: int = 20,
                checks_per_claim: int = 10) -> tuple[list[ClaimWithChecks], bool]:
    """One page of the member's claims, newest first, each with its latest checks; and
    whether older claims follow."""
    from .claims import to_claim

    with service.db.sessions() as session:
        rows = list(session.scalars(
            select(ClaimRow).where(ClaimRow.member_id == member_id)
            .order_by(ClaimRow.id.desc()).offset(max(offset, 0)).limit(limit + 1)))
        page = rows[:limit]
        checks: dict[int, list[CheckSummary]] = {row.id: [] for row in page}
        for check in session.execute(
                select(CheckRow.id, CheckRow.claim_id, CheckRow.kind, CheckRow.handle,
                       CheckRow.status, CheckRow.cause, CheckRow.backend, CheckRow.detail,
                       CheckRow.requests, CheckRow.finished_at, CheckRow.attempts)
                .where(CheckRow.claim_id.in_(list(checks)))
                .order_by(CheckRow.id.desc())):
            found = checks[check.claim_id]
            if len(found) < checks_per_claim:
                found.append(CheckSummary(
                    id=check.id, kind=check.kind, handle=check.handle, status=check.status,
                    cause=check.cause, backend=check.backend, detail=check.detail,
                    requests=check.requests, finished_at=check.finished_at,
                    attempts=tuple(check.attempts or ())))
        return [ClaimWithChecks(claim=to_claim(row), checks=tuple(checks[row.id]))
                for row in page], len(rows) > limit


def claimed_missions(service: Service, member_id: str, *, limit: int = 10) -> list[int]:
    """The missions the member claimed, most recently claimed first (at most ``limit``)."""
    with service.db.sessions() as session:
        return list(session.scalars(
            select(ClaimRow.mission_id).where(ClaimRow.member_id == member_id)
            .group_by(ClaimRow.mission_id).order_by(func.max(ClaimRow.id).desc())
            .limit(limit)))
