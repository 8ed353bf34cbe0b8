"""The console's missions (issue 11 item 2): the list by status, the creation and edit form of
every R2 field, publish, archive, duplicate, and a read-only preview of the member page.

Pages: ``/admin/missions``, ``/admin/missions/new``, ``/admin/missions/{id}``,
``/admin/missions/{id}/preview``; forms post to the same addresses (and ``…/publish``,
``…/archive``, ``…/duplicate``), each with the session's CSRF token, none needing JavaScript.

Dates are typed and shown in the community's time zone (``[service] timezone``, named next to
each date field) and stored in UTC. A new mission's window is pre-filled with the default of
R2, computed in that zone: from now to one calendar month later; either bound can be removed
(its "no start"/"no end" box, or an empty field). A refused field is said next to it, in the
admin's language, with everything typed kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from engine.dates import FIRST_YEAR, LAST_YEAR
from engine.errors import InvalidInput
from engine.service.actions import list_actions
from engine.service.context import Service
from engine.service.errors import Conflict, NotFound
from engine.service.human_dates import human_instant
from engine.service.missions import (
    CAP_MAX,
    DEFAULT_LABEL,
    DEFAULT_LABEL_EN,
    STATUSES,
    add_mission,
    add_months,
    duplicate_mission,
    get_mission,
    list_missions,
    set_status,
    update_mission,
)
from engine.service.records import Action, Mission
from engine.web.api.schemas import IdPath
from engine.web.pages.member_view import empty_progress, mission_facts
from engine.web.pages.messages import say
from engine.web.pages.rendering import service_of

from .base import (
    Catalogue,
    community_zone,
    console_lang,
    refuse_form_post,
    render_console,
    signed_in_admin,
    text_error,
    to_login,
)

router = APIRouter()

TITLE_MAX = 200
LABEL_MAX = 200
DESCRIPTION_MAX = 5000
POINTS_MAX = 1_000_000
POSTS_MAX = 1000
DATE_INPUT = "%Y-%m-%dT%H:%M"
_DATE_FORMATS = (DATE_INPUT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")

TEXTS = Catalogue({
    "title": {"fr": "Missions", "en": "Missions"},
    "intro": {"fr": "Ce que les membres sont invités à faire : une action par plateforme, un "
                    "objectif, des points et une période.",
              "en": "What members are asked to do: one action per platform, a goal, points "
                    "and a period."},
    "new": {"fr": "Nouvelle mission", "en": "New mission"},
    "edit": {"fr": "Mission « {title} »", "en": "Mission “{title}”"},
    "status_draft": {"fr": "Brouillons", "en": "Drafts"},
    "status_published": {"fr": "Publiées", "en": "Published"},
    "status_archived": {"fr": "Archivées", "en": "Archived"},
    "one_draft": {"fr": "brouillon", "en": "draft"},
    "one_published": {"fr": "publiée", "en": "published"},
    "one_archived": {"fr": "archivée", "en": "archived"},
    "none_in_status": {"fr": "Aucune mission.", "en": "No missions."},
    "number": {"fr": "n° {id}", "en": "no. {id}"},
    "no_action": {"fr": "aucune action", "en": "no action"},
    # The form.
    "f_title": {"fr": "Titre", "en": "Title"},
    "f_description": {"fr": "Description", "en": "Description"},
    "f_description_hint": {"fr": "Ce que le membre doit publier, affiché sur sa page.",
                           "en": "What the member should publish, shown on their page."},
    "f_label": {"fr": "Texte du bouton", "en": "Button label"},
    "f_label_hint": {"fr": "Par défaut : « {fr} » (vide = ce texte).",
                     "en": "Default: “{fr}” (English: “{en}”; empty = the default)."},
    "f_actions": {"fr": "Actions externes (une par plateforme au plus)",
                  "en": "External actions (at most one per platform)"},
    "f_action": {"fr": "Action {platform}", "en": "{platform} action"},
    "f_action_none": {"fr": "— aucune —", "en": "— none —"},
    "f_no_actions": {"fr": "Aucune action externe n'existe encore.",
                     "en": "No external action exists yet."},
    "f_create_actions": {"fr": "Créer une action externe", "en": "Create an external action"},
    "f_goal": {"fr": "Objectif", "en": "Goal"},
    "f_goal_posts": {"fr": "Un nombre de publications", "en": "A number of posts"},
    "f_goal_posts_n": {"fr": "Nombre de publications (N)", "en": "Number of posts (N)"},
    "f_goal_recurring": {"fr": "Récurrent : chaque nouvelle publication est récompensée",
                         "en": "Recurring: every new post is rewarded"},
    "f_cap_count": {"fr": "Plafond (facultatif, missions récurrentes)",
                    "en": "Cap (optional, recurring missions)"},
    "f_cap_period": {"fr": "Par", "en": "Per"},
    "f_day": {"fr": "jour", "en": "day"},
    "f_week": {"fr": "semaine", "en": "week"},
    "f_points": {"fr": "Points", "en": "Points"},
    "f_points_hint": {"fr": "Pour l'objectif atteint, ou pour chaque publication (récurrent).",
                      "en": "For the goal met, or for every post (recurring)."},
    "f_window": {"fr": "Période", "en": "Period"},
    "f_window_hint": {"fr": "Heures du fuseau {zone}. Par défaut : de maintenant à un mois "
                            "plus tard.",
                      "en": "Times in {zone}. Default: from now to one month later."},
    "f_start": {"fr": "Début ({zone})", "en": "Start ({zone})"},
    "f_end": {"fr": "Fin ({zone})", "en": "End ({zone})"},
    "f_no_start": {"fr": "Pas de date de début", "en": "No start date"},
    "f_no_end": {"fr": "Pas de date de fin", "en": "No end date"},
    "f_exclusive": {"fr": "Publications exclusives", "en": "Exclusive posts"},
    "f_exclusive_on": {
        "fr": "Activé pour toute la communauté : une publication ne compte que pour une seule "
              "mission (la première qui la voit).",
        "en": "On for the whole community: a post counts for one mission only (the first to "
              "see it)."},
    "f_exclusive_off": {
        "fr": "Désactivé pour toute la communauté : une même publication peut compter pour "
              "plusieurs missions.",
        "en": "Off for the whole community: one post may count for several missions."},
    "f_exclusive_global": {
        "fr": "C'est un réglage de la communauté ([missions] exclusive_posts dans le fichier "
              "de configuration), pas de chaque mission : il ne se change pas ici.",
        "en": "This is a community setting ([missions] exclusive_posts in the configuration "
              "file), not a per-mission one: it is not changed here."},
    "save_draft": {"fr": "Enregistrer le brouillon", "en": "Save as draft"},
    "save_publish": {"fr": "Créer et publier", "en": "Create and publish"},
    "save": {"fr": "Enregistrer les modifications", "en": "Save changes"},
    "archived_readonly": {"fr": "Mission archivée : elle ne se modifie plus. Dupliquez-la pour "
                                "en faire une nouvelle.",
                          "en": "Archived mission: it can no longer be changed. Duplicate it "
                                "to make a new one."},
    # Status and buttons.
    "status": {"fr": "Statut : {status}", "en": "Status: {status}"},
    "created_at": {"fr": "Créée le {at}", "en": "Created on {at}"},
    "publish": {"fr": "Publier", "en": "Publish"},
    "archive": {"fr": "Archiver", "en": "Archive"},
    "duplicate": {"fr": "Dupliquer", "en": "Duplicate"},
    "preview": {"fr": "Aperçu de la page membre", "en": "Preview the member page"},
    "back": {"fr": "← Toutes les missions", "en": "← All missions"},
    "copy_of": {"fr": "Copie de {title}", "en": "Copy of {title}"},
    "saved_created": {"fr": "Mission créée (brouillon).", "en": "Mission created (draft)."},
    "saved_published": {"fr": "Mission publiée : les membres peuvent participer.",
                        "en": "Mission published: members can take part."},
    "saved_updated": {"fr": "Modifications enregistrées.", "en": "Changes saved."},
    "saved_archived": {"fr": "Mission archivée : elle n'accepte plus de participations.",
                       "en": "Mission archived: it no longer accepts entries."},
    "saved_duplicated": {"fr": "Copie créée (brouillon) : modifiez-la puis publiez-la.",
                         "en": "Copy created (draft): edit it, then publish it."},
    "form_error": {"fr": "La mission n'a pas été enregistrée : corrigez les champs signalés.",
                   "en": "The mission was not saved: fix the fields marked."},
    "gone": {"fr": "La mission n° {id} n'existe pas.", "en": "Mission no. {id} does not exist."},
    "archived_no_publish": {"fr": "Une mission archivée ne peut pas être publiée à nouveau.",
                            "en": "An archived mission cannot be published again."},
    "archived_no_edit": {"fr": "Une mission archivée ne se modifie plus : dupliquez-la.",
                         "en": "An archived mission can no longer be changed: duplicate it."},
    # Field errors.
    "e_required": {"fr": "Ce champ est obligatoire.", "en": "This field is required."},
    "e_too_long": {"fr": "{max} caractères au plus (ici {n}).",
                   "en": "At most {max} characters (here {n})."},
    "e_integer": {"fr": "Entrez un nombre entier entre {min} et {max}.",
                  "en": "Enter a whole number from {min} to {max}."},
    "e_goal": {"fr": "Choisissez un objectif.", "en": "Choose a goal."},
    "e_cap_posts": {"fr": "Le plafond ne s'applique qu'aux missions récurrentes : videz-le ou "
                          "choisissez « récurrent ».",
                    "en": "A cap applies to recurring missions only: empty it or choose "
                          "“recurring”."},
    "e_period": {"fr": "Choisissez jour ou semaine.", "en": "Choose day or week."},
    "e_action": {"fr": "Choisissez une action de cette plateforme.",
                 "en": "Choose an action of this platform."},
    "e_no_action": {"fr": "Choisissez au moins une action externe.",
                    "en": "Choose at least one external action."},
    "e_two_actions": {"fr": "Une seule action par plateforme.",
                      "en": "One action per platform only."},
    "e_date": {"fr": "Date et heure non reconnues : écrivez-les comme 2025-06-30T18:00.",
               "en": "Date and time not understood: write them like 2025-06-30T18:00."},
    "e_date_range": {"fr": f"Date hors limites : l'année doit être comprise entre {FIRST_YEAR} "
                           f"et {LAST_YEAR} (heure UTC comprise).",
                     "en": f"Date out of range: the year must be between {FIRST_YEAR} and "
                           f"{LAST_YEAR} (in UTC too)."},
    "e_window": {"fr": "La fin doit être après le début ({start}).",
                 "en": "The end must be after the start ({start})."},
    # Preview.
    "preview_title": {"fr": "Aperçu : {title}", "en": "Preview: {title}"},
    "preview_note": {"fr": "Voici ce qu'un membre voit avant de lier son compte. Aperçu en "
                           "lecture seule : aucune participation n'est possible d'ici.",
                     "en": "This is what a member sees before linking an account. Read-only "
                           "preview: no entry can be made from here."},
    "preview_status": {"fr": "Cette mission est « {status} » : seuls les membres d'une mission "
                             "publiée peuvent participer.",
                       "en": "This mission is “{status}”: members can take part only in a "
                             "published mission."},
})


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
    zone = community_zone(service)
    start = service.now().astimezone(zone).replace(second=0, microsecond=0)
    return MissionForm(start=start.strftime(DATE_INPUT),
                       end=add_months(start).strftime(DATE_INPUT))


def form_of(mission: Mission, zone: tzinfo) -> MissionForm:
    """The form of a stored mission, as the edit page shows it."""
    return MissionForm(
        title=mission.title, description=mission.description, label=mission.label,
        actions={action.platform: str(action.id) for action in mission.actions},
        goal=mission.goal, goal_posts=str(mission.goal_posts or ""),
        cap_count=str(mission.cap_count or ""), cap_period=mission.cap_period or "day",
        points=str(mission.points), start=local_input(mission.start_at, zone),
        end=local_input(mission.end_at, zone), no_start=mission.start_at is None,
        no_end=mission.end_at is None)


def _integer(text: str, low: int, high: int) -> int | None:
    text = text.strip()
    if not text or len(text) > 9 or not (text.isascii() and text.isdigit()) \
            or not low <= int(text) <= high:
        return None
    return int(text)


def read_form(form: MissionForm, actions: list[Action], zone: tzinfo,
              lang: str) -> MissionValues | None:
    """Check ``form`` field by field; fills ``form.errors`` (field → message in ``lang``) and
    returns the values to store, or None when a field is refused."""
    errors = form.errors

    def too_long(value: str, limit: int) -> str:
        return TEXTS("e_too_long", lang, max=limit, n=len(value))

    title = form.title.strip()
    if not title:
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
        refused = text_error(value, lang)
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
        goal_posts = _integer(form.goal_posts, 1, POSTS_MAX)
        if goal_posts is None:
            errors["goal_posts"] = TEXTS("e_integer", lang, min=1, max=POSTS_MAX)
        if form.cap_count.strip():
            errors["cap_count"] = TEXTS("e_cap_posts", lang)
    elif form.goal == "recurring":
        if form.cap_count.strip():
            count = _integer(form.cap_count, 1, CAP_MAX)
            if count is None:
                errors["cap_count"] = TEXTS("e_integer", lang, min=1, max=CAP_MAX)
            if form.cap_period not in ("day", "week"):
                errors["cap_period"] = TEXTS("e_period", lang)
            if count is not None and form.cap_period in ("day", "week"):
                cap = f"{count}/{form.cap_period}"
    else:
        errors["goal"] = TEXTS("e_goal", lang)
    points = _integer(form.points, 1, POINTS_MAX)
    if points is None:
        errors["points"] = TEXTS("e_integer", lang, min=1, max=POINTS_MAX)
    start = end = None
    if not form.no_start and form.start.strip():
        try:
            start = parse_local(form.start, zone)
        except DateOutOfRange:
            errors["start"] = TEXTS("e_date_range", lang)
        except ValueError:
            errors["start"] = TEXTS("e_date", lang)
    if not form.no_end and form.end.strip():
        try:
            end = parse_local(form.end, zone)
        except DateOutOfRange:
            errors["end"] = TEXTS("e_date_range", lang)
        except ValueError:
            errors["end"] = TEXTS("e_date", lang)
    if start and end and end <= start:
        errors["end"] = TEXTS("e_window", lang, start=human_instant(start, lang, zone))
    if errors or points is None:
        return None
    return MissionValues(
        title=title, description=form.description.strip(), label=label or DEFAULT_LABEL,
        action_ids=tuple(chosen), points=points, goal_posts=goal_posts,
        recurring=form.goal == "recurring", cap=cap, start=start, end=end)


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
        cap_period=text("cap_period") or "day", points=text("points"), start=text("start"),
        end=text("end"), no_start=bool(text("no_start")), no_end=bool(text("no_end")))


def _platform_choices(service: Service, actions: list[Action]) -> list[dict[str, Any]]:
    """Per installed platform: its name, title and actions (for the per-platform selects)."""
    return [{"name": name, "title": platform.title,
             "actions": [a for a in actions if a.platform == name]}
            for name, platform in sorted(service.engine.platforms.items())]


def _form_page(request: Request, lang: str, form: MissionForm, *,
               mission: Mission | None = None, notice: str = "", error: str = "",
               status_code: int = 200) -> HTMLResponse:
    service = service_of(request)
    zone = community_zone(service)
    actions = list_actions(service)

    def shown(value: str) -> str:
        try:
            return human_instant(parse_local(value, zone), lang, zone) if value.strip() else ""
        except ValueError:
            return ""

    if form.errors and not error:
        error = TEXTS("form_error", lang)
    return render_console(request, "console_mission_form.html", {
        "t": TEXTS, "form": form, "mission": mission, "platforms": _platform_choices(
            service, actions), "has_actions": bool(actions), "notice": notice, "error": error,
        "exclusive": service.settings.exclusive_posts, "default_fr": DEFAULT_LABEL,
        "default_en": DEFAULT_LABEL_EN, "start_shown": shown(form.start),
        "end_shown": shown(form.end),
        "created": human_instant(mission.created_at, lang, zone) if mission else "",
        "readonly": bool(mission and mission.status == "archived")},
        lang=lang, section="missions", status_code=status_code)


def _list_page(request: Request, lang: str, *, error: str = "",
               status_code: int = 200) -> HTMLResponse:
    service = service_of(request)
    zone = community_zone(service)
    now = service.now()
    groups: dict[str, list[dict[str, Any]]] = {status: [] for status in STATUSES}
    for mission in list_missions(service):
        facts = mission_facts(mission, empty_progress("", mission), lang, zone, now)
        groups.setdefault(mission.status, []).append(
            {"mission": mission, "reward": facts.reward, "window": facts.window,
             "note": facts.window_note})
    return render_console(request, "console_missions.html", {
        "t": TEXTS, "groups": groups, "error": error}, lang=lang, section="missions",
        status_code=status_code)


def _gone(request: Request, lang: str, mission_id: int) -> HTMLResponse:
    return _list_page(request, lang, error=TEXTS("gone", lang, id=mission_id), status_code=404)


@router.get("/missions", response_class=HTMLResponse, include_in_schema=False)
def missions_page(request: Request) -> Response:
    """Every mission, grouped by status (drafts, published, archived)."""
    if signed_in_admin(request) is None:
        return to_login(request)
    return _list_page(request, console_lang(request))


@router.get("/missions/new", response_class=HTMLResponse, include_in_schema=False)
def new_mission_page(request: Request) -> Response:
    """The creation form, with the default window and button label filled in."""
    if signed_in_admin(request) is None:
        return to_login(request)
    return _form_page(request, console_lang(request), default_form(service_of(request)))


@router.post("/missions/new", include_in_schema=False)
async def create_mission(request: Request) -> Response:
    """Create the mission (a draft, or published with the "create and publish" button)."""
    posted = dict(await request.form())
    token = posted.get("csrf_token")
    refused = refuse_form_post(request, token if isinstance(token, str) else None)
    if refused is not None:
        return refused
    lang = console_lang(request)
    service = service_of(request)
    form = _typed(posted)
    values = read_form(form, list_actions(service), community_zone(service), lang)
    if values is None:
        return _form_page(request, lang, form, status_code=422)
    publish = posted.get("publish") == "1"
    try:
        mission = add_mission(
            service, title=values.title, action_ids=values.action_ids, points=values.points,
            goal_posts=values.goal_posts, recurring=values.recurring, cap=values.cap,
            start=values.start, end=values.end, label=values.label,
            description=values.description, publish=publish)
    except (InvalidInput, NotFound) as exc:
        return _form_page(request, lang, form, error=str(exc), status_code=422)
    saved = "published" if publish else "created"
    return RedirectResponse(f"/admin/missions/{mission.id}?saved={saved}", status_code=303)


@router.get("/missions/{mission_id}", response_class=HTMLResponse, include_in_schema=False)
def mission_page(request: Request, mission_id: IdPath, saved: str = "") -> Response:
    """One mission: its form (read-only once archived), status and buttons."""
    if signed_in_admin(request) is None:
        return to_login(request)
    lang = console_lang(request)
    service = service_of(request)
    try:
        mission = get_mission(service, mission_id)
    except NotFound:
        return _gone(request, lang, mission_id)
    notice = TEXTS(f"saved_{saved}", lang) if saved in (
        "created", "published", "updated", "archived", "duplicated") else ""
    return _form_page(request, lang, form_of(mission, community_zone(service)),
                      mission=mission, notice=notice)


@router.post("/missions/{mission_id}", include_in_schema=False)
async def edit_mission(request: Request, mission_id: IdPath) -> Response:
    """Save every R2 field of the mission (its status stays)."""
    posted = dict(await request.form())
    token = posted.get("csrf_token")
    refused = refuse_form_post(request, token if isinstance(token, str) else None)
    if refused is not None:
        return refused
    lang = console_lang(request)
    service = service_of(request)
    try:
        mission = get_mission(service, mission_id)
    except NotFound:
        return _gone(request, lang, mission_id)
    form = _typed(posted)
    if mission.status == "archived":
        return _form_page(request, lang, form_of(mission, community_zone(service)),
                          mission=mission, error=TEXTS("archived_no_edit", lang),
                          status_code=409)
    values = read_form(form, list_actions(service), community_zone(service), lang)
    if values is None:
        return _form_page(request, lang, form, mission=mission, status_code=422)
    try:
        update_mission(
            service, mission_id, title=values.title, action_ids=values.action_ids,
            points=values.points, goal_posts=values.goal_posts, recurring=values.recurring,
            cap=values.cap, start=values.start, end=values.end, label=values.label,
            description=values.description)
    except Conflict:
        return _form_page(request, lang, form, mission=mission,
                          error=TEXTS("archived_no_edit", lang), status_code=409)
    except (InvalidInput, NotFound) as exc:
        return _form_page(request, lang, form, mission=mission, error=str(exc),
                          status_code=422)
    return RedirectResponse(f"/admin/missions/{mission_id}?saved=updated", status_code=303)


def _status_change(request: Request, mission_id: int, csrf_token: str,
                   status: str) -> Response:
    refused = refuse_form_post(request, csrf_token)
    if refused is not None:
        return refused
    lang = console_lang(request)
    service = service_of(request)
    try:
        set_status(service, mission_id, status)
    except NotFound:
        return _gone(request, lang, mission_id)
    except Conflict:
        mission = get_mission(service, mission_id)
        return _form_page(request, lang, form_of(mission, community_zone(service)),
                          mission=mission, error=TEXTS("archived_no_publish", lang),
                          status_code=409)
    return RedirectResponse(f"/admin/missions/{mission_id}?saved={status}", status_code=303)


@router.post("/missions/{mission_id}/publish", include_in_schema=False)
def publish_mission(request: Request, mission_id: IdPath,
                    csrf_token: str = Form("")) -> Response:
    """Publish the mission: members can claim it (an archived one stays archived)."""
    return _status_change(request, mission_id, csrf_token, "published")


@router.post("/missions/{mission_id}/archive", include_in_schema=False)
def archive_mission(request: Request, mission_id: IdPath,
                    csrf_token: str = Form("")) -> Response:
    """Archive the mission: no more claims; it stays in the report."""
    return _status_change(request, mission_id, csrf_token, "archived")


@router.post("/missions/{mission_id}/duplicate", include_in_schema=False)
def copy_mission(request: Request, mission_id: IdPath, csrf_token: str = Form("")) -> Response:
    """A new draft with the mission's fields, titled "Copie de …" / "Copy of …"."""
    refused = refuse_form_post(request, csrf_token)
    if refused is not None:
        return refused
    lang = console_lang(request)
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
def preview_mission(request: Request, mission_id: IdPath) -> Response:
    """What a member sees of the mission before linking an account, read-only (no form)."""
    if signed_in_admin(request) is None:
        return to_login(request)
    lang = console_lang(request)
    service = service_of(request)
    try:
        mission = get_mission(service, mission_id)
    except NotFound:
        return _gone(request, lang, mission_id)
    zone = community_zone(service)
    facts = mission_facts(mission, empty_progress("", mission), lang, zone, service.now())
    titles = {name: p.title for name, p in service.engine.platforms.items()}
    views = [{"name": action.platform, "title": titles.get(action.platform, action.platform),
              "hashtag": action.hashtag} for action in mission.actions]
    return render_console(request, "console_mission_preview.html", {
        "t": TEXTS, "mission": mission, "facts": facts, "views": views, "say": say,
        "label": DEFAULT_LABEL_EN if lang == "en" and mission.label == DEFAULT_LABEL
        else mission.label,
        "status_name": TEXTS(f"one_{mission.status}", lang)},
        lang=lang, section="missions")
