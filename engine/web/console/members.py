"""The console's members (``/admin/members``, issue 11 item 3): search by member id or handle
(paginated: only one page of rows is read), one member's page (linked accounts with their
ownership and the form to mark one verified with a reason, balance, ledger with reasons, claims
with their checks and causes, the diagnosis per mission claimed), and member page links for a
mission (created here, shown in a read-only field with a copy button; the same link as
``social-missions member link-url`` and the API's ``POST /member-links``).

A member's page also carries the privacy actions (docs/privacy.md): download everything held
about the member as JSON (:func:`engine.service.privacy.export_member`), revoke every member page
link issued so far (:func:`engine.service.link_revocations.revoke_member_links`), and erase the
member (:func:`engine.service.privacy.erase_member`), confirmed by typing the member's id.

Every form carries the session's CSRF token and works without JavaScript. Dates are in the
community's time zone (named at the foot of the page).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from engine.errors import InvalidInput
from engine.service.causes import cause_text
from engine.service.context import Service
from engine.service.diagnosis import diagnose
from engine.service.errors import NotFound
from engine.service.human_dates import human_instant
from engine.service.link_revocations import revoke_member_links
from engine.service.member_ids import (
    look_alike_of,
    member_id_problem,
    mixed_scripts,
    new_member_id_problem,
)
from engine.service.members import (
    claimed_missions,
    claims_page,
    ledger_page,
    member_summary,
    search_members,
    unlink_account,
)
from engine.service.missions import list_missions
from engine.service.ownership import TRANSFER_REASON, mark_verified
from engine.service.privacy import Erasure, erase_member, erasure_plan, export_member
from engine.service.records import Diagnosis, Member, Mission
from engine.web.member_links import MAX_LIFETIME, sign_member_link
from engine.web.pages.rendering import service_of
from engine.web.reasons import localized_detail

from . import base

router = APIRouter()

PAGE_SIZE = 50  # members per page of the search
LEDGER_PAGE = 50
CLAIMS_PAGE = 20
DIAGNOSED_MISSIONS = 10
MEMBER_ID_MAX = 200
REASON_MAX = 500
LINK_DAYS = 7
MAX_LINK_DAYS = MAX_LIFETIME.days
MAX_PAGE = 100_000

TEXTS = base.Catalogue.load("console_members")

# Words for the codes the pages show (an unknown code is shown as it is).
WORDS = base.Catalogue.load("console_codes")


def word(code: str | None, lang: str) -> str:
    """The words for a stored code (ownership, ledger reason, claim state, check status…)."""
    if not code:
        return "–"
    return WORDS(code, lang) if code in WORDS.texts else code


def member_path(member_id: str) -> str:
    """The console page of one member (the id percent-encoded, ``/`` included)."""
    return "/admin/members/" + quote(member_id, safe="")


def valid_member_id(text: str) -> bool:
    """The one member id rule (:mod:`engine.service.member_ids`): 1–200 characters, no
    control character, no surrounding white space (refused, never trimmed)."""
    return member_id_problem(text) is None


def _page_number(request: Request, name: str = "page") -> int:
    """``?page=`` as a page number from 1 (anything else is page 1)."""
    text = request.query_params.get(name, "1")
    if not (text.isascii() and text.isdigit()) or len(text) > 9:  # no "²", "٣" nor 10**5000
        return 1
    return min(int(text), MAX_PAGE) if int(text) >= 1 else 1


def _with_page(request: Request, name: str, number: int) -> str:
    params = {key: value for key, value in request.query_params.items()
              if key not in (name, "lang", "done")}
    params[name] = str(number)
    return f"{request.url.path}?{urlencode(params)}"


@dataclass(frozen=True)
class LinkForm:
    """The member page link form as typed, with its errors by field."""

    member: str = ""
    mission: str = ""
    days: str = str(LINK_DAYS)
    errors: dict[str, str] | None = None


def _dates(request: Request, lang: str) -> Any:
    zone = base.community_zone(service_of(request))

    def when(moment: datetime | None) -> str:
        return human_instant(moment, lang, zone) if moment is not None else "–"

    return when


def _missions(request: Request) -> list[Mission]:
    """Every mission but archived ones, published first (the link form's choices)."""
    missions = [m for m in list_missions(service_of(request)) if m.status != "archived"]
    return sorted(missions, key=lambda m: (m.status != "published", -m.id))


# -- the search --------------------------------------------------------------------------------


@router.get("/members", response_class=HTMLResponse, include_in_schema=False)
@base.admin_page
def members_page(request: Request) -> Response:
    """Search by member id or handle, one page of members at a time, and the link form."""
    return _members_view(request, LinkForm())


def _members_view(request: Request, form: LinkForm, *, status_code: int = 200) -> Response:
    lang = base.console_lang(request)
    query = request.query_params.get("q", "")
    page = _page_number(request)
    error = None
    found: list[Any] = []
    more = False
    try:
        found, more = search_members(service_of(request), query,
                                     offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    except InvalidInput:
        error = TEXTS("bad_query", lang)
        status_code = 400 if status_code == 200 else status_code
    shown_query = query[:MEMBER_ID_MAX]
    return base.render_console(request, "console_members.html", {
        "t": TEXTS, "query": shown_query, "found": found, "error": error, "page": page,
        "previous_url": _with_page(request, "page", page - 1) if page > 1 else None,
        "next_url": _with_page(request, "page", page + 1) if more else None,
        "member_path": member_path, "missions": _missions(request), "form": form,
        "max_days": MAX_LINK_DAYS,
    }, lang=lang, section="members", status_code=status_code)


# -- member page links -------------------------------------------------------------------------


@router.post("/members/link", include_in_schema=False)
@base.form_post
def create_link(request: Request, csrf_token: str = Form(""), member_id: str = Form(""),
                mission_id: str = Form(""), days: str = Form(str(LINK_DAYS)),
                back: str = Form("")) -> Response:
    """Create a member page link and show it once, ready to copy."""
    lang = base.console_lang(request)
    service = service_of(request)
    member = member_id  # as typed: " ana" is refused, not trimmed to "ana"
    errors: dict[str, str] = {}
    if not valid_member_id(member):
        errors["member"] = TEXTS("bad_member", lang)
    elif new_member_id_problem(member) and _member_or_none(service, member) is None:
        # No member could be created with this id.
        normal = look_alike_of(member)
        errors["member"] = (TEXTS("mixed_scripts_member", lang) if mixed_scripts(member)
                            else TEXTS("look_alike_member", lang, normal=normal) if normal
                            else TEXTS("path_step_member", lang) if member in (".", "..")
                            else TEXTS("slash_member", lang) if "/" in member
                            else TEXTS("invisible_member", lang))
    missions = {str(m.id): m for m in _missions(request)}
    mission = missions.get(mission_id.strip())
    if mission is None:
        errors["mission"] = TEXTS("bad_mission", lang)
    text_days = days.strip()
    if not (text_days.isascii() and text_days.isdigit() and len(text_days) <= 9
            and 1 <= int(text_days) <= MAX_LINK_DAYS):
        errors["days"] = TEXTS("bad_days", lang, max=MAX_LINK_DAYS)
    form = LinkForm(member=member_id[:MEMBER_ID_MAX], mission=mission_id[:20],
                    days=days[:10], errors=errors)
    if errors or mission is None:
        if back == "member" and valid_member_id(member):
            return _member_view(request, member, link_form=form, status_code=400)
        return _members_view(request, form, status_code=400)
    expires_at = (service.now() + timedelta(days=int(text_days))).replace(microsecond=0)
    path = "/m/" + sign_member_link(service, member, mission.id, expires_at=expires_at)
    response = base.render_console(request, "console_member_link.html", {
        "t": TEXTS, "url": str(request.base_url).rstrip("/") + path, "member": member,
        "mission": mission, "expires": _dates(request, lang)(expires_at),
        "member_path": member_path, "back_to_member": back == "member",
    }, lang=lang, section="members")
    response.headers["Cache-Control"] = "no-store"
    return response


# -- one member --------------------------------------------------------------------------------


# The export's route is declared before the member's page: ``{member_id:path}`` would take
# ``ana/export`` as a member id.
@router.get("/members/{member_id:path}/export", include_in_schema=False)
@base.admin_page
def export_download(request: Request, member_id: str) -> Response:
    """Everything held about the member (:func:`engine.service.privacy.export_member`, what
    ``GET /api/v1/members/{member}/export`` answers), downloaded as
    ``member-<id>-export.json`` (the id reduced to a safe file name); the console's 404 for an
    unknown (or erased) member.

    The console writes a member id's ``/`` as ``%2F``: a path whose last ``/export`` was typed
    encoded is the page of a member whose id ends in ``/export``, not this download."""
    if not _typed_suffix(request, "export"):
        return _member_view(request, member_id + "/export",
                            link_form=LinkForm(member=member_id + "/export"))
    found = _member_or_404(request, member_id)
    if isinstance(found, Response):
        return found
    _, service, _ = found
    try:
        document = export_member(service, member_id)
    except NotFound:  # erased between the check and the export
        return _not_found(request, member_id, base.console_lang(request))
    body = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return Response(body, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="{export_file_name(member_id)}"',
        "Cache-Control": "no-store"})  # personal data: no copy in a cache


def export_file_name(member_id: str) -> str:
    """``member-<id>-export.json`` with every character of the id but ASCII letters, digits,
    ``.``, ``_`` and ``-`` replaced by ``_`` (no quote, slash or line break reaches the
    header), leading dots dropped and the id cut to 100 characters."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", member_id).lstrip(".")[:100]
    return f"member-{safe or '_'}-export.json"


def _typed_suffix(request: Request, suffix: str) -> bool:
    """True when the path as sent (before percent-decoding) ends with ``/suffix``."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) else request.url.path
    return path.split("?", 1)[0].endswith("/" + suffix)


@router.get("/members/{member_id:path}", response_class=HTMLResponse, include_in_schema=False)
@base.admin_page
def member_page(request: Request, member_id: str) -> Response:
    """One member: accounts and ownership, balance, ledger, claims and checks, diagnoses; and
    after an erasure (``?done=erased:…``), what was erased."""
    if request.query_params.get("done", "").startswith("erased:"):
        erased = _erased_view(request, member_id)
        if erased is not None:
            return erased
    return _member_view(request, member_id, link_form=LinkForm(member=member_id))


# The counts of an erasure carried by ``?done=erased:…`` (in this order, dot-separated).
ERASURE_COUNTS = ("linked_accounts", "claims", "cancelled_claims", "checks", "seen_posts",
                  "credits", "ledger_rows", "webhook_events", "event_queued")


def erasure_done(erasure: Erasure) -> str:
    """The ``done`` value of the redirect after an erasure: ``erased:`` and the counts of
    :data:`ERASURE_COUNTS` (``event_queued`` as 0 or 1)."""
    return "erased:" + ".".join(str(int(getattr(erasure, name))) for name in ERASURE_COUNTS)


def _erasure_counts(done: str) -> dict[str, int] | None:
    """The counts :func:`erasure_done` wrote, or None when ``done`` is not of that shape."""
    parts = done.removeprefix("erased:").split(".")
    if len(parts) != len(ERASURE_COUNTS) or not all(
            part.isascii() and part.isdigit() and len(part) <= 9 for part in parts):
        return None
    return dict(zip(ERASURE_COUNTS, map(int, parts), strict=True))


def _erased_view(request: Request, member_id: str) -> Response | None:
    """The page after an erasure: the member id, when it was erased (read from the
    erasure's record, so a made-up ``?done=`` cannot claim an erasure that did not happen)
    and the counts the redirect carried; None when ``member_id`` is a member or was never
    erased (its usual page or 404)."""
    lang = base.console_lang(request)
    service = service_of(request)
    if not valid_member_id(member_id) or _member_or_none(service, member_id) is not None:
        return None
    try:
        plan = erasure_plan(service, member_id)
    except NotFound:
        return None
    if not plan.already_erased:
        return None
    counts = _erasure_counts(request.query_params.get("done", ""))
    return base.render_console(request, "console_member.html", {
        "t": TEXTS, "erased": {"member": member_id, "counts": counts,
                               "at": _dates(request, lang)(plan.erased_at)},
    }, lang=lang, section="members")


def _not_found(request: Request, member_id: str, lang: str) -> Response:
    """The page for an id that names no member: 404, or 422 when it is no valid member id
    at all (as the API answers)."""
    valid = valid_member_id(member_id)
    return base.render_console(request, "console_member_missing.html", {
        "t": TEXTS, "member": member_id[:MEMBER_ID_MAX] if valid else "", "valid": valid,
    }, lang=lang, section="members", status_code=404 if valid else 422)


def _member_or_none(service: Service, member_id: str) -> Member | None:
    """The member's summary, or None for an id that is not valid or names no member."""
    if not valid_member_id(member_id):
        return None
    try:
        return member_summary(service, member_id)
    except NotFound:
        return None


def _member_or_404(request: Request, member_id: str) -> tuple[str, Service, Member] | Response:
    """What a page or a post about one member works on: ``(lang, service, member)``; or the 404
    page when ``member_id`` names no member (422 when it is no valid member id)."""
    lang = base.console_lang(request)
    service = service_of(request)
    member = _member_or_none(service, member_id)
    if member is None:
        return _not_found(request, member_id, lang)
    return lang, service, member


def _member_view(request: Request, member_id: str, *, link_form: LinkForm,
                 verify_error: tuple[str, str] | None = None, reason: str = "",
                 erase_error: str | None = None, status_code: int = 200) -> Response:
    found = _member_or_404(request, member_id)
    if isinstance(found, Response):
        return found
    lang, service, member = found
    ledger_number = _page_number(request, "ledger")
    claims_number = _page_number(request, "claims")
    ledger, more_ledger = ledger_page(service, member_id,
                                      offset=(ledger_number - 1) * LEDGER_PAGE,
                                      limit=LEDGER_PAGE)
    claims, more_claims = claims_page(service, member_id,
                                      offset=(claims_number - 1) * CLAIMS_PAGE,
                                      limit=CLAIMS_PAGE)
    missions = list_missions(service)
    titles = {m.id: m.title for m in missions}
    zone = base.community_zone(service)
    diagnoses: list[Diagnosis] = []
    for mission_id in claimed_missions(service, member_id, limit=DIAGNOSED_MISSIONS):
        try:
            diagnoses.append(diagnose(service, member_id, mission_id, lang, zone=zone))
        except NotFound:
            continue
    done = request.query_params.get("done", "")
    notice = None
    if done.startswith("unlinked:"):
        platform, _, handle = done.removeprefix("unlinked:").partition(":")
        notice = TEXTS("unlinked_done", lang, platform=_title(request, platform), handle=handle)
    if done.startswith("verified:"):
        platform = done.removeprefix("verified:")
        account = next((a for a in member.accounts if a.platform == platform), None)
        if account is not None:
            notice = TEXTS("verified_done", lang, platform=_title(request, platform),
                           handle=account.handle)
    if done == "links_revoked":
        notice = TEXTS("links_revoked_done", lang)
    return base.render_console(request, "console_member.html", {
        "t": TEXTS, "word": word, "member": member, "ledger": ledger, "claims": claims,
        "diagnoses": diagnoses, "titles": titles, "when": _dates(request, lang),
        "platform_title": lambda name: _title(request, name),
        "detail_text": lambda detail: localized_detail(detail, lang, zone),
        "cause_text": lambda cause, status, platform: cause_text(
            cause, status, _title(request, platform), lang),
        "ledger_newer": _with_page(request, "ledger", ledger_number - 1)
        if ledger_number > 1 else None,
        "ledger_older": _with_page(request, "ledger", ledger_number + 1) if more_ledger
        else None,
        "claims_newer": _with_page(request, "claims", claims_number - 1)
        if claims_number > 1 else None,
        "claims_older": _with_page(request, "claims", claims_number + 1) if more_claims
        else None,
        "verify_error": verify_error, "reason": reason[:REASON_MAX], "notice": notice,
        "member_path": member_path, "missions": _missions(request), "form": link_form,
        "max_days": MAX_LINK_DAYS, "transfer_reason": TRANSFER_REASON,
        "erase_error": erase_error, "erased": None,
    }, lang=lang, section="members", status_code=status_code)


def _title(request: Request, platform: str) -> str:
    try:
        return str(service_of(request).engine.platform(platform).title)
    except Exception:  # a platform whose plugin is gone: its stored name
        return platform


@router.post("/members/{member_id:path}/unlink", include_in_schema=False)
@base.form_post
def unlink_account_form(request: Request, member_id: str, csrf_token: str = Form(""),
                        platform: str = Form("")) -> Response:
    """Remove one of the member's linked accounts (what ``DELETE
    /api/v1/members/{member}/accounts/{platform}`` does); points already earned stay."""
    found = _member_or_404(request, member_id)
    if isinstance(found, Response):
        return found
    lang, service, member = found
    account = next((a for a in member.accounts if a.platform == platform), None)
    if account is None:
        return _member_view(request, member_id, link_form=LinkForm(member=member_id),
                            status_code=400,
                            verify_error=("", TEXTS("no_such_account", lang)))
    unlink_account(service, member_id, platform)
    return base.done_redirect(request, member_path(member_id),
                              f"unlinked:{platform}:{account.handle}")


@router.post("/members/{member_id:path}/verify", include_in_schema=False)
@base.form_post
def verify_account(request: Request, member_id: str, csrf_token: str = Form(""),
                   platform: str = Form(""), reason: str = Form("")) -> Response:
    """Mark one of the member's linked accounts verified, with the reason (required)."""
    found = _member_or_404(request, member_id)
    if isinstance(found, Response):
        return found
    lang, service, member = found
    form = LinkForm(member=member_id)
    why = " ".join(reason.split())
    if platform not in {a.platform for a in member.accounts}:
        return _member_view(request, member_id, link_form=form, status_code=400,
                            verify_error=("", TEXTS("no_such_account", lang)))
    if not why or len(why) > REASON_MAX or base.text_error(reason, lang):
        return _member_view(request, member_id, link_form=form, status_code=400,
                            verify_error=(platform, TEXTS("reason_required", lang)),
                            reason=reason)
    try:
        mark_verified(service, member_id, platform, why)
    except NotFound:
        return _member_view(request, member_id, link_form=form, status_code=400,
                            verify_error=("", TEXTS("no_such_account", lang)))
    return base.done_redirect(request, member_path(member_id), f"verified:{platform}")


@router.post("/members/{member_id:path}/revoke-links", include_in_schema=False)
@base.form_post
def revoke_links_form(request: Request, member_id: str, csrf_token: str = Form("")) -> Response:
    """Revoke every member page link (``/m/…``) of the member issued until now
    (:func:`engine.service.link_revocations.revoke_member_links`); links created afterwards
    work. Links are signed, not stored: none is listed, so none can be counted."""
    found = _member_or_404(request, member_id)
    if isinstance(found, Response):
        return found
    _, service, _ = found
    revoke_member_links(service, member_id)
    return base.done_redirect(request, member_path(member_id), "links_revoked")


@router.post("/members/{member_id:path}/erase", include_in_schema=False)
@base.form_post
def erase_member_form(request: Request, member_id: str, csrf_token: str = Form(""),
                      confirm: str = Form("")) -> Response:
    """Erase the member (:func:`engine.service.privacy.erase_member`, what ``DELETE
    /api/v1/members/{member}`` does) once ``confirm`` is the member's id exactly; else the
    member's page again (400) saying so, nothing erased. Then to the page saying what was
    erased (303)."""
    found = _member_or_404(request, member_id)
    if isinstance(found, Response):
        return found
    lang, service, _ = found
    if confirm != member_id:  # exactly as shown: no trimming, no case folding
        return _member_view(request, member_id, link_form=LinkForm(member=member_id),
                            status_code=400, erase_error=TEXTS(
                                "erase_confirm_empty" if not confirm else "erase_confirm_wrong",
                                lang))
    try:
        erasure = erase_member(service, member_id)
    except NotFound:  # erased meanwhile, and no record of it
        return _not_found(request, member_id, lang)
    return base.done_redirect(request, member_path(member_id), erasure_done(erasure))
