"""One member's standing in one mission: points, progress toward the goal, counted posts.

Read by the member page, the API and the claim rules: an N-post mission whose goal is met is
complete (R2, R7): it takes no more claims and schedules no more automatic re-checks.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.storage.models import CreditRow, LedgerRow, MissionRow, SeenPostRow

from .context import Service
from .members import load_member_row
from .missions import load_mission_row
from .records import CreditedPost, MemberProgress


def live_credits(session: Session, mission_id: int, member_id: str) -> int:
    """How many posts count for the member in the mission now (revoked credits left out)."""
    return int(session.scalar(select(func.count(CreditRow.id)).where(
        CreditRow.mission_id == mission_id, CreditRow.member_id == member_id,
        CreditRow.revoked_at.is_(None))) or 0)


def goal_met(session: Session, mission: MissionRow, member_id: str) -> bool:
    """True when ``mission`` has an N-post goal and the member has N live credits."""
    return (mission.goal_kind == "posts" and mission.goal_posts is not None
            and live_credits(session, mission.id, member_id) >= mission.goal_posts)


def progress_in(session: Session, mission: MissionRow, member_id: str) -> MemberProgress:
    """:func:`member_progress` inside an open session."""
    points = int(session.scalar(select(func.coalesce(func.sum(LedgerRow.points), 0)).where(
        LedgerRow.member_id == member_id, LedgerRow.mission_id == mission.id)) or 0)
    credits = list(session.scalars(select(CreditRow).where(
        CreditRow.mission_id == mission.id, CreditRow.member_id == member_id,
        CreditRow.revoked_at.is_(None)).order_by(CreditRow.published_at.desc())))
    posts = []
    for credit in credits:
        url = session.scalar(select(SeenPostRow.url).where(
            SeenPostRow.mission_id == mission.id, SeenPostRow.platform == credit.platform,
            SeenPostRow.post_id == credit.post_id).limit(1)) or ""
        posts.append(CreditedPost(platform=credit.platform, post_id=credit.post_id, url=url,
                                  published_at=credit.published_at,
                                  credited_at=credit.created_at))
    goal = mission.goal_posts if mission.goal_kind == "posts" else None
    return MemberProgress(member_id=member_id, mission_id=mission.id, points=points, goal=goal,
                          counted=len(credits),
                          complete=goal is not None and len(credits) >= goal,
                          posts=tuple(posts))


def member_progress(service: Service, member_id: str, mission_id: int) -> MemberProgress:
    """The member's points, counted posts (newest first) and whether the goal is met.

    Raises ``NotFound`` for an unknown member or mission.
    """
    with service.db.sessions() as session:
        load_member_row(session, member_id)
        return progress_in(session, load_mission_row(session, mission_id), member_id)
