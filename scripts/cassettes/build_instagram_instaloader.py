"""Build the cassettes of the Instagram ``instaloader`` backend under cassettes/instagram/instaloader/.

instaloader 4.16, logged out, answers ``Profile.from_username`` + ``is_private`` + 12 posts with:

1. ``GET /<handle>/`` — the profile page, whose embedded Relay data holds ``xig_user_by_username``
   twice: the profile's details (``pk``, ``is_private``…) and its first posts
   (``polaris_ordered_timeline_connection``, nodes carrying only their ``code``).
   ``Profile.get_posts`` loads it again; the backend serves that from the first load;
2. ``GET /`` — the start page, for the ``LSD`` token;
3. ``GET /`` again for the ``csrftoken`` cookie: cookies are stripped from cassettes, so replay
   never has it (live, the start page's anonymous cookie spares this request); instaloader asks
   before every query, the backend once per check;
4. ``POST /api/graphql`` per post — ``xdt_api__v1__media__shortcode__web_info``, the post in the
   v1 item shape, because the page's nodes lack the caption.

The POSTs share one URL (their bodies are not compared), so they are answered in recorded order.

The posts mirror ``build_instagram.py`` (same shortcodes, captions, times and kinds) so both
backends give the same verdicts. Run from the repository root:
``python -m scripts.cassettes.build_instagram_instaloader``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.testing.cassettes import Exchange, write_cassette

from .build_instagram import DAY, ENGAGEMENT, NOW, PLEASE_WAIT

ROOT = Path(__file__).resolve().parents[2] / "cassettes" / "instagram" / "instaloader"
PAGE = "https://www.instagram.com/{}/"
START_PAGE = "https://www.instagram.com/"
GRAPHQL = "https://www.instagram.com/api/graphql"
HTML = "text/html; charset=\"utf-8\""
USER_PK = "51234567890"
# The page's own "id" of the profile (what the posts query is keyed on), not the user ID.
PAGE_ID = "17841451234567890"

# (shortcode, media_type, product_type, taken_at, caption, pinned) — as the web cassette.
POSTS: list[tuple[str, int, str, int, str | None, bool]] = [
    ("DPin0ld2023", 1, "feed", NOW - 400 * DAY, "Mon spot préféré #cafe #paris", True),
    ("DMatch0001a", 1, "feed", NOW - 1 * DAY, "Enfin l'été ! #Summer2025 #plage", False),
    ("DMatch0002b", 8, "carousel_container", NOW - 2 * DAY,
     "Carrousel du week-end\n\n#sunset #summer2025 #friends", False),
    ("DReel000003", 2, "clips", NOW - 3 * DAY, "Reel du marché #SUMMER2025", False),
    ("DNear000004", 1, "feed", NOW - 4 * DAY, "Presque ! #sumer2025 #typo", False),
    ("DNear000005", 1, "feed", NOW - 5 * DAY, "Avec accent #summér2025", False),
    ("DExtra00006", 1, "feed", NOW - 6 * DAY, "#summer2025contest is on", False),
    ("DVideo00007", 2, "igtv", NOW - 7 * DAY, "Petite vidéo #vacances", False),
    ("DEmpty00008", 1, "feed", NOW - 8 * DAY, None, False),
    ("DNoTag00009", 8, "carousel_container", NOW - 9 * DAY,
     "Just a caption, no tag, @summer2025", False),
    ("DOther00010", 1, "feed", NOW - 10 * DAY, "#winter2025 #ski", False),
    ("DMatch0011c", 2, "clips", NOW - 40 * DAY, "Old but valid #summer2025", False),
]


def media_pk(taken_at: int) -> str:
    return str(3_600_000_000_000_000_000 + taken_at)


def owner(username: str) -> dict[str, Any]:
    return {"pk": USER_PK, "id": USER_PK, "username": username, "full_name": "Léa Voyage",
            "is_private": False, "is_verified": False,
            "profile_pic_url": "https://scontent.cdninstagram.com/v/t51.2885-19/pp.jpg"}


def candidates(code: str) -> dict[str, Any]:
    return {"candidates": [
        {"width": 1080, "height": 1350,
         "url": f"https://scontent.cdninstagram.com/v/t51.2885-15/{code}_1080.jpg"},
        {"width": 640, "height": 800,
         "url": f"https://scontent.cdninstagram.com/v/t51.2885-15/{code}_640.jpg"},
    ]}


def v1_item(code: str, media_type: int, product_type: str, taken_at: int, caption: str | None,
            pinned: bool, username: str = "lea.voyage") -> dict[str, Any]:
    """A post as ``xdt_api__v1__media__shortcode__web_info`` gives it (the v1 item shape), with
    the numbers the web builder gives the same post (:data:`build_instagram.ENGAGEMENT`)."""
    pk = media_pk(taken_at)
    numbers = {"likes": 120, "comments": 3, "views": 5400, "hidden": False,
               **ENGAGEMENT.get(code, {})}
    item: dict[str, Any] = {
        "code": code,
        "pk": pk,
        "id": f"{pk}_{USER_PK}",
        "taken_at": taken_at,
        "media_type": media_type,
        "product_type": product_type,
        "caption": ({"pk": str(int(pk) + 7), "text": caption, "created_at": taken_at,
                     "user_id": USER_PK, "has_translation": None} if caption else None),
        "user": owner(username),
        "owner": owner(username),
        "image_versions2": candidates(code),
        "original_width": 1080,
        "original_height": 1350,
        "like_count": numbers["likes"],
        "comment_count": numbers["comments"],
        "has_liked": False,
        "comments_disabled": None,
        "like_and_view_counts_disabled": numbers["hidden"],
        "accessibility_caption": None,
        "location": None,
        "usertags": None,
        "is_paid_partnership": False,
        "timeline_pinned_user_ids": [int(USER_PK)] if pinned else [],
        "clips_tab_pinned_user_ids": [],
        "carousel_media_count": None,
        "carousel_media": None,
        "video_versions": None,
        "clips_metadata": None,
        "__typename": "XDTMediaDict",
    }
    if media_type == 2:
        item["video_versions"] = [
            {"type": 101, "width": 720, "height": 1280,
             "url": f"https://scontent.cdninstagram.com/o1/v/t16/f2/m86/{code}.mp4"},
        ]
        item["video_duration"] = 14.2
        item["play_count" if product_type == "clips" else "view_count"] = numbers["views"]
        if product_type == "clips":
            item["clips_metadata"] = {"audio_type": "original_sounds", "music_info": None}
    if media_type == 8:
        item["carousel_media_count"] = 2
        item["carousel_media"] = [
            {"pk": str(int(pk) + index), "id": f"{int(pk) + index}_{USER_PK}", "media_type": 1,
             "image_versions2": candidates(f"{code}_{index}"), "accessibility_caption": None}
            for index in (1, 2)
        ]
    return item


def web_info(item: dict[str, Any]) -> dict[str, Any]:
    """The ``api/graphql`` answer to PolarisPostRootQuery for one post."""
    return {"data": {"xdt_api__v1__media__shortcode__web_info": {"items": [item]}},
            "extensions": {"is_final": True}}


def relay_script(preloader: str, data: dict[str, Any]) -> str:
    """One ``<script type="application/json">`` of the page, as Relay's preloaders embed it."""
    document = {"require": [["ScheduledServerJS", "handle", None, [{"__bbox": {"require": [
        ["RelayPrefetchedStreamCache", "next", [], [preloader, {"__bbox": {
            "complete": True,
            "result": {"data": data, "extensions": {"is_final": True}},
            "sequence_number": 0,
        }}]],
    ]}}]]]}
    # Instagram escapes "/" inside its JSON scripts.
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")
    return f'<script type="application/json" data-content-len="{len(text)}" data-sjs>{text}</script>'


def page(title: str, scripts: list[str]) -> str:
    return ("<!DOCTYPE html><html class=\"_9dls\" lang=\"en\" dir=\"ltr\"><head>"
            "<meta charset=\"utf-8\" /><title>" + title + "</title></head><body>"
            "<div id=\"splash-screen\"></div>" + "".join(scripts) + "</body></html>")


def user_details(username: str, *, private: bool = False,
                 media_count: int = 87) -> dict[str, Any]:
    """``xig_user_by_username`` of PolarisProfilePageContentQuery, as a logged-out visitor sees it."""
    return {"xig_user_by_username": {
        "pk": USER_PK,
        "id": PAGE_ID,
        "username": username,
        "full_name": "Léa Voyage",
        "biography": "Voyages & cafés ☕",
        "bio_links": [],
        "is_private": private,
        "is_verified": False,
        "is_memorialized": False,
        "is_business": False,
        "category": None,
        "follower_count": 1834,
        "following_count": 301,
        "all_media_count": media_count,
        "profile_pic_url": "https://scontent.cdninstagram.com/v/t51.2885-19/pp.jpg",
        "hd_profile_pic_url_info": {
            "url": "https://scontent.cdninstagram.com/v/t51.2885-19/pp_hd.jpg"},
        "fbid_v2": PAGE_ID,
        "pronouns": [],
        "account_badges": [],
    }}


def user_posts(posts: list[tuple[str, int, str, int, str | None, bool]], *,
               has_next_page: bool = True) -> dict[str, Any]:
    """``xig_user_by_username`` of the posts tab query: the first posts, nodes without captions."""
    edges = [{"node": {"code": code, "pk": media_pk(taken_at), "id": f"{media_pk(taken_at)}_{USER_PK}",
                       "media_type": media_type, "product_type": product_type,
                       "image_versions2": candidates(code), "__typename": "XDTMediaDict"},
              "cursor": media_pk(taken_at)}
             for code, media_type, product_type, taken_at, _caption, _pinned in posts]
    return {"xig_user_by_username": {
        "id": PAGE_ID,
        "polaris_ordered_timeline_connection": {
            "edges": edges,
            "page_info": {"end_cursor": edges[-1]["cursor"] if edges else None,
                          "has_next_page": has_next_page, "has_previous_page": False,
                          "start_cursor": None},
        },
    }}


def profile_page(username: str, scripts_data: list[tuple[str, dict[str, Any]]]) -> Exchange:
    scripts = [relay_script(preloader, data) for preloader, data in scripts_data]
    return Exchange(PAGE.format(username), content_type=HTML,
                    body=page(f"Léa Voyage (@{username}) • Instagram photos and videos", scripts))


DETAILS = "adp_PolarisProfilePageContentQueryRelayPreloader_67f2a1c0e4b8d3"
POSTS_TAB = "adp_PolarisLoggedOutDesktopWWWProfilePostsTabContentQueryRelayPreloader_67f2a1c0f1a9"


def start_page() -> Exchange:
    """The logged-out start page: its ``LSD`` token and ``IG_USER_EIMU`` (0 when logged out)."""
    script = ('<script type="application/json" data-content-len="180" data-sjs>{"require":'
              '[["ScheduledServerJS","handle",null,[{"define":[["LSD",[],'
              '{"token":"AVrLsdReplay0Tok"},323],["CurrentUserInitialData",[],'
              '{"ACCOUNT_ID":"0","USER_ID":"0","NAME":"","IG_USER_EIMU":"0"},270]]}]]]}</script>')
    return Exchange(START_PAGE, content_type=HTML, body=page("Instagram", [script]))


def public_exchanges(username: str = "lea.voyage") -> list[Exchange]:
    profile = profile_page(username, [(DETAILS, user_details(username)),
                                      (POSTS_TAB, user_posts(POSTS))])
    queries = [Exchange(GRAPHQL, method="POST", body=web_info(v1_item(*post, username=username)))
               for post in POSTS]
    # One start page answers the token request and the csrftoken request (a repeat).
    return [profile, start_page(), *queries]


def build() -> None:
    write_cassette(ROOT / "public.yaml", public_exchanges())
    write_cassette(ROOT / "private.yaml", [
        # Logged out, the page of a private profile embeds its details but no posts.
        profile_page("secret.garden",
                     [(DETAILS, user_details("secret.garden", private=True, media_count=42))]),
    ])
    write_cassette(ROOT / "not_found.yaml", [
        Exchange(PAGE.format("nobody.here.404"), status=404, content_type=HTML,
                 body=page("Page not found • Instagram", [])),
    ])
    write_cassette(ROOT / "rate_limited.yaml", [
        Exchange(PAGE.format("lea.voyage"), status=429,
                 body=PLEASE_WAIT),
    ])
    write_cassette(ROOT / "wait_a_few_minutes.yaml", [
        Exchange(PAGE.format("lea.voyage"), status=401,
                 body=PLEASE_WAIT),
    ])
    write_cassette(ROOT / "login_redirect.yaml", [
        Exchange(PAGE.format("lea.voyage"), status=302, content_type=HTML, body="",
                 headers={"Location": "https://www.instagram.com/accounts/login/?next=%2Flea.voyage%2F"}),
    ])
    # The posts tab query's result renamed: instaloader finds the profile but not its posts.
    renamed = {"xig_user_by_username": {"id": PAGE_ID, "xdt_profile_grid_connection": {
        "edges": user_posts(POSTS)["xig_user_by_username"]["polaris_ordered_timeline_connection"]
        ["edges"]}}}
    unknown_page = profile_page("lea.voyage", [(DETAILS, user_details("lea.voyage")),
                                               (POSTS_TAB, renamed)])
    write_cassette(ROOT / "unknown_shape.yaml", [unknown_page])
    # The page says 87 posts (all_media_count) and its posts tab lists none: held back.
    write_cassette(ROOT / "held_back.yaml", [
        profile_page("lea.voyage", [(DETAILS, user_details("lea.voyage")),
                                    (POSTS_TAB, user_posts([], has_next_page=False))]),
    ])
    # A post answer in a shape the library cannot read (a media_type it does not know).
    odd = v1_item(*POSTS[0])
    odd["media_type"] = 19
    write_cassette(ROOT / "unknown_media.yaml", [
        *public_exchanges()[:2], Exchange(GRAPHQL, method="POST", body=web_info(odd)),
    ])


if __name__ == "__main__":
    build()
