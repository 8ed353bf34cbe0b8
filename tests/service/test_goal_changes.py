"""An admin who lowers an N-post mission's goal pays, at once and once, the members whose
counted posts already reach it (a new-user session lowered 10 to 3: the members with 3 posts
were told "finished" and never paid); a mission with counted posts keeps its kind of goal."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from engine.service.claims import create_claim
from engine.service.context import Service
from engine.service.errors import GoalLocked, GoalMet
from engine.service.missions import get_mission, update_mission
from engine.storage.models import CreditRow, LedgerRow, WebhookDeliveryRow

from .helpers import ledger_rows, member, mission, run


def _edit(service: Service, mission_id: int, **changes: Any) -> None:
    current = get_mission(service, mission_id)
    fields: dict[str, Any] = {
        "title": current.title, "action_ids": [a.id for a in current.actions],
        "points": current.points, "start": current.start_at, "end": current.end_at,
        "goal_posts": current.goal_posts, "recurring": current.goal == "recurring"}
    fields.update(changes)
    update_mission(service, mission_id, **fields)


def _counted(service: Service, goal_id: int) -> list[CreditRow]:
    with service.db.sessions() as session:
        return list(session.scalars(select(CreditRow).where(CreditRow.mission_id == goal_id)
                                    .order_by(CreditRow.created_at, CreditRow.id)))


def test_lowering_the_goal_pays_the_members_who_reach_it(make_service: Any,
                                                        replay: Any) -> None:
    service = make_service(webhook_url="http://127.0.0.1:9/hook", webhook_secret="s" * 32)
    goal = mission(service, goal_posts=10, points=50)
    member(service)
    create_claim(service, "ana", goal.id, "instagram")
    run(service)
    credits = _counted(service, goal.id)
    assert len(credits) == 4 and ledger_rows(service) == []  # 4 of 10: nothing paid yet
    _edit(service, goal.id, goal_posts=3)
    with service.db.sessions() as session:
        paid = session.scalars(select(LedgerRow)).all()
        assert [(row.member_id, row.points, row.reason) for row in paid] == [
            ("ana", 50, "mission_completed")]
        assert paid[0].idempotency_key == f"mission:{goal.id}:member:ana:completed"
        assert paid[0].check_id == credits[2].check_id  # the check of the 3rd post
        assert paid[0].posts == [f"{c.platform}:{c.post_id}" for c in credits]
        event = json.loads(session.scalars(select(WebhookDeliveryRow)).one().body)
        assert event["points"] == 50 and event["balance"] == 50
    with pytest.raises(GoalMet):  # finished, and now paid
        create_claim(service, "ana", goal.id, "instagram")
    # Lowering again, or raising the goal, pays nothing more and takes nothing back.
    _edit(service, goal.id, goal_posts=2)
    _edit(service, goal.id, goal_posts=20)
    assert [row[2] for row in ledger_rows(service)] == [50]


def test_a_member_below_the_new_goal_is_not_paid(service: Service, replay: Any) -> None:
    goal = mission(service, goal_posts=10)
    member(service)
    create_claim(service, "ana", goal.id, "instagram")
    run(service)
    _edit(service, goal.id, goal_posts=5)  # 4 counted
    assert ledger_rows(service) == []


def test_a_mission_with_counted_posts_keeps_its_kind_of_goal(service: Service,
                                                            replay: Any) -> None:
    goal = mission(service, goal_posts=10)
    empty = mission(service, goal_posts=10)
    member(service)
    create_claim(service, "ana", goal.id, "instagram")
    run(service)
    with pytest.raises(GoalLocked, match="cannot change from 10 posts to recurring"):
        _edit(service, goal.id, goal_posts=None, recurring=True)
    assert get_mission(service, goal.id).goal == "posts"
    _edit(service, empty.id, goal_posts=None, recurring=True)  # nobody counted yet: allowed
    assert get_mission(service, empty.id).goal == "recurring"
