"""Members paid when an admin lowers an N-post mission's goal (R2: the points are awarded once,
when the N-th post counts; with a lower N, that post may already be counted).

:func:`pay_lowered_goal` runs in the transaction that saves the mission: each member whose
live credits now reach the goal, and who holds no standing completion award, gets it, as the
check that counted the N-th post would have written it (the same idempotency key, reason and
posts named; its ``check_id`` is that credit's check), with its webhook event.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.storage.models import CreditRow, MissionRow

from . import ledger
from .context import Service
from .ownership import lock_members
from .webhooks import add_event_delivery


def pay_lowered_goal(service: Service, session: Session, mission: MissionRow,
                     now: datetime) -> list[int]:
    """Award the completion of ``mission`` (its new ``goal_posts`` already set, flushed) to
    every member whose live credits reach it and who was not paid yet; returns the ids of the
    webhook deliveries written (none without a webhook), to enqueue once committed.

    Members are locked in id order (:func:`~.ownership.lock_members`, as a check locks them),
    so a check that counts a post of theirs at the same time waits, then finds the award.
    ``now`` is the awards' time (UTC). Raises ``IntegrityError`` only if another writer
    inserted the same key without the lock (never expected)."""
    goal = mission.goal_posts
    if mission.goal_kind != "posts" or goal is None:
        return []
    live = (CreditRow.mission_id == mission.id, CreditRow.revoked_at.is_(None))
    members = list(session.scalars(select(CreditRow.member_id).where(*live)
                                   .group_by(CreditRow.member_id)
                                   .having(func.count(CreditRow.id) >= goal)))
    if not members:
        return []
    lock_members(session, members)
    deliveries = []
    for member_id in sorted(members):
        credits = list(session.scalars(select(CreditRow).where(
            *live, CreditRow.member_id == member_id).order_by(CreditRow.created_at,
                                                              CreditRow.id)))
        if len(credits) < goal:  # revoked while we waited for the lock
            continue
        award = ledger.award(
            session, key=ledger.completion_key(mission.id, member_id), member_id=member_id,
            mission_id=mission.id, points=mission.points, reason="mission_completed",
            posts=[f"{credit.platform}:{credit.post_id}" for credit in credits],
            check_id=credits[goal - 1].check_id, now=now)
        if award is None:  # paid already (the goal was met before), and it stands
            continue
        delivery_id = add_event_delivery(service, session, award, progress=goal, goal=goal,
                                         balance=ledger.balance(session, member_id), now=now)
        if delivery_id is not None:
            deliveries.append(delivery_id)
    return deliveries
