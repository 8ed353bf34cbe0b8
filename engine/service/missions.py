"""R2: missions, their goal, points, window, label and status."""

from __future__ import annotations

import calendar
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.storage.models import ActionRow, CreditRow, MissionActionRow, MissionRow

from .actions import load_action, to_action
from .context import Service
from .errors import Conflict, GoalLocked, NotFound
from .ownership import enqueue_deliveries
from .records import Mission

DEFAULT_LABEL = "C'est fait ! Vérifiez mon profil !"
DEFAULT_LABEL_EN = "Done! Check my profile!"
STATUSES = ("draft", "published", "archived")


@dataclass(frozen=True)
class Unset:
    """A window bound left to its default (as opposed to None: removed, open-ended)."""


DEFAULT = Unset()


def add_months(moment: datetime, months: int = 1) -> datetime:
    """One calendar month later, on the last day of the month when the day does not exist."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def add_months_in(moment: datetime, zone: str, months: int = 1) -> datetime:
    """One calendar month after ``moment`` on the wall clock of the IANA ``zone`` (the
    community's), as a UTC instant: 31 Jan 23:30 UTC (1 Feb 00:30 in Paris) ends on 1 Mar
    00:30 in Paris, and 10:00 in Paris stays 10:00 across a daylight-saving change."""
    local = moment.astimezone(ZoneInfo(zone))
    return add_months(local, months).astimezone(UTC)


CAP_MAX = 1000  # posts per period, at most
THRESHOLD_MAX = 999_999_999  # views or likes a performance mission may ask for, at most


def check_threshold(min_views: int | None, min_likes: int | None) -> None:
    """A performance mission's threshold (issue 17): at most one of ``min_views`` and
    ``min_likes``, a whole number from 1 to :data:`THRESHOLD_MAX`.

    One number, not both: the member is told one distance ("1 240 views of 5 000 needed"),
    and a post whose platform gives only one of the two numbers is never held back by the
    other. Raises :class:`InvalidInput` naming the option and the fix."""
    if min_views is not None and min_likes is not None:
        raise InvalidInput("choose one threshold: --min-views N or --min-likes N, not both")
    for name, value in (("--min-views", min_views), ("--min-likes", min_likes)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or not 1 <= value <= THRESHOLD_MAX):
            raise InvalidInput(f"{name} must be a whole number from 1 to {THRESHOLD_MAX}, "
                               f"not {value!r}")


def parse_cap(text: str) -> tuple[int, str]:
    """``"3/day"`` or ``"5/week"`` → (3, "day"): N in ASCII digits only (not ``²`` nor
    ``٣``, which ``str.isdigit`` accepts), from 1 to :data:`CAP_MAX`.

    Raises :class:`InvalidInput` naming the expected form otherwise."""
    count, _, period = text.strip().partition("/")
    if not (count.isascii() and count.isdigit()) or len(count) > 4 \
            or not 1 <= int(count) <= CAP_MAX or period not in ("day", "week"):
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise InvalidInput(f"cap {shown!r}: write it as N/day or N/week, with N a whole "
                           f"number from 1 to {CAP_MAX} in ASCII digits")
    return int(count), period


def add_mission(
    service: Service,
    *,
    title: str,
    action_ids: Sequence[int],
    points: int,
    goal_posts: int | None = None,
    recurring: bool = False,
    cap: str | None = None,
    start: datetime | None | Unset = DEFAULT,
    end: datetime | None | Unset = DEFAULT,
    label: str | None = None,
    description: str = "",
    publish: bool = False,
    min_views: int | None = None,
    min_likes: int | None = None,
) -> Mission:
    """Create a mission (draft unless ``publish``); ``None`` removes a window bound.

    ``min_views`` or ``min_likes`` makes it a performance mission: a post counts once the
    platform reports that many (see :func:`check_threshold`). Raises :class:`InvalidInput`
    for a refused field, :class:`NotFound` for an unknown action."""
    cap_count, cap_period = _check_fields(title, action_ids, points, goal_posts, recurring, cap)
    check_threshold(min_views, min_likes)
    now = service.now()
    start_at = now if isinstance(start, Unset) else start
    # Without a start, the default end still falls one month after the creation.
    end_at = (add_months_in(start_at or now, service.settings.timezone)
              if isinstance(end, Unset) else end)
    _check_window(start_at, end_at)
    with service.db.transaction() as session:
        actions = _load_actions(session, action_ids)
        row = MissionRow(
            title=title.strip(), description=description, label=label or DEFAULT_LABEL,
            goal_kind="recurring" if recurring else "posts", goal_posts=goal_posts,
            cap_count=cap_count, cap_period=cap_period, points=points, start_at=start_at,
            end_at=end_at, status="published" if publish else "draft", created_at=now,
            min_views=min_views, min_likes=min_likes)
        session.add(row)
        session.flush()
        for action in actions:
            session.add(MissionActionRow(mission_id=row.id, action_id=action.id,
                                         platform=action.platform))
        session.flush()
        return to_mission(session, row)


def shows(text: str) -> bool:
    """Whether ``text`` has a character that shows on screen: not only spaces, controls and
    invisible format characters (a zero-width space alone makes a blank title)."""
    return any(ch.isprintable() and not ch.isspace() and unicodedata.category(ch) != "Cf"
               for ch in text)


def _check_fields(title: str, action_ids: Sequence[int], points: int, goal_posts: int | None,
                  recurring: bool, cap: str | None) -> tuple[int | None, str | None]:
    """Check a mission's fields (R2); returns the parsed cap (count, period) or (None, None)."""
    if not shows(title):
        raise InvalidInput("a mission needs a title (one that shows: spaces and invisible "
                           "characters alone are not one)")
    if recurring == (goal_posts is not None):
        raise InvalidInput("choose one goal: a number of posts (goal_posts; on the command line "
                           "--posts N) or recurring (recurring: true; --recurring), not both "
                           "nor neither")
    if goal_posts is not None and goal_posts < 1:
        raise InvalidInput(f"the number of posts (goal_posts, --posts) must be at least 1, not "
                           f"{goal_posts}")
    if cap and not recurring:
        raise InvalidInput("a cap (cap, --cap) applies to recurring missions only")
    if points < 1:
        raise InvalidInput(f"points (points, --points) must be at least 1, not {points}")
    if not action_ids:
        raise InvalidInput("a mission needs at least one action (action_ids; --action ID)")
    return parse_cap(cap) if cap else (None, None)


def _check_window(start_at: datetime | None, end_at: datetime | None) -> None:
    if start_at and end_at and end_at <= start_at:
        raise InvalidInput("the window's end must be after its start")


def _load_actions(session: Session, action_ids: Sequence[int]) -> list[ActionRow]:
    """The actions of a mission, at most one per platform."""
    actions = [load_action(session, action_id) for action_id in action_ids]
    seen: dict[str, int] = {}
    for action in actions:
        if action.platform in seen:
            raise InvalidInput(
                f"actions {seen[action.platform]} and {action.id} are both on "
                f"{action.platform}; a mission has at most one action per platform")
        seen[action.platform] = action.id
    return actions


def update_mission(
    service: Service,
    mission_id: int,
    *,
    title: str,
    action_ids: Sequence[int],
    points: int,
    start: datetime | None,
    end: datetime | None,
    goal_posts: int | None = None,
    recurring: bool = False,
    cap: str | None = None,
    label: str | None = None,
    description: str = "",
    min_views: int | None = None,
    min_likes: int | None = None,
) -> Mission:
    """Replace every R2 field of a mission (its status stays); ``None`` opens a window bound
    and, for ``min_views``/``min_likes``, removes the threshold.

    An archived mission is not edited (:class:`Conflict`): duplicate it instead. Claims,
    checks and credits already recorded stay as they are; a new threshold applies from the
    next check (a scheduled re-check included). A mission with credited posts keeps its kind
    of goal (:class:`GoalLocked` for a switch between N posts and recurring). A lower N pays
    the members whose live credits reach it at once
    (:func:`~.completions.pay_lowered_goal`, webhook events included); a higher N leaves the
    completions already paid as they are.
    """
    cap_count, cap_period = _check_fields(title, action_ids, points, goal_posts, recurring, cap)
    check_threshold(min_views, min_likes)
    _check_window(start, end)
    with service.db.transaction() as session:
        row = load_mission_row(session, mission_id)
        if row.status == "archived":
            raise Conflict(f"mission {mission_id} is archived; duplicate it to change it")
        actions = _load_actions(session, action_ids)
        kind, lowered = "recurring" if recurring else "posts", False
        if kind != row.goal_kind and session.scalar(
                select(CreditRow.id).where(CreditRow.mission_id == mission_id).limit(1)):
            before = ("recurring" if row.goal_kind == "recurring"
                      else f"{row.goal_posts} posts")
            raise GoalLocked(
                f"mission {mission_id} has credited posts: its goal cannot change from "
                f"{before} to {'recurring' if recurring else f'{goal_posts} posts'} (its "
                "members' credits were earned under the current goal); duplicate the mission "
                "to use another kind of goal")
        if kind == "posts" and row.goal_kind == "posts" and goal_posts is not None:
            lowered = row.goal_posts is not None and goal_posts < row.goal_posts
        row.title, row.description = title.strip(), description
        row.label = label or DEFAULT_LABEL
        row.goal_kind = kind
        row.goal_posts, row.cap_count, row.cap_period = goal_posts, cap_count, cap_period
        row.points, row.start_at, row.end_at = points, start, end
        row.min_views, row.min_likes = min_views, min_likes
        wanted = {action.id: action for action in actions}
        for link in session.scalars(
                select(MissionActionRow).where(MissionActionRow.mission_id == mission_id)):
            if link.action_id in wanted:
                wanted.pop(link.action_id)
            else:
                session.delete(link)
        session.flush()  # free the (mission, platform) slots before adding the new ones
        for action in wanted.values():
            session.add(MissionActionRow(mission_id=row.id, action_id=action.id,
                                         platform=action.platform))
        session.flush()
        deliveries: list[int] = []
        if lowered:
            from .completions import pay_lowered_goal  # it needs ledger and webhooks

            deliveries = pay_lowered_goal(service, session, row, service.now())
        mission = to_mission(session, row)
    enqueue_deliveries(service, deliveries)
    return mission


def duplicate_mission(service: Service, mission_id: int, title: str | None = None) -> Mission:
    """A new draft with the fields of mission ``mission_id`` (its window included) and
    ``title`` (the original's by default)."""
    with service.db.transaction() as session:
        source = load_mission_row(session, mission_id)
        action_ids = list(session.scalars(
            select(MissionActionRow.action_id).where(MissionActionRow.mission_id == mission_id)))
        row = MissionRow(
            title=(title or source.title)[:200], description=source.description,
            label=source.label, goal_kind=source.goal_kind, goal_posts=source.goal_posts,
            cap_count=source.cap_count, cap_period=source.cap_period, points=source.points,
            start_at=source.start_at, end_at=source.end_at, status="draft",
            created_at=service.now(), min_views=source.min_views, min_likes=source.min_likes)
        session.add(row)
        session.flush()
        for action in _load_actions(session, action_ids):
            session.add(MissionActionRow(mission_id=row.id, action_id=action.id,
                                         platform=action.platform))
        session.flush()
        return to_mission(session, row)


def set_status(service: Service, mission_id: int, status: str) -> Mission:
    """Publish or archive a mission; an archived mission stays archived."""
    if status not in ("published", "archived"):
        raise InvalidInput(f"unknown status {status!r}")
    with service.db.transaction() as session:
        row = load_mission_row(session, mission_id)
        if row.status == "archived" and status == "published":
            raise Conflict(f"mission {mission_id} is archived; it cannot be published again")
        row.status = status
        session.flush()
        return to_mission(session, row)


def list_missions(service: Service, status: str | None = None, *, limit: int | None = None,
                  after: int | None = None) -> list[Mission]:
    """Missions by id, of one ``status`` or all: every one, or ``limit`` of them after the
    mission id ``after`` (the API's pages)."""
    with service.db.sessions() as session:
        query = select(MissionRow).order_by(MissionRow.id)
        if status:
            query = query.where(MissionRow.status == status)
        if after is not None:
            query = query.where(MissionRow.id > after)
        if limit is not None:
            query = query.limit(limit)
        return [to_mission(session, row) for row in session.scalars(query)]


def get_mission(service: Service, mission_id: int) -> Mission:
    with service.db.sessions() as session:
        return to_mission(session, load_mission_row(session, mission_id))


def load_mission_row(session: Session, mission_id: int) -> MissionRow:
    row = session.get(MissionRow, mission_id)
    if row is None:
        raise NotFound(f"no mission {mission_id}; the missions are listed by GET /api/v1/missions "
                       "and `social-missions mission list`")
    return row


def to_mission(session: Session, row: MissionRow) -> Mission:
    actions = session.scalars(
        select(ActionRow).join(MissionActionRow, MissionActionRow.action_id == ActionRow.id)
        .where(MissionActionRow.mission_id == row.id).order_by(ActionRow.platform))
    return Mission(
        id=row.id, title=row.title, description=row.description, label=row.label,
        goal=row.goal_kind, goal_posts=row.goal_posts, cap_count=row.cap_count,
        cap_period=row.cap_period, points=row.points, start_at=row.start_at, end_at=row.end_at,
        status=row.status, created_at=row.created_at, min_views=row.min_views,
        min_likes=row.min_likes, actions=tuple(to_action(action) for action in actions))
