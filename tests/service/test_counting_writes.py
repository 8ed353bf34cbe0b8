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
