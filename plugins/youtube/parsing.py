"""Reading YouTube's answers: the channel page (for the channel id) and the uploads feed.

The feed is Atom with the ``yt:`` and ``media:`` extensions. Its quirks, all handled here:
whitespace may precede the XML declaration (which strict parsers refuse); the feed-level
``yt:channelId`` lacks the ``UC`` prefix that entry-level ids keep; ``updated`` moves with view
counts and is not an edit time, so it is ignored. Shorts are in the feed like any upload and link
as ``watch?v=``: the feed does not tell them apart, so every entry is a ``video``. Each entry's
``media:group/media:community`` carries its views (``media:statistics@views``) and likes
(``media:starRating@count``); the feed has no comment or share counts and no followers (None).
"""

from __future__ import annotations

import json
import re
from typing import Any

from lxml import etree

from engine.dates import parse_instant
from engine.errors import InvalidDate, LayoutChanged
from engine.hashtags import extract_hashtags
from engine.models import Post, PostKind, Profile, newest_first, read_count

from .constants import FEED_NAMESPACES, POST_URL

_ID = r"(UC[A-Za-z0-9_-]{22})"
# Where the channel page names its id, most stable first.
_PAGE_ID_SOURCES = (
    ("<link rel=\"canonical\">", re.compile(
        r"<link[^>]+rel=[\"']canonical[\"'][^>]+href=[\"'][^\"']*/channel/" + _ID)),
    ("<meta itemprop=\"identifier\">", re.compile(
        r"<meta[^>]+itemprop=[\"']identifier[\"'][^>]+content=[\"']" + _ID)),
    ("the RSS <link rel=\"alternate\">", re.compile(
        r"<link[^>]+type=[\"']application/rss\+xml[\"'][^>]+href=[\"'][^\"']*channel_id=" + _ID)),
    ("ytInitialData…externalId", re.compile(r"\"externalId\"\s*:\s*\"" + _ID + "\"")),
)
_DESCRIPTION = re.compile(r'"description"\s*:\s*"')
_ATOM = "{" + FEED_NAMESPACES["atom"] + "}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def channel_description(page: str) -> str | None:
    """The channel's description (its "bio") from a channel page's
    ``ytInitialData.metadata.channelMetadataRenderer.description``, or None when absent."""
    start = page.find('"channelMetadataRenderer"')
    if start < 0:
        return None
    found = _DESCRIPTION.search(page, start, start + 20_000)
    if not found:
        return None
    try:
        value, _end = json.JSONDecoder().raw_decode(page, found.end() - 1)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def channel_id_from_page(page: str) -> str:
    """The ``UC…`` id a channel page names; :class:`LayoutChanged` listing where it looked."""
    for _name, pattern in _PAGE_ID_SOURCES:
        found = pattern.search(page)
        if found:
            return found.group(1)
    raise LayoutChanged(
        "YouTube channel page names no channel id (looked for "
        + ", ".join(name for name, _ in _PAGE_ID_SOURCES) + ")"
    )


def parse_feed(body: bytes | str, limit: int) -> Profile:
    """An uploads feed → :class:`Profile` with its newest ``limit`` videos."""
    root = _feed_root(body)
    posts = [parse_entry(entry, index)
             for index, entry in enumerate(root.iterfind("atom:entry", FEED_NAMESPACES))]
    return Profile(public=True, posts=newest_first(posts, limit))


def parse_entry(entry: Any, index: int = 0) -> Post:
    """One ``<entry>``: id and publication time strictly, title and description tolerantly."""
    path = f"feed.entry[{index}]"
    video_id = _text(entry, "yt:videoId")
    if not video_id:
        entry_id = _text(entry, "atom:id")
        video_id = entry_id.removeprefix("yt:video:") if entry_id.startswith("yt:video:") else ""
    if not video_id:
        raise LayoutChanged(f"YouTube feed has no {path}/yt:videoId")
    published = _text(entry, "atom:published")
    if not published:
        raise LayoutChanged(f"YouTube feed has no {path}/published")
    try:
        published_at = parse_instant(published, what=f"{path}/published")
    except InvalidDate:
        raise LayoutChanged(f"YouTube feed {path}/published {published!r} is not ISO 8601") from None
    title = _text(entry, "atom:title") or _text(entry, "media:group/media:title")
    description = _text(entry, "media:group/media:description")
    return video_post(video_id, published_at, title, description,
                      views=_community_count(entry, "media:statistics", "views", path),
                      likes=_community_count(entry, "media:starRating", "count", path))


def video_post(video_id: str, published_at: Any, title: str, description: str, *,
               views: int | None = None, likes: int | None = None,
               comments: int | None = None) -> Post:
    """A :class:`Post` for one video; hashtags from the title, then the description.

    ``views``, ``likes`` and ``comments`` are the counts the same answer gave (None when it
    did not say; YouTube has no public share count).
    """
    text = f"{title}\n\n{description}".strip() if description else title
    return Post(platform="youtube", id=video_id, url=POST_URL.format(id=video_id),
                published_at=published_at, kind=PostKind.VIDEO, text=text,
                hashtags=extract_hashtags(title, description), views=views, likes=likes,
                comments=comments)


def _community_count(entry: Any, element: str, attribute: str, path: str) -> int | None:
    """``media:group/media:community/<element>@<attribute>`` as a count; None when absent."""
    found = entry.find(f"media:group/media:community/{element}", FEED_NAMESPACES)
    if found is None:
        return None
    return read_count(found.get(attribute),
                      f"YouTube {path}/media:group/media:community/{element}@{attribute}")


def _feed_root(body: bytes | str) -> Any:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    # YouTube sometimes sends whitespace before "<?xml", which libxml2 refuses.
    raw = raw.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not raw:
        raise LayoutChanged("YouTube feed answer is empty")
    try:
        root = etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError as error:
        raise LayoutChanged(f"YouTube feed is not XML ({error})") from None
    if root.tag != _ATOM + "feed":
        raise LayoutChanged(f"YouTube feed root is {etree.QName(root).localname!r}, not Atom feed")
    return root


def _text(element: Any, path: str) -> str:
    found = element.find(path, FEED_NAMESPACES)
    return (found.text or "").strip() if found is not None else ""

