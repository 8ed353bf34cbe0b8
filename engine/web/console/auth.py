"""Signing in and out of the console: an admin API token typed in a form (CSRF-protected by a
nonce cookie before the session exists), or a one-time login link; a server-side session
after (:mod:`engine.web.pages.session`), ended on the server by logging out.

No admin token ever travels in a URL. Cookies are ``HttpOnly``, ``SameSite=Strict``, and
``Secure`` over HTTPS or with ``[web] secure_cookies``.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from engine.web.pages.rendering import render, service_of
from engine.web.pages.session import COOKIE, MAX_AGE, log_in, log_out, use_login_link
from engine.web.settings import secure_cookies

from .base import (
    CSRF_FIELD,
    LOGIN_NONCE_COOKIE,
    check_csrf,
    console_lang,
    csrf_refused,
    csrf_token,
    remember_lang,
)

router = APIRouter()


def _with_cookie(request: Request, value: str) -> RedirectResponse:
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(COOKIE, value, max_age=MAX_AGE, httponly=True, samesite="strict",
                        path="/admin", secure=secure_cookies(request))
    response.delete_cookie(LOGIN_NONCE_COOKIE, path="/admin")
    remember_lang(request, response)
    return response


def _login_form(request: Request, *, error: bool = False, link_error: bool = False,
                status_code: int = 200) -> Response:
    nonce = request.cookies.get(LOGIN_NONCE_COOKIE) or secrets.token_urlsafe(24)
    request.cookies[LOGIN_NONCE_COOKIE] = nonce  # the token below is bound to it
    lang = console_lang(request)
    response = render(request, "admin_login.html", {
        "error": error, "link_error": link_error, "lang": lang, "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request)}, status_code=status_code)
    response.set_cookie(LOGIN_NONCE_COOKIE, nonce, max_age=MAX_AGE, httponly=True,
                        samesite="strict", path="/admin", secure=secure_cookies(request))
    remember_lang(request, response)
    return response


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request) -> Response:
    """The login form (an admin token is never accepted in the URL)."""
    return _login_form(request)


@router.get("/login/once/{secret}", include_in_schema=False)
def login_once(request: Request, secret: str) -> Response:
    """A one-time login link (the demo prints one): the first visit opens a session; a used,
    expired or unknown link shows the login form with a 401."""
    value = use_login_link(service_of(request), secret)
    if value is None:
        return _login_form(request, link_error=True, status_code=401)
    return _with_cookie(request, value)


@router.post("/login", include_in_schema=False)
def login_post(request: Request, token: str = Form(""),
               csrf_token: str = Form("")) -> Response:
    if not check_csrf(request, csrf_token):
        return csrf_refused(request)
    value = log_in(service_of(request), token)
    if value is None:
        return _login_form(request, error=True, status_code=401)
    return _with_cookie(request, value)


@router.post("/logout", include_in_schema=False)
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    """End the session on the server (a copy of the cookie is refused afterwards)."""
    if not check_csrf(request, csrf_token):
        return csrf_refused(request)
    log_out(service_of(request), request.cookies.get(COOKIE))
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(COOKIE, path="/admin", secure=secure_cookies(request),
                           httponly=True, samesite="strict")
    return response
