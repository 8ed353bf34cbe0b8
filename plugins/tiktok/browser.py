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

Requests counted: every request of type document, xhr or fetch the page makes (the page and
its data calls, what TikTok's rate limits see). Images, media and fonts are refused before
they leave the browser and not counted; scripts and style sheets load but are not counted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.backends import Backend, CheckSession
from engine.config import PlatformSettings
from engine.config_schema import Option
from engine.errors import BackendNotAvailable, ConfigurationError, PlatformUnavailable
from engine.models import Account, Profile

from .constants import (
    BASE_URL,
    BLOCKED_RESOURCE_TYPES,
    CHROMIUM_ARGS,
    COUNTED_RESOURCE_TYPES,
    DEFAULT_CHROMIUM,
    ITEM_LIST_PATHS,
    ITEM_LIST_WAIT_SECONDS,
    NAVIGATION_TIMEOUT_SECONDS,
)
from .parsing import (
    parse_item_list,
    parse_items,
    parse_page,
    read_json_answer,
    video_count_field,
)


def executable_path(options: Mapping[str, Any]) -> Path:
    return Path(str(options.get("executable_path", DEFAULT_CHROMIUM))).expanduser()


def _is_item_list(url: str) -> bool:
    return any(path in url for path in ITEM_LIST_PATHS)


class TikTokBrowser(Backend):
    """TikTok's profile page in a real Chromium; ``item_list`` answers captured from the page."""

    name = "browser"
    description = "Playwright + system Chromium: the page's own item_list calls (slow, robust)"
    requires = ("playwright",)
    vcr_replayable = False
    config_options = {
        "executable_path": Option("path", DEFAULT_CHROMIUM),
        "har": Option("path"),
        "navigation_timeout": Option("number (seconds)", NAVIGATION_TIMEOUT_SECONDS),
        "item_list_wait": Option("number (seconds)", ITEM_LIST_WAIT_SECONDS),
        "base_url": Option("URL", BASE_URL),
    }

    @classmethod
    def unavailable_reason(cls, settings: PlatformSettings) -> str | None:
        reason = super().unavailable_reason(settings)
        if reason:
            return reason
        path = executable_path(settings.backend_options(cls.name))
        if not path.is_file() or not os.access(path, os.X_OK):
            return (f"needs Chromium at {path} (apt-get install chromium, or set "
                    "[platforms.tiktok.browser] executable_path)")
        return None

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        har = self.options.get("har")
        if har and not Path(str(har)).is_file():
            raise ConfigurationError(f"[platforms.tiktok.browser] har {str(har)!r} does not exist")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(executable_path(self.options)),
                    headless=True,
                    args=list(CHROMIUM_ARGS),
                    proxy={"server": self.settings.proxy} if self.settings.proxy else None,
                )
                try:
                    return self._visit(browser, account, session, str(har) if har else None)
                finally:
                    browser.close()
        except PlaywrightError as error:
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            if "Executable doesn't exist" in message or "Failed to launch" in message:
                raise BackendNotAvailable(f"Chromium could not start: {message}") from None
            cause = "network" if "net::ERR" in message or "Timeout" in message else "bot_challenge"
            raise PlatformUnavailable(f"the browser could not load TikTok: {message}",
                                      cause=cause) from None

    def _visit(self, browser: Any, account: Account, session: CheckSession,
               har: str | None) -> Profile:
        context = browser.new_context(user_agent=self.settings.http.user_agent, locale="en-US",
                                      service_workers="block")
        if har:
            context.route_from_har(har, not_found="abort")
        # Registered after the HAR route, so it is asked first: refuse what a check never needs.
        context.route("**/*", _skip_heavy_resources)
        page = context.new_page()
        captured: list[Any] = []

        def on_request(request: Any) -> None:
            if request.resource_type in COUNTED_RESOURCE_TYPES:
                session.count_requests()

        def on_response(response: Any) -> None:
            if _is_item_list(response.url):
                captured.append(response)

        page.on("request", on_request)
        page.on("response", on_response)
        base = str(self.options.get("base_url", BASE_URL)).rstrip("/")
        timeout = float(self.options.get("navigation_timeout", NAVIGATION_TIMEOUT_SECONDS))
        main = page.goto(f"{base}/@{account.handle}", wait_until="domcontentloaded",
                         timeout=timeout * 1000)
        if main is None:
            raise PlatformUnavailable("the browser got no answer for the TikTok profile page",
                                      cause="network")
        if main.status == 429:
            raise PlatformUnavailable("TikTok rate limit on the profile page (HTTP 429)",
                                      cause="rate_limited")
        if main.status in (401, 403):
            raise PlatformUnavailable(f"TikTok refused the profile page (HTTP {main.status})",
                                      cause="bot_challenge")
        if main.status >= 500:
            raise PlatformUnavailable(f"TikTok server error on the profile page "
                                      f"(HTTP {main.status})", cause="server_error")
        # The page as served: its rehydration JSON says whether the account is public.
        state = parse_page(main.text(), account.handle)
        if state.items is not None:
            return Profile(public=True, posts=parse_items(list(state.items), account.handle,
                                                          session.limit),
                           platform_id=state.sec_uid, post_count=state.video_count,
                           post_count_field=video_count_field(state), bio=state.signature)
        if not captured:
            wait = float(self.options.get("item_list_wait", ITEM_LIST_WAIT_SECONDS))
            try:
                captured.append(page.wait_for_event("response", predicate=lambda r: _is_item_list(r.url),
                                    timeout=wait * 1000))
            except Exception as error:  # Playwright's TimeoutError
                raise PlatformUnavailable(
                    f"the TikTok page made no item_list request within {wait:g} s "
                    f"({type(error).__name__}): the page was held back from loading its posts",
                    cause="bot_challenge"
                ) from None
        items = parse_item_list(read_json_answer(captured[0].text(), "item_list"))
        return Profile(public=True, posts=parse_items(items, account.handle, session.limit),
                       platform_id=state.sec_uid, post_count=state.video_count,
                           post_count_field=video_count_field(state), bio=state.signature)


def _skip_heavy_resources(route: Any) -> None:
    if route.request.resource_type in BLOCKED_RESOURCE_TYPES:
        route.abort()
    else:
        route.fallback()

