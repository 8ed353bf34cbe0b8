"""Every error of the API as JSON ``{"code", "message"}`` with the right status.

Service refusals map by type: :class:`~engine.service.errors.NotFound` 404, ``Conflict`` 409,
``CooldownActive`` 429 (with ``Retry-After`` and ``button_available_at``), any other
:class:`~engine.errors.InvalidInput` 400, validation errors 422. Outside ``/api/`` (the console,
the member pages) unknown routes, bad forms and bad parameters answer the same status as a short
readable page (:func:`error_page`), unless the client asks for JSON alone (``Accept:
application/json`` without ``text/html``): it then gets the API's ``{"code", "message"}``.

The console's pages (``/admin/…``) speak the console's language (``?lang=``, else the
remembered choice, else French): an unknown address, a method an address does not take, and a
path or query value that is not valid (``/admin/missions/abc``: « abc » n'est pas un numéro de
mission valide) are explained from ``engine/web/texts/console_errors.toml``, with a link back.
Other pages keep a French and English title and the English message.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from html import escape
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, JSONResponse, Response

from engine.dates import iso_utc
from engine.errors import ConfigurationError, InvalidInput, UnknownBackend, UnknownPlatform
from engine.service.errors import Conflict, CooldownActive, NotFound
from engine.service.thresholds import number_text

from .api.schemas import MAX_ID
from .auth import API_PREFIX
from .errors import Unauthorized, WebError, error_body
from .texts import load_texts

log = logging.getLogger(__name__)
HTTP_CODES = {400: "invalid_input", 404: "not_found", 405: "method_not_allowed",
              401: "unauthorized", 403: "forbidden", 413: "too_large",
              415: "unsupported_media_type"}
# FastAPI's words for a body that json.loads gave up on with another error than a decoding
# one (a document nested thousands deep): answered as the other unreadable bodies are.
UNPARSED_BODY = "There was an error parsing the body"
UNPARSED_MESSAGE = "body: the request body could not be read as JSON; send a JSON document"


def unparsed_message(cause: BaseException | None) -> str:
    """Why FastAPI could not read a JSON body, from the error ``json.loads`` raised (the
    ``__cause__`` of its "There was an error parsing the body"): bytes that are not UTF-8,
    a number longer than Python reads (4,300 digits), a document nested too deeply."""
    if isinstance(cause, UnicodeDecodeError):
        bad = cause.object[cause.start:cause.start + 1]
        return (f"body: the request body is not valid UTF-8 (byte 0x{bad.hex().upper()} at "
                f"offset {cause.start}); send JSON encoded in UTF-8")
    if isinstance(cause, RecursionError):
        return ("body: the request body is nested too deeply to be read (thousands of "
                "arrays or objects inside each other); send a flatter JSON document")
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return ("body: a number in the request body has more than 4300 digits, more than "
                "any field accepts; send numbers within the documented ranges")
    return UNPARSED_MESSAGE


def _json(status: int, code: str, message: str, headers: dict[str, str] | None = None,
          **extra: Any) -> JSONResponse:
    return JSONResponse(error_body(code, message, **extra), status_code=status, headers=headers)


PAGE_TITLES = {404: "Page introuvable · Page not found",
               405: "Méthode non permise · Method not allowed",
               413: "Requête trop volumineuse · Request too large",
               422: "Requête invalide · Invalid request"}
CONSOLE_PREFIX = "/admin"
CONSOLE_LANGUAGES = ("fr", "en")
CONSOLE_TEXTS = load_texts("console_errors")
# Where a console error page links back to, by the first part of the path under /admin.
_BACK = {"missions": ("back_missions", "/admin/missions"),
         "actions": ("back_actions", "/admin/actions")}
# Validation errors of a value that should have been a number (an id).
_NUMBER_ERRORS = frozenset({"int_parsing", "int_type", "value_error", "greater_than_equal",
                            "less_than_equal", "greater_than", "less_than"})


def error_page(status: int, message: str, lang: str | None = None,
               back: tuple[str, str] | None = None) -> str:
    """The HTML of a page error (console, member pages): the status, its title, ``message``
    (escaped) and, with ``back`` (link text, path), a link back.

    With ``lang`` (``"fr"`` or ``"en"``, a console page) the title is in that language and the
    page's ``lang`` attribute names it; without it the title is in French and English."""
    if lang in CONSOLE_LANGUAGES:
        title = _console_text(f"title_{status}" if f"title_{status}" in CONSOLE_TEXTS
                              else "title_other", str(lang))
    else:
        lang, title = "fr", PAGE_TITLES.get(status, "Requête refusée · Request refused")
    link = (f"<p><a href='{escape(back[1])}'>{escape(back[0], quote=False)}</a></p>"
            if back else "")
    return (f"<!doctype html><html lang={lang}><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width, initial-scale=1'>"
            f"<title>{status} · {escape(title, quote=False)}</title>"
            "<link rel=stylesheet href=/static/style.css><main class='card narrow'>"
            f"<h1>{escape(title, quote=False)}</h1>"
            f"<p class=error role=alert>{escape(message, quote=False)}</p>"
            f"{link}</main></html>")


def _page(status: int, message: str, headers: dict[str, str] | None = None, *,
          lang: str | None = None, back: tuple[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(error_page(status, message, lang, back), status_code=status,
                        headers=headers)


def _console_text(key: str, lang: str, **values: object) -> str:
    """The text ``key`` of console_errors.toml in ``lang``."""
    return CONSOLE_TEXTS[key][lang].format(**values)


def _is_console(request: Request) -> bool:
    path = request.url.path
    return path == CONSOLE_PREFIX or path.startswith(CONSOLE_PREFIX + "/")


def page_lang(request: Request) -> str | None:
    """The language of a console page's error (``?lang=``, else the remembered choice, else
    French); None outside the console (its pages choose theirs elsewhere)."""
    if not _is_console(request):
        return None
    # Imported here: the console's modules import this one.
    from engine.web.console.base import console_lang

    return console_lang(request)


def back_link(request: Request, lang: str) -> tuple[str, str]:
    """The link back of a console error page: the section's list, else the console."""
    section = request.url.path.removeprefix(CONSOLE_PREFIX).strip("/").split("/", 1)[0]
    key, path = _BACK.get(section, ("back_console", CONSOLE_PREFIX))
    return _console_text(key, lang), path


def _shown(value: object) -> str:
    """A refused value as a page quotes it: at most 40 characters, control characters as
    U+XXXX (the page escapes the rest)."""
    text = str(value)
    text = text if len(text) <= 40 else text[:40] + "…"
    return "".join(ch if ch.isprintable() else f"U+{ord(ch):04X}" for ch in text)


def _console_validation_message(item: dict[str, Any], lang: str) -> str:
    """Why a console path or query value was refused, in ``lang``, naming the value."""
    loc = [str(part) for part in item.get("loc", ())]
    name = loc[-1] if loc else ""
    kind = str(item.get("type", ""))
    if kind == "missing":
        return _console_text("missing_value", lang, name=name)
    value = _shown(item.get("input", ""))
    what = f"what_{name}"
    if what in CONSOLE_TEXTS and kind in _NUMBER_ERRORS:
        return _console_text("bad_number", lang, value=value, what=_console_text(what, lang),
                             max=number_text(MAX_ID, lang))
    return _console_text("bad_value", lang, value=value, name=name)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def wants_json(request: Request) -> bool:
    """True for the API's paths and for a client that accepts JSON but not HTML (``curl -H
    'Accept: application/json'``, a script); browsers (``text/html``) get pages."""
    if _is_api(request):
        return True
    accept = request.headers.get("accept", "").lower()
    return "json" in accept and "text/html" not in accept


def _http_message(request: Request, error: HTTPException) -> str:
    """The detail of ``error``, or for Starlette's bare "Not Found" of an unknown route, a
    sentence naming the path and where to go instead."""
    detail = str(error.detail)
    if error.status_code != 404 or detail != "Not Found":
        return detail
    path = request.url.path
    if _is_api(request):
        return f"no API route at {path}; the routes are listed at /docs and /openapi.json"
    if not wants_json(request):  # a page outside the console: French and English, as its title
        return (f"Il n'y a pas de page à l'adresse {path} ; la page d'accueil / mène à la "
                "console d'administration (/admin) et à la documentation de l'API. · "
                f"There is no page at {path}; the start page / links the admin console (/admin) "
                "and the API docs.")
    return (f"there is no page at {path}; the start page / links the admin console (/admin) "
            "and the API docs")


def _console_http_message(request: Request, error: HTTPException, lang: str) -> str:
    """The message of a console error page for ``error``, in ``lang``: an unknown address
    (Starlette's bare 404) or a method the address does not take (405) are explained; another
    detail is shown as raised."""
    detail = str(error.detail)
    if error.status_code == 404 and detail == "Not Found":
        return _console_text("no_page", lang, path=request.url.path)
    if error.status_code == 405 and detail == "Method Not Allowed":
        return _console_text("no_method", lang, path=request.url.path, method=request.method)
    return detail


def retry_after(request: Request, error: CooldownActive) -> str:
    seconds = (error.available_at - request.app.state.service.now()).total_seconds()
    return str(max(1, math.ceil(seconds)))


async def on_web_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, WebError)
    headers = ({"WWW-Authenticate": 'Bearer realm="social-missions"'}
               if isinstance(error, Unauthorized) else None)
    return _json(error.status, error.code, error.message, headers, **error.extra)


async def on_invalid_input(request: Request, error: Exception) -> Response:
    if isinstance(error, CooldownActive):
        return _json(429, "cooldown_active", str(error), {"Retry-After": retry_after(request, error)},
                     button_available_at=iso_utc(error.available_at))
    if isinstance(error, NotFound):
        return _json(404, "not_found", str(error))
    if isinstance(error, Conflict):
        return _json(409, error.code, str(error))
    return _json(400, "invalid_input", str(error))


async def on_configuration_error(request: Request, error: Exception) -> Response:
    if isinstance(error, UnknownPlatform | UnknownBackend):
        return _json(400, "unknown_platform", str(error))
    log.error("configuration error: %s", error)
    return _json(500, "configuration_error", str(error))


def _validation_text(item: Mapping[str, Any]) -> str:
    """Pydantic's words for one error, with a text's length counted in characters (a length
    checked after a validator is "items" in pydantic's own words)."""
    kind, given = item.get("type"), item.get("input")
    context = item.get("ctx") or {}
    if kind == "value_error" and context.get("error"):  # our validators' own words
        return str(context["error"])
    if kind in ("too_long", "too_short") and isinstance(given, str):
        if kind == "too_long":
            return (f"the text has {len(given)} characters, more than "
                    f"{context.get('max_length')}")
        fewest = context.get("min_length")
        return ("the text is empty" if not given else
                f"the text has {len(given)} characters, fewer than {fewest}")
    return str(item.get("msg", ""))


async def on_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    details = [{"loc": list(item.get("loc", ())), "msg": _validation_text(item),
                "type": str(item.get("type", ""))} for item in error.errors()]
    first = details[0] if details else {"loc": [], "msg": "invalid request"}
    if first.get("type") == "json_invalid":  # FastAPI's loc is ["body", character offset]
        item = error.errors()[0]
        reason = str((item.get("ctx") or {}).get("error") or "not valid JSON")
        offset = first["loc"][1] if len(first["loc"]) > 1 else "?"
        first = {**first, "loc": ["body"],
                 "msg": (f"the request body is not valid JSON at character {offset} "
                         f"({reason}); send a JSON document")}
    elif first["loc"] == ["body"] and first.get("type") == "missing":
        first = {**first, "msg": "the request body is empty; send a JSON document"}
    where = ".".join(str(part) for part in first["loc"])
    lang = page_lang(request)
    if not wants_json(request) and lang is not None:
        raw = error.errors()
        item = next((dict(one) for one in raw if str(next(iter(one.get("loc", ())), ""))
                     in ("path", "query")), None)
        if item is not None:
            return _page(422, _console_validation_message(item, lang), lang=lang,
                         back=back_link(request, lang))
    if not wants_json(request):
        return _page(422, f"{where}: {first['msg']}" if where else str(first["msg"]))
    return _json(422, "validation_error", f"{where}: {first['msg']}" if where else str(first["msg"]),
                 details=details)


async def on_http_exception(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code in (204, 304) or error.status_code < 400:
        return await http_exception_handler(request, error)
    if error.status_code == 400 and error.detail == UNPARSED_BODY and wants_json(request):
        return _json(422, "validation_error", unparsed_message(error.__cause__))
    message = _http_message(request, error)
    lang = page_lang(request)
    if not wants_json(request) and lang is not None:
        return _page(error.status_code, _console_http_message(request, error, lang),
                     dict(error.headers or {}), lang=lang, back=back_link(request, lang))
    if not wants_json(request):
        return _page(error.status_code, message, dict(error.headers or {}))
    return _json(error.status_code, HTTP_CODES.get(error.status_code, "http_error"),
                 message, dict(error.headers or {}))


async def on_database_error(request: Request, error: Exception) -> Response:
    # The schemas bound every input, so this is a last line of defence: still not a 500.
    if isinstance(error, IntegrityError):
        return _json(409, "conflict", "the request conflicts with stored data")
    return _json(400, "invalid_input", "the database refused a value of the request")


async def on_unexpected(request: Request, error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return _json(500, "internal_error", "unexpected error; see the server log")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(WebError, on_web_error)
    app.add_exception_handler(InvalidInput, on_invalid_input)
    app.add_exception_handler(ConfigurationError, on_configuration_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_exception)
    app.add_exception_handler(DataError, on_database_error)
    app.add_exception_handler(IntegrityError, on_database_error)
    app.add_exception_handler(Exception, on_unexpected)
