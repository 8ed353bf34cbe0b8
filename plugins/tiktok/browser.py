"""Backend ``browser``: Chromium, driven by Playwright, opens the profile page like a visitor.

The page signs its own ``item_list`` calls (``X-Bogus``, ``msToken``): this backend only
listens to the responses the page receives, so signing stays the page's problem. The account's
status comes from the rehydration JSON of the page itself, read by the same parser as ``web``.

Configuration, ``[platforms.tiktok.browser]``:

- ``executable_path`` (default ``/usr/bin/chromium``, Debian's ``chromium`` package):
  Playwright's own browser download is never used;
- ``har``: a HAR file to replay instead of the network (``route_from_har``, unknown requests
  aborted), used by the tests and by operators to reproduce a recorded visit;
- ``navigation_timeout`` and ``item_list_wait`` in seconds.

Launching, cookies, HAR replay and request counting are :mod:`engine.browser_support`'s:
every request of type document, xhr or fetch the page makes is counted (the page and its data
calls, what TikTok's rate limits see). Images, media and fonts are refused before they leave
the browser and not counted; scripts and style sheets load but are not counted.
"""

from __future__ import annotations

from typing import Any

from engine.backends import CheckSession
from engine.browser_support import (
    DEFAULT_CHROMIUM,
    BrowserBackend,
    executable_path,
)
from engine.errors import PlatformUnavailable
from engine.models import Account, Profile

from .constants import BROWSER_PAGE, PAGE_SIGNALS
from .parsing import (
    account_followers,
    parse_item_list,
    parse_items,
    parse_page,
    read_json_answer,
    video_count_field,
)

__all__ = ["DEFAULT_CHROMIUM", "TikTokBrowser", "executable_path"]


class TikTokBrowser(BrowserBackend):
    """Playwright and the system Chromium: the page's own item_list calls (slow, robust)."""

    cost = "2 requests (page + item_list), about 1.2 s of CPU (Chromium)"
    page = BROWSER_PAGE

    def read_page(self, page: Any, main: Any, captured: list[Any], account: Account,
                  session: CheckSession) -> Profile:
        PAGE_SIGNALS.check_refusal(main.status, headers=main.headers, what="the profile page")
        # The page as served: its rehydration JSON says whether the account is public.
        state = parse_page(main.text(), account.handle)
        if state.items is not None:
            return Profile(public=True, posts=parse_items(list(state.items), account.handle,
                                                          session.limit),
                           post_count=state.video_count,
                           post_count_field=video_count_field(state), bio=state.signature,
                           followers=account_followers(state.items, state))
        answer, wait = self.data_call(page, captured)
        if answer is None:
            raise PlatformUnavailable(
                f"the TikTok page made no item_list request within {wait:g} s: the page was "
                "held back from loading its posts", cause="bot_challenge")
        items = parse_item_list(read_json_answer(answer.text(), "item_list"))
        return Profile(public=True, posts=parse_items(items, account.handle, session.limit),
                       post_count=state.video_count,
                       post_count_field=video_count_field(state), bio=state.signature,
                       followers=account_followers(items, state))
