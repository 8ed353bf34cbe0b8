"""Signing in and out of the console: an admin API token typed in a form (CSRF-protected by a
nonce cookie before the session exists), a signed session cookie after."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from engine.web.pages.rendering import render, service_of
from engine.web.pages.session import COOKIE, MAX_AGE, log_in

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


def _with_cookie(value: str) -> RedirectResponse:
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(COOKIE, value, max_age=MAX_AGE, httponly=True, samesite="strict",
                        path="/admin")
    response.delete_cookie(LOGIN_NONCE_COOKIE, path="/admin")
    return response


def _login_form(request: Request, *, error: bool, status_code: int = 200) -> Response:
    nonce = request.cookies.get(LOGIN_NONCE_COOKIE) or secrets.token_urlsafe(24)
    request.cookies[LOGIN_NONCE_COOKIE] = nonce  # the token below is bound to it
    lang = console_lang(request)
    response = render(request, "admin_login.html", {
        "error": error, "lang": lang, "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request)}, status_code=status_code)
    response.set_cookie(LOGIN_NONCE_COOKIE, nonce, max_age=MAX_AGE, httponly=True,
                        samesite="strict", path="/admin")
    remember_lang(request, response)
    return response


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, token: str | None = None) -> Response:
    """The login form; ``?token=`` (the demo's printed link) logs in directly."""
    if token:
        value = log_in(service_of(request), token)
        if value is not None:
            return _with_cookie(value)
        return _login_form(request, error=True, status_code=401)
    return _login_form(request, error=False)


@router.post("/login", include_in_schema=False)
def login_post(request: Request, token: str = Form(""),
               csrf_token: str = Form("")) -> Response:
    if not check_csrf(request, csrf_token):
        return csrf_refused(request)
    value = log_in(service_of(request), token)
    if value is None:
        return _login_form(request, error=True, status_code=401)
    return _with_cookie(value)


@router.post("/logout", include_in_schema=False)
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    if not check_csrf(request, csrf_token):
        return csrf_refused(request)
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(COOKIE, path="/admin")
    return response
