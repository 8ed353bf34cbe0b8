"""Every error of the API as JSON ``{"code", "message"}`` with the right status.

Service refusals map by type: :class:`~engine.service.errors.NotFound` 404, ``Conflict`` 409,
``CooldownActive`` 429 (with ``Retry-After`` and ``button_available_at``), any other
:class:`~engine.errors.InvalidInput` 400, validation errors 422. Outside ``/api/`` (the console,
the member pages) unknown routes, bad forms and bad parameters answer the same status as a short
readable page (:func:`error_page`), unless the client asks for JSON alone (``Accept:
application/json`` without ``text/html``): it then gets the API's ``{"code", "message"}``.
"""

from __future__ import annotations

import logging
import math
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

from .auth import API_PREFIX
from .errors import Unauthorized, WebError, error_body

log = logging.getLogger(__name__)
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized",
              403: "forbidden", 413: "too_large", 415: "unsupported_media_type"}


def _json(status: int, code: str, message: str, headers: dict[str, str] | None = None,
          **extra: Any) -> JSONResponse:
    return JSONResponse(error_body(code, message, **extra), status_code=status, headers=headers)


PAGE_TITLES = {404: "Page introuvable · Page not found",
               405: "Méthode non permise · Method not allowed",
               413: "Requête trop volumineuse · Request too large",
               422: "Requête invalide · Invalid request"}


def error_page(status: int, message: str) -> str:
    """The HTML of a page error (console, member pages): the status, its title in French and
    English, and ``message`` (escaped)."""
    title = PAGE_TITLES.get(status, "Requête refusée · Request refused")
    return ("<!doctype html><html lang=fr><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width, initial-scale=1'>"
            f"<title>{status} · {escape(title, quote=False)}</title>"
            "<link rel=stylesheet href=/static/style.css><main class='card narrow'>"
            f"<h1>{escape(title, quote=False)}</h1>"
            f"<p class=error role=alert>{escape(message, quote=False)}</p>"
            "</main></html>")


def _page(status: int, message: str, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(error_page(status, message), status_code=status, headers=headers)


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
    return (f"there is no page at {path}; the start page / links the admin console (/admin) "
            "and the API docs")


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


async def on_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    details = [{"loc": list(item.get("loc", ())), "msg": str(item.get("msg", "")),
                "type": str(item.get("type", ""))} for item in error.errors()]
    first = details[0] if details else {"loc": [], "msg": "invalid request"}
    where = ".".join(str(part) for part in first["loc"])
    if not wants_json(request):
        return _page(422, f"{where}: {first['msg']}" if where else str(first["msg"]))
    return _json(422, "validation_error", f"{where}: {first['msg']}" if where else str(first["msg"]),
                 details=details)


async def on_http_exception(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code in (204, 304) or error.status_code < 400:
        return await http_exception_handler(request, error)
    message = _http_message(request, error)
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
