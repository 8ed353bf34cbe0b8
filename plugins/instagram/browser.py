"""Backend ``browser``: the system Chromium, driven by Playwright, opens the profile page.

``https://www.instagram.com/<handle>/`` loads like a visitor's: the page itself asks Instagram
for the account (``/api/v1/users/web_profile_info/``, logged out) or its posts (the GraphQL
timeline ``xdt_api__v1__feed__user_timeline_graphql_connection`` or ``/api/v1/feed/user/``,
logged in). This backend only listens to those answers and reads them with the ``web``
backend's reader and parser (:func:`plugins.instagram.web.read_answer`,
:mod:`plugins.instagram.parsing`), so both give the same posts, statuses and refusals.

Configuration, ``[platforms.instagram.browser]``: ``executable_path`` (default
``/usr/bin/chromium``), ``har`` (a HAR file replayed instead of the network: the tests),
``navigation_timeout`` and ``data_wait`` (seconds), ``base_url``. The session cookies are the
platform's cookie file (``[platforms.instagram] cookies``), given to the browser as they are
to the ``web`` backend. Launching, HAR replay and request counting (documents, XHR, fetch) are
:mod:`engine.browser_support`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.backends import CheckSession
from engine.browser_support import BrowserBackend
from engine.errors import LayoutChanged, PlatformUnavailable
from engine.models import Account, Profile, newest_first

from .constants import (
    BROWSER_PAGE,
    BROWSER_PROFILE_PATHS,
    LOGIN_PATHS,
    SIGNALS,
    TIMELINE_CONNECTION,
)
from .parsing import parse_items, parse_profile_info
from .web import read_answer


@dataclass(frozen=True)
class _Answer:
    """A browser response in the shape :func:`read_answer` reads (an HTTP answer)."""

    status_code: int
    text: str
    headers: Mapping[str, str]


class InstagramBrowser(BrowserBackend):
    """Playwright and the system Chromium: the profile page's own web_profile_info or
    timeline call (slow, robust).

    Its JSON calls are read like the ``web`` backend's answers.
    """

    needs = BrowserBackend.needs + "; a cookie file helps"
    cost = "2 requests (page + its data call), about 1.3 s of CPU (Chromium)"
    page = BROWSER_PAGE

    def read_page(self, page: Any, main: Any, captured: list[Any], account: Account,
                  session: CheckSession) -> Profile:
        if any(path in page.url for path in LOGIN_PATHS):
            raise PlatformUnavailable(
                "Instagram sent the browser to its login page (login wall); configure a "
                "session cookie file ([platforms.instagram] cookies) or a proxy",
                cause="login_wall")
        refusal = SIGNALS.error(main.status, headers=main.headers, what="the profile page")
        if refusal is not None and not isinstance(refusal, LayoutChanged):
            raise refusal
        answer, wait = self.data_call(page, captured)
        if answer is None:
            raise PlatformUnavailable(
                f"the Instagram page made no web_profile_info or timeline request within "
                f"{wait:g} s: the page was held back from loading the account", cause="login_wall")
        body = read_answer(_Answer(status_code=answer.status, text=answer.text(),
                                   headers=answer.headers))
        if any(path in answer.url for path in BROWSER_PROFILE_PATHS):
            return parse_profile_info(body, session.limit)
        return Profile(public=True, posts=newest_first(parse_items(timeline_items(body)),
                                                       session.limit))


def timeline_items(body: Any) -> list[Any]:
    """The posts (v1 items) of a GraphQL timeline or v1 feed answer.

    ``{"data": {"xdt_api__v1__feed__user_timeline_graphql_connection": {"edges": [{"node":
    item}]}}}`` or ``{"items": [item], "status": "ok"}``; raises ``LayoutChanged`` otherwise.
    """
    if isinstance(body, Mapping) and isinstance(body.get("items"), list):
        return list(body["items"])
    data = body.get("data") if isinstance(body, Mapping) else None
    connection = data.get(TIMELINE_CONNECTION) if isinstance(data, Mapping) else None
    edges = connection.get("edges") if isinstance(connection, Mapping) else None
    if not isinstance(edges, list):
        raise LayoutChanged(f"Instagram timeline answer has no data.{TIMELINE_CONNECTION}.edges "
                            "nor items list")
    return [edge.get("node") if isinstance(edge, Mapping) else edge for edge in edges]
