"""The console's external actions (``/admin/actions``, issue 11 item 1): the list with the
missions using each action, the creation form (a platform and a hashtag, R1), and deleting an
action no mission uses.

A refused hashtag is shown next to its field, in the admin's language, naming the offending
characters; when an ASCII form exists (``été2024`` → ``ete2024``) a second small form offers it
with one button. Every form carries the session's CSRF token; nothing here needs JavaScript.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from engine.errors import InvalidHashtag, UnknownPlatform
from engine.hashtags import MAX_HASHTAG_LENGTH, validate_hashtag
from engine.service.actions import MissionUse, action_uses, add_action, delete_action, list_actions
from engine.service.errors import Conflict, NotFound
from engine.service.human_dates import human_instant
from engine.web.api.schemas import IdPath
from engine.web.pages.rendering import service_of

from . import base

router = APIRouter()

# What the form echoes back of a typed hashtag (a pasted essay is not kept whole).
ECHO_LIMIT = 300
_ALLOWED = re.compile(r"[A-Za-z0-9_]")

TEXTS = base.Catalogue.load("console_actions")


@dataclass
class ActionForm:
    """The creation form as typed, with its errors (field → message) and the fix offered."""

    platform: str = ""
    hashtag: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    suggestion: str | None = None


def _describe(ch: str, lang: str) -> str:
    if ch == " ":
        return TEXTS("char_space", lang)
    if ch.isspace():
        import unicodedata

        return TEXTS("char_blank", lang, name=unicodedata.name(ch, repr(ch)))
    if ch == "#":
        return TEXTS("char_hash", lang)
    return TEXTS("char", lang, ch=ch)


def hashtag_message(raw: str, error: InvalidHashtag, lang: str) -> str:
    """The R1 message for ``raw`` in ``lang``: the engine's own words in English, the same
    facts in French (offending characters, ASCII suggestion)."""
    if lang == "en":
        return str(error)
    tag = raw.strip()
    tag = tag[1:] if tag.startswith("#") else tag
    if not tag:
        return TEXTS("tag_empty", lang)
    bad = [ch for ch in dict.fromkeys(tag) if not _ALLOWED.fullmatch(ch)]
    if bad:
        chars = ", ".join(_describe(ch, lang) for ch in bad)
        key = "tag_chars_one" if len(bad) == 1 else "tag_chars_many"
        advice = (TEXTS("tag_use", lang, suggestion=error.suggestion) if error.suggestion
                  else TEXTS("tag_ascii_only", lang))
        return TEXTS(key, lang, tag=tag, chars=chars) + advice + "."
    if len(tag) > MAX_HASHTAG_LENGTH:
        return TEXTS("tag_long", lang, start=tag[:20], max=MAX_HASHTAG_LENGTH, n=len(tag)) + "."
    return TEXTS("tag_no_letter", lang, tag=tag) + "."


def _missions_text(uses: list[MissionUse], lang: str) -> str:
    if lang == "fr":
        return ", ".join(f"« {use.title} » (n° {use.id})" for use in uses)
    return ", ".join(f"“{use.title}” (no. {use.id})" for use in uses)


def _page(request: Request, lang: str, form: ActionForm, *, notice: str = "",
          error: str = "", status_code: int = 200) -> HTMLResponse:
    service = service_of(request)
    zone = base.community_zone(service)
    platforms = {name: platform.title for name, platform in sorted(service.engine.platforms.items())}
    uses = action_uses(service)
    rows: list[dict[str, Any]] = [
        {"action": action, "title": platforms.get(action.platform, action.platform),
         "created": human_instant(action.created_at, lang, zone),
         "missions": uses.get(action.id, [])}
        for action in list_actions(service)]
    return base.render_console(request, "console_actions.html", {
        "t": TEXTS, "platforms": platforms, "rows": rows, "form": form, "notice": notice,
        "error": error}, lang=lang, section="actions", status_code=status_code)


@router.get("/actions", response_class=HTMLResponse, include_in_schema=False)
@base.admin_page
def actions_page(request: Request, created: int | None = None,
                 deleted: int | None = None) -> Response:
    """The list of actions with their missions, and the creation form."""
    lang = base.console_lang(request)
    notice = ""
    if created is not None:
        found = next((a for a in list_actions(service_of(request)) if a.id == created), None)
        if found:
            notice = TEXTS("created", lang, tag=found.hashtag, platform=found.platform)
    elif deleted is not None:
        notice = TEXTS("deleted", lang)
    first = next(iter(sorted(service_of(request).engine.platforms)), "")
    return _page(request, lang, ActionForm(platform=first), notice=notice)


@router.post("/actions", include_in_schema=False)
@base.form_post
def create_action(request: Request, platform: str = Form(""), hashtag: str = Form(""),
                  csrf_token: str = Form("")) -> Response:
    """Create an action; a refused hashtag comes back inline with its ASCII fix."""
    lang = base.console_lang(request)
    service = service_of(request)
    form = ActionForm(platform=platform, hashtag=hashtag[:ECHO_LIMIT])
    if platform not in service.engine.platforms:
        form.errors["platform"] = TEXTS("unknown_platform", lang)
    bad_text = base.text_error(hashtag, lang)
    if bad_text:
        form.errors["hashtag"] = bad_text
        return _page(request, lang, form, status_code=422)
    try:
        if form.errors:
            validate_hashtag(hashtag)  # report a bad hashtag too
        else:
            action = add_action(service, platform, hashtag)
            return RedirectResponse(f"/admin/actions?created={action.id}", status_code=303)
    except InvalidHashtag as exc:
        form.errors["hashtag"] = hashtag_message(hashtag, exc, lang)
        form.suggestion = exc.suggestion
    except UnknownPlatform:
        form.errors["platform"] = TEXTS("unknown_platform", lang)
    return _page(request, lang, form, status_code=422)


@router.post("/actions/{action_id}/delete", include_in_schema=False)
@base.form_post
def remove_action(request: Request, action_id: IdPath, csrf_token: str = Form("")) -> Response:
    """Delete an action no mission uses; one in use stays, and the page says which missions."""
    lang = base.console_lang(request)
    service = service_of(request)
    first = next(iter(sorted(service.engine.platforms)), "")
    try:
        delete_action(service, action_id)
    except NotFound:
        return _page(request, lang, ActionForm(platform=first), error=TEXTS("gone", lang),
                     status_code=404)
    except Conflict:
        action = next(a for a in list_actions(service) if a.id == action_id)
        uses = action_uses(service).get(action_id, [])
        return _page(request, lang, ActionForm(platform=first), status_code=409,
                     error=TEXTS("in_use_refused", lang, tag=action.hashtag,
                                 missions=_missions_text(uses, lang)))
    return RedirectResponse(f"/admin/actions?deleted={action_id}", status_code=303)
