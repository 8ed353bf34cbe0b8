"""Backend ``graph-api``: the Instagram Graph API's business discovery, one request per check.

``GET {api_base}/{version}/{ig_user_id}?fields=business_discovery.username(<handle>){username,
biography,followers_count,media_count,media.limit(<n>){id,caption,timestamp,permalink,
media_type,media_product_type,like_count,comments_count}}&access_token=…`` reads another
professional (business or creator) account through the operator's own professional account
(``ig_user_id``) and a Facebook user access token (PLATFORMS.md; Meta's "IG User Business
Discovery" reference). The answer carries the account's bio, its post count and its newest
media, newest first.

Configuration, ``[platforms.instagram.graph-api]``:

- ``access_token_env``: the name of the environment variable holding the token (default
  ``INSTAGRAM_GRAPH_TOKEN``). The token is never written in the configuration file, never
  logged (the HTTP layer masks ``access_token``) and never recorded (cassettes drop it);
- ``ig_user_id``: the operator's own Instagram professional account id (digits);
- ``api_base`` (default ``https://graph.facebook.com``) and ``version`` (default ``v25.0``).

Outcomes: a professional account → ``ok`` (professional accounts cannot be private); an
account business discovery cannot see (personal, or unknown: the API does not tell them
apart) → :class:`~engine.errors.AccountOutOfReach`, so the next backend answers; rate limits
and quotas → ``unavailable`` (``rate_limited`` / ``quota``); a refused token →
``unavailable`` (``login_wall``) with what to renew. The error codes and their sources are in
:data:`~plugins.instagram.constants.GRAPH_SIGNALS`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import Any

import httpx

from engine.backends import Backend, CheckSession
from engine.config import PlatformSettings
from engine.config_schema import Option
from engine.dates import parse_instant
from engine.errors import AccountOutOfReach, BackendNotAvailable, InvalidDate, LayoutChanged
from engine.hashtags import extract_hashtags
from engine.models import Account, Post, PostKind, Profile, newest_first, read_count
from engine.status_signals import json_values

from .constants import (
    GRAPH_ACCOUNT_FIELDS,
    GRAPH_API_BASE,
    GRAPH_API_VERSION,
    GRAPH_MEDIA_COUNT_FIELD,
    GRAPH_MEDIA_FIELDS,
    GRAPH_MEDIA_KINDS,
    GRAPH_OUT_OF_REACH_SUBCODES,
    GRAPH_REEL_PRODUCT,
    GRAPH_SIGNALS,
    GRAPH_TOKEN_ENV,
    POST_URL,
    POST_URL_PATTERNS,
)

NAME = "graph-api"
_IG_USER_ID = re.compile(r"\d{5,30}")
_VERSION = re.compile(r"v\d{1,3}\.\d{1,2}")


def token_env(settings: PlatformSettings) -> str:
    """The name of the environment variable holding the access token."""
    return str(settings.backend_options(NAME).get("access_token_env") or GRAPH_TOKEN_ENV)


class InstagramGraphApi(Backend):
    """The official Instagram Graph API's business discovery: professional accounts only,
    others go to the next backend."""

    name = NAME
    needs = ("an access token (environment variable named by access_token_env) and "
             "ig_user_id, your own professional account")
    cost = "1 request (1 Graph API call)"
    config_options = {
        "access_token_env": Option("string", GRAPH_TOKEN_ENV,
                                   summary="environment variable holding the access token"),
        "ig_user_id": Option("string", summary="your own Instagram professional account id"),
        "api_base": Option("URL", GRAPH_API_BASE),
        "version": Option("string", GRAPH_API_VERSION),
    }

    @classmethod
    def unavailable_reason(cls, settings: PlatformSettings) -> str | None:
        options = settings.backend_options(NAME)
        variable = token_env(settings)
        if not os.environ.get(variable):
            return (f"needs an access token in the environment variable {variable} (or name "
                    "another with access_token_env in [platforms.instagram.graph-api])")
        user_id = str(options.get("ig_user_id") or "")
        if not user_id:
            return ("needs ig_user_id, your own Instagram professional account id, in "
                    "[platforms.instagram.graph-api]")
        if not _IG_USER_ID.fullmatch(user_id):
            return (f"ig_user_id {user_id[:40]!r} in [platforms.instagram.graph-api] is not an "
                    "Instagram account id (digits only)")
        version = str(options.get("version", GRAPH_API_VERSION))
        if not _VERSION.fullmatch(version):
            return (f"version {version[:20]!r} in [platforms.instagram.graph-api] is not a "
                    f"Graph API version like {GRAPH_API_VERSION}")
        return None

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        reason = self.unavailable_reason(self.settings)
        if reason:
            raise BackendNotAvailable(reason)
        token = os.environ[token_env(self.settings)]
        base = str(self.options.get("api_base", GRAPH_API_BASE)).rstrip("/")
        version = str(self.options.get("version", GRAPH_API_VERSION))
        fields = (f"business_discovery.username({account.handle}){{{GRAPH_ACCOUNT_FIELDS},"
                  f"media.limit({session.limit}){{{GRAPH_MEDIA_FIELDS}}}}}")
        response = session.get(f"{base}/{version}/{self.options['ig_user_id']}",
                               params={"fields": fields, "access_token": token})
        return parse_business_discovery(read_graph_answer(response, account.handle),
                                        session.limit)


def read_graph_answer(response: httpx.Response, handle: str) -> Mapping[str, Any]:
    """The JSON object of a Graph API answer; its ``error`` raised as the engine's errors.

    Raises ``AccountOutOfReach`` (subcode 2207013: an account business discovery cannot see),
    then what :data:`~plugins.instagram.constants.GRAPH_SIGNALS` reads: ``PlatformUnavailable``
    (rate limit, quota, refused token, outage) or ``LayoutChanged`` (an error no table
    knows, or a body that is not a JSON object). The token is never in a message.
    """
    subcodes = {str(value) for value in json_values(_json(response.text), "error.error_subcode")}
    if subcodes & GRAPH_OUT_OF_REACH_SUBCODES:
        raise AccountOutOfReach(
            f"Instagram Graph API business discovery cannot see {handle!r} (HTTP "
            f"{response.status_code}, subcode {', '.join(sorted(subcodes))}): it reads "
            "professional (business or creator) accounts only")
    GRAPH_SIGNALS.check_response(response, what="business discovery")
    body = _json(response.text)
    if not isinstance(body, Mapping):
        raise LayoutChanged("Instagram Graph API answer is not a JSON object")
    return body


def parse_business_discovery(body: Mapping[str, Any], limit: int) -> Profile:
    """A business discovery answer → :class:`Profile` (public, newest ``limit`` posts)."""
    found = body.get("business_discovery")
    if not isinstance(found, Mapping):
        raise LayoutChanged("Instagram Graph API answer has no business_discovery object")
    media = found.get("media", {"data": []})
    items = media.get("data") if isinstance(media, Mapping) else None
    if not isinstance(items, list):
        raise LayoutChanged("Instagram Graph API answer has no business_discovery.media.data "
                            "list")
    posts = [graph_media_post(item, f"business_discovery.media.data[{index}]")
             for index, item in enumerate(items)]
    count = found.get("media_count")
    biography = found.get("biography")
    return Profile(public=True, posts=newest_first(posts, limit),
                   post_count=count if isinstance(count, int) else None,
                   post_count_field=GRAPH_MEDIA_COUNT_FIELD,
                   bio=biography if isinstance(biography, str) else None,
                   followers=read_count(found.get("followers_count"),
                                        "business_discovery.followers_count"))


def graph_media_post(item: Any, where: str) -> Post:
    """One IG Media object → :class:`Post`; its id is the shortcode read from ``permalink``
    (what the other backends use), its time ``timestamp`` (``2026-06-28T09:30:00+0000``)."""
    if not isinstance(item, Mapping):
        raise LayoutChanged(f"Instagram Graph API {where} is not an object")
    permalink = str(item.get("permalink") or "")
    shortcode = next((found.group("id") for pattern in POST_URL_PATTERNS
                      if (found := pattern.search(permalink))), None)
    if not shortcode:
        raise LayoutChanged(f"Instagram Graph API {where}.permalink {permalink[:80]!r} is not a "
                            "post URL")
    stamp = str(item.get("timestamp") or "")
    try:
        # Python reads "+0000" offsets since 3.11.
        published = parse_instant(stamp, what=f"{where}.timestamp")
    except InvalidDate:
        raise LayoutChanged(f"Instagram Graph API {where}.timestamp {stamp[:40]!r} is not "
                            "ISO 8601") from None
    kind_name = GRAPH_MEDIA_KINDS.get(str(item.get("media_type") or ""))
    kind = PostKind(kind_name) if kind_name else None
    if kind is PostKind.VIDEO and item.get("media_product_type") == GRAPH_REEL_PRODUCT:
        kind = PostKind.REEL
    text = str(item.get("caption") or "")
    # like_count is left out when the owner hides it: None, never 0.
    return Post(platform="instagram", id=shortcode, url=POST_URL.format(id=shortcode),
                published_at=published, kind=kind, text=text, hashtags=extract_hashtags(text),
                likes=read_count(item.get("like_count"), f"{where}.like_count"),
                comments=read_count(item.get("comments_count"), f"{where}.comments_count"))


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
