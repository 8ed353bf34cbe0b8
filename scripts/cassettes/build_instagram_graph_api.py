"""Build the cassettes of the Instagram ``graph-api`` backend under cassettes/instagram/graph-api/.

Each check is one ``GET {api_base}/{version}/{ig_user_id}?fields=business_discovery…`` request;
the answers have the Graph API's real shapes (Meta's "IG User Business Discovery" reference and
"Handling Errors" guide): ``{"business_discovery": {..., "media": {"data": [...], "paging":
...}}, "id": ...}`` on success, ``{"error": {"message", "type", "code", "error_subcode",
"fbtrace_id"}}`` on failure. The access token is not in the recorded URL: VCR drops
``access_token`` from every request before recording and before matching.

The posts are those of ``build_instagram.py`` (same shortcodes, captions, times and kinds),
so the backends give the same verdicts. Run from the repository root:
``python -m scripts.cassettes.build_instagram_graph_api``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from engine.testing.cassettes import Exchange, write_cassette
from plugins.instagram.constants import (
    GRAPH_ACCOUNT_FIELDS,
    GRAPH_API_BASE,
    GRAPH_API_VERSION,
    GRAPH_MEDIA_FIELDS,
)

from .build_instagram import PUBLIC_NODES, URL, profile

ROOT = Path(__file__).resolve().parents[2] / "cassettes" / "instagram" / "graph-api"
# The operator's own professional account (what ``ig_user_id`` names in the tests).
IG_USER_ID = "17841400000000001"
# What the seen account's id looks like (an IG user id, not the web's numeric pk).
SEEN_ID = "17841451234567890"
_KINDS = {"GraphImage": "IMAGE", "GraphVideo": "VIDEO", "GraphSidecar": "CAROUSEL_ALBUM"}


def discovery_url(handle: str, limit: int = 12, *, base: str = GRAPH_API_BASE,
                  version: str = GRAPH_API_VERSION, user_id: str = IG_USER_ID) -> str:
    """The request a check of ``handle`` sends, without its ``access_token``."""
    fields = (f"business_discovery.username({handle}){{{GRAPH_ACCOUNT_FIELDS},"
              f"media.limit({limit}){{{GRAPH_MEDIA_FIELDS}}}}}")
    return f"{base}/{version}/{user_id}?{urlencode({'fields': fields})}"


def media_of(node: dict[str, Any]) -> dict[str, Any]:
    """A web grid node (``build_instagram.node``) as the IG Media object of the same post."""
    edges = node["edge_media_to_caption"]["edges"]
    video = node["__typename"] == "GraphVideo"
    reel = node.get("product_type") == "clips"
    item: dict[str, Any] = {
        "id": str(17_900_000_000_000_000 + node["taken_at_timestamp"] % 10_000_000),
        "timestamp": datetime.fromtimestamp(node["taken_at_timestamp"], UTC)
        .strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "permalink": (f"https://www.instagram.com/{'reel' if reel else 'p'}/"
                      f"{node['shortcode']}/"),
        "media_type": _KINDS[node["__typename"]],
        "media_product_type": "REELS" if reel else "FEED",
        "like_count": node["edge_liked_by"]["count"],
        "comments_count": node["edge_media_to_comment"]["count"],
    }
    if edges:
        # The API leaves ``caption`` out of a post without one.
        item["caption"] = edges[0]["node"]["text"]
    if video:
        item["media_product_type"] = "REELS" if reel else "FEED"
    return item


def discovery(handle: str, nodes: list[dict[str, Any]], *, count: int | None = None,
              biography: str = "Voyages & cafés ☕") -> dict[str, Any]:
    """A business discovery answer for ``handle`` whose newest media are ``nodes``."""
    media = sorted((media_of(item) for item in nodes), key=lambda m: m["timestamp"],
                   reverse=True)
    return {
        "business_discovery": {
            "username": handle,
            "biography": biography,
            "followers_count": 1834,
            "media_count": count if count is not None else len(nodes),
            "media": {"data": media,
                      "paging": {"cursors": {"after": "QVFIUm1fYWZAt"}}} if media else {"data": []},
            "id": SEEN_ID,
        },
        "id": IG_USER_ID,
    }


def graph_error(message: str, code: int, subcode: int | None = None, *,
                user_title: str | None = None, user_msg: str | None = None) -> dict[str, Any]:
    """The Graph API's error envelope."""
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["is_transient"] = code in (4, 17, 32, 613)
    if user_title:
        error["error_user_title"] = user_title
    if user_msg:
        error["error_user_msg"] = user_msg
    error["fbtrace_id"] = "AbCdEfGhIjKlMnOp"
    return {"error": error}


def build() -> None:
    write_cassette(ROOT / "public.yaml", [
        Exchange(discovery_url("lea.voyage"), body=discovery("lea.voyage", PUBLIC_NODES,
                                                            count=87)),
    ])
    write_cassette(ROOT / "empty_account.yaml", [
        Exchange(discovery_url("brand.new"), body=discovery("brand.new", [], count=0)),
    ])
    # A personal account (or an unknown name): business discovery cannot see it.
    write_cassette(ROOT / "out_of_reach.yaml", [
        Exchange(discovery_url("secret.garden"), status=400, body=graph_error(
            "Invalid user id", 110, 2207013, user_title="Cannot find User",
            user_msg="The user with username: secret.garden cannot be found.")),
    ])
    # The same, with the web backend's answer behind it: the fallback chain graph-api → web.
    write_cassette(ROOT / "out_of_reach_then_web.yaml", [
        Exchange(discovery_url("secret.garden"), status=400, body=graph_error(
            "Invalid user id", 110, 2207013, user_title="Cannot find User",
            user_msg="The user with username: secret.garden cannot be found.")),
        Exchange(URL.format("secret.garden"),
                 body=profile("secret.garden", [], private=True, count=42)),
    ])
    write_cassette(ROOT / "rate_limited.yaml", [
        Exchange(discovery_url("lea.voyage"), status=403, body=graph_error(
            "(#17) User request limit reached", 17, 2207051)),
    ])
    write_cassette(ROOT / "quota.yaml", [
        Exchange(discovery_url("lea.voyage"), status=403, body=graph_error(
            "(#4) Application request limit reached", 4)),
    ])
    write_cassette(ROOT / "expired_token.yaml", [
        Exchange(discovery_url("lea.voyage"), status=400, body=graph_error(
            "Error validating access token: Session has expired on Sunday, 29-Nov-26 "
            "09:00:00 PST. The current time is Monday, 30-Nov-26 06:19:37 PST.", 190, 463)),
    ])
    write_cassette(ROOT / "unknown_shape.yaml", [
        Exchange(discovery_url("lea.voyage"),
                 body={"business_discovery": {"username": "lea.voyage",
                                              "media": {"items": []}}, "id": IG_USER_ID}),
    ])


if __name__ == "__main__":
    build()
