"""Credits, awards and seen posts written by counting, on both databases.

On PostgreSQL the three inserts of a check that does not complete an N-post goal are one
statement (``engine.storage.multi_insert``); these tests hold it to what the separate inserts
did: every column as written, a key already paid pays nothing (and the seen rows say so), a
concurrent credit of the same post still fails the transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from engine.service.claim_checks import process_claim
from engine.service.claims import create_claim
from engine.service.context import Service
from engine.storage.models import CreditRow, LedgerRow, SeenPostRow
from engine.storage.multi_insert import TableRows, insert_into_tables

from .conftest import ServiceFactory
from .helpers import ledger_rows, member, mission


def _seen(service: Service, check_id: int) -> list[SeenPostRow]:
    with service.db.sessions() as session:
        return list(session.scalars(select(SeenPostRow).where(SeenPostRow.check_id == check_id)
                                    .order_by(SeenPostRow.id)))


def test_a_recurring_check_writes_every_column(service: Service, replay: Any) -> None:
    chosen = mission(service, recurring=True, points=5)
    member(service)
    result = process_claim(service, create_claim(service, "ana", chosen.id,
                                                 "instagram").claim_id)
    assert result is not None and result.counted >= 3
    rows = _seen(service, result.check_id)
    counted = [row for row in rows if row.verdict == "counted"]
    assert len(counted) == result.counted and all(row.points == 5 for row in counted)
    assert all(row.points == 0 for row in rows if row.verdict != "counted")
    first = counted[0]
    assert isinstance(first.hashtags, list) and "summer2025" in first.hashtags
    assert first.failures == [] and first.member_id == "ana" and first.platform == "instagram"
    assert first.published_at.tzinfo is UTC and first.measured_at is not None
    with service.db.sessions() as session:
        credits = list(session.scalars(select(CreditRow).order_by(CreditRow.id)))
        awards = list(session.scalars(select(LedgerRow).order_by(LedgerRow.id)))
    assert [credit.post_id for credit in credits] == [row.post_id for row in counted]
    assert all(credit.active_key == f"{chosen.id}:instagram:{credit.post_id}"
               and credit.handle == "ana.summer" and credit.revoked_at is None
               and credit.published_at.tzinfo is UTC for credit in credits)
    assert [award.posts for award in awards] == [[f"instagram:{row.post_id}"] for row in counted]
    assert all(award.reason == "recurring_post" and award.points == 5
               and award.check_id == result.check_id for award in awards)


def test_an_award_key_already_paid_pays_nothing_and_the_seen_rows_say_so(
        make_service: ServiceFactory, replay: Any) -> None:
    service = make_service(cooldown=0)
    chosen = mission(service, recurring=True, points=5)
    member(service)
    first = process_claim(service, create_claim(service, "ana", chosen.id,
                                                "instagram").claim_id)
    assert first is not None and first.points == 5 * first.counted > 0
    paid = ledger_rows(service)
    # The credits are withdrawn while their awards stand (not reversed): the posts count
    # again, but their award keys are taken and stand, so nothing is paid twice.
    with service.db.transaction() as session:
        session.execute(update(CreditRow).values(revoked_at=datetime.now(UTC),
                                                 active_key=None))
    again = process_claim(service, create_claim(service, "ana", chosen.id,
                                                "instagram").claim_id)
    assert again is not None and again.counted == first.counted and again.points == 0
    assert ledger_rows(service) == paid
    rows = _seen(service, again.check_id)
    assert [row.verdict for row in rows].count("counted") == again.counted
    assert all(row.points == 0 for row in rows)
    assert all(post.points == 0 for post in again.posts)


def test_one_statement_refuses_a_credit_already_live(service: Service, replay: Any) -> None:
    if service.db.is_sqlite:
        pytest.skip("the one-statement write is PostgreSQL's")
    chosen = mission(service, recurring=True, points=5)
    member(service)
    assert process_claim(service, create_claim(service, "ana", chosen.id,
                                               "instagram").claim_id) is not None
    with service.db.sessions() as session:
        live = session.scalars(select(CreditRow)).first()
    assert live is not None
    again = {column.name: getattr(live, column.name)
             for column in CreditRow.__table__.columns if column.name != "id"}
    with pytest.raises(IntegrityError, match="active_key"), service.db.transaction() as session:
        insert_into_tables(session.connection(), [
            TableRows(CreditRow.__table__, [again])])  # type: ignore[arg-type]
    with service.db.sessions() as session:
        assert len(list(session.scalars(select(CreditRow)))) >= 3  # nothing half-written


def test_one_statement_refuses_a_naive_instant(service: Service) -> None:
    if service.db.is_sqlite:
        pytest.skip("the one-statement write is PostgreSQL's")
    with pytest.raises(ValueError, match="timezone-aware"), service.db.transaction() as session:
        insert_into_tables(session.connection(), [TableRows(
            CreditRow.__table__, [{"published_at": datetime(2025, 6, 2)}])])  # type: ignore[arg-type]


def test_the_tail_reports_its_rows_with_and_without_awards(service: Service) -> None:
    # The claim's next state rides on the inserts' statement (multi_insert.Tail): the count
    # of the rows its part returned comes back whether or not an award was inserted, and the
    # awards' ids come back as they do without a tail.
    from engine.storage.models import ClaimRow
    from engine.storage.multi_insert import Tail, insert_into_tables_then

    if service.db.is_sqlite:
        pytest.skip("the one-statement write is PostgreSQL's")
    chosen = mission(service, recurring=True, points=5)
    member(service)
    claim_id = create_claim(service, "ana", chosen.id, "instagram").claim_id
    checked = process_claim(service, claim_id)
    assert checked is not None
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    tail_parts = (("claim_written", "UPDATE claims SET last_detail = %(t_detail)s::text "
                                    "WHERE id = %(t_claim)s::integer RETURNING id"),)
    award = {"member_id": "ana", "mission_id": chosen.id, "points": 5,
             "reason": "recurring_post", "posts": ["instagram:t1"],
             "check_id": checked.check_id,
             "idempotency_key": "tail-test-key", "created_at": now, "reverses_id": None}
    awards = TableRows(LedgerRow.__table__, [award], conflict=("idempotency_key",),  # type: ignore[arg-type]
                       returning=("idempotency_key", "id"))
    with service.db.transaction() as session:
        connection = session.connection()
        returned, count = insert_into_tables_then(connection, [awards], Tail(
            tail_parts, {"t_detail": "written by the tail", "t_claim": claim_id},
            counted="claim_written"))
        assert count == 1 and [key for key, _ in returned] == ["tail-test-key"]
        # The same key again: no award returned, the count still comes back.
        returned, count = insert_into_tables_then(connection, [awards], Tail(
            tail_parts, {"t_detail": "again", "t_claim": claim_id}, counted="claim_written"))
        assert count == 1 and returned == []
        # No row for the tail's part (no such claim): 0, and nothing else is lost.
        returned, count = insert_into_tables_then(connection, [], Tail(
            tail_parts, {"t_detail": "none", "t_claim": -1}, counted="claim_written"))
        assert count == 0 and returned == []
        with pytest.raises(ValueError, match="rows"):
            insert_into_tables_then(connection, [], Tail(tail_parts, {"rows": 1},
                                                         counted="claim_written"))
    with service.db.sessions() as session:
        claim = session.get(ClaimRow, claim_id)
        assert claim is not None and claim.last_detail == "again"
