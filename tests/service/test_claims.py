"""R4 and R9: the cooldown, single-post claims, re-checks, retries and shared fetches."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from engine.errors import InvalidInput
from engine.service.claim_checks import process_claim
from engine.service.claims import create_claim, get_claim
from engine.service.context import Service
from engine.service.errors import Conflict, CooldownActive
from engine.service.missions import set_status
from engine.service.report import report_rows

from .helpers import check_count, member, mission, requests_made, run


def test_cooldown_edges(service: Service, clock: Any) -> None:
    goal = mission(service)
    other = mission(service, hashtag="winter")
    member(service)
    first = create_claim(service, "ana", goal.id, "instagram")
    assert first.available_at == first.created_at + timedelta(hours=24)
    clock.advance(hours=24, seconds=-1)
    with pytest.raises(CooldownActive) as refused:
        create_claim(service, "ana", goal.id, "instagram")
    assert refused.value.available_at == first.available_at
    assert "2025-06-17T09:00:00Z" in str(refused.value)
    create_claim(service, "ana", other.id, "instagram")  # another mission: its own button
    clock.advance(seconds=1)
    create_claim(service, "ana", goal.id, "instagram")  # exactly at the end of the cooldown


def test_claim_refusals(service: Service) -> None:
    goal = mission(service)
    with pytest.raises(InvalidInput, match="no member"):
        create_claim(service, "ana", goal.id, "instagram")
    member(service)
    with pytest.raises(InvalidInput, match="not a post URL of Instagram"):
        create_claim(service, "ana", goal.id, "instagram", "https://example.com/x")
    set_status(service, goal.id, "archived")
    with pytest.raises(Conflict, match="only published missions"):
        create_claim(service, "ana", goal.id, "instagram")


def test_single_post_claim_names_every_failure(service: Service, replay: Any) -> None:
    late = mission(service, start=None, end=None)
    from datetime import UTC, datetime
    narrow = mission(service, start=datetime(2025, 6, 20, tzinfo=UTC), end=None)
    member(service)
    create_claim(service, "ana", narrow.id, "instagram",
                 "https://www.instagram.com/p/AnaNear004/")
    run(service)
    rows = report_rows(service)
    assert len(rows) == 1 and rows[0].verdict == "hashtag_near_miss"
    from sqlalchemy import select

    from engine.storage.models import SeenPostRow
    with service.db.sessions() as session:
        failures = session.scalar(select(SeenPostRow.failures))
    assert failures == ["hashtag_near_miss", "before_window"]
    claim = create_claim(service, "ana", late.id, "instagram",
                         "https://www.instagram.com/reel/NotRecent99/")
    run(service)
    assert "is not among the 7 most recent posts" in get_claim(service, claim.claim_id).last_detail


def test_rechecks_when_nothing_counted(service: Service, replay: Any, clock: Any) -> None:
    goal = mission(service, hashtag="autumn")
    member(service)
    receipt = create_claim(service, "ana", goal.id, "instagram")
    run(service)
    claim = get_claim(service, receipt.claim_id)
    assert claim.state == "rechecking"
    assert claim.due_at == clock.now + timedelta(minutes=5)
    clock.advance(minutes=4)
    run(service)
    assert check_count(service) == 1
    clock.advance(minutes=1)
    run(service)
    claim = get_claim(service, receipt.claim_id)
    assert (claim.state, claim.rechecks_done, check_count(service)) == ("rechecking", 1, 2)
    assert claim.due_at == clock.now + timedelta(minutes=55)
    clock.advance(minutes=55)
    run(service)
    claim = get_claim(service, receipt.claim_id)
    assert (claim.state, claim.rechecks_done, check_count(service)) == ("done", 2, 3)
    # Re-checks left the cooldown alone: the button comes back 24 h after the press.
    with pytest.raises(CooldownActive):
        create_claim(service, "ana", goal.id, "instagram")


def test_private_account_is_rechecked(service: Service, replay: Any) -> None:
    goal = mission(service)
    member(service, "carla", "carla.private")
    receipt = create_claim(service, "carla", goal.id, "instagram")
    run(service)
    claim = get_claim(service, receipt.claim_id)
    assert (claim.last_status, claim.state) == ("private", "rechecking")


@pytest.mark.parametrize("handle,status", [("dan.limited", "unavailable"),
                                           ("eve.layout", "layout_changed")])
def test_unavailable_retried_with_backoff_then_given_up(service: Service, replay: Any,
                                                        clock: Any, handle: str,
                                                        status: str) -> None:
    goal = mission(service)
    member(service, "dan", handle)
    receipt = create_claim(service, "dan", goal.id, "instagram")
    run(service)
    claim = get_claim(service, receipt.claim_id)
    assert (claim.state, claim.last_status, claim.failures) == ("retrying", status, 1)
    delays = []
    start = clock.now
    while claim.state == "retrying":
        assert claim.due_at is not None
        delays.append((claim.due_at - clock.now).total_seconds())
        clock.now = claim.due_at
        run(service)
        claim = get_claim(service, receipt.claim_id)
    assert delays[:4] == [60, 120, 240, 480]  # exponential backoff
    assert max(delays) <= 3600
    assert claim.state == "unavailable"
    assert clock.now - start == timedelta(hours=24)


def test_simultaneous_claims_share_one_fetch(service: Service, replay: Any) -> None:
    missions = [mission(service, recurring=True) for _ in range(3)]
    member(service)
    for item in missions:
        create_claim(service, "ana", item.id, "instagram")
    run(service)
    assert check_count(service) == 3
    assert requests_made(service) == 1


def test_claim_of_unlinked_account_ends_without_check(service: Service, replay: Any) -> None:
    goal = mission(service)
    member(service)
    receipt = create_claim(service, "ana", goal.id, "instagram")
    set_status(service, goal.id, "archived")
    assert process_claim(service, receipt.claim_id) is None
    assert get_claim(service, receipt.claim_id).state == "done"


@pytest.mark.parametrize("url", [
    "javascript:alert(1)//instagram.com/p/AnaMatch01",
    "data:text/html,instagram.com/p/AnaMatch01",
    "https://www.instagram.com/p/" + "A" * 150 + "/",
    "https://example.com/not-a-post",
])
def test_a_claim_refuses_what_is_not_a_post_url(service: Service, url: str) -> None:
    goal = mission(service)
    member(service)
    with pytest.raises(InvalidInput, match="is not a post URL of Instagram"):
        create_claim(service, "ana", goal.id, "instagram", post_url=url)


def test_a_claimed_post_url_is_stored_in_its_canonical_form(service: Service) -> None:
    goal = mission(service)
    member(service)
    receipt = create_claim(service, "ana", goal.id, "instagram",
                           post_url="  https://www.instagram.com/reel/AnaMatch01/?igsh=abc  ")
    assert receipt.post_url == "https://www.instagram.com/p/AnaMatch01/"
    assert get_claim(service, receipt.claim_id).post_url == receipt.post_url
