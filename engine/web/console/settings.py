"""The console's settings (``/admin/settings``, issue 11 item 5): API tokens and the webhook.

Tokens: create one with a scope and a label (the raw token is on the answer page only, never
again: the database keeps its hash), list them (scope, label, created, revoked) and revoke one.
Revoking the token of the current session ends it at the next request (the session is
re-checked on every request).

Webhook: set or clear its URL, rotate the signing secret (shown once), and the deliveries with
their attempts, newest first, one page at a time; a failed one can be sent again.

Every form carries the session's CSRF token and works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from engine.errors import InvalidInput
from engine.service.context import Service
from engine.service.errors import Conflict, NotFound
from engine.service.human_dates import human_instant
from engine.service.stored_settings import update_webhook
from engine.service.webhook_targets import WebhookTargetRefused, redact_url
from engine.service.webhooks import delivery_page, resend
from engine.web.pages.rendering import service_of
from engine.web.tokens import SCOPES, create_token, list_tokens, revoke_token

from . import base

router = APIRouter()

LABEL_MAX = 200
URL_MAX = 2000
DELIVERIES_PAGE = 20
DELIVERY_STATES = ("pending", "delivered", "failed")
MAX_ID = 2**31 - 1
MAX_PAGE = 100_000

TEXTS = base.Catalogue.load("console_settings")


def _page_number(request: Request) -> int:
    text = request.query_params.get("page", "1")
    if not (text.isascii() and text.isdigit()) or len(text) > 9:  # no "²", "٣" nor 10**5000
        return 1
    return min(int(text), MAX_PAGE) if int(text) >= 1 else 1


def _id(text: str) -> int | None:
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    return int(text) if 1 <= int(text) <= MAX_ID else None


def _has_control(text: str) -> bool:
    """Whether ``text`` breaks the console's text rule (:func:`.base.text_error`: control
    characters, lone surrogates, invalid encoding)."""
    return base.text_error(text, "en") is not None


def valid_webhook_url(text: str) -> bool:
    """An http(s) URL naming a host, at most 2000 characters, no spaces or control chars."""
    if len(text) > URL_MAX or _has_control(text) or " " in text:
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _view(request: Request, *, status_code: int = 200, notice: str | None = None,
          error: str | None = None, created: dict[str, Any] | None = None,
          secret: str | None = None, token_form: dict[str, Any] | None = None,
          url_form: dict[str, Any] | None = None) -> Response:
    lang = base.console_lang(request)
    service = service_of(request)
    zone = base.community_zone(service)
    admin = base.signed_in_admin(request)
    state = request.query_params.get("state", "")
    state = state if state in DELIVERY_STATES else ""
    page = _page_number(request)
    deliveries, more = delivery_page(service, offset=(page - 1) * DELIVERIES_PAGE,
                                     limit=DELIVERIES_PAGE, state=state or None)

    def when(moment: Any) -> str:
        return human_instant(moment, lang, zone) if moment is not None else "–"

    def page_url(number: int) -> str:
        params = {"page": str(number), **({"state": state} if state else {})}
        return f"/admin/settings?{urlencode(params)}#deliveries"

    done = request.query_params.get("done", "")
    if notice is None and done:
        kind, _, value = done.partition(":")
        if kind == "revoked" and value.isascii() and value.isdigit():
            notice = TEXTS("token_revoked", lang, id=value)
        elif kind == "resent" and value.isascii() and value.isdigit():
            notice = TEXTS("resent", lang, id=value)
        elif kind == "url_saved":
            notice = TEXTS("url_saved", lang)
        elif kind == "url_cleared":
            notice = TEXTS("url_cleared", lang)
    settings = service.settings
    response = base.render_console(request, "console_settings.html", {
        "t": TEXTS, "tokens": list(reversed(list_tokens(service))), "scopes": SCOPES,
        "current_token": admin.id if admin else None, "when": when,
        "webhook_url": redact_url(settings.webhook_url) or "", "secret_set": bool(settings.webhook_secret),
        "max_attempts": settings.webhook_max_attempts, "deliveries": deliveries,
        "states": DELIVERY_STATES, "state": state,
        "newer_url": page_url(page - 1) if page > 1 else None,
        "older_url": page_url(page + 1) if more else None,
        "notice": notice, "error": error, "created": created, "secret": secret,
        "token_form": token_form or {"scope": "integrator", "label": "", "errors": {}},
        "url_form": url_form or {"url": redact_url(settings.webhook_url) or "", "error": None},
    }, lang=lang, section="settings", status_code=status_code)
    if created or secret:
        response.headers["Cache-Control"] = "no-store"
    return response


def _done(request: Request, value: str) -> RedirectResponse:
    """Back to the settings page with what was done (and ``?lang=`` when the post had one)."""
    return base.done_redirect(request, "/admin/settings", value)


def _numbered_post(request: Request, text_id: str,
                   act: Callable[[Service, int], object], *, unknown: str,
                   done: str) -> Response:
    """A post acting on one numbered thing (a token, a delivery): ``act(service, number)``,
    then back to the page with ``done:number``. An id that is not a number or names nothing
    (``NotFound``) gets the page with the ``unknown`` text (404); a ``Conflict`` (a delivery
    that cannot be sent again) the reason (409)."""
    lang = base.console_lang(request)
    number = _id(text_id)
    try:
        if number is None:
            raise NotFound(text_id)
        act(service_of(request), number)
    except NotFound:
        return _view(request, status_code=404, error=TEXTS(unknown, lang))
    except Conflict as conflict:
        key = "no_url_resend" if "no webhook URL" in str(conflict) else "not_failed"
        return _view(request, status_code=409, error=TEXTS(key, lang))
    return _done(request, f"{done}:{number}")


@router.get("/settings", response_class=HTMLResponse, include_in_schema=False)
@base.admin_page
def settings_page(request: Request) -> Response:
    """Tokens (create, list, revoke) and the webhook (URL, secret, deliveries)."""
    return _view(request)


def refusal_text(refused: WebhookTargetRefused, lang: str) -> str:
    """Why the webhook URL was refused, in ``lang``: the console's words for a known fault
    (:attr:`WebhookTargetRefused.fault`), else the engine's English message."""
    if refused.fault == "non_public":
        kind = TEXTS(f"kind_{refused.kind.replace('-', '_')}", lang) \
            if f"kind_{refused.kind.replace('-', '_')}" in TEXTS.texts else refused.kind
        return TEXTS("refused_non_public", lang, host=refused.host, kind=kind)
    if refused.fault in ("unresolved", "bad_name"):
        return TEXTS(f"refused_{refused.fault}", lang, host=refused.host)
    return TEXTS("refused_url", lang, reason=refused)


@router.post("/settings/tokens", include_in_schema=False)
@base.form_post
def new_token(request: Request, csrf_token: str = Form(""), scope: str = Form(""),
              label: str = Form("")) -> Response:
    """Create a token: its raw value is on this answer only."""
    lang = base.console_lang(request)
    errors: dict[str, str] = {}
    if scope not in SCOPES:
        errors["scope"] = TEXTS("bad_scope", lang)
    text = label.strip()
    if len(text) > LABEL_MAX or _has_control(text):
        errors["label"] = TEXTS("bad_label", lang)
    if errors:
        return _view(request, status_code=400, token_form={
            "scope": scope if scope in SCOPES else "integrator", "label": label[:LABEL_MAX],
            "errors": errors})
    token, raw = create_token(service_of(request), scope, text)
    return _view(request, created={"id": token.id, "scope": token.scope, "raw": raw},
                 notice=TEXTS("token_created", lang, id=token.id,
                              scope=TEXTS(f"scope_{token.scope}", lang)))


@router.post("/settings/tokens/{token_id}/revoke", include_in_schema=False)
@base.form_post
def revoke(request: Request, token_id: str, csrf_token: str = Form("")) -> Response:
    """Revoke a token (the current session's too: it ends at the next request)."""
    return _numbered_post(request, token_id, revoke_token, unknown="unknown_token",
                          done="revoked")


@router.post("/settings/webhook", include_in_schema=False)
@base.form_post
def set_webhook(request: Request, csrf_token: str = Form(""), url: str = Form("")) -> Response:
    """Set the webhook URL (empty: none). A first secret, created then, is shown once."""
    lang = base.console_lang(request)
    service = service_of(request)
    text = url.strip()
    current = service.settings.webhook_url
    if text and current and text == redact_url(current) and text != current:
        text = current  # the form shows the URL with its credentials hidden: kept as they are
    if text and not valid_webhook_url(text):
        return _view(request, status_code=400, url_form={
            "url": url[:URL_MAX], "error": TEXTS("bad_url", lang)})
    try:
        secret = update_webhook(service, url=text or None)
    except WebhookTargetRefused as refused:
        return _view(request, status_code=400, url_form={
            "url": url[:URL_MAX], "error": refusal_text(refused, lang)})
    except InvalidInput:
        return _view(request, status_code=400, url_form={
            "url": url[:URL_MAX], "error": TEXTS("bad_url", lang)})
    if secret:
        return _view(request, secret=secret, notice=TEXTS("url_saved", lang))
    return _done(request, "url_saved" if text else "url_cleared")


@router.post("/settings/webhook/secret", include_in_schema=False)
@base.form_post
def rotate_secret(request: Request, csrf_token: str = Form("")) -> Response:
    """Replace the signing secret; the new one is on this answer only."""
    secret = update_webhook(service_of(request), rotate_secret=True)
    return _view(request, secret=secret)


@router.post("/settings/deliveries/{delivery_id}/resend", include_in_schema=False)
@base.form_post
def resend_delivery(request: Request, delivery_id: str, csrf_token: str = Form("")) -> Response:
    """Send a failed delivery again (a new round of tries to the current URL)."""
    return _numbered_post(request, delivery_id, resend, unknown="unknown_delivery",
                          done="resent")
