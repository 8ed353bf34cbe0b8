"""What every browser backend needs: the system Chromium, driven by Playwright, made cheap.

A browser backend opens a platform's page like a visitor and reads the JSON answers the page
itself fetches (it never signs requests itself). This module launches Chromium from the
system (Debian's ``chromium`` package at ``/usr/bin/chromium``; Playwright's own browser
download is never used), gives the page the platform's cookie file and proxy, replays a HAR
file instead of the network when configured (``route_from_har``, unknown requests aborted: how
the tests run), refuses images, media and fonts before they leave the browser, and counts the
requests that cost the check (documents, XHR and fetch calls, which the platform's rate limits
see; scripts and style sheets load but are not counted).

Playwright is imported on first use only. Its errors become the engine's: a Chromium that
cannot start is :class:`~engine.errors.BackendNotAvailable`; a page that does not load is
``unavailable`` (``network`` for network errors and timeouts, ``bot_challenge`` otherwise).
:class:`BrowserBackend` is the base of a plugin's browser backend: it opens the profile page
and hands the answer, and the data calls captured, to the plugin's own reading.
"""

from __future__ import annotations

import contextlib
import os
from abc import abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from .backends import Backend, CheckSession
from .config import PlatformSettings
from .config_schema import Option
from .errors import BackendNotAvailable, ConfigurationError, PlatformUnavailable
from .http import load_cookie_file
from .models import Account, Profile

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
# Resource types the check never needs: refused before they leave the browser.
BLOCKED_RESOURCE_TYPES = ("image", "media", "font")
# Requests counted as the check's cost: the page and its data calls, not static assets.
COUNTED_RESOURCE_TYPES = ("document", "xhr", "fetch")
NAVIGATION_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True, kw_only=True)
class ProfilePage:
    """Where a platform's profile page is and what the page fetches that a check reads.

    ``title`` names the platform in messages; ``base_url`` and ``path`` (``"/@{handle}"``) make
    the page's URL; ``cookie_domain`` is given to cookies of the cookie file that name none;
    ``data_paths`` are URL path fragments of the page's JSON calls carrying the account;
    ``wait_option`` is the backend's option for how long (``wait_seconds`` by default) to wait
    for one of them.
    """

    title: str
    base_url: str
    path: str
    cookie_domain: str
    data_paths: tuple[str, ...]
    wait_option: str
    wait_seconds: float

    def is_data_call(self, url: str) -> bool:
        """True for a URL whose path holds one of ``data_paths``."""
        path = url.split("?", 1)[0]
        return any(part in path for part in self.data_paths)


def browser_options(page: ProfilePage) -> dict[str, Option]:
    """The ``[platforms.<platform>.browser]`` keys every browser backend takes:
    ``executable_path``, ``har``, ``navigation_timeout`` (seconds) and the backend's own wait
    for the data call (``page.wait_option``, in seconds); ``base_url`` comes with
    :attr:`Backend.base_url <engine.backends.Backend.base_url>`, set from ``page.base_url``."""
    return {
        "executable_path": Option("path", DEFAULT_CHROMIUM),
        "har": Option("path"),
        "navigation_timeout": Option("number (seconds)", NAVIGATION_TIMEOUT_SECONDS),
        page.wait_option: Option("number (seconds)", page.wait_seconds),
    }


def executable_path(options: Mapping[str, Any]) -> Path:
    """The Chromium a backend's options name (default :data:`DEFAULT_CHROMIUM`)."""
    return Path(str(options.get("executable_path", DEFAULT_CHROMIUM))).expanduser()


def chromium_reason(settings: PlatformSettings, backend: str) -> str | None:
    """Why the system Chromium cannot run for ``backend`` (no executable there), or None."""
    path = executable_path(settings.backend_options(backend))
    if not path.is_file() or not os.access(path, os.X_OK):
        return (f"needs Chromium at {path} (apt-get install chromium, or set "
                f"[platforms.{settings.name}.{backend}] executable_path)")
    return None


def playwright_cookies(settings: PlatformSettings, default_domain: str) -> list[Any]:
    """The platform's cookie file (``[platforms.<platform>] cookies``) as Playwright cookies;
    a cookie without a domain gets ``default_domain`` (``.instagram.com``). Empty without a
    file; ``ConfigurationError`` for a file that cannot be read."""
    if settings.cookies_file is None:
        return []
    cookies: list[Any] = []
    for cookie in load_cookie_file(settings.cookies_file):
        item: dict[str, Any] = {"name": cookie.name, "value": cookie.value or "",
                                "domain": cookie.domain or default_domain,
                                "path": cookie.path or "/", "secure": bool(cookie.secure)}
        if cookie.expires:
            item["expires"] = float(cookie.expires)
        cookies.append(item)
    return cookies


@contextlib.contextmanager
def browser_page(backend: Backend, session: CheckSession, *, title: str,
                 cookie_domain: str) -> Iterator[Any]:
    """A fresh Playwright page in the system Chromium for one check of ``backend``.

    The page has the platform's cookies (for ``cookie_domain``), proxy and user agent; with the
    backend's ``har`` option it replays that file instead of the network. Each counted
    request is added to ``session``. Raises ``ConfigurationError`` for a ``har`` file that
    does not exist, ``BackendNotAvailable`` when Chromium cannot start, and
    ``PlatformUnavailable`` (naming ``title``, the platform) when Playwright fails while the
    page is used.
    """
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    settings = backend.settings
    har = backend.options.get("har")
    if har and not Path(str(har)).is_file():
        raise ConfigurationError(f"[platforms.{settings.name}.{backend.name}] har {str(har)!r} "
                                 "does not exist")
    cookies = playwright_cookies(settings, cookie_domain)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(executable_path(backend.options)),
                headless=True,
                args=list(CHROMIUM_ARGS),
                proxy={"server": settings.proxy} if settings.proxy else None,
            )
            try:
                context = browser.new_context(user_agent=settings.http.user_agent,
                                              locale="en-US", service_workers="block")
                if cookies:
                    context.add_cookies(cookies)
                if har:
                    context.route_from_har(str(har), not_found="abort")
                # Registered after the HAR route, so it is asked first.
                context.route("**/*", _skip_heavy_resources)
                page = context.new_page()

                def count(request: Any) -> None:
                    if request.resource_type in COUNTED_RESOURCE_TYPES:
                        session.count_requests()

                page.on("request", count)
                yield page
            finally:
                browser.close()
    except PlaywrightError as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        if "Executable doesn't exist" in message or "Failed to launch" in message:
            raise BackendNotAvailable(f"Chromium could not start: {message}") from None
        cause = "network" if "net::ERR" in message or "Timeout" in message else "bot_challenge"
        raise PlatformUnavailable(f"the browser could not load {title}: {message}",
                                  cause=cause) from None


def navigation_timeout(options: Mapping[str, Any]) -> float:
    """The page load timeout of a backend's options, in milliseconds (Playwright's unit)."""
    return float(options.get("navigation_timeout", NAVIGATION_TIMEOUT_SECONDS)) * 1000


def await_response(page: Any, captured: list[Any], wanted: Callable[[str], bool],
                   seconds: float) -> Any | None:
    """The first captured response, else the next one whose URL is ``wanted``, waited for up
    to ``seconds``; None when none came."""
    if captured:
        return captured[0]
    try:
        return page.wait_for_event("response", predicate=lambda r: wanted(r.url),
                                   timeout=seconds * 1000)
    except Exception:  # Playwright's TimeoutError
        return None


def _skip_heavy_resources(route: Any) -> None:
    if route.request.resource_type in BLOCKED_RESOURCE_TYPES:
        route.abort()
    else:
        route.fallback()


class BrowserBackend(Backend):
    """A backend that opens the account's profile page in the system Chromium.

    Its ``name`` is ``browser``. Subclasses set ``page`` (a :class:`ProfilePage`; their
    ``config_options`` are made from it by :func:`browser_options` and their ``base_url`` is
    the page's) and implement :meth:`read_page`, the reading of the page's answer and of the
    data calls it made.
    """

    name = "browser"
    needs = "the playwright package and Chromium (executable_path)"
    requires = ("playwright",)
    vcr_replayable = False
    page: ClassVar[ProfilePage]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        if "page" in cls.__dict__:
            cls.config_options = browser_options(cls.page)
            cls.base_url = cls.page.base_url
        super().__init_subclass__(**kwargs)

    @classmethod
    def unavailable_reason(cls, settings: PlatformSettings) -> str | None:
        return super().unavailable_reason(settings) or chromium_reason(settings, cls.name)

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        """Open the profile page (counting its requests) and read it with :meth:`read_page`;
        raises ``PlatformUnavailable`` (``network``) when the page gets no answer at all."""
        where = self.page
        with browser_page(self, session, title=where.title,
                          cookie_domain=where.cookie_domain) as page:
            captured: list[Any] = []
            page.on("response", lambda response: captured.append(response)
                    if where.is_data_call(response.url) else None)
            main = page.goto(self.url(where.path.format(handle=account.handle)),
                             wait_until="domcontentloaded",
                             timeout=navigation_timeout(self.options))
            if main is None:
                raise PlatformUnavailable(f"the browser got no answer for the {where.title} "
                                          "profile page", cause="network")
            return self.read_page(page, main, captured, account, session)

    def data_call(self, page: Any, captured: list[Any]) -> tuple[Any | None, float]:
        """The first data call of the page (awaited up to the wait option), or None; and
        the seconds waited at most."""
        wait = float(self.options.get(self.page.wait_option, self.page.wait_seconds))
        return await_response(page, captured, self.page.is_data_call, wait), wait

    @abstractmethod
    def read_page(self, page: Any, main: Any, captured: list[Any], account: Account,
                  session: CheckSession) -> Profile:
        """The profile read from the page's answer ``main`` (a Playwright response) and the
        data calls ``captured`` so far (:meth:`data_call` awaits the first)."""
