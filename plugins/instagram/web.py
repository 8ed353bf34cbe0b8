"""Backend ``web``: one ``web_profile_info`` request gives the status and the 12 newest posts."""

from __future__ import annotations

import json
from typing import Any

import httpx

from engine.backends import Backend, CheckSession
from engine.config_schema import Option
from engine.errors import AccountNotFound, LayoutChanged, PlatformUnavailable
from engine.models import Account, Profile

from .constants import (
    BASE_URL,
    LOGIN_PATHS,
    PROFILE_INFO_PATH,
    REFUSAL_CAUSES,
    STATUS_CAUSES,
    WEB_APP_ID,
)
from .parsing import parse_profile_info


class InstagramWeb(Backend):
    """Instagram's own web API, as the profile page calls it."""

    name = "web"
    description = "web_profile_info JSON (1 request per check)"
    config_options = {
        "base_url": Option("URL", BASE_URL),
        "app_id": Option("string", WEB_APP_ID),
    }

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        base = str(self.options.get("base_url", BASE_URL)).rstrip("/")
        response = session.get(
            base + PROFILE_INFO_PATH,
            params={"username": account.handle},
            headers={"x-ig-app-id": str(self.options.get("app_id", WEB_APP_ID)),
                     "accept": "*/*", "referer": f"{base}/{account.handle}/"},
        )
        return parse_profile_info(read_answer(response), session.limit)


def read_answer(response: httpx.Response) -> Any:
    """The JSON body of a successful answer; refusals and missing users raised as errors.

    Raises ``AccountNotFound`` (HTTP 404), ``PlatformUnavailable`` with the cause of
    :data:`~plugins.instagram.constants.REFUSAL_CAUSES` (login wall, rate limit, server error)
    and ``LayoutChanged`` (an unexpected status, or a body that is not JSON).
    """
    status = response.status_code
    text = response.text
    lowered = text[:4000].lower()
    if status in (301, 302, 303, 307, 308):
        location = response.headers.get("location", "")
        if any(path in location for path in LOGIN_PATHS):
            raise PlatformUnavailable(
                "Instagram redirected to its login page (login wall); configure a session "
                "cookie file or a proxy for instagram", cause="login_wall"
            )
        raise PlatformUnavailable(f"Instagram redirected to {location or 'elsewhere'} "
                                  f"(HTTP {status})", cause="login_wall")
    if status == 404:
        raise AccountNotFound("Instagram has no account with this handle (HTTP 404)")
    if status == 429:
        raise PlatformUnavailable("Instagram rate limit (HTTP 429)", cause="rate_limited")
    if status in (400, 401, 403):
        found = next(((m, c) for m, c in REFUSAL_CAUSES if m in lowered), None)
        message = _message(text) or (found[0] if found else "refused")
        raise PlatformUnavailable(
            f"Instagram refused the request (HTTP {status}: {message}); a logged-in session "
            "cookie or another address usually helps",
            cause=found[1] if found else STATUS_CAUSES[status],
        )
    if status >= 500:
        raise PlatformUnavailable(f"Instagram server error (HTTP {status})", cause="server_error")
    if status != 200:
        raise LayoutChanged(f"Instagram answered HTTP {status}, which no parser expects")
    try:
        body = json.loads(text)
    except ValueError:
        if "login" in lowered or "<html" in lowered:
            raise PlatformUnavailable(
                "Instagram answered with an HTML page instead of JSON (login wall)",
                cause="login_wall") from None
        raise LayoutChanged("Instagram answer is not JSON") from None
    if isinstance(body, dict) and body.get("status") == "fail":
        message = str(body.get("message") or "fail")
        cause = next((c for m, c in REFUSAL_CAUSES if m in message.lower()), "rate_limited")
        raise PlatformUnavailable(f"Instagram refused the request: {message}", cause=cause)
    return body


def _message(text: str) -> str | None:
    try:
        body = json.loads(text)
    except ValueError:
        return None
    return str(body.get("message")) if isinstance(body, dict) and body.get("message") else None
