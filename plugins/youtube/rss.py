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
from engine.errors import AccountNotFound, LayoutChanged
from engine.models import Account, Profile
from engine.status_signals import REDIRECT_STATUSES

from .constants import (
    BASE_URL,
    CACHE_KEY,
    CHANNEL_ID_PATTERN,
    CHANNEL_ID_TTL,
    CHANNEL_PAGE_SIGNALS,
    CONSENT_COOKIES,
    FEED_PATH,
    FEED_SIGNALS,
    HANDLE_PATH,
)
from .handles import is_channel_id
from .parsing import channel_description, channel_id_from_page, parse_feed


class YouTubeRss(Backend):
    """The channel's uploads Atom feed."""

    name = "rss"
    cost = "2 requests cold, 1 warm or by channel id"
    base_url = BASE_URL
    id_cache_days = CHANNEL_ID_TTL // 86_400  # the handle's channel id

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

    def _feed(self, channel_id: str, session: CheckSession) -> httpx.Response:
        return session.get(self.url(FEED_PATH), params={"channel_id": channel_id})

    def _lookup(self, handle: str, session: CheckSession, cache_key: str) -> str:
        """The channel id of ``@handle`` from its channel page, stored in the cache."""
        response = session.get(self.url(HANDLE_PATH.format(handle=handle)),
                               cookies=CONSENT_COOKIES)
        status = response.status_code
        location = response.headers.get("location", "")
        found = CHANNEL_ID_PATTERN.search(location) if "/channel/" in location else None
        if status in REDIRECT_STATUSES and found:
            channel_id = found.group(0)
        else:
            try:
                CHANNEL_PAGE_SIGNALS.check_response(response, "the channel page")
            except AccountNotFound:
                session.cache.delete(cache_key)
                raise
            channel_id = channel_id_from_page(response.text)
            self._bio = channel_description(response.text)
        session.cache.set(cache_key, channel_id, self.id_cache_seconds())
        return channel_id

    def _confirm_channel_exists(self, channel_id: str, session: CheckSession) -> None:
        """After a feed 404 for a channel id typed as such: not_found only if the channel is."""
        response = session.get(self.url(f"/channel/{channel_id}"), cookies=CONSENT_COOKIES)
        error = CHANNEL_PAGE_SIGNALS.error(response.status_code, what="the channel page")
        if isinstance(error, AccountNotFound):
            raise error
        if error is None:
            self._bio = channel_description(response.text)

    def _read_feed(self, response: httpx.Response, session: CheckSession) -> Profile:
        FEED_SIGNALS.check_response(response, "the feed")
        head = response.content[:512].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html")):
            raise LayoutChanged("YouTube feed answered with an HTML page instead of Atom XML")
        return parse_feed(response.content, session.limit)
