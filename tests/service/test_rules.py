"""R1–R3: actions, missions and members."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from engine.errors import InvalidHandle, InvalidHashtag, InvalidInput, UnknownPlatform
from engine.service.actions import add_action, list_actions
from engine.service.context import Service
from engine.service.errors import Conflict, NotFound
from engine.service.members import get_member, link_account
from engine.service.missions import (
    DEFAULT_LABEL,
    add_mission,
    add_months,
    list_missions,
    set_status,
)


def test_action_hashtag_is_validated(service: Service) -> None:
    action = add_action(service, "Instagram", "#Summer2025")
    assert (action.platform, action.hashtag) == ("instagram", "Summer2025")
    with pytest.raises(InvalidHashtag, match="use `ete2024`"):
        add_action(service, "instagram", "été2024")
    with pytest.raises(UnknownPlatform):
        add_action(service, "myspace", "x1")
    assert [a.id for a in list_actions(service)] == [action.id]


def test_mission_defaults(service: Service, clock: object) -> None:
    action = add_action(service, "instagram", "summer2025")
    mission = add_mission(service, title="T", action_ids=[action.id], points=5, goal_posts=2)
    assert mission.status == "draft"
    assert mission.label == DEFAULT_LABEL
    assert mission.start_at == service.now()
    assert mission.end_at == add_months(service.now())
    open_ended = add_mission(service, title="T", action_ids=[action.id], points=5,
                             recurring=True, cap="2/week", start=None, end=None)
    assert (open_ended.start_at, open_ended.end_at) == (None, None)
    assert (open_ended.cap_count, open_ended.cap_period) == (2, "week")


def test_month_arithmetic_keeps_calendar() -> None:
    assert add_months(datetime(2025, 1, 31, tzinfo=UTC)) == datetime(2025, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2025, 12, 15, tzinfo=UTC)) == datetime(2026, 1, 15, tzinfo=UTC)


def test_mission_refusals(service: Service) -> None:
    one = add_action(service, "instagram", "a1")
    two = add_action(service, "instagram", "b2")
    with pytest.raises(InvalidInput, match="at most one action per platform"):
        add_mission(service, title="T", action_ids=[one.id, two.id], points=5, goal_posts=1)
    with pytest.raises(InvalidInput, match="choose one goal"):
        add_mission(service, title="T", action_ids=[one.id], points=5)
    with pytest.raises(InvalidInput, match="N/day or N/week"):
        add_mission(service, title="T", action_ids=[one.id], points=5, recurring=True,
                    cap="3/month")
    with pytest.raises(InvalidInput, match="recurring missions only"):
        add_mission(service, title="T", action_ids=[one.id], points=5, goal_posts=1, cap="1/day")
    with pytest.raises(NotFound):
        add_mission(service, title="T", action_ids=[999], points=5, goal_posts=1)


def test_mission_status(service: Service) -> None:
    action = add_action(service, "instagram", "a1")
    mission = add_mission(service, title="T", action_ids=[action.id], points=5, goal_posts=1)
    assert set_status(service, mission.id, "published").status == "published"
    assert set_status(service, mission.id, "archived").status == "archived"
    with pytest.raises(Conflict):
        set_status(service, mission.id, "published")
    assert [m.id for m in list_missions(service, "archived")] == [mission.id]


def test_member_handles_without_ownership_proof(make_service: Any) -> None:
    service = make_service(ownership="off")  # the policy "off": a held handle is refused
    member = link_account(service, "ana", "instagram", "https://www.instagram.com/Ana.Summer/")
    assert member.accounts[0].handle == "ana.summer"
    with pytest.raises(Conflict, match="already linked to another member"):
        link_account(service, "bob", "instagram", "@ANA.SUMMER")
    with pytest.raises(InvalidHandle):
        link_account(service, "bob", "instagram", "bad..handle")
    link_account(service, "ana", "instagram", "ana.other")  # replaces her handle
    assert [a.handle for a in get_member(service, "ana").accounts] == ["ana.other"]
    assert link_account(service, "bob", "instagram", "ana.summer").accounts[0].handle == "ana.summer"
    with pytest.raises(NotFound):
        get_member(service, "nobody")
