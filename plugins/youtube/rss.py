"""Backend ``rss`` (default): the channel's Atom feed, after a cached handle → channel id lookup.

Costs per check: 2 requests on a cold cache (channel page, feed), 1 on a warm one, 1 when the
handle is already a ``UC…`` channel id. The feed carries no channel description: when the bio is
wanted (an ownership code is awaited, R11) the channel page is read as on a cold cache, so such
checks cost 2 requests (and 2 for a channel id).

Statuses: a handle page answering 404 is ``not_found``. The feed server has spells of 404 and 5xx
for channels that exist, so a feed 404 or 5xx after a good lookup (or with a cached id) is
``unavailable``, never ``not_found``. A cached id is not dropped on a feed 404: the handle page
is read again (one more request, only on this error path); if it names another channel the cache
is updated and that channel's feed read, if it names the same one the check is ``unavailable``,
if it is gone the cache entry is removed and the check is ``not_found``. For a ``UC…`` id given
directly, a feed 404 is told apart the same way by reading ``/channel/UC…``.
"""

from __future__ import annotations

from dataclasses import replace

import httpx

from engine.backends import Backend, CheckSession
from engine.config_schema import Option
from engine.errors import AccountNotFound, LayoutChanged, PlatformUnavailable
from engine.models import Account, Profile

from .constants import (
    BASE_URL,
    CACHE_KEY,
    CHANNEL_ID_PATTERN,
    CHANNEL_ID_TTL,
    CONSENT_COOKIES,
    FEED_PATH,
    HANDLE_PATH,
)
from .handles import is_channel_id
from .parsing import channel_description, channel_id_from_page, parse_feed


class YouTubeRss(Backend):
    """YouTube's public uploads feed (``[platforms.youtube.rss]``: base_url, cache_days)."""

    name = "rss"
    description = "uploads Atom feed (2 requests cold, 1 warm or by channel id)"
    config_options = {
        "base_url": Option("URL", BASE_URL),
        "cache_days": Option("number (days)", CHANNEL_ID_TTL // 86_400),
    }

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        profile = self._read(account, session)
        return replace(profile, bio=self._bio)

    def _read(self, account: Account, session: CheckSession) -> Profile:
        handle = account.handle
        self._bio: str | None = None
        if is_channel_id(handle):
            if session.want_bio:  # the feed has no description: the channel page, +1 request
                self._confirm_channel_exists(handle, session)
            response = self._feed(handle, session)
            if response.status_code == 404 and not session.want_bio:
                self._confirm_channel_exists(handle, session)
            return self._read_feed(response, session)
        cache_key = CACHE_KEY.format(handle=handle)
        cached = session.cache.get(cache_key)
        # The feed has no channel description: when the bio is wanted, the channel page is
        # read as on a cold cache (2 requests instead of 1).
        if (isinstance(cached, str) and CHANNEL_ID_PATTERN.fullmatch(cached)
                and not session.want_bio):
            response = self._feed(cached, session)
            if response.status_code != 404:
                return self._read_feed(response, session)
            # A 404 is usually a spell of the feed server, but the handle may have moved.
            channel_id = self._lookup(handle, session, cache_key)
            if channel_id == cached:
                return self._read_feed(response, session)
        else:
            channel_id = self._lookup(handle, session, cache_key)
        return self._read_feed(self._feed(channel_id, session), session)

    # -- requests ---------------------------------------------------------------------------

    @property
    def _base(self) -> str:
        return str(self.options.get("base_url", BASE_URL)).rstrip("/")

    def _feed(self, channel_id: str, session: CheckSession) -> httpx.Response:
        return session.get(self._base + FEED_PATH, params={"channel_id": channel_id})

    def _lookup(self, handle: str, session: CheckSession, cache_key: str) -> str:
        """The channel id of ``@handle`` from its channel page, stored in the cache."""
        response = session.get(self._base + HANDLE_PATH.format(handle=handle),
                               cookies=CONSENT_COOKIES)
        status = response.status_code
        if status == 404:
            session.cache.delete(cache_key)
            raise AccountNotFound("YouTube has no channel with this handle (HTTP 404)")
        if status in (301, 302, 303, 307, 308):
            location = response.headers.get("location", "")
            found = CHANNEL_ID_PATTERN.search(location) if "/channel/" in location else None
            if not found:
                raise PlatformUnavailable(
                    f"YouTube redirected the channel page to {location or 'elsewhere'} "
                    f"(HTTP {status}; a consent or sign-in wall)", cause="login_wall"
                )
            channel_id = found.group(0)
        else:
            _raise_for_refusal(response, "channel page")
            if status != 200:
                raise LayoutChanged(f"YouTube channel page answered HTTP {status}, "
                                    "which no parser expects")
            channel_id = channel_id_from_page(response.text)
            self._bio = channel_description(response.text)
        ttl = float(self.options.get("cache_days", CHANNEL_ID_TTL / 86_400)) * 86_400
        session.cache.set(cache_key, channel_id, ttl)
        return channel_id

    def _confirm_channel_exists(self, channel_id: str, session: CheckSession) -> None:
        """After a feed 404 for a channel id typed as such: not_found only if the channel is."""
        response = session.get(f"{self._base}/channel/{channel_id}", cookies=CONSENT_COOKIES)
        if response.status_code == 404:
            raise AccountNotFound("YouTube has no channel with this id (HTTP 404)")
        if response.status_code == 200:
            self._bio = channel_description(response.text)

    def _read_feed(self, response: httpx.Response, session: CheckSession) -> Profile:
        status = response.status_code
        if status == 404:
            raise PlatformUnavailable(
                "YouTube's feed answered 404 for a channel that exists (the feed server has "
                "spells of errors; a later check usually reads it)", cause="server_error"
            )
        _raise_for_refusal(response, "feed")
        if status != 200:
            raise LayoutChanged(f"YouTube feed answered HTTP {status}, which no parser expects")
        head = response.content[:512].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html")):
            raise LayoutChanged("YouTube feed answered with an HTML page instead of Atom XML")
        return parse_feed(response.content, session.limit)


def _raise_for_refusal(response: httpx.Response, what: str) -> None:
    """Refusals, rate limits and server errors are ``unavailable``: 429 ``rate_limited``,
    401/403 ``bot_challenge`` (YouTube refuses addresses it takes for robots), 5xx
    ``server_error``."""
    status = response.status_code
    if status == 429:
        raise PlatformUnavailable(f"YouTube rate limit on the {what} (HTTP 429)",
                                  cause="rate_limited")
    if status in (401, 403):
        raise PlatformUnavailable(f"YouTube refused the {what} (HTTP {status})",
                                  cause="bot_challenge")
    if status >= 500:
        raise PlatformUnavailable(f"YouTube {what} server error (HTTP {status})",
                                  cause="server_error")
