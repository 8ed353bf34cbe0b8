"""Rule R9 with ``linked_accounts.last_fetched_at``: the lease spares the look for a fetch to
share when the account has none recent enough, and still shares every fetch it should.

On PostgreSQL the statement that takes the account's fetch lease reads when the account was
last fetched (shareably); an old or missing time means no look. These tests hold the sharing
to what it was: a claim after a recent fetch shares it, on both databases, including when the
fetch was made through a link since removed; a fetch that cannot be shared records nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from engine.service.claim_checks import process_claim
from engine.service.claims import create_claim
from engine.service.context import Service
from engine.service.members import link_account, unlink_account
from engine.storage.models import CheckRow, LinkedAccountRow

from .helpers import check_count, member, mission, requests_made


def _last_fetched(service: Service, handle: str = "ana.summer") -> list[Any]:
    with service.db.sessions() as session:
        return list(session.scalars(select(LinkedAccountRow.last_fetched_at)
                                    .where(LinkedAccountRow.handle == handle)))


def test_a_fetch_records_its_time_and_the_next_claim_shares_it(
        service: Service, replay: Any) -> None:
    first, second = mission(service, recurring=True), mission(service, recurring=True)
    member(service)
    assert _last_fetched(service) == [None]  # never fetched
    one = process_claim(service, create_claim(service, "ana", first.id, "instagram").claim_id)
    assert one is not None and one.shared_from is None
    with service.db.sessions() as session:
        fetched_at = session.scalar(select(CheckRow.fetched_at).where(
            CheckRow.id == one.check_id))
    assert _last_fetched(service) == [fetched_at]
    two = process_claim(service, create_claim(service, "ana", second.id, "instagram").claim_id)
    assert two is not None and two.shared_from == one.check_id  # within share_fetch
    assert requests_made(service) == 1


def test_an_old_fetch_is_not_shared(service: Service, replay: Any, clock: Any) -> None:
    first, second = mission(service, recurring=True), mission(service, recurring=True)
    member(service)
    process_claim(service, create_claim(service, "ana", first.id, "instagram").claim_id)
    clock.advance(seconds=service.settings.share_fetch + 1)
    two = process_claim(service, create_claim(service, "ana", second.id, "instagram").claim_id)
    assert two is not None and two.shared_from is None
    assert requests_made(service) == 2 and check_count(service) == 2


def test_a_new_link_shares_a_fetch_made_through_a_removed_link(
        service: Service, replay: Any) -> None:
    first, second = mission(service, recurring=True), mission(service, recurring=True)
    member(service)
    one = process_claim(service, create_claim(service, "ana", first.id, "instagram").claim_id)
    assert one is not None
    unlink_account(service, "ana", "instagram")
    link_account(service, "bea", "instagram", "ana.summer")  # the same handle, a new row
    assert _last_fetched(service) != [None]  # started from the handle's checks
    two = process_claim(service, create_claim(service, "bea", second.id, "instagram").claim_id)
    assert two is not None and two.shared_from == one.check_id
    assert requests_made(service) == 1


def test_a_fetch_that_cannot_be_shared_records_nothing(service: Service, replay: Any) -> None:
    goal = mission(service, recurring=True)
    member(service)
    earlier = service.now() - timedelta(days=3)
    with service.db.transaction() as session:
        session.execute(update(LinkedAccountRow).values(last_fetched_at=earlier))
    # A cassette miss: the check is unavailable, which no claim may share.
    member(service, "zed", "no.such.recorded.handle")
    receipt = create_claim(service, "zed", goal.id, "instagram")
    result = process_claim(service, receipt.claim_id)
    assert result is not None and result.status == "unavailable"
    assert _last_fetched(service, "no.such.recorded.handle") == [None]
    assert _last_fetched(service) == [earlier]  # other handles untouched


def test_an_error_after_the_lease_gives_both_leases_back(
        service: Service, replay: Any, monkeypatch: Any) -> None:
    # On PostgreSQL the claim's lease and the account's fetch lease are committed by the
    # lease's first statement (autocommit). When the look for a recent fetch that follows it
    # fails (the database dropped the connection, say), both are given back at once, as the
    # rolled-back transaction on SQLite leaves them: the next claim of the account does not
    # wait for them to expire.
    import pytest
    from sqlalchemy.exc import OperationalError

    from engine.service import shared_fetch
    from engine.storage.models import ClaimRow

    first, second = mission(service, recurring=True), mission(service, recurring=True)
    member(service)
    process_claim(service, create_claim(service, "ana", first.id, "instagram").claim_id)
    looked = shared_fetch.recent_fetch

    def failing(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("SELECT …", {}, Exception("the server closed the connection"))

    monkeypatch.setattr(shared_fetch, "recent_fetch", failing)
    claim_id = create_claim(service, "ana", second.id, "instagram").claim_id
    with pytest.raises(OperationalError):
        process_claim(service, claim_id)
    with service.db.sessions() as session:
        claim = session.get(ClaimRow, claim_id)
        assert claim is not None and claim.lease_owner is None and claim.lease_until is None
        assert session.scalars(select(LinkedAccountRow.fetch_lease_until)).all() == [None]
    monkeypatch.setattr(shared_fetch, "recent_fetch", looked)
    again = process_claim(service, claim_id)  # at once: nothing to wait for
    assert again is not None and again.shared_from is not None
