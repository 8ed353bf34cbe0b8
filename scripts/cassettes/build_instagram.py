"""Build the Instagram cassettes under cassettes/instagram/ (web_profile_info in its real shape).

Run from the repository root: ``python -m scripts.cassettes.build_instagram``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.testing.cassettes import Exchange, write_cassette

ROOT = Path(__file__).resolve().parents[2] / "cassettes" / "instagram" / "web"
URL = "https://www.instagram.com/api/v1/users/web_profile_info/?username={}"
DAY = 86_400
NOW = 1_750_000_000  # 2025-06-15T15:06:40Z
# Instagram's refusal body (HTTP 401 or 429) since late 2024.
PLEASE_WAIT = {"message": "Please wait a few minutes before you try again.",
               "require_login": True, "status": "fail"}


def node(shortcode: str, typename: str, taken_at: int, caption: str | None,
         product_type: str | None = None, pinned: bool = False, *, likes: int = 120,
         comments: int = 3, views: int = 5400, hidden: bool = False) -> dict[str, Any]:
    """A GraphQL post node; ``views`` only on videos; ``hidden``: its owner hid the like and
    view counts (``like_and_view_counts_disabled``), which the answer still carries."""
    item: dict[str, Any] = {
        "__typename": typename,
        "id": str(3_600_000_000_000_000_000 + taken_at),
        "shortcode": shortcode,
        "dimensions": {"height": 1350, "width": 1080},
        "display_url": f"https://scontent.cdninstagram.com/v/t51.2885-15/{shortcode}.jpg",
        "is_video": typename == "GraphVideo",
        "edge_media_to_caption": {"edges": [{"node": {"text": caption}}] if caption else []},
        "edge_media_to_comment": {"count": comments},
        "comments_disabled": False,
        "taken_at_timestamp": taken_at,
        "edge_liked_by": {"count": likes},
        "edge_media_preview_like": {"count": likes},
        "like_and_view_counts_disabled": hidden,
        "owner": {"id": "51234567890", "username": "lea.voyage"},
        "thumbnail_src": f"https://scontent.cdninstagram.com/v/t51.2885-15/{shortcode}_t.jpg",
        "pinned_for_users": [{"id": "51234567890", "username": "lea.voyage"}] if pinned else [],
    }
    if product_type:
        item["product_type"] = product_type
    if typename == "GraphVideo":
        item["video_view_count"] = views
    return item


def profile(username: str, nodes: list[dict[str, Any]], *, private: bool = False,
            count: int | None = None,
            biography: str = "Voyages & cafés ☕") -> dict[str, Any]:
    """A ``web_profile_info`` answer: the user, with ``nodes`` as the grid's first posts."""
    return {
        "data": {
            "user": {
                "biography": biography,
                "edge_followed_by": {"count": 1834},
                "edge_follow": {"count": 301},
                "full_name": "Léa Voyage",
                "id": "51234567890",
                "is_business_account": False,
                "is_private": private,
                "is_verified": False,
                "profile_pic_url": "https://scontent.cdninstagram.com/v/t51.2885-19/pp.jpg",
                "username": username,
                "edge_felix_video_timeline": {"count": 0, "page_info": {"has_next_page": False,
                                                                        "end_cursor": None},
                                              "edges": []},
                "edge_owner_to_timeline_media": {
                    "count": count if count is not None else len(nodes),
                    "page_info": {"has_next_page": bool(count and count > 12),
                                  "end_cursor": "QVFD..." if count and count > 12 else None},
                    "edges": [{"node": item} for item in nodes],
                },
                "edge_saved_media": {"count": 0, "page_info": {"has_next_page": False,
                                                               "end_cursor": None}, "edges": []},
            }
        },
        "status": "ok",
    }


# The public grid's posts whose numbers differ from node()'s defaults (the instaloader builder
# gives its v1 items the same): likes, comments, views (videos), hidden like and view counts.
ENGAGEMENT: dict[str, dict[str, Any]] = {
    "DMatch0001a": {"likes": 412, "comments": 27},
    "DMatch0002b": {"likes": 96, "comments": 0, "hidden": True},
    "DReel000003": {"likes": 1_530, "comments": 41, "views": 48_210},
}

PUBLIC_NODES = [
    node("DPin0ld2023", "GraphImage", NOW - 400 * DAY, "Mon spot préféré #cafe #paris",
         pinned=True),
    node("DMatch0001a", "GraphImage", NOW - 1 * DAY, "Enfin l'été ! #Summer2025 #plage",
         **ENGAGEMENT["DMatch0001a"]),
    node("DMatch0002b", "GraphSidecar", NOW - 2 * DAY,
         "Carrousel du week-end\n\n#sunset #summer2025 #friends", **ENGAGEMENT["DMatch0002b"]),
    node("DReel000003", "GraphVideo", NOW - 3 * DAY, "Reel du marché #SUMMER2025",
         product_type="clips", **ENGAGEMENT["DReel000003"]),
    node("DNear000004", "GraphImage", NOW - 4 * DAY, "Presque ! #sumer2025 #typo"),
    node("DNear000005", "GraphImage", NOW - 5 * DAY, "Avec accent #summér2025"),
    node("DExtra00006", "GraphImage", NOW - 6 * DAY, "#summer2025contest is on"),
    node("DVideo00007", "GraphVideo", NOW - 7 * DAY, "Petite vidéo #vacances",
         product_type="igtv"),
    node("DEmpty00008", "GraphImage", NOW - 8 * DAY, None),
    node("DNoTag00009", "GraphSidecar", NOW - 9 * DAY, "Just a caption, no tag, @summer2025"),
    node("DOther00010", "GraphImage", NOW - 10 * DAY, "#winter2025 #ski"),
    node("DMatch0011c", "GraphVideo", NOW - 40 * DAY, "Old but valid #summer2025",
         product_type="clips"),
]


def build() -> None:
    write_cassette(ROOT / "public.yaml", [
        Exchange(URL.format("lea.voyage"), body=profile("lea.voyage", PUBLIC_NODES, count=87)),
    ])
    write_cassette(ROOT / "private.yaml", [
        Exchange(URL.format("secret.garden"),
                 body=profile("secret.garden", [], private=True, count=42)),
    ])
    write_cassette(ROOT / "not_found.yaml", [
        Exchange(URL.format("nobody.here.404"), status=404, body="", content_type="text/html"),
    ])
    write_cassette(ROOT / "user_null.yaml", [
        Exchange(URL.format("gone.account"), body={"data": {"user": None}, "status": "ok"}),
    ])
    write_cassette(ROOT / "rate_limited.yaml", [
        Exchange(URL.format("lea.voyage"), status=429,
                 body=PLEASE_WAIT),
    ])
    write_cassette(ROOT / "wait_a_few_minutes.yaml", [
        Exchange(URL.format("lea.voyage"), status=401,
                 body=PLEASE_WAIT),
    ])
    write_cassette(ROOT / "login_redirect.yaml", [
        Exchange(URL.format("lea.voyage"), status=302, body="", content_type="text/html",
                 headers={"Location": "https://www.instagram.com/accounts/login/"}),
    ])
    write_cassette(ROOT / "unknown_shape.yaml", [
        Exchange(URL.format("lea.voyage"),
                 body={"data": {"xdt_user_profile": {"handle": "lea.voyage", "media": []}},
                       "status": "ok"}),
    ])
    write_cassette(ROOT / "empty_account.yaml", [
        Exchange(URL.format("brand.new"), body=profile("brand.new", [], count=0)),
    ])
    # The answer says 87 posts and carries none: held back, never "no posts".
    write_cassette(ROOT / "held_back.yaml", [
        Exchange(URL.format("lea.voyage"), body=profile("lea.voyage", [], count=87)),
    ])
    # An emptied user object: not "no such account" (that is user: null or HTTP 404).
    write_cassette(ROOT / "user_emptied.yaml", [
        Exchange(URL.format("lea.voyage"), body={"data": {"user": {}}, "status": "ok"}),
    ])
    # The same grid listed oldest first: the engine orders it newest first before the limit.
    write_cassette(ROOT / "oldest_first.yaml", [
        Exchange(URL.format("lea.voyage"),
                 body=profile("lea.voyage", sorted(
                     PUBLIC_NODES, key=lambda item: item["taken_at_timestamp"]), count=87)),
    ])


if __name__ == "__main__":
    build()
