"""R1: external actions, a platform plus a validated hashtag."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.hashtags import validate_hashtag
from engine.storage.models import ActionRow

from .context import Service
from .errors import NotFound
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


def list_actions(service: Service) -> list[Action]:
    with service.db.sessions() as session:
        return [to_action(row) for row in session.scalars(select(ActionRow).order_by(ActionRow.id))]


def load_action(session: Session, action_id: int) -> ActionRow:
    row = session.get(ActionRow, action_id)
    if row is None:
        raise NotFound(f"no action {action_id}; see `social-missions action list`")
    return row
