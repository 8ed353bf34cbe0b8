"""Backend ``api``: one ``getAuthorFeed`` request to the public AppView per check."""

from __future__ import annotations

import json
from typing import Any

import httpx

from engine.plugin_api import Account, Backend, CheckSession, LayoutChanged, Profile

from .constants import APPVIEW_URL, AUTHOR_FEED_PATH, FEED_FILTER, MAX_LIMIT, SIGNALS
from .parsing import parse_author_feed


class BlueskyApi(Backend):
    """The public AppView's getAuthorFeed (no account or key needed)."""

    name = "api"
    cost = "1 request"
    base_url = APPVIEW_URL

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        response = session.get(
            self.url(AUTHOR_FEED_PATH),
            params={"actor": account.handle, "limit": str(min(session.limit, MAX_LIMIT)),
                    "filter": FEED_FILTER, "includePins": "true"},
            headers={"accept": "application/json"},
        )
        return parse_author_feed(read_answer(response), account.handle, session.limit)


def read_answer(response: httpx.Response) -> Any:
    """The JSON body of a successful answer; the statuses and XRPC errors that
    :data:`~social_missions_bluesky.constants.SIGNALS` declares raised as the engine's errors."""
    SIGNALS.check_response(response, "getAuthorFeed")
    try:
        return json.loads(response.text)
    except ValueError:
        raise LayoutChanged("Bluesky answer is not JSON") from None
