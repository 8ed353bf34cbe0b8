"""R1: external actions, a platform plus a validated hashtag."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.hashtags import validate_hashtag
from engine.storage.models import ActionRow, MissionActionRow, MissionRow

from .context import Service
from .errors import Conflict, NotFound
from .records import Action


def to_action(row: ActionRow) -> Action:
    return Action(id=row.id, platform=row.platform, hashtag=row.hashtag,
                  created_at=row.created_at)


def add_action(service: Service, platform: str, hashtag: str) -> Action:
    """Create an action; the platform must be installed and the hashtag valid (R1)."""
    name = service.engine.platform(platform).name
    tag = validate_hashtag(hashtag)
    with service.db.transaction() as session:
        row = ActionRow(platform=name, hashtag=tag, created_at=service.now())
        session.add(row)
        session.flush()
        return to_action(row)


def list_actions(service: Service, *, limit: int | None = None,
                 after: int | None = None) -> list[Action]:
    """Actions by id: every one, or ``limit`` of them after the action id ``after``."""
    query = select(ActionRow).order_by(ActionRow.id)
    if after is not None:
        query = query.where(ActionRow.id > after)
    if limit is not None:
        query = query.limit(limit)
    with service.db.sessions() as session:
        return [to_action(row) for row in session.scalars(query)]


def load_action(session: Session, action_id: int) -> ActionRow:
    row = session.get(ActionRow, action_id)
    if row is None:
        raise NotFound(f"no action {action_id}; the actions are listed by GET /api/v1/actions "
                       "and `social-missions action list`")
    return row


@dataclass(frozen=True)
class MissionUse:
    """A mission that uses an action: its id, title and status."""

    id: int
    title: str
    status: str


def action_uses(service: Service) -> dict[int, list[MissionUse]]:
    """For every action used by a mission, the missions using it (by mission id)."""
    with service.db.sessions() as session:
        rows = session.execute(
            select(MissionActionRow.action_id, MissionRow.id, MissionRow.title, MissionRow.status)
            .join(MissionRow, MissionRow.id == MissionActionRow.mission_id)
            .order_by(MissionRow.id))
        uses: dict[int, list[MissionUse]] = {}
        for action_id, mission_id, title, status in rows:
            uses.setdefault(action_id, []).append(MissionUse(mission_id, title, status))
        return uses


def delete_action(service: Service, action_id: int) -> Action:
    """Delete an action no mission uses; :class:`Conflict` names the missions using it."""
    with service.db.transaction() as session:
        row = load_action(session, action_id)
        used = list(session.execute(
            select(MissionRow.id, MissionRow.title)
            .join(MissionActionRow, MissionActionRow.mission_id == MissionRow.id)
            .where(MissionActionRow.action_id == action_id).order_by(MissionRow.id)))
        if used:
            names = ", ".join(f"{mission_id} ({title})" for mission_id, title in used)
            raise Conflict(f"action {action_id} is used by mission(s) {names}; "
                           "it cannot be deleted")
        action = to_action(row)
        session.delete(row)
        return action
