"""The member page ``/m/{token}``: link a handle, press the button, follow the check.

Plain form posts answered by redirects make it work without JavaScript; ``member.js`` adds the
live countdown and polls ``/m/{token}/status`` while a check runs (a meta refresh does that
without JavaScript).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from engine.errors import InvalidInput
from engine.service.claims import create_claim, list_claims
from engine.service.context import Service
from engine.service.diagnosis import diagnose
from engine.service.errors import Conflict, CooldownActive, NotFound
from engine.service.members import get_member, link_account
from engine.service.missions import DEFAULT_LABEL, DEFAULT_LABEL_EN, get_mission
from engine.service.records import Claim, DiagnosisLine, Mission
from engine.web.errors import LinkRejected
from engine.web.member_links import verify_member_link

from .messages import duration, pick_lang, say
from .rendering import render, service_of

router = APIRouter()

# A claim whose first check has not finished yet: the page shows "checking…" and polls.
CHECKING_STATES = ("queued", "retrying")
POLL_SECONDS = 2


@dataclass
class PlatformView:
    """What the page shows for one platform of the mission."""

    name: str
    title: str
    hashtag: str
    example: str
    handle: str | None = None
    claim: Claim | None = None
    remaining: float = 0.0
    available_at: datetime | None = None
    lines: list[DiagnosisLine] = field(default_factory=list)
    error: str | None = None
    typed: str = ""

    @property
    def checking(self) -> bool:
        return self.claim is not None and self.claim.state in CHECKING_STATES

    @property
    def cooling(self) -> bool:
        return self.remaining > 0


def _page_url(token: str, lang: str, **extra: str) -> str:
    query = urlencode({"lang": lang, **extra})
    return f"/m/{token}?{query}"


def _open_link(service: Service, token: str) -> tuple[str, int]:
    """The link's member and mission; a link to a mission that no longer exists is rejected."""
    link = verify_member_link(service, token)
    try:
        get_mission(service, link.mission_id)
    except NotFound:
        raise LinkRejected("this link names a mission that does not exist") from None
    return link.member_id, link.mission_id


def _rejected(request: Request, lang: str) -> HTMLResponse:
    return render(request, "link_rejected.html", {"lang": lang}, status_code=403)


def _views(service: Service, member_id: str, mission: Mission,
           lang: str) -> tuple[list[PlatformView], list[DiagnosisLine]]:
    """Each platform's state, and the diagnosis lines about the whole mission (points)."""
    try:
        accounts = {a.platform: a.handle for a in get_member(service, member_id).accounts}
    except NotFound:  # the member appears with their first linked handle
        accounts = {}
    claims = list_claims(service, member_id=member_id, mission_id=mission.id) if accounts else []
    lines: list[DiagnosisLine] = []
    if accounts:
        lines = list(diagnose(service, member_id, mission.id, lang).lines)
    now = service.now()
    cooldown = timedelta(seconds=service.settings.cooldown)
    views = []
    for action in mission.actions:
        platform = service.engine.platform(action.platform)
        view = PlatformView(name=platform.name, title=platform.title, hashtag=action.hashtag,
                            example=_example(platform.name), handle=accounts.get(platform.name))
        mine = [c for c in claims if c.platform == platform.name]
        if mine:
            view.claim = mine[-1]
            view.available_at = view.claim.created_at + cooldown
            view.remaining = max((view.available_at - now).total_seconds(), 0.0)
        view.lines = [line for line in lines if line.platform == platform.name]
        views.append(view)
    return views, [line for line in lines if line.platform is None]


def _example(platform: str) -> str:
    return {"instagram": "lea.voyage", "tiktok": "lea.voyage", "youtube": "@LeaVoyage"}.get(
        platform, "lea.voyage")


def _page(request: Request, service: Service, token: str, member_id: str, mission_id: int,
          lang: str, *, errors: dict[str, tuple[str, str]] | None = None,
          notice: str | None = None, status_code: int = 200) -> HTMLResponse:
    mission = get_mission(service, mission_id)
    views, general = _views(service, member_id, mission, lang)
    for view in views:
        if errors and view.name in errors:
            view.error, view.typed = errors[view.name]
    label = mission.label
    if lang == "en" and label == DEFAULT_LABEL:
        label = DEFAULT_LABEL_EN
    context: dict[str, Any] = {
        "lang": lang, "token": token, "mission": mission, "views": views, "general": general,
        "notice": notice, "open": mission.status == "published", "label": label,
        "checking": any(view.checking for view in views), "poll_seconds": POLL_SECONDS,
        "switch_url": _page_url(token, "en" if lang == "fr" else "fr"),
        "duration": duration,
    }
    return render(request, "member.html", context, status_code=status_code)


@router.get("/m/{token}", response_class=HTMLResponse, include_in_schema=False)
def member_page(request: Request, token: str, lang: str | None = None,
                notice: str | None = None) -> Response:
    chosen = pick_lang(lang)
    service = service_of(request)
    try:
        member_id, mission_id = _open_link(service, token)
    except LinkRejected:
        return _rejected(request, chosen)
    known = notice if notice in ("cooldown_refused", "refused") else None
    return _page(request, service, token, member_id, mission_id, chosen,
                 notice=say(known, chosen) if known else None)


@router.post("/m/{token}/link", include_in_schema=False)
def link_handle(request: Request, token: str, platform: str = Form(...),
                handle: str = Form(""), lang: str = Form("fr")) -> Response:
    chosen = pick_lang(lang)
    service = service_of(request)
    try:
        member_id, mission_id = _open_link(service, token)
    except LinkRejected:
        return _rejected(request, chosen)
    mission = get_mission(service, mission_id)
    if platform not in mission.platforms:
        return RedirectResponse(_page_url(token, chosen), status_code=303)
    title = service.engine.platform(platform).title
    typed = handle.strip()
    try:
        if not typed:
            raise InvalidInput("empty handle")
        link_account(service, member_id, platform, typed)
    except Conflict:
        message = say("handle_taken", chosen, platform=title)
    except InvalidInput:
        message = say("handle_empty" if not typed else "handle_invalid", chosen, handle=typed,
                      platform=title)
    else:
        return RedirectResponse(_page_url(token, chosen), status_code=303)
    return _page(request, service, token, member_id, mission_id, chosen,
                 errors={platform: (message, typed)}, status_code=400)


@router.post("/m/{token}/claim", include_in_schema=False)
def press_button(request: Request, token: str, platform: str = Form(...),
                 lang: str = Form("fr")) -> Response:
    chosen = pick_lang(lang)
    service = service_of(request)
    try:
        member_id, mission_id = _open_link(service, token)
    except LinkRejected:
        return _rejected(request, chosen)
    if platform not in get_mission(service, mission_id).platforms:
        return RedirectResponse(_page_url(token, chosen, notice="refused"), status_code=303)
    try:
        create_claim(service, member_id, mission_id, platform)
    except CooldownActive:
        return RedirectResponse(_page_url(token, chosen, notice="cooldown_refused"),
                                status_code=303)
    except InvalidInput:
        return RedirectResponse(_page_url(token, chosen, notice="refused"), status_code=303)
    return RedirectResponse(_page_url(token, chosen), status_code=303)


@router.get("/m/{token}/status", include_in_schema=False)
def claim_status(request: Request, token: str) -> Response:
    """Whether a check is still running, per platform (polled by member.js)."""
    service = service_of(request)
    try:
        member_id, mission_id = _open_link(service, token)
    except LinkRejected:
        return JSONResponse({"error": "link_rejected"}, status_code=403)
    claims = list_claims(service, member_id=member_id, mission_id=mission_id)
    latest: dict[str, Claim] = {}
    for claim in claims:
        latest[claim.platform] = claim
    return JSONResponse({
        "checking": any(c.state in CHECKING_STATES for c in latest.values()),
        "claims": {p: {"id": c.id, "state": c.state, "counted": c.counted}
                   for p, c in latest.items()},
    })
