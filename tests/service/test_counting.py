"""R5–R8: verdicts, credits once per mission, goals, recurring caps, exclusive posts, ledger."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from engine.service.claims import create_claim, list_claims
from engine.service.context import Service
from engine.service.errors import GoalMet
from engine.service.members import get_member
from engine.service.report import report_rows

from .helpers import ledger_rows, member, mission, run


def verdicts(service: Service, mission_id: int) -> dict[str, str]:
    """Post id → verdict in the latest check of the mission."""
    rows = report_rows(service)
    latest = max((r.check_id for r in rows if r.mission_id == mission_id), default=None)
    return {r.post_url.rstrip("/").rsplit("/", 1)[-1]: r.verdict
            for r in rows if r.check_id == latest}


def test_n_post_goal(service: Service, replay: Any, clock: Any) -> None:
    goal = mission(service, goal_posts=3, points=50)
    member(service)
    create_claim(service, "ana", goal.id, "instagram")
    run(service)
    seen = verdicts(service, goal.id)
    assert seen == {
        "AnaMatch06": "counted", "AnaMatch03": "counted", "AnaMatch02": "counted",
        "AnaMatch01": "goal_already_met", "AnaNear004": "hashtag_near_miss",
        "AnaNone005": "hashtag_missing", "AnaOld0007": "before_window",
    }
    assert get_member(service, "ana").balance == 50
    assert [key for *_, key in ledger_rows(service)] == [f"mission:{goal.id}:member:ana:completed"]
    # The goal is met: the claim is done (no automatic re-check), and a later claim is
    # refused with goal_met; nothing is paid twice.
    [claim] = list_claims(service, member_id="ana")
    assert (claim.state, claim.due_at) == ("done", None)
    clock.advance(days=2)
    with pytest.raises(GoalMet, match="already completed mission"):
        create_claim(service, "ana", goal.id, "instagram")
    assert get_member(service, "ana").balance == 50


def test_goal_not_yet_met_shows_progress(service: Service, replay: Any) -> None:
    goal = mission(service, goal_posts=10, points=50)
    member(service)
    create_claim(service, "ana", goal.id, "instagram")
    run(service)
    assert get_member(service, "ana").balance == 0
    counted = [r for r in report_rows(service) if r.verdict == "counted"]
    assert sorted(r.detail for r in counted)[-1].endswith("progress 4/10")


def test_recurring_awards_every_post(service: Service, replay: Any) -> None:
    recurring = mission(service, recurring=True, points=5)
    member(service)
    create_claim(service, "ana", recurring.id, "instagram")
    run(service)
    assert get_member(service, "ana").balance == 20
    assert len(ledger_rows(service)) == 4


def test_daily_cap(service: Service, replay: Any) -> None:
    capped = mission(service, recurring=True, cap="1/day", points=5)
    member(service)
    create_claim(service, "ana", capped.id, "instagram")
    run(service)
    seen = verdicts(service, capped.id)
    # Saturday 14 June has two matching posts: the earlier counts, the later hits the cap.
    assert seen["AnaMatch02"] == "counted"
    assert seen["AnaMatch01"] == "cap_reached"
    assert seen["AnaMatch03"] == "counted" and seen["AnaMatch06"] == "counted"
    assert get_member(service, "ana").balance == 15


def test_weekly_cap(service: Service, replay: Any) -> None:
    capped = mission(service, recurring=True, cap="2/week", points=5)
    member(service)
    create_claim(service, "ana", capped.id, "instagram")
    run(service)
    seen = verdicts(service, capped.id)
    # ISO week 9–15 June: Fri 13 and the first Sat 14 count; week 2–8 June: Sat 7 counts.
    assert [seen[p] for p in ("AnaMatch06", "AnaMatch03", "AnaMatch02", "AnaMatch01")] == [
        "counted", "counted", "counted", "cap_reached"]


def test_post_counts_once_per_mission_across_missions(service: Service, replay: Any,
                                                      clock: Any) -> None:
    first = mission(service, recurring=True, points=5)
    second = mission(service, recurring=True, points=7)
    member(service)
    create_claim(service, "ana", first.id, "instagram")
    create_claim(service, "ana", second.id, "instagram")
    run(service)
    assert get_member(service, "ana").balance == 4 * 5 + 4 * 7
    clock.advance(days=1, seconds=1)
    create_claim(service, "ana", first.id, "instagram")
    create_claim(service, "ana", second.id, "instagram")
    run(service)
    assert get_member(service, "ana").balance == 4 * 5 + 4 * 7
    assert set(verdicts(service, second.id).values()) >= {"already_counted"}


def test_exclusive_posts(make_service: Any, replay: Any) -> None:
    service = make_service(exclusive_posts=True)
    first = mission(service, recurring=True, points=5)
    second = mission(service, recurring=True, points=7)
    member(service)
    create_claim(service, "ana", first.id, "instagram")
    run(service)
    create_claim(service, "ana", second.id, "instagram")
    run(service)
    seen = verdicts(service, second.id)
    assert seen["AnaMatch01"] == "used_elsewhere"
    assert "counted" not in seen.values()
    assert get_member(service, "ana").balance == 20


def test_window_edges(service: Service, replay: Any) -> None:
    published = datetime(2025, 6, 14, 15, 6, 40, tzinfo=UTC)  # AnaMatch01
    starts_at_post = mission(service, recurring=True, start=published, end=None)
    ends_at_post = mission(service, recurring=True, start=None, end=published)
    member(service)
    create_claim(service, "ana", starts_at_post.id, "instagram")
    create_claim(service, "ana", ends_at_post.id, "instagram")
    run(service)
    assert verdicts(service, starts_at_post.id)["AnaMatch01"] == "counted"  # start inclusive
    assert verdicts(service, starts_at_post.id)["AnaMatch02"] == "before_window"
    assert verdicts(service, ends_at_post.id)["AnaMatch01"] == "after_window"  # end exclusive
    assert verdicts(service, ends_at_post.id)["AnaMatch02"] == "counted"
