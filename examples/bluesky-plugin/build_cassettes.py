"""Build this plugin's cassettes under ``cassettes/`` (getAuthorFeed in its lexicon's shape).

Run: ``python examples/bluesky-plugin/build_cassettes.py``. The bodies follow
``app.bsky.feed.getAuthorFeed`` and ``app.bsky.feed.defs`` (FeedViewPost, PostView) as the
AT Protocol lexicons define them; operators with network access can record real ones instead
with ``social-missions check bluesky HANDLE --hashtag TAG --cassette FILE --record``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from engine.plugin_api import Exchange, write_cassette

ROOT = Path(__file__).resolve().parent / "cassettes"
FEED_URL = "https://public.api.bsky.app/xrpc/app.bsky.feed.getAuthorFeed"
NOW = datetime(2025, 6, 15, 15, 6, 40, tzinfo=UTC)
DID = "did:plc:k4q2r7lmx3vyzw5bn6ct2pda"
HANDLE = "lea.bsky.social"
OTHER_DID = "did:plc:a7cq3xw4hn2ytk5pz6mebu4f"
TAG = re.compile(r"#(\w+)")


def url(actor: str, limit: int = 15) -> str:
    query = {"actor": actor, "limit": limit, "filter": "posts_no_replies",
             "includePins": "true"}
    return f"{FEED_URL}?{urlencode(query)}"


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def author(did: str = DID, handle: str = HANDLE, name: str = "Léa Voyage") -> dict[str, Any]:
    return {
        "did": did,
        "handle": handle,
        "displayName": name,
        "avatar": f"https://cdn.bsky.app/img/avatar/plain/{did}/bafkreiavatar@jpeg",
        "associated": {"chat": {"allowIncoming": "following"}},
        "labels": [],
        "createdAt": "2023-11-02T09:12:44.101Z",
    }


def tag_facets(text: str) -> list[dict[str, Any]]:
    """``#tag`` facets as a client creates them: UTF-8 byte offsets of each hashtag."""
    facets = []
    for found in TAG.finditer(text):
        start = len(text[:found.start()].encode())
        facets.append({
            "$type": "app.bsky.richtext.facet",
            "index": {"byteStart": start, "byteEnd": start + len(found.group(0).encode())},
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": found.group(1)}],
        })
    return facets


def blob(n: int) -> dict[str, Any]:
    return {"$type": "blob", "ref": {"$link": f"bafkreiimage{n:04d}"}, "mimeType": "image/jpeg",
            "size": 240_000 + n}


def images(count: int, did: str = DID) -> tuple[dict[str, Any], dict[str, Any]]:
    """(record embed, view embed) for ``count`` images."""
    ratio = {"height": 1350, "width": 1080}
    record = {"$type": "app.bsky.embed.images",
              "images": [{"alt": "", "aspectRatio": ratio, "image": blob(i)} for i in range(count)]}
    view = {"$type": "app.bsky.embed.images#view", "images": [
        {"thumb": f"https://cdn.bsky.app/img/feed_thumbnail/plain/{did}/bafkreiimage{i:04d}@jpeg",
         "fullsize": f"https://cdn.bsky.app/img/feed_fullsize/plain/{did}/bafkreiimage{i:04d}@jpeg",
         "alt": "", "aspectRatio": ratio} for i in range(count)]}
    return record, view


def video() -> tuple[dict[str, Any], dict[str, Any]]:
    record = {"$type": "app.bsky.embed.video",
              "video": {"$type": "blob", "ref": {"$link": "bafkreivideo0001"},
                        "mimeType": "video/mp4", "size": 4_200_000},
              "aspectRatio": {"height": 1920, "width": 1080}}
    view = {"$type": "app.bsky.embed.video#view", "cid": "bafkreivideo0001",
            "playlist": f"https://video.bsky.app/watch/{DID.replace(':', '%3A')}/"
                        "bafkreivideo0001/playlist.m3u8",
            "thumbnail": f"https://video.bsky.app/watch/{DID.replace(':', '%3A')}/"
                         "bafkreivideo0001/thumbnail.jpg",
            "aspectRatio": {"height": 1920, "width": 1080}}
    return record, view


def link() -> tuple[dict[str, Any], dict[str, Any]]:
    external = {"uri": "https://example.org/carnet", "title": "Carnet de voyage",
                "description": "Nos étapes de l'été"}
    return ({"$type": "app.bsky.embed.external", "external": external},
            {"$type": "app.bsky.embed.external#view", "external": external})


def quote_with_video() -> tuple[dict[str, Any], dict[str, Any]]:
    quoted_uri = f"at://{OTHER_DID}/app.bsky.feed.post/3lqzquoted2aa"
    media_record, media_view = video()
    record = {"$type": "app.bsky.embed.recordWithMedia",
              "record": {"$type": "app.bsky.embed.record",
                         "record": {"cid": "bafyreiquoted", "uri": quoted_uri}},
              "media": media_record}
    view = {"$type": "app.bsky.embed.recordWithMedia#view",
            "record": {"record": {"$type": "app.bsky.embed.record#viewRecord",
                                  "uri": quoted_uri, "cid": "bafyreiquoted",
                                  "author": author(OTHER_DID, "marc.bsky.social", "Marc"),
                                  "value": {"$type": "app.bsky.feed.post", "text": "Le marché",
                                            "createdAt": stamp(NOW - timedelta(days=4))},
                                  "labels": [], "indexedAt": stamp(NOW - timedelta(days=4))}},
            "media": media_view}
    return record, view


def post(rkey: str, age: timedelta, text: str, *,
         embed: tuple[dict[str, Any], dict[str, Any]] | None = None,
         tags: list[str] | None = None, facets: bool = True, did: str = DID,
         handle: str = HANDLE) -> dict[str, Any]:
    """A ``PostView`` of an ``app.bsky.feed.post`` record."""
    created = NOW - age
    record: dict[str, Any] = {"$type": "app.bsky.feed.post", "createdAt": stamp(created),
                              "langs": ["fr"], "text": text}
    if facets and tag_facets(text):
        record["facets"] = tag_facets(text)
    if tags:
        record["tags"] = tags
    view: dict[str, Any] = {
        "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
        "cid": f"bafyrei{rkey}",
        "author": author(did, handle) if did == DID else author(did, handle, "Marc"),
        "record": record,
    }
    if embed:
        record["embed"], view["embed"] = embed
    view.update({"replyCount": 2, "repostCount": 1, "likeCount": 14, "quoteCount": 0,
                 "indexedAt": stamp(created + timedelta(seconds=1)),
                 "viewer": {"threadMuted": False, "embeddingDisabled": False}, "labels": []})
    return view


PUBLIC_FEED = [
    {"post": post("3kpin0ld2024", timedelta(days=400), "Mon spot préféré #cafe #summer2025",
                  embed=images(1)),
     "reason": {"$type": "app.bsky.feed.defs#reasonPin"}},
    {"post": post("3lrmatch0001", timedelta(days=1), "Enfin l'été ! #Summer2025 #plage",
                  embed=images(1))},
    {"post": post("3lrmatch0002", timedelta(days=2),
                  "Carrousel du week-end\n\n#sunset #summer2025 #friends", embed=images(3))},
    # Someone else's post, reposted: not Léa's, so never judged.
    {"post": post("3lrrepost003", timedelta(days=2, hours=6), "Concours #summer2025",
                  embed=images(1), did=OTHER_DID, handle="marc.bsky.social"),
     "reason": {"$type": "app.bsky.feed.defs#reasonRepost",
                "by": {"did": DID, "handle": HANDLE, "displayName": "Léa Voyage",
                       "labels": [], "createdAt": "2023-11-02T09:12:44.101Z"},
                "indexedAt": stamp(NOW - timedelta(days=1, hours=2))}},
    {"post": post("3lrvideo0004", timedelta(days=3), "Vidéo du marché #SUMMER2025",
                  embed=video())},
    {"post": post("3lrnear00005", timedelta(days=4), "Presque ! #sumer2025 #typo",
                  embed=images(1))},
    # A tag only in record.tags (the app's "extra tags"), not in the text.
    {"post": post("3lrtags00006", timedelta(days=5), "Coucher de soleil sur la dune",
                  embed=images(1), tags=["summer2025"])},
    {"post": post("3lrlink00007", timedelta(days=6), "Le carnet est en ligne", embed=link())},
    {"post": post("3lrquote0008", timedelta(days=7), "Regardez ça #vacances",
                  embed=quote_with_video())},
    {"post": post("3lrempty0009", timedelta(days=8), "", embed=images(1))},
    # A client that made no facets: the tag is still read from the text.
    {"post": post("3lrnofac0010", timedelta(days=9), "Sans facette #summer2025",
                  facets=False)},
    {"post": post("3lrother0011", timedelta(days=10), "#winter2025 #ski", embed=images(2))},
]


def build() -> None:
    write_cassette(ROOT / "public.yaml", [
        Exchange(url(HANDLE), body={"feed": PUBLIC_FEED, "cursor": stamp(NOW - timedelta(days=10))}),
    ])
    write_cassette(ROOT / "empty_account.yaml", [
        Exchange(url("brand-new.bsky.social"), body={"feed": []}),
    ])
    write_cassette(ROOT / "not_found.yaml", [
        Exchange(url("nobody-here.bsky.social"), status=400,
                 body={"error": "InvalidRequest", "message": "Profile not found"}),
    ])
    write_cassette(ROOT / "rate_limited.yaml", [
        Exchange(url(HANDLE), status=429,
                 body={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                 headers={"ratelimit-limit": "3000", "ratelimit-remaining": "0",
                          "ratelimit-reset": "1750000300", "ratelimit-policy": "3000;w=300"}),
    ])
    # An empty page that still hands a cursor for more: the AppView held the posts back.
    write_cassette(ROOT / "held_back.yaml", [
        Exchange(url(HANDLE), body={"feed": [], "cursor": stamp(NOW - timedelta(days=1))}),
    ])
    write_cassette(ROOT / "unknown_shape.yaml", [
        Exchange(url(HANDLE), body={"items": [{"uri": f"at://{DID}/app.bsky.feed.post/3lrx"}],
                                    "cursor": "3lrx"}),
    ])


if __name__ == "__main__":
    build()
