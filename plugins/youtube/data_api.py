"""Backend ``data-api``: the official YouTube Data API v3 with an API key.

Two calls of 1 quota unit each (of 10,000 a day per key): ``channels.list`` (by ``forHandle`` or
``id``, ``part=contentDetails,snippet``: the uploads playlist, and the channel description that
ownership codes are read from) then ``playlistItems.list`` for the newest videos with title,
description and publication time. The key comes from ``[platforms.youtube.data-api] api_key``
or the environment variable named by ``api_key_env``; it is never logged (the HTTP layer masks
``key``) nor recorded (cassettes drop ``key``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from engine.backends import Backend, CheckSession
from engine.config import PlatformSettings
from engine.config_schema import Option
from engine.dates import parse_instant
from engine.errors import (
    AccountNotFound,
    BackendNotAvailable,
    InvalidDate,
    LayoutChanged,
)
from engine.models import Account, Post, Profile, newest_first

from .constants import DATA_API_KEY_SETTING, DATA_API_SIGNALS, DATA_API_URL
from .handles import is_channel_id
from .parsing import video_post

NAME = "data-api"


class YouTubeDataApi(Backend):
    """The official YouTube Data API v3, with an API key."""

    name = NAME
    needs = "an API key (api_key or api_key_env)"
    cost = "2 requests, 2 quota units of 10,000 a day"
    base_url = DATA_API_URL
    config_options = {
        DATA_API_KEY_SETTING: Option("string"),
        f"{DATA_API_KEY_SETTING}_env": Option("string"),
    }

    @classmethod
    def unavailable_reason(cls, settings: PlatformSettings) -> str | None:
        if not settings.secret(NAME, DATA_API_KEY_SETTING):
            return ("needs an API key: set api_key, or api_key_env naming an environment "
                    "variable, in [platforms.youtube.data-api]")
        return None

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        key = self.settings.secret(NAME, DATA_API_KEY_SETTING)
        if not key:
            raise BackendNotAvailable(str(self.unavailable_reason(self.settings)))
        base = self.url()
        by = ({"id": account.handle} if is_channel_id(account.handle)
              else {"forHandle": "@" + account.handle})
        channels = _answer(session.get(f"{base}/channels",
                                       params={"part": "contentDetails,snippet", **by,
                                               "key": key}),
                           "channels.list")
        items = channels.get("items")
        if items is None and "pageInfo" not in channels:
            raise LayoutChanged("YouTube Data API channels.list answer has neither items nor "
                                "pageInfo")
        if not items:
            # The API answers 200 with no items for an unknown handle or id.
            raise AccountNotFound("YouTube has no channel with this handle (Data API: no items)")
        channel = items[0]
        uploads = _path(channel, ("contentDetails", "relatedPlaylists", "uploads"),
                        "channels.list items[0]")
        snippet = channel.get("snippet")
        about = snippet.get("description") if isinstance(snippet, Mapping) else None
        bio = about if isinstance(about, str) else None
        response = session.get(f"{base}/playlistItems",
                               params={"part": "snippet", "maxResults": str(session.limit),
                                       "playlistId": uploads, "key": key})
        if "playlistNotFound" in DATA_API_SIGNALS.codes_in(response.text):
            # A channel without uploads has no uploads playlist yet.
            return Profile(public=True, posts=(), bio=bio)
        playlist = _answer(response, "playlistItems.list")
        raw_items = playlist.get("items")
        if not isinstance(raw_items, list):
            raise LayoutChanged("YouTube Data API playlistItems.list answer has no items list")
        posts = [_post(item, index) for index, item in enumerate(raw_items)]
        page_info = playlist.get("pageInfo")
        total = page_info.get("totalResults") if isinstance(page_info, Mapping) else None
        return Profile(public=True, posts=newest_first(posts, session.limit),
                       post_count=total if isinstance(total, int) else None,
                       post_count_field="playlistItems.list pageInfo.totalResults", bio=bio)


def _post(item: Any, index: int) -> Post:
    where = f"playlistItems.list items[{index}]"
    snippet = _path(item, ("snippet",), where)
    video_id = str(_path(snippet, ("resourceId", "videoId"), f"{where}.snippet"))
    published = str(_path(snippet, ("publishedAt",), f"{where}.snippet"))
    try:
        published_at = parse_instant(published, what=f"{where}.snippet.publishedAt")
    except InvalidDate:
        raise LayoutChanged(f"YouTube Data API {where}.snippet.publishedAt {published!r} "
                            "is not ISO 8601") from None
    return video_post(video_id, published_at, str(snippet.get("title") or ""),
                      str(snippet.get("description") or ""))


def _path(value: Any, keys: tuple[str, ...], where: str) -> Any:
    current = value
    for depth, key in enumerate(keys):
        if not isinstance(current, Mapping) or current.get(key) in (None, ""):
            raise LayoutChanged(f"YouTube Data API answer has no {where}."
                                + ".".join(keys[: depth + 1]))
        current = current[key]
    return current


def _answer(response: httpx.Response, call: str) -> Mapping[str, Any]:
    """The JSON body of a successful call; quota, key and server errors are ``unavailable``
    (:data:`~plugins.youtube.constants.DATA_API_SIGNALS`), anything else ``LayoutChanged``."""
    DATA_API_SIGNALS.check_response(response, call)
    try:
        body = json.loads(response.text)
    except ValueError:
        raise LayoutChanged(f"YouTube Data API {call} answer is not JSON") from None
    if not isinstance(body, Mapping):
        raise LayoutChanged(f"YouTube Data API {call} answer is not a JSON object")
    return body

