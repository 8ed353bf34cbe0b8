"""Reading ``app.bsky.feed.getAuthorFeed`` answers: the feed, each post, its kind and hashtags.

The shapes are those of the AT Protocol lexicons: the answer is ``{"feed": [FeedViewPost],
"cursor"?}``; a ``FeedViewPost`` holds ``post`` (a ``PostView``), and ``reason`` when the item
is a repost (``#reasonRepost``) or the pinned post (``#reasonPin``). Mandatory fields are read
strictly, naming the missing path; the rest tolerantly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from engine.plugin_api import (
    InvalidDate,
    LayoutChanged,
    PlatformUnavailable,
    Post,
    PostKind,
    Profile,
    extract_hashtags,
    merge_hashtags,
    newest_first,
    parse_instant,
)

from .constants import POST_URL

PLATFORM = "bluesky"
POST_COLLECTION = "app.bsky.feed.post"
TAG_FEATURE = "app.bsky.richtext.facet#tag"
REASON_PIN = "app.bsky.feed.defs#reasonPin"
REASON_REPOST = "app.bsky.feed.defs#reasonRepost"

# Embed views (``post.embed``) and the records they come from (``post.record.embed``).
_IMAGES = ("app.bsky.embed.images#view", "app.bsky.embed.images")
_VIDEO = ("app.bsky.embed.video#view", "app.bsky.embed.video")
_WITH_MEDIA = ("app.bsky.embed.recordWithMedia#view", "app.bsky.embed.recordWithMedia")


def _required(mapping: Any, key: str, path: str) -> Any:
    if not isinstance(mapping, Mapping) or mapping.get(key) is None:
        raise LayoutChanged(f"Bluesky answer has no {path + '.' if path else ''}{key}")
    return mapping[key]


def parse_author_feed(body: Any, handle: str, limit: int) -> Profile:
    """A ``getAuthorFeed`` body → :class:`Profile` (always public: Bluesky has no private
    accounts); reposts are left out, being someone else's posts."""
    feed = _required(body, "feed", "")
    if not isinstance(feed, list):
        raise LayoutChanged("Bluesky answer's feed is not a list")
    posts: list[Post] = []
    seen: set[str] = set()
    for index, item in enumerate(feed):
        path = f"feed[{index}]"
        if not isinstance(item, Mapping):
            raise LayoutChanged(f"Bluesky answer's {path} is not an object")
        reason = item.get("reason")
        reason_type = reason.get("$type") if isinstance(reason, Mapping) else None
        if reason is not None and reason_type != REASON_PIN:
            continue  # a repost (or a reason this parser does not know): not the member's post
        post = parse_post(_required(item, "post", path), handle, f"{path}.post",
                          pinned=reason_type == REASON_PIN)
        # With includePins the pinned post may also come at its own place: keep the first.
        if post.id not in seen:
            seen.add(post.id)
            posts.append(post)
    if not feed and body.get("cursor"):
        # An empty page that says more follow: the AppView held the posts back.
        raise PlatformUnavailable("Bluesky answered an empty feed with a cursor for more: the "
                                  "posts were held back", cause="held_back")
    return Profile(public=True, posts=newest_first(posts, limit))


def parse_post(view: Any, handle: str, path: str, *, pinned: bool = False) -> Post:
    """One ``app.bsky.feed.defs#postView`` → :class:`Post`."""
    uri = _required(view, "uri", path)
    rkey = _record_key(uri, f"{path}.uri")
    record = _required(view, "record", path)
    text = record.get("text") if isinstance(record, Mapping) else None
    if not isinstance(text, str):
        raise LayoutChanged(f"Bluesky answer has no {path}.record.text")
    return Post(
        platform=PLATFORM,
        id=rkey,
        url=POST_URL.format(handle=handle, id=rkey),
        published_at=_published_at(view, record, path),
        kind=post_kind(view.get("embed"), record.get("embed")),
        text=text,
        # Text order first, then tags only the facets or ``record.tags`` carry.
        hashtags=merge_hashtags(extract_hashtags(text), facet_tags(record)),
        pinned=pinned,
    )


def _record_key(uri: Any, path: str) -> str:
    """The record key of ``at://<did>/app.bsky.feed.post/<rkey>``."""
    if not isinstance(uri, str) or not uri.startswith("at://"):
        raise LayoutChanged(f"Bluesky answer's {path} is not an at:// URI: {uri!r}")
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or parts[1] != POST_COLLECTION or not parts[2]:
        raise LayoutChanged(f"Bluesky answer's {path} is not a post URI: {uri!r}")
    return parts[2]


def _published_at(view: Mapping[str, Any], record: Mapping[str, Any], path: str) -> datetime:
    # createdAt is what the author's client declared (what the app shows); indexedAt is when
    # the AppView saw the post, used only when createdAt is absent or unreadable.
    for value, where in ((record.get("createdAt"), "record.createdAt"),
                         (view.get("indexedAt"), "indexedAt")):
        if isinstance(value, str):
            try:
                return parse_instant(value, what=f"{path}.{where}")
            except InvalidDate:
                continue
    raise LayoutChanged(f"Bluesky answer has no readable {path}.record.createdAt")


def facet_tags(record: Mapping[str, Any]) -> list[str]:
    """Tags of ``#tag`` facets, then of ``record.tags`` (tags not shown in the text)."""
    tags: list[str] = []
    facets = record.get("facets")
    for facet in facets if isinstance(facets, list) else ():
        features = facet.get("features") if isinstance(facet, Mapping) else None
        for feature in features if isinstance(features, list) else ():
            if (isinstance(feature, Mapping) and feature.get("$type") == TAG_FEATURE
                    and isinstance(feature.get("tag"), str)):
                tags.append(feature["tag"])
    extra = record.get("tags")
    tags.extend(tag for tag in (extra if isinstance(extra, list) else ()) if isinstance(tag, str))
    return tags


def post_kind(view_embed: Any, record_embed: Any) -> PostKind | None:
    """image (one picture), carousel (2–4), video; None for text, links and quotes."""
    embed = view_embed if isinstance(view_embed, Mapping) else record_embed
    if not isinstance(embed, Mapping):
        return None
    kind = embed.get("$type")
    if kind in _WITH_MEDIA:
        # A quote with media: the media is what the post shows.
        return post_kind(embed.get("media"), None)
    if kind in _VIDEO:
        return PostKind.VIDEO
    if kind in _IMAGES:
        images = embed.get("images")
        return PostKind.CAROUSEL if isinstance(images, list) and len(images) > 1 else PostKind.IMAGE
    return None
