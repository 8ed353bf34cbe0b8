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

from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from engine.errors import InvalidInput
from engine.service.errors import Conflict, NotFound
from engine.service.human_dates import human_instant
from engine.service.stored_settings import update_webhook
from engine.service.webhook_targets import WebhookTargetRefused, redact_url
from engine.service.webhooks import delivery_page, resend
from engine.web.pages.rendering import service_of
from engine.web.tokens import SCOPES, create_token, list_tokens, revoke_token

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

LABEL_MAX = 200
URL_MAX = 2000
DELIVERIES_PAGE = 20
DELIVERY_STATES = ("pending", "delivered", "failed")
MAX_ID = 2**31 - 1
MAX_PAGE = 100_000

TEXTS = Catalogue({
    "title": {"fr": "Réglages", "en": "Settings"},
    # Tokens
    "tokens": {"fr": "Jetons d'API", "en": "API tokens"},
    "tokens_intro": {
        "fr": "Un jeton « admin » ouvre toutes les routes de l'API et cette console ; un jeton "
              "« intégrateur » sert à votre plateforme (membres, demandes, liens, diagnostic).",
        "en": "An \"admin\" token opens every API route and this console; an \"integrator\" "
              "token is for your platform (members, claims, links, diagnosis)."},
    "new_token": {"fr": "Nouveau jeton", "en": "New token"},
    "scope": {"fr": "Portée", "en": "Scope"},
    "label": {"fr": "Libellé", "en": "Label"},
    "label_hint": {"fr": "Pour le reconnaître plus tard (200 caractères au plus).",
                   "en": "To recognise it later (at most 200 characters)."},
    "create_token": {"fr": "Créer le jeton", "en": "Create the token"},
    "scope_admin": {"fr": "admin", "en": "admin"},
    "scope_integrator": {"fr": "intégrateur", "en": "integrator"},
    "token_created": {"fr": "Jeton n° {id} créé ({scope}).", "en": "Token no. {id} created "
                                                                   "({scope})."},
    "token_once": {"fr": "Copiez-le maintenant : il ne sera plus jamais affiché.",
                   "en": "Copy it now: it will never be shown again."},
    "token_value": {"fr": "Jeton", "en": "Token"},
    "col_id": {"fr": "N°", "en": "No."},
    "col_scope": {"fr": "Portée", "en": "Scope"},
    "col_label": {"fr": "Libellé", "en": "Label"},
    "col_created": {"fr": "Créé le", "en": "Created"},
    "col_state": {"fr": "État", "en": "State"},
    "active": {"fr": "Actif", "en": "Active"},
    "revoked_on": {"fr": "Révoqué le {at}", "en": "Revoked {at}"},
    "this_session": {"fr": "(cette session)", "en": "(this session)"},
    "revoke": {"fr": "Révoquer", "en": "Revoke"},
    "revoke_label": {"fr": "Révoquer le jeton n° {id}", "en": "Revoke token no. {id}"},
    "revoke_own": {"fr": "Révoquer ce jeton termine votre session.",
                   "en": "Revoking this token ends your session."},
    "token_revoked": {"fr": "Jeton n° {id} révoqué.", "en": "Token no. {id} revoked."},
    "no_tokens": {"fr": "Aucun jeton.", "en": "No tokens."},
    "bad_scope": {"fr": "Choisissez une des portées proposées.",
                  "en": "Choose one of the scopes offered."},
    "bad_label": {"fr": "Le libellé fait au plus 200 caractères, sans caractères de contrôle.",
                  "en": "The label is at most 200 characters long, without control "
                        "characters."},
    "unknown_token": {"fr": "Ce jeton n'existe pas.", "en": "This token does not exist."},
    # Webhook
    "webhook": {"fr": "Webhook", "en": "Webhook"},
    "webhook_intro": {
        "fr": "Chaque attribution ou reprise de points est envoyée à cette adresse, signée "
              "(en-tête X-Social-Missions-Signature, HMAC-SHA256 du corps avec le secret).",
        "en": "Every award or reversal of points is sent to this address, signed "
              "(X-Social-Missions-Signature header, HMAC-SHA256 of the body with the secret)."},
    "webhook_url": {"fr": "Adresse du webhook", "en": "Webhook URL"},
    "webhook_url_hint": {"fr": "http:// ou https:// ; laissez vide pour ne plus rien envoyer.",
                         "en": "http:// or https://; leave empty to send nothing."},
    "save_url": {"fr": "Enregistrer l'adresse", "en": "Save the URL"},
    "no_webhook": {"fr": "Aucun webhook : les événements ne sont envoyés nulle part.",
                   "en": "No webhook: events are sent nowhere."},
    "secret_set": {"fr": "Un secret de signature est en place (il n'est jamais réaffiché).",
                   "en": "A signing secret is set (it is never shown again)."},
    "secret_unset": {"fr": "Aucun secret de signature.", "en": "No signing secret."},
    "rotate": {"fr": "Remplacer le secret", "en": "Rotate the secret"},
    "rotate_hint": {"fr": "L'ancien secret cesse aussitôt de signer ; mettez le nouveau à jour "
                          "chez votre intégration.",
                    "en": "The old secret stops signing at once; update your integration "
                          "with the new one."},
    "secret_once": {"fr": "Nouveau secret de signature : copiez-le maintenant, il ne sera plus "
                          "jamais affiché.",
                    "en": "New signing secret: copy it now, it will never be shown again."},
    "secret_value": {"fr": "Secret", "en": "Secret"},
    "url_saved": {"fr": "Adresse du webhook enregistrée.", "en": "Webhook URL saved."},
    "url_cleared": {"fr": "Webhook retiré : plus aucun événement n'est envoyé.",
                    "en": "Webhook removed: no more events are sent."},
    "refused_url": {"fr": "Adresse refusée : {reason}", "en": "URL refused: {reason}"},
    "bad_url": {"fr": "L'adresse doit commencer par http:// ou https://, nommer un serveur, "
                      "faire au plus 2000 caractères et ne contenir ni espace ni caractère de "
                      "contrôle.",
                "en": "The URL must start with http:// or https://, name a server, be at most "
                      "2000 characters long and contain no spaces or control characters."},
    "deliveries": {"fr": "Envois", "en": "Deliveries"},
    "filter_state": {"fr": "Afficher", "en": "Show"},
    "all_states": {"fr": "Tous", "en": "All"},
    "filter": {"fr": "Filtrer", "en": "Filter"},
    "no_deliveries": {"fr": "Aucun envoi.", "en": "No deliveries."},
    "delivery_head": {"fr": "Envoi n° {id} · {event} · {member} · {points} point(s)",
                      "en": "Delivery no. {id} · {event} · {member} · {points} point(s)"},
    "created": {"fr": "Créé le {at}", "en": "Created {at}"},
    "delivered_at": {"fr": "Reçu le {at}", "en": "Delivered {at}"},
    "next_at": {"fr": "Prochain essai le {at}", "en": "Next try {at}"},
    "to": {"fr": "Vers {url}", "en": "To {url}"},
    "attempts": {"fr": "Essais", "en": "Attempts"},
    "no_attempt": {"fr": "Pas encore essayé.", "en": "Not tried yet."},
    "attempt_ok": {"fr": "{at} · HTTP {code}", "en": "{at} · HTTP {code}"},
    "attempt_error": {"fr": "{at} · {error}", "en": "{at} · {error}"},
    "resend": {"fr": "Renvoyer", "en": "Send again"},
    "resend_label": {"fr": "Renvoyer l'envoi n° {id}", "en": "Send delivery no. {id} again"},
    "resent": {"fr": "Envoi n° {id} relancé : il part vers l'adresse actuelle du webhook.",
               "en": "Delivery no. {id} sent again: it goes to the webhook's current URL."},
    "not_failed": {"fr": "Seul un envoi en échec peut être renvoyé.",
                   "en": "Only a failed delivery can be sent again."},
    "no_url_resend": {"fr": "Aucune adresse de webhook : enregistrez-en une avant de renvoyer.",
                      "en": "No webhook URL: save one before sending again."},
    "unknown_delivery": {"fr": "Cet envoi n'existe pas.", "en": "This delivery does not exist."},
    "pending": {"fr": "En attente", "en": "Pending"},
    "delivered": {"fr": "Reçu", "en": "Delivered"},
    "failed": {"fr": "Échec", "en": "Failed"},
    "older": {"fr": "Plus anciens →", "en": "Older →"},
    "newer": {"fr": "← Plus récents", "en": "← Newer"},
})


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
    return text_error(text, "en") is not None


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
    lang = console_lang(request)
    service = service_of(request)
    zone = community_zone(service)
    admin = signed_in_admin(request)
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
    response = render_console(request, "console_settings.html", {
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
    params = {"done": value}
    if request.query_params.get("lang") in ("fr", "en"):
        params["lang"] = request.query_params["lang"]
    return RedirectResponse(f"/admin/settings?{urlencode(params)}", status_code=303)


@router.get("/settings", response_class=HTMLResponse, include_in_schema=False)
def settings_page(request: Request) -> Response:
    """Tokens (create, list, revoke) and the webhook (URL, secret, deliveries)."""
    if signed_in_admin(request) is None:
        return to_login(request)
    return _view(request)


@router.post("/settings/tokens", include_in_schema=False)
def new_token(request: Request, csrf_token: str = Form(""), scope: str = Form(""),
              label: str = Form("")) -> Response:
    """Create a token: its raw value is on this answer only."""
    refused = refuse_form_post(request, csrf_token)
    if refused is not None:
        return refused
    lang = console_lang(request)
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
def revoke(request: Request, token_id: str, csrf_token: str = Form("")) -> Response:
    """Revoke a token (the current session's too: it ends at the next request)."""
    refused = refuse_form_post(request, csrf_token)
    if refused is not None:
        return refused
    lang = console_lang(request)
    number = _id(token_id)
    try:
        if number is None:
            raise NotFound(token_id)
        revoke_token(service_of(request), number)
    except NotFound:
        return _view(request, status_code=404, error=TEXTS("unknown_token", lang))
    return _done(request, f"revoked:{number}")


@router.post("/settings/webhook", include_in_schema=False)
def set_webhook(request: Request, csrf_token: str = Form(""), url: str = Form("")) -> Response:
    """Set the webhook URL (empty: none). A first secret, created then, is shown once."""
    refused = refuse_form_post(request, csrf_token)
    if refused is not None:
        return refused
    lang = console_lang(request)
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
            "url": url[:URL_MAX], "error": TEXTS("refused_url", lang, reason=refused)})
    except InvalidInput:
        return _view(request, status_code=400, url_form={
            "url": url[:URL_MAX], "error": TEXTS("bad_url", lang)})
    if secret:
        return _view(request, secret=secret, notice=TEXTS("url_saved", lang))
    return _done(request, "url_saved" if text else "url_cleared")


@router.post("/settings/webhook/secret", include_in_schema=False)
def rotate_secret(request: Request, csrf_token: str = Form("")) -> Response:
    """Replace the signing secret; the new one is on this answer only."""
    refused = refuse_form_post(request, csrf_token)
    if refused is not None:
        return refused
    secret = update_webhook(service_of(request), rotate_secret=True)
    return _view(request, secret=secret)


@router.post("/settings/deliveries/{delivery_id}/resend", include_in_schema=False)
def resend_delivery(request: Request, delivery_id: str, csrf_token: str = Form("")) -> Response:
    """Send a failed delivery again (a new round of tries to the current URL)."""
    refused = refuse_form_post(request, csrf_token)
    if refused is not None:
        return refused
    lang = console_lang(request)
    number = _id(delivery_id)
    try:
        if number is None:
            raise NotFound(delivery_id)
        resend(service_of(request), number)
    except NotFound:
        return _view(request, status_code=404, error=TEXTS("unknown_delivery", lang))
    except Conflict as refused:
        key = "no_url_resend" if "no webhook URL" in str(refused) else "not_failed"
        return _view(request, status_code=409, error=TEXTS(key, lang))
    return _done(request, f"resent:{number}")
