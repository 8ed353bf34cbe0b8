"""Backend ``web``: the profile page for ``secUid`` and status, then ``item_list`` for the videos.

``item_list`` is asked for the limit plus the 3 videos a creator may pin (listed first, whatever
their age); the engine orders the posts newest first and keeps the limit.

Costs: 2 requests cold (page, ``item_list``); 1 warm, once the handle's ``secUid`` is in the
engine's persistent cache (the page is skipped); 1 for the legacy ``SIGI_STATE`` page, which
carries the videos itself.

With a cached ``secUid`` the status comes from ``item_list`` alone: ``statusCode`` 10222 is
private and 10221 means the ``secUid`` is gone. An *empty* list is ambiguous (an account made
private since, a soft block, or no videos), so it is never taken as "no posts": the page is
read again (a second request) and decides. Items whose author is another handle mean the
handle changed hands: the cache entry is dropped and the page decides too.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from typing import Any

from engine.backends import Backend, CheckSession
from engine.errors import AccountNotFound
from engine.models import Account, Profile

from .constants import (
    BASE_URL,
    ITEM_LIST_PATH,
    ITEM_LIST_QUERY,
    ITEM_LIST_SIGNALS,
    MAX_PINNED,
    PAGE_SIGNALS,
    SECUID_CACHE_KEY,
    SECUID_TTL_SECONDS,
)
from .parsing import (
    PageState,
    account_followers,
    item_author,
    parse_item_list,
    parse_items,
    parse_page,
    read_json_answer,
    video_count_field,
)


class TikTokWeb(Backend):
    """TikTok's profile page and its item_list JSON, as the page itself calls them."""

    name = "web"
    cost = "2 requests cold, 1 with the secUid cached"
    base_url = BASE_URL
    id_cache_days = SECUID_TTL_SECONDS // 86_400  # the handle's secUid

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        key = SECUID_CACHE_KEY.format(handle=account.handle)
        cached = session.cache.get(key)
        warm_items: list[Mapping[str, Any]] | None = None
        # A warm check skips the page, which alone carries the bio: read it when it is wanted.
        if isinstance(cached, str) and cached and not session.want_bio:
            try:
                warm_items = self.item_list(account, cached, session)
            except AccountNotFound:
                warm_items = None
            if warm_items and _authored_by(warm_items, account.handle):
                return Profile(public=True,
                               posts=parse_items(warm_items, account.handle, session.limit),
                               followers=account_followers(warm_items))
            session.cache.delete(key)
        state = self.read_page(account, session)
        session.cache.set(key, state.sec_uid, self.id_cache_seconds())
        if state.items is not None:
            items: Sequence[Mapping[str, Any]] = state.items
        elif warm_items == [] and state.sec_uid == cached:
            items = []  # the page confirms a public account whose list really is empty
        else:
            items = self.item_list(account, state.sec_uid, session)
        return Profile(public=True, posts=parse_items(items, account.handle, session.limit),
                       post_count=state.video_count,
                       post_count_field=video_count_field(state), bio=state.signature,
                       followers=account_followers(items, state))

    def read_page(self, account: Account, session: CheckSession) -> PageState:
        """The profile page, read into a :class:`PageState` (statuses raised)."""
        response = session.get(self.url(f"/@{account.handle}"), headers={
            "accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        })
        PAGE_SIGNALS.check_response(response, "the profile page")
        return parse_page(response.text, account.handle)

    def item_list(self, account: Account, sec_uid: str,
                  session: CheckSession) -> list[Mapping[str, Any]]:
        """The newest items of ``sec_uid``, pinned first, as ``item_list`` answers them."""
        params = {
            **ITEM_LIST_QUERY,
            "count": str(session.limit + MAX_PINNED),
            "cursor": str(int(time.time() * 1000)),
            "secUid": sec_uid,
            # A random device id, as a first visit has; it changes nothing in the answer.
            "device_id": str(random.randint(7_250_000_000_000_000_000, 7_325_099_899_999_999_999)),
        }
        response = session.get(self.url(ITEM_LIST_PATH), params=params, headers={
            "accept": "application/json, text/plain, */*",
            "referer": self.url(f"/@{account.handle}"),
        })
        ITEM_LIST_SIGNALS.check_response(response, "item_list")
        return parse_item_list(read_json_answer(response.text, "item_list"))


def _authored_by(items: Sequence[Mapping[str, Any]], handle: str) -> bool:
    """False when the items name another author: the handle moved to another account."""
    authors = {name.lower() for name in map(item_author, items) if name}
    return not authors or handle in authors
