"""What every console page shares: the signed-in admin, the remembered language, CSRF tokens,
the community's time zone, and rendering with the console's layout.

CSRF: every form of the console carries ``csrf_token``, an itsdangerous signature (salted,
timed, HMAC-SHA256 with the signing key) of a digest of the admin's session cookie. A POST is accepted only
with the token of the session that sends it (:func:`check_csrf`), so a page of another site
cannot post with the admin's cookie (which is also ``SameSite=Strict``). Tokens last as long
as the session (12 hours).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from engine.service.alerts import degraded_backends
from engine.service.context import Service
from engine.service.human_dates import plural_category
from engine.web.api.schemas import text_problem
from engine.web.pages.rendering import TEMPLATES, service_of
from engine.web.pages.session import COOKIE, MAX_AGE, current_admin
from engine.web.settings import secure_cookies
from engine.web.signing import timed_serializer
from engine.web.texts import load_texts
from engine.web.tokens import ApiToken

PRODUCT = "Social Missions"
LANG_COOKIE = "sm_console_lang"
LANGUAGES = ("fr", "en")
DEFAULT_LANG = "fr"
CSRF_FIELD = "csrf_token"
_CSRF_SALT = "social-missions console csrf"


class Catalogue:
    """One console area's words: ``{key: {"fr": …, "en": …}}``, filled with ``str.format``;
    each area's are kept in ``engine/web/texts/console_<area>.toml`` (:meth:`load`)."""

    def __init__(self, texts: Mapping[str, Mapping[str, str]]) -> None:
        self.texts = texts

    def __call__(self, key: str, lang: str, **values: object) -> str:
        """The text ``key`` in ``lang`` (French when unknown); raises ``KeyError`` for an
        unknown key (a bug)."""
        text = self.texts[key]
        return text.get(lang, text[DEFAULT_LANG]).format(**values)

    def count(self, key: str, lang: str, count: int, **values: object) -> str:
        """The counted text ``key`` for ``count`` in ``lang``: the entry ``<key>_one`` or
        ``<key>_other``, by the CLDR plural category Babel gives for ``count`` in that
        language (French counts 0 and 1 as one); ``_other`` when the category has no entry.
        ``{n}`` is ``count`` unless ``values`` gives it (the number written the locale's way).
        Raises ``KeyError`` when ``<key>_other`` is missing (a bug)."""
        category = plural_category(lang if lang in LANGUAGES else DEFAULT_LANG, count)
        chosen = f"{key}_{category}" if f"{key}_{category}" in self.texts else f"{key}_other"
        return self(chosen, lang, **{"n": count, **values})

    @classmethod
    def load(cls, name: str) -> Catalogue:
        """The catalogue of ``engine/web/texts/<name>.toml`` (:func:`engine.web.texts.load_texts`:
        ``ValueError`` for an entry missing a language)."""
        return cls(load_texts(name))


SHARED = Catalogue.load("console_shared")


def console_lang(request: Request) -> str:
    """``?lang=`` when given, else the remembered choice (cookie), else French."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(LANG_COOKIE)
    return remembered if remembered in LANGUAGES else DEFAULT_LANG


def remember_lang(request: Request, response: Response) -> Response:
    """Store ``?lang=`` in a cookie (a year) so the console stays in that language."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        response.set_cookie(LANG_COOKIE, asked, max_age=365 * 86400, httponly=True,
                            samesite="lax", path="/admin", secure=secure_cookies(request))
    return response


def signed_in_admin(request: Request) -> ApiToken | None:
    """The admin token behind the session cookie, or None (not signed in, or revoked)."""
    return current_admin(service_of(request), request.cookies.get(COOKIE))


def to_login(request: Request) -> RedirectResponse:
    """To the login page (303): no admin is signed in."""
    return RedirectResponse("/admin/login", status_code=303)


def done_redirect(request: Request, path: str, done: str) -> RedirectResponse:
    """After a form post, to ``path`` with ``?done=`` saying what was done (303), and the
    post's ``?lang=`` when it had one, so the page confirms it in the admin's language."""
    params = {"done": done}
    if request.query_params.get("lang") in LANGUAGES:
        params["lang"] = request.query_params["lang"]
    return RedirectResponse(f"{path}?{urlencode(params)}", status_code=303)


def _csrf_signer(service: Service) -> URLSafeTimedSerializer:
    return timed_serializer(service, _CSRF_SALT)


LOGIN_NONCE_COOKIE = "sm_login_nonce"


def _session_digest(request: Request) -> str:
    """What a CSRF token is bound to: the admin session cookie, or before the login the
    random nonce cookie the login page set."""
    cookie = request.cookies.get(COOKIE) or request.cookies.get(LOGIN_NONCE_COOKIE, "")
    return hashlib.sha256(cookie.encode()).hexdigest()[:32]


def csrf_token(request: Request) -> str:
    """The CSRF token of the admin's current session (put in every form)."""
    return _csrf_signer(service_of(request)).dumps(_session_digest(request))


def check_csrf(request: Request, token: str | None) -> bool:
    """True when ``token`` belongs to the session sending the request and is fresh."""
    if not token or not (request.cookies.get(COOKIE) or request.cookies.get(LOGIN_NONCE_COOKIE)):
        return False
    try:
        value = _csrf_signer(service_of(request)).loads(token, max_age=MAX_AGE)
    except (BadSignature, UnicodeError):
        return False
    return bool(value == _session_digest(request))


def refuse_form_post(request: Request, token: str | None) -> Response | None:
    """The answer to a console form post that must not go through, or None when it may:
    403 without its session's CSRF token (checked first, so nothing is read or changed), the
    login page when the session ended (a revoked token)."""
    if not check_csrf(request, token):
        return csrf_refused(request)
    if signed_in_admin(request) is None:
        return to_login(request)
    return None


Route = TypeVar("Route", bound=Callable[..., Any])


def _guarded(route: Route, refusal: Callable[[Request, dict[str, Any]], Response | None]) -> Route:
    """``route`` (synchronous or a coroutine function) run only when ``refusal`` (given the
    request and the route's values) answers None; FastAPI reads the route's own signature
    (``functools.wraps``) and passes every value by name."""
    if inspect.iscoroutinefunction(route):

        @functools.wraps(route)
        async def guarded_async(**values: Any) -> Response:
            answer = refusal(values["request"], values)
            return answer if answer is not None else await route(**values)

        return cast(Route, guarded_async)

    @functools.wraps(route)
    def guarded(**values: Any) -> Response:
        answer = refusal(values["request"], values)
        return answer if answer is not None else route(**values)

    return cast(Route, guarded)


def admin_page(route: Route) -> Route:
    """Decorates a console page (a GET route with ``request: Request``): without a signed-in
    admin it answers the login page instead (303)."""
    return _guarded(route, lambda request, _: None if signed_in_admin(request) is not None
                    else to_login(request))


def form_post(route: Route) -> Route:
    """Decorates a console form post (a route with ``request: Request`` and ``csrf_token: str =
    Form("")``): it runs only when :func:`refuse_form_post` lets it (403
    without the session's CSRF token, the login page once the session ended)."""
    return _guarded(route, lambda request, values: refuse_form_post(request,
                                                                    values.get("csrf_token")))


def text_error(value: str, lang: str) -> str | None:
    """Why ``value``, a console form's text field, is refused, in ``lang``; None when it is
    acceptable.

    The API's text rule (:func:`engine.web.api.schemas.text_problem`: no control character
    but tab and line breaks, no lone surrogate), plus U+FFFD: a form's invalid UTF-8 or
    percent-encoding (``%FF``, ``%ED%A0%80``) is decoded to it, never typed."""
    problem = text_problem(value)
    if problem is not None:
        kind, code = problem
        return SHARED("bad_control" if kind == "control" else "bad_encoding", lang,
                      code=f"{code:04X}")
    if "\ufffd" in value:
        return SHARED("bad_encoding", lang, code="FFFD")
    return None


def community_zone(service: Service) -> ZoneInfo:
    """The community's time zone (``[service] timezone``, an IANA name; UTC by default)."""
    return ZoneInfo(service.settings.timezone)


def render_console(request: Request, name: str, context: dict[str, Any], *, lang: str,
                   section: str, status_code: int = 200) -> HTMLResponse:
    """Render a console template with the layout's context (nav, language, CSRF, zone)."""
    service = service_of(request)
    full = {"lang": lang, "section": section, "product": PRODUCT, "shared": SHARED,
            "csrf_field": CSRF_FIELD, "csrf_token": csrf_token(request),
            "zone": service.settings.timezone, "degraded": _degraded(service),
            "switch_url": _switch_url(request, "en" if lang == "fr" else "fr"), **context}
    response = TEMPLATES.TemplateResponse(request, name, full, status_code=status_code)
    remember_lang(request, response)
    return response


def csrf_refused(request: Request) -> HTMLResponse:
    """The 403 page of a form post without its session's CSRF token (nothing changed)."""
    lang = console_lang(request)
    return HTMLResponse(
        "<!doctype html><meta charset=utf-8><title>403</title>"
        f"<link rel=stylesheet href=/static/style.css><main class='card narrow'>"
        f"<p class=error role=alert>{SHARED('csrf_refused', lang)}</p>"
        "<p><a href='/admin'>/admin</a></p></main>", status_code=403)


def _switch_url(request: Request, lang: str) -> str:
    params = dict(request.query_params)
    params["lang"] = lang
    return f"{request.url.path}?{urlencode(params)}"


def _degraded(service: Service) -> list[dict[str, object]]:
    """The degraded backends for the console's banner (:mod:`engine.service.alerts`), with
    their start in the community's time zone."""
    zone = community_zone(service)
    return [{"platform": alert.platform, "backend": alert.backend,
             "share": round(alert.share * 100), "attempts": alert.attempts,
             "since": alert.since.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
             "detail": alert.detail or "-", "check": alert.check_id or "-"}
            for alert in degraded_backends(service)]
