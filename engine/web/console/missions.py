"""The console's missions (issue 11 item 2): the list by status, the creation and edit form of
every R2 field, publish, archive, duplicate, and a read-only preview of the member page.

Pages: ``/admin/missions``, ``/admin/missions/new``, ``/admin/missions/{id}``,
``/admin/missions/{id}/preview``; forms post to the same addresses (and ``…/publish``,
``…/archive``, ``…/duplicate``), each with the session's CSRF token, none needing JavaScript.

Dates are typed and shown in the community's time zone (``[service] timezone``, named next to
each date field) and stored in UTC. A new mission's window is pre-filled with the default of
R2, computed in that zone: from now to one calendar month later; either bound can be removed
(its "no start"/"no end" box, or an empty field). A performance mission (issue 17) sets one
threshold: a minimum and whether it counts views or likes (empty: none). A refused field is said
next to it, in the admin's language, with everything typed kept.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from typing import Any

from babel.lists import format_list
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from engine.dates import FIRST_YEAR, LAST_YEAR
from engine.errors import InvalidInput
from engine.service.actions import list_actions
from engine.service.context import Service
from engine.service.errors import Conflict, GoalLocked, NotFound
from engine.service.human_dates import LOCALES, human_instant, human_length
from engine.service.missions import (
    CAP_MAX,
    DEFAULT_LABEL,
    DEFAULT_LABEL_EN,
    STATUSES,
    THRESHOLD_MAX,
    add_mission,
    add_months,
    duplicate_mission,
    get_mission,
    list_missions,
    set_status,
    shows,
    update_mission,
)
from engine.service.records import Action, Mission
from engine.web.api.schemas import IdPath
from engine.web.pages.member_view import empty_progress, mission_facts
from engine.web.pages.messages import say
from engine.web.pages.rendering import service_of

from . import base

router = APIRouter()

TITLE_MAX = 200
LABEL_MAX = 200
DESCRIPTION_MAX = 5000
POINTS_MAX = 1_000_000
POSTS_MAX = 1000
DATE_INPUT = "%Y-%m-%dT%H:%M"
_DATE_FORMATS = (DATE_INPUT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")

TEXTS = base.Catalogue.load("console_missions")


@dataclass
class MissionForm:
    """The mission form as typed (strings, as the browser sends them) with its errors."""

    title: str = ""
    description: str = ""
    label: str = DEFAULT_LABEL
    actions: dict[str, str] = field(default_factory=dict)  # platform → action id ("" none)
    goal: str = "posts"
    goal_posts: str = "1"
    cap_count: str = ""
    cap_period: str = "day"
    points: str = "10"
    start: str = ""
    end: str = ""
    no_start: bool = False
    no_end: bool = False
    threshold: str = ""  # a performance mission's minimum ("" none)
    threshold_kind: str = "views"  # views or likes
    # The mission as the form was filled from it (:func:`revision_of`): a save from a form
    # whose mission changed meanwhile is refused instead of undoing the other change.
    revision: str = ""
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MissionValues:
    """A valid form, ready for :func:`add_mission` / :func:`update_mission` (UTC instants)."""

    title: str
    description: str
    label: str
    action_ids: tuple[int, ...]
    points: int
    goal_posts: int | None
    recurring: bool
    cap: str | None
    start: datetime | None
    end: datetime | None
    min_views: int | None = None
    min_likes: int | None = None


def local_input(moment: datetime | None, zone: tzinfo) -> str:
    """``moment`` as a ``datetime-local`` field's value in ``zone`` (``2025-06-16T11:00``)."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone).strftime(DATE_INPUT)


class DateOutOfRange(ValueError):
    """A well-formed date whose year (typed, or once in UTC) is outside
    :data:`~engine.dates.FIRST_YEAR`–:data:`~engine.dates.LAST_YEAR`."""


def parse_local(text: str, zone: tzinfo) -> datetime:
    """A ``datetime-local`` value typed in ``zone``, as a UTC instant.

    Raises ``ValueError`` when it is not one, and :class:`DateOutOfRange` (a ``ValueError``)
    when its year, typed or in UTC, is outside the documented 1970–2999 (the API's and the
    CLI's range, :func:`engine.dates.parse_instant`): ``9999-12-31T23:59`` in Honolulu would
    overflow, ``2999-12-31T23:59`` there is already 3000 in UTC."""
    text = text.strip()
    if len(text) > 40:
        raise ValueError(text[:40])
    for pattern in _DATE_FORMATS:
        try:
            local = datetime.strptime(text, pattern)
        except ValueError:
            continue
        if not FIRST_YEAR <= local.year <= LAST_YEAR:
            raise DateOutOfRange(text)
        moment = local.replace(tzinfo=zone).astimezone(UTC)
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise DateOutOfRange(text)
        return moment
    raise ValueError(text)


def default_form(service: Service) -> MissionForm:
    """A new mission's form: R2's default window (now → one calendar month later) computed in
    the community's zone, the default button label, one post for 10 points."""
    zone = base.community_zone(service)
    start = service.now().astimezone(zone).replace(second=0, microsecond=0)
    return MissionForm(start=start.strftime(DATE_INPUT),
                       end=add_months(start).strftime(DATE_INPUT))


def revision_of(mission: Mission) -> str:
    """A short digest (16 hex digits) of every field the form edits, as stored: it differs
    once anyone saved the mission with another value."""
    fields = [mission.title, mission.description, mission.label,
              sorted((action.platform, action.id) for action in mission.actions),
              mission.goal, mission.goal_posts, mission.cap_count, mission.cap_period,
              mission.points, str(mission.start_at), str(mission.end_at), mission.min_views,
              mission.min_likes]
    return hashlib.sha256(json.dumps(fields, default=str).encode()).hexdigest()[:16]


def form_of(mission: Mission, zone: tzinfo) -> MissionForm:
    """The form of a stored mission, as the edit page shows it."""
    return MissionForm(
        revision=revision_of(mission),
        title=mission.title, description=mission.description, label=mission.label,
        actions={action.platform: str(action.id) for action in mission.actions},
        goal=mission.goal, goal_posts=str(mission.goal_posts or ""),
        cap_count=str(mission.cap_count or ""), cap_period=mission.cap_period or "day",
        points=str(mission.points), start=local_input(mission.start_at, zone),
        end=local_input(mission.end_at, zone), no_start=mission.start_at is None,
        no_end=mission.end_at is None,
        threshold=str(mission.min_views or mission.min_likes or ""),
        threshold_kind="likes" if mission.min_likes else "views")


def threshold_delays(delays: tuple[float, ...], lang: str) -> str:
    """``[missions] threshold_rechecks`` (seconds after the claim) as the form's hint says
    them: ``"1 jour et 1 semaine"`` / ``"1 day and 1 week"``; ``"—"`` when there is none."""
    lengths = [human_length(delay, lang) for delay in sorted(delays)]
    return format_list(lengths, locale=LOCALES.get(lang, LOCALES["fr"])) if lengths else "—"


def _integer(text: str, low: int, high: int) -> int | None:
    text = text.strip()
    if not text or len(text) > 9 or not (text.isascii() and text.isdigit()) \
            or not low <= int(text) <= high:
        return None
    return int(text)


def _whole(name: str, text: str, high: int, lang: str, errors: dict[str, str]) -> int | None:
    """The whole number from 1 to ``high`` typed in the field ``name``, or None with the
    refusal said in ``errors[name]``."""
    number = _integer(text, 1, high)
    if number is None:
        errors[name] = TEXTS("e_integer", lang, min=1, max=high)
    return number


def _count_per(count: tuple[str, str, int], unit: tuple[str, str, tuple[str, ...], str],
               lang: str, errors: dict[str, str]) -> tuple[int, str] | None:
    """An optional count with its unit, as a cap (3 a ``day``) or a threshold (1000
    ``views``) is typed: ``count`` is (field, text, highest), ``unit`` (field, value, the units
    offered, the refusal's text key). None when the count is left empty or a part is refused
    (said in ``errors`` by field)."""
    count_field, text, high = count
    unit_field, value, units, refusal = unit
    if not text.strip():
        return None
    number = _whole(count_field, text, high, lang, errors)
    if value not in units:
        errors[unit_field] = TEXTS(refusal, lang)
        return None
    return (number, value) if number is not None else None


def _window_bound(name: str, text: str, absent: bool, zone: tzinfo, lang: str,
                  errors: dict[str, str]) -> datetime | None:
    """The window's ``start`` or ``end`` as typed in ``zone`` (a UTC instant), or None when
    the field is empty or its "no start"/"no end" box is ticked; a refused date is said in
    ``errors[name]``."""
    if absent or not text.strip():
        return None
    try:
        return parse_local(text, zone)
    except DateOutOfRange:
        errors[name] = TEXTS("e_date_range", lang, first=FIRST_YEAR, last=LAST_YEAR)
    except ValueError:
        errors[name] = TEXTS("e_date", lang)
    return None


def read_form(form: MissionForm, actions: list[Action], zone: tzinfo,
              lang: str) -> MissionValues | None:
    """Check ``form`` field by field; fills ``form.errors`` (field → message in ``lang``) and
    returns the values to store, or None when a field is refused."""
    errors = form.errors

    def too_long(value: str, limit: int) -> str:
        return TEXTS("e_too_long", lang, max=limit, n=len(value))

    title = form.title.strip()
    if not shows(title):
        errors["title"] = TEXTS("e_required", lang)
    elif len(title) > TITLE_MAX:
        errors["title"] = too_long(title, TITLE_MAX)
    if len(form.description) > DESCRIPTION_MAX:
        errors["description"] = too_long(form.description, DESCRIPTION_MAX)
    label = form.label.strip()
    if len(label) > LABEL_MAX:
        errors["label"] = too_long(label, LABEL_MAX)
    for name, value in (("title", title), ("description", form.description),
                        ("label", label)):
        refused = base.text_error(value, lang)
        if refused and name not in errors:
            errors[name] = refused
    by_id = {str(action.id): action for action in actions}
    chosen: list[int] = []
    for platform, value in form.actions.items():
        if not value:
            continue
        action = by_id.get(value)
        if action is None or action.platform != platform:
            errors[f"action_{platform}"] = TEXTS("e_action", lang)
        else:
            chosen.append(action.id)
    if not chosen and not any(key.startswith("action_") for key in errors):
        errors["actions"] = TEXTS("e_no_action", lang)
    goal_posts: int | None = None
    cap: str | None = None
    if form.goal == "posts":
        goal_posts = _whole("goal_posts", form.goal_posts, POSTS_MAX, lang, errors)
        if form.cap_count.strip():
            errors["cap_count"] = TEXTS("e_cap_posts", lang)
    elif form.goal == "recurring":
        per_period = _count_per(("cap_count", form.cap_count, CAP_MAX),
                                ("cap_period", form.cap_period, ("day", "week"), "e_period"),
                                lang, errors)
        cap = f"{per_period[0]}/{per_period[1]}" if per_period else None
    else:
        errors["goal"] = TEXTS("e_goal", lang)
    points = _whole("points", form.points, POINTS_MAX, lang, errors)
    start = _window_bound("start", form.start, form.no_start, zone, lang, errors)
    end = _window_bound("end", form.end, form.no_end, zone, lang, errors)
    if start and end and end <= start:
        errors["end"] = TEXTS("e_window", lang, start=human_instant(start, lang, zone))
    minimum = _count_per(("threshold", form.threshold, THRESHOLD_MAX),
                         ("threshold_kind", form.threshold_kind, ("views", "likes"),
                          "e_threshold_kind"), lang, errors)
    threshold = {f"min_{minimum[1]}": minimum[0]} if minimum else {}
    if errors or points is None:
        return None
    return MissionValues(
        title=title, description=form.description.strip(), label=label or DEFAULT_LABEL,
        action_ids=tuple(chosen), points=points, goal_posts=goal_posts,
        recurring=form.goal == "recurring", cap=cap, start=start, end=end, **threshold)


def _typed(request_form: dict[str, Any]) -> MissionForm:
    """A :class:`MissionForm` from the posted fields (``action_<platform>`` per platform)."""
    def text(name: str) -> str:
        value = request_form.get(name, "")
        return value if isinstance(value, str) else ""

    return MissionForm(
        title=text("title"), description=text("description"), label=text("label"),
        actions={name[len("action_"):]: text(name) for name in request_form
                 if name.startswith("action_")},
        goal=text("goal"), goal_posts=text("goal_posts"), cap_count=text("cap_count"),
        # A unit left out is refused with its count (never a silent default unit).
        cap_period=text("cap_period"), points=text("points"), start=text("start"),
        end=text("end"), no_start=bool(text("no_start")), no_end=bool(text("no_end")),
        threshold=text("threshold"), threshold_kind=text("threshold_kind"),
        revision=text("revision"))


def _platform_choices(service: Service, actions: list[Action]) -> list[dict[str, Any]]:
    """Per installed platform: its name, title and actions (for the per-platform selects)."""
    return [{"name": name, "title": platform.title,
             "actions": [a for a in actions if a.platform == name]}
            for name, platform in sorted(service.engine.platforms.items())]


def _form_page(request: Request, lang: str, form: MissionForm, *,
               mission: Mission | None = None, notice: str = "", error: str = "",
               status_code: int = 200) -> HTMLResponse:
    service = service_of(request)
    zone = base.community_zone(service)
    actions = list_actions(service)

    def shown(value: str) -> str:
        try:
            return human_instant(parse_local(value, zone), lang, zone) if value.strip() else ""
        except ValueError:
            return ""

    if form.errors and not error:
        error = TEXTS("form_error", lang)
    return base.render_console(request, "console_mission_form.html", {
        "t": TEXTS, "form": form, "mission": mission, "platforms": _platform_choices(
            service, actions), "has_actions": bool(actions), "notice": notice, "error": error,
        "exclusive": service.settings.exclusive_posts, "default_fr": DEFAULT_LABEL,
        "default_en": DEFAULT_LABEL_EN, "start_shown": shown(form.start),
        "end_shown": shown(form.end),
        "threshold_delays": threshold_delays(service.settings.threshold_rechecks, lang),
        "created": human_instant(mission.created_at, lang, zone) if mission else "",
        "readonly": bool(mission and mission.status == "archived")},
        lang=lang, section="missions", status_code=status_code)


def _list_page(request: Request, lang: str, *, error: str = "",
               status_code: int = 200) -> HTMLResponse:
    service = service_of(request)
    zone = base.community_zone(service)
    now = service.now()
    groups: dict[str, list[dict[str, Any]]] = {status: [] for status in STATUSES}
    for mission in list_missions(service):
        facts = mission_facts(mission, empty_progress("", mission), lang, zone, now)
        groups.setdefault(mission.status, []).append(
            {"mission": mission, "reward": facts.reward, "window": facts.window,
             "note": facts.window_note})
    return base.render_console(request, "console_missions.html", {
        "t": TEXTS, "groups": groups, "error": error}, lang=lang, section="missions",
        status_code=status_code)


def _gone(request: Request, lang: str, mission_id: int) -> HTMLResponse:
    return _list_page(request, lang, error=TEXTS("gone", lang, id=mission_id), status_code=404)


def _mission_or_gone(request: Request, mission_id: int) -> tuple[str, Service, Mission] | Response:
    """What a page or a post about one mission works on: ``(lang, service, mission)``; or the
    list saying the mission is gone (404)."""
    lang = base.console_lang(request)
    service = service_of(request)
    try:
        return lang, service, get_mission(service, mission_id)
    except NotFound:
        return _gone(request, lang, mission_id)


@router.get("/missions", response_class=HTMLResponse, include_in_schema=False)
@base.admin_page
def missions_page(request: Request) -> Response:
    """Every mission, grouped by status (drafts, published, archived)."""
    return _list_page(request, base.console_lang(request))


@router.get("/missions/new", response_class=HTMLResponse, include_in_schema=False)
@base.admin_page
def new_mission_page(request: Request) -> Response:
    """The creation form, with the default window and button label filled in."""
    return _form_page(request, base.console_lang(request), default_form(service_of(request)))


@router.post("/missions/new", include_in_schema=False)
@base.form_post
async def create_mission(request: Request, csrf_token: str = Form("")) -> Response:
    """Create the mission (a draft, or published with the "create and publish" button)."""
    posted = dict(await request.form())
    lang = base.console_lang(request)
    service = service_of(request)
    form = _typed(posted)
    values = read_form(form, list_actions(service), base.community_zone(service), lang)
    if values is None:
        return _form_page(request, lang, form, status_code=422)
    publish = posted.get("publish") == "1"
    try:
        mission = add_mission(
            service, title=values.title, action_ids=values.action_ids, points=values.points,
            goal_posts=values.goal_posts, recurring=values.recurring, cap=values.cap,
            start=values.start, end=values.end, label=values.label,
            description=values.description, publish=publish, min_views=values.min_views,
            min_likes=values.min_likes)
    except (InvalidInput, NotFound) as exc:
        return _form_page(request, lang, form, error=str(exc), status_code=422)
    saved = "published" if publish else "created"
    return RedirectResponse(f"/admin/missions/{mission.id}?saved={saved}", status_code=303)


@router.get("/missions/{mission_id}", response_class=HTMLResponse, include_in_schema=False)
@base.admin_page
def mission_page(request: Request, mission_id: IdPath, saved: str = "") -> Response:
    """One mission: its form (read-only once archived), status and buttons."""
    found = _mission_or_gone(request, mission_id)
    if isinstance(found, Response):
        return found
    lang, service, mission = found
    notice = TEXTS(f"saved_{saved}", lang) if saved in (
        "created", "published", "updated", "archived", "duplicated") else ""
    return _form_page(request, lang, form_of(mission, base.community_zone(service)),
                      mission=mission, notice=notice)


@router.post("/missions/{mission_id}", include_in_schema=False)
@base.form_post
async def edit_mission(request: Request, mission_id: IdPath, csrf_token: str = Form("")) -> Response:
    """Save every R2 field of the mission (its status stays)."""
    posted = dict(await request.form())
    found = _mission_or_gone(request, mission_id)
    if isinstance(found, Response):
        return found
    lang, service, mission = found
    form = _typed(posted)
    if mission.status == "archived":
        return _form_page(request, lang, form_of(mission, base.community_zone(service)),
                          mission=mission, error=TEXTS("archived_no_edit", lang),
                          status_code=409)
    current = revision_of(mission)
    if form.revision and form.revision != current:
        # Saved by someone else since this form was opened: say so, keep what was typed, and
        # let a second save (made knowing it) replace it.
        return _form_page(request, lang, replace(form, revision=current), mission=mission,
                          error=TEXTS("changed_meanwhile", lang), status_code=409)
    values = read_form(form, list_actions(service), base.community_zone(service), lang)
    if values is None:
        return _form_page(request, lang, form, mission=mission, status_code=422)
    try:
        update_mission(
            service, mission_id, title=values.title, action_ids=values.action_ids,
            points=values.points, goal_posts=values.goal_posts, recurring=values.recurring,
            cap=values.cap, start=values.start, end=values.end, label=values.label,
            description=values.description, min_views=values.min_views,
            min_likes=values.min_likes)
    except GoalLocked:
        return _form_page(request, lang, form, mission=mission,
                          error=TEXTS("goal_locked", lang), status_code=409)
    except Conflict:
        return _form_page(request, lang, form, mission=mission,
                          error=TEXTS("archived_no_edit", lang), status_code=409)
    except (InvalidInput, NotFound) as exc:
        return _form_page(request, lang, form, mission=mission, error=str(exc),
                          status_code=422)
    return RedirectResponse(f"/admin/missions/{mission_id}?saved=updated", status_code=303)


def _status_change(request: Request, mission_id: int, status: str) -> Response:
    lang = base.console_lang(request)
    service = service_of(request)
    try:
        set_status(service, mission_id, status)
    except NotFound:
        return _gone(request, lang, mission_id)
    except Conflict:
        mission = get_mission(service, mission_id)
        return _form_page(request, lang, form_of(mission, base.community_zone(service)),
                          mission=mission, error=TEXTS("archived_no_publish", lang),
                          status_code=409)
    return RedirectResponse(f"/admin/missions/{mission_id}?saved={status}", status_code=303)


@router.post("/missions/{mission_id}/publish", include_in_schema=False)
@base.form_post
def publish_mission(request: Request, mission_id: IdPath,
                    csrf_token: str = Form("")) -> Response:
    """Publish the mission: members can claim it (an archived one stays archived)."""
    return _status_change(request, mission_id, "published")


@router.post("/missions/{mission_id}/archive", include_in_schema=False)
@base.form_post
def archive_mission(request: Request, mission_id: IdPath,
                    csrf_token: str = Form("")) -> Response:
    """Archive the mission: no more claims; it stays in the report."""
    return _status_change(request, mission_id, "archived")


@router.post("/missions/{mission_id}/duplicate", include_in_schema=False)
@base.form_post
def copy_mission(request: Request, mission_id: IdPath, csrf_token: str = Form("")) -> Response:
    """A new draft with the mission's fields, titled "Copie de …" / "Copy of …"."""
    lang = base.console_lang(request)
    service = service_of(request)
    try:
        source = get_mission(service, mission_id)
        copy = duplicate_mission(service, mission_id,
                                 TEXTS("copy_of", lang, title=source.title))
    except NotFound:
        return _gone(request, lang, mission_id)
    return RedirectResponse(f"/admin/missions/{copy.id}?saved=duplicated", status_code=303)


@router.get("/missions/{mission_id}/preview", response_class=HTMLResponse,
            include_in_schema=False)
@base.admin_page
def preview_mission(request: Request, mission_id: IdPath) -> Response:
    """What a member sees of the mission before linking an account, read-only (no form)."""
    found = _mission_or_gone(request, mission_id)
    if isinstance(found, Response):
        return found
    lang, service, mission = found
    zone = base.community_zone(service)
    facts = mission_facts(mission, empty_progress("", mission), lang, zone, service.now())
    titles = {name: p.title for name, p in service.engine.platforms.items()}
    views = [{"name": action.platform, "title": titles.get(action.platform, action.platform),
              "hashtag": action.hashtag} for action in mission.actions]
    return base.render_console(request, "console_mission_preview.html", {
        "t": TEXTS, "mission": mission, "facts": facts, "views": views, "say": say,
        "label": DEFAULT_LABEL_EN if lang == "en" and mission.label == DEFAULT_LABEL
        else mission.label,
        "status_name": TEXTS(f"one_{mission.status}", lang)},
        lang=lang, section="missions")
