"""The member page ``/m/{token}``: link a handle, press the button, follow the check, pick a post.

Plain form posts answered by redirects make it work without JavaScript (a meta refresh follows
a running check); ``member.js`` adds the live countdown, polls ``/m/{token}/status`` while a
check runs or waits, and sets the ``tz`` cookie so that times show in the browser's time zone.
What each part of the page shows is computed in :mod:`.member_view`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from engine.dates import iso_utc
from engine.errors import InvalidInput
from engine.platforms import HandleRule
from engine.service.claims import create_claim, list_claims
from engine.service.context import Service
from engine.service.errors import Conflict, CooldownActive, GoalMet, HandleVerified, NotFound
from engine.service.human_dates import human_instant, is_utc, zone_name
from engine.service.members import link_account
from engine.service.missions import DEFAULT_LABEL, DEFAULT_LABEL_EN, get_mission
from engine.service.records import Claim
from engine.web.errors import LinkRejected
from engine.web.member_links import verify_member_link

from .member_view import (
    POLL_SECONDS,
    REFRESH_SECONDS,
    WAIT_POLL_SECONDS,
    PlatformView,
    build_views,
    expected_check,
    mission_facts,
    phase_message,
    phase_of,
    request_zone,
)
from .messages import duration, pick_lang, say
from .posts import find, last_seen_posts, verdict_name
from .rendering import render, service_of

router = APIRouter()

NOTICES = ("cooldown_refused", "refused", "goal_met")


def _page_url(token: str, lang: str, anchor: str = "", **extra: str) -> str:
    query = urlencode({"lang": lang, **extra})
    return f"/m/{token}?{query}" + (f"#{anchor}" if anchor else "")


def _open_link(service: Service, token: str) -> tuple[str, int]:
    """The link's member and mission; a link to a mission that no longer exists is rejected."""
    link = verify_member_link(service, token)
    try:
        get_mission(service, link.mission_id)
    except NotFound:
        raise LinkRejected("this link names a mission that does not exist") from None
    return link.member_id, link.mission_id


def _rejected(request: Request, lang: str) -> HTMLResponse:
    """The page that says the link is expired, revoked or altered (403)."""
    return render(request, "link_rejected.html", {"lang": lang}, status_code=403)


@dataclass(frozen=True)
class _Visit:
    """A request of the member page whose link holds: its member, mission and language."""

    service: Service
    member_id: str
    mission_id: int
    lang: str


def _visit(request: Request, token: str, lang: str | None) -> _Visit | HTMLResponse:
    """The visit of ``token``'s page in ``lang`` (or the default language), or the answer to a
    link that does not hold (:func:`_rejected`)."""
    chosen = pick_lang(lang)
    service = service_of(request)
    try:
        member_id, mission_id = _open_link(service, token)
    except LinkRejected:
        return _rejected(request, chosen)
    return _Visit(service, member_id, mission_id, chosen)


def _claim_visit(request: Request, token: str, platform: str, lang: str) -> _Visit | Response:
    """As :func:`_visit`, for a claim on ``platform``: a mission without an action on that
    platform answers with the page and its "refused" notice."""
    visit = _visit(request, token, lang)
    if isinstance(visit, _Visit) and platform not in get_mission(
            visit.service, visit.mission_id).platforms:
        return RedirectResponse(_page_url(token, visit.lang, notice="refused"), status_code=303)
    return visit


def _notice(key: str | None, platform: str | None, views: list[PlatformView], lang: str,
            zone: tzinfo) -> str | None:
    """The words of a notice named in the page's address (after a refused form)."""
    if key not in NOTICES:
        return None
    if key == "goal_met":
        return say("goal_met_refused", lang)
    view = next((v for v in views if v.name == platform), None)
    if key == "cooldown_refused" and view is not None and view.available_at and view.cooling:
        return say("cooldown_refused_at", lang, platform=view.title,
                   at=human_instant(view.available_at, lang, zone))
    return say(key, lang) if key else None


def _page(request: Request, service: Service, token: str, member_id: str, mission_id: int,
          lang: str, *, errors: dict[str, tuple[str, str]] | None = None,
          post_errors: dict[str, tuple[str, str]] | None = None,
          notice: str | None = None, notice_platform: str | None = None,
          picks: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    zone = request_zone(request)
    mission = get_mission(service, mission_id)
    views, general, progress = build_views(service, member_id, mission, lang, zone,
                                           picks=picks)
    for view in views:
        if errors and view.name in errors:
            view.error, view.typed = errors[view.name]
        if post_errors and view.name in post_errors:
            view.post_error, view.post_typed = post_errors[view.name]
    now = service.now()
    facts = mission_facts(mission, progress, lang, zone, now)
    label = mission.label
    if lang == "en" and label == DEFAULT_LABEL:
        label = DEFAULT_LABEL_EN
    phases = {view.name: view.phase for view in views}
    refresh = min((REFRESH_SECONDS[view.phase] for view in views if view.waiting), default=None)
    titles = {view.name: view.title for view in views}
    context: dict[str, Any] = {
        "lang": lang, "token": token, "mission": mission, "views": views, "general": general,
        "notice": _notice(notice, notice_platform, views, lang, zone),
        "open": mission.status == "published", "label": label, "facts": facts,
        "complete": facts.complete, "checking": any(view.checking for view in views),
        "phases": phases, "refresh": refresh, "poll_seconds": POLL_SECONDS,
        "wait_poll_seconds": WAIT_POLL_SECONDS, "titles": titles,
        "switch_url": _page_url(token, "en" if lang == "fr" else "fr"),
        "duration": duration, "zone_name": zone_name(zone), "zone_is_utc": is_utc(zone),
        "when": lambda moment: human_instant(moment, lang, zone),
        "verdict_name": lambda verdict: verdict_name(verdict, lang),
    }
    return render(request, "member.html", context, status_code=status_code)


@router.get("/m/{token}", response_class=HTMLResponse, include_in_schema=False)
def member_page(request: Request, token: str, lang: str | None = None,
                notice: str | None = None, platform: str | None = None,
                pick: str | None = None) -> Response:
    """The page; ``notice`` names a refusal to explain, ``platform`` + ``pick`` a post seen at
    the last check whose answer to show (select your post)."""
    visit = _visit(request, token, lang)
    if not isinstance(visit, _Visit):
        return visit
    picks = {platform: pick} if platform and pick else None
    return _page(request, visit.service, token, visit.member_id, visit.mission_id, visit.lang,
                 notice=notice, notice_platform=platform, picks=picks)


def french_handle_reason(rule: HandleRule, typed: str) -> str:
    """Why ``typed`` breaks the platform's handle ``rule``, in French (the engine's reasons are
    English): the first character refused, else a length out of range, else the form."""
    handle = rule.reduce(typed)
    for ch in handle:
        if not rule.allows(ch):
            if ch == " ":
                return "l'espace n'est pas permis"
            if ch == "@":
                return "« @ » n'est permis qu'au début"
            if ch.isspace() or not ch.isprintable():
                return f"le caractère invisible U+{ord(ch):04X} n'est pas permis"
            if not ch.isascii() and ch.isalpha():
                return (f"la lettre « {ch} » n'est pas permise : seules les lettres sans accent "
                        "(de a à z) le sont")
            return f"le caractère « {ch} » n'est pas permis"
    if rule.length is not None:
        fewest, most = rule.length
        if len(handle) < fewest:
            return f"il faut au moins {fewest} caractères, pas {len(handle)}"
        if len(handle) > most:
            return f"il faut au plus {most} caractères, pas {len(handle)}"
    return ("sa forme n'est pas permise (par exemple un point au début, à la fin ou deux de "
            "suite) : recopiez l'identifiant tel que votre profil l'affiche")


@router.post("/m/{token}/link", include_in_schema=False)
def link_handle(request: Request, token: str, platform: str = Form(""),
                handle: str = Form(""), lang: str = Form("fr")) -> Response:
    """Link the member's handle on ``platform``; a refusal is shown inline (400)."""
    visit = _visit(request, token, lang)
    if not isinstance(visit, _Visit):
        return visit
    service, member_id, mission_id, chosen = (visit.service, visit.member_id, visit.mission_id,
                                              visit.lang)
    mission = get_mission(service, mission_id)
    if platform not in mission.platforms:  # a form made by hand: said, not silent
        return RedirectResponse(_page_url(token, chosen, notice="refused"), status_code=303)
    title = service.engine.platform(platform).title
    typed = handle.strip()
    try:
        if not typed:
            raise InvalidInput("empty handle")
        link_account(service, member_id, platform, typed)
    except HandleVerified:
        message = say("handle_verified", chosen, platform=title)
    except Conflict:
        message = say("handle_taken", chosen, platform=title)
    except InvalidInput as error:
        # What was typed is shown short (the field keeps all of it); English readers also get
        # the rule's own words ("' ' (a space) is not allowed; a handle is …").
        shown = typed if len(typed) <= 40 else typed[:40] + "…"
        message = say("handle_empty" if not typed else "handle_invalid", chosen, handle=shown,
                      platform=title)
        reason = str(error).split(" handle: ", 1)[-1] if " handle: " in str(error) else ""
        if chosen == "fr" and typed:
            reason = french_handle_reason(service.engine.platform(platform).handle_rule, typed)
        if reason:
            message = f"{message} {reason[0].upper()}{reason[1:]}."
    else:
        return RedirectResponse(_page_url(token, chosen, f"platform-{platform}"),
                                status_code=303)
    return _page(request, service, token, member_id, mission_id, chosen,
                 errors={platform: (message, typed)}, status_code=400)


def _claim(service: Service, token: str, member_id: str, mission_id: int, platform: str,
           lang: str, post_url: str | None = None) -> Response:
    """Create a claim and answer with the redirect that shows its outcome or its refusal."""
    try:
        create_claim(service, member_id, mission_id, platform, post_url=post_url)
    except CooldownActive:
        return RedirectResponse(_page_url(token, lang, f"platform-{platform}",
                                          notice="cooldown_refused", platform=platform),
                                status_code=303)
    except GoalMet:
        return RedirectResponse(_page_url(token, lang, notice="goal_met"), status_code=303)
    except InvalidInput:
        return RedirectResponse(_page_url(token, lang, notice="refused"), status_code=303)
    return RedirectResponse(_page_url(token, lang, f"platform-{platform}"), status_code=303)


@router.post("/m/{token}/claim", include_in_schema=False)
def press_button(request: Request, token: str, platform: str = Form(""),
                 lang: str = Form("fr")) -> Response:
    """The button: a claim of the whole profile on ``platform``."""
    visit = _claim_visit(request, token, platform, lang)
    if not isinstance(visit, _Visit):
        return visit
    return _claim(visit.service, token, visit.member_id, visit.mission_id, platform, visit.lang)


@router.post("/m/{token}/post", include_in_schema=False)
def select_post(request: Request, token: str, platform: str = Form(""),
                seen: str = Form(""), url: str = Form(""), again: str = Form(""),
                lang: str = Form("fr")) -> Response:
    """Select your post (R4): the answer for one post.

    A post seen at the last check (``seen``, its id, or a pasted ``url`` naming it) is answered
    at once from that check's verdict; another pasted URL, or ``again`` (check it anew), becomes
    a claim aimed at that post, answered when its check is done. A link that is not a post of
    the platform is refused inline (400).
    """
    visit = _claim_visit(request, token, platform, lang)
    if not isinstance(visit, _Visit):
        return visit
    service, member_id, mission_id, chosen = (visit.service, visit.member_id, visit.mission_id,
                                              visit.lang)
    found = service.engine.platform(platform)
    anchor = f"select-{platform}"
    typed = url.strip()
    posts = last_seen_posts(service, member_id, mission_id, platform)
    if typed:
        post_id = found.post_id_from_url(typed)
        if post_id is None:
            message = say("select_bad_url", chosen, url=typed, platform=found.title)
            return _page(request, service, token, member_id, mission_id, chosen,
                         post_errors={platform: (message, typed)}, status_code=400)
        if not again and find(posts, post_id) is not None:
            return RedirectResponse(_page_url(token, chosen, anchor, platform=platform,
                                              pick=post_id), status_code=303)
        return _claim(service, token, member_id, mission_id, platform, chosen, post_url=typed)
    picked = find(posts, seen.strip())
    if picked is not None:
        if again:
            return _claim(service, token, member_id, mission_id, platform, chosen,
                          post_url=picked.url)
        return RedirectResponse(_page_url(token, chosen, anchor, platform=platform,
                                          pick=picked.post_id), status_code=303)
    return _page(request, service, token, member_id, mission_id, chosen,
                 post_errors={platform: (say("select_nothing", chosen), "")}, status_code=400)


@router.get("/m/{token}/status", include_in_schema=False)
def claim_status(request: Request, token: str, lang: str | None = None) -> Response:
    """Where each platform's latest claim stands (polled by member.js).

    ``checking``: a check spins (queued less than 30 s ago); ``waiting``: a claim waits for its
    check (spinning, queued longer, or retrying). Per platform: ``phase`` (see
    :mod:`.member_view`), ``message`` (what the page says while it waits, in ``lang``, times in
    the ``tz`` cookie's zone) and ``due_at`` (ISO 8601 UTC, for machines).
    """
    chosen = pick_lang(lang)
    service = service_of(request)
    try:
        member_id, mission_id = _open_link(service, token)
    except LinkRejected:
        return JSONResponse({"code": "link_rejected", "message": "this member link is expired, "
                             "revoked or altered; ask for a new one", "error": "link_rejected"},
                            status_code=403)
    zone = request_zone(request)
    now = service.now()
    latest: dict[str, Claim] = {}
    for claim in list_claims(service, member_id=member_id, mission_id=mission_id):
        latest[claim.platform] = claim
    claims: dict[str, dict[str, Any]] = {}
    for platform, claim in latest.items():
        expected = expected_check(service, claim)
        phase = phase_of(claim, now, expected)
        title = service.engine.platform(platform).title
        claims[platform] = {
            "id": claim.id, "state": claim.state, "phase": phase, "counted": claim.counted,
            "due_at": iso_utc(claim.due_at) if claim.due_at else None,
            "message": phase_message(claim, phase, title, chosen, zone, now, expected)}
    phases = [entry["phase"] for entry in claims.values()]
    return JSONResponse({
        "checking": "checking" in phases,
        "waiting": any(phase in REFRESH_SECONDS for phase in phases),
        "claims": claims,
    })
