"""External actions and missions: admins create, publish and archive; integrators read."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from engine.service.actions import add_action, list_actions, load_action, to_action
from engine.service.missions import DEFAULT, add_mission, get_mission, list_missions, set_status
from engine.service.records import Action, Mission

from ..auth import Admin, Integrator, service_of
from .pagination import DEFAULT_LIMIT, Cursor, Limit, cursor_id, link_next
from .schemas import ERRORS, ActionIn, IdPath, MissionIn

router = APIRouter(responses=ERRORS)


@router.post("/actions", status_code=201, response_model=Action, tags=["actions"])
def create_action(body: ActionIn, request: Request, _: Admin) -> Action:
    """Create an external action: a platform and the hashtag members must use (R1)."""
    return add_action(service_of(request), body.platform, body.hashtag)


@router.get("/actions", response_model=list[Action], tags=["actions"])
def actions(request: Request, response: Response, _: Admin, limit: Limit = DEFAULT_LIMIT,
            cursor: Cursor = None) -> list[Action]:
    """Actions, oldest first, ``limit`` per page (next page: the ``Link`` header)."""
    found = list_actions(service_of(request), limit=limit + 1, after=cursor_id(cursor))
    link_next(response, request, found[limit - 1].id if len(found) > limit else None)
    return found[:limit]


@router.get("/actions/{action_id}", response_model=Action, tags=["actions"])
def show_action(action_id: IdPath, request: Request, _: Admin) -> Action:
    with service_of(request).db.sessions() as session:
        return to_action(load_action(session, action_id))


@router.post("/missions", status_code=201, response_model=Mission, tags=["missions"])
def create_mission(body: MissionIn, request: Request, _: Admin) -> Mission:
    """Create a mission (a draft unless ``publish``). Exactly one goal: ``goal_posts`` or
    ``recurring`` (with an optional ``cap`` such as ``3/day``). A performance mission sets
    ``min_views`` or ``min_likes`` (not both): a post counts once it has that many, and one
    below it is re-checked a day, then a week after the claim."""
    given = body.model_fields_set
    return add_mission(
        service_of(request), title=body.title, action_ids=body.action_ids, points=body.points,
        goal_posts=body.goal_posts, recurring=body.recurring, cap=body.cap,
        start=body.start if "start" in given else DEFAULT,
        end=body.end if "end" in given else DEFAULT,
        label=body.label, description=body.description, publish=body.publish,
        min_views=body.min_views, min_likes=body.min_likes)


@router.get("/missions", response_model=list[Mission], tags=["missions"])
def missions(request: Request, _: Integrator,
             status: Annotated[Literal["draft", "published", "archived"] | None,
                               Query()] = None,
             limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None, *,
             response: Response) -> list[Mission]:
    """Missions, oldest first, of one status or all, ``limit`` per page (next page: the
    ``Link`` header)."""
    found = list_missions(service_of(request), status, limit=limit + 1,
                          after=cursor_id(cursor))
    link_next(response, request, found[limit - 1].id if len(found) > limit else None)
    return found[:limit]


@router.get("/missions/{mission_id}", response_model=Mission, tags=["missions"])
def show_mission(mission_id: IdPath, request: Request, _: Integrator) -> Mission:
    return get_mission(service_of(request), mission_id)


@router.post("/missions/{mission_id}/publish", response_model=Mission, tags=["missions"])
def publish_mission(mission_id: IdPath, request: Request, _: Admin) -> Mission:
    """Publish a draft (or re-publish: idempotent); archived missions stay archived (409)."""
    return set_status(service_of(request), mission_id, "published")


@router.post("/missions/{mission_id}/archive", response_model=Mission, tags=["missions"])
def archive_mission(mission_id: IdPath, request: Request, _: Admin) -> Mission:
    return set_status(service_of(request), mission_id, "archived")
