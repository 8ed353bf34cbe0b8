"""Backend ``api``: one ``getAuthorFeed`` request to the public AppView per check."""

from __future__ import annotations

import json
from typing import Any

import httpx

from engine.plugin_api import (
    Account,
    AccountNotFound,
    Backend,
    CheckSession,
    LayoutChanged,
    Option,
    PlatformUnavailable,
    Profile,
)

from .constants import (
    APPVIEW_URL,
    AUTHOR_FEED_PATH,
    FEED_FILTER,
    GONE_ERRORS,
    MAX_LIMIT,
    REFUSAL_ERRORS,
)
from .parsing import parse_author_feed


class BlueskyApi(Backend):
    """Bluesky's public XRPC API (no account or key needed)."""

    name = "api"
    description = "public AppView getAuthorFeed (1 request per check)"
    config_options = {"base_url": Option("URL", APPVIEW_URL)}

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        base = str(self.options.get("base_url", APPVIEW_URL)).rstrip("/")
        response = session.get(
            base + AUTHOR_FEED_PATH,
            params={"actor": account.handle, "limit": str(min(session.limit, MAX_LIMIT)),
                    "filter": FEED_FILTER, "includePins": "true"},
            headers={"accept": "application/json"},
        )
        return parse_author_feed(read_answer(response), account.handle, session.limit)


def read_answer(response: httpx.Response) -> Any:
    """The JSON body of a successful answer; XRPC errors raised as the engine's errors."""
    status = response.status_code
    if status == 429:
        raise PlatformUnavailable("Bluesky rate limit (HTTP 429)", cause="rate_limited")
    if status >= 500:
        raise PlatformUnavailable(f"Bluesky server error (HTTP {status})", cause="server_error")
    body = _json(response.text)
    if status == 200:
        if body is None:
            raise LayoutChanged("Bluesky answer is not JSON")
        return body
    # XRPC errors are {"error": name, "message": text}.
    error = str(body.get("error") or "") if isinstance(body, dict) else ""
    message = str(body.get("message") or "") if isinstance(body, dict) else ""
    if error in GONE_ERRORS or (status == 400 and error == "InvalidRequest"
                                and "not found" in message.lower()):
        raise AccountNotFound(f"Bluesky has no account with this handle ({message or error})")
    if error in REFUSAL_ERRORS or status in (401, 403):
        raise PlatformUnavailable(
            f"Bluesky refused the request (HTTP {status}: {message or error or 'refused'})",
            cause=REFUSAL_ERRORS.get(error, "login_wall"),
        )
    raise LayoutChanged(
        f"Bluesky answered HTTP {status} ({error or 'no error name'}: {message or 'no message'}),"
        " which no parser expects"
    )


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
