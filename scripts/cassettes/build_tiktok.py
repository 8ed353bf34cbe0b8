"""Build the TikTok cassettes: VCR YAML for ``web`` and ``yt-dlp``, HAR files for ``browser``.

Run from the repository root: ``python -m scripts.cassettes.build_tiktok``. Bodies follow the
shapes of TikTok's real answers (``PLATFORMS.md``, ``../shared/fixtures/tiktok/``): the profile
page with ``__UNIVERSAL_DATA_FOR_REHYDRATION__`` (or the legacy ``SIGI_STATE``) and the
``item_list`` JSON. The yt-dlp cassettes hold the ``item_list`` query the installed yt-dlp
builds itself, so rebuild them after upgrading yt-dlp. The browser HAR pages carry a small
script that fetches ``/api/post/item_list/`` as the real page does, so the browser backend's
capture path really runs.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from engine.testing.cassettes import Exchange, write_cassette

ROOT = Path(__file__).resolve().parents[2] / "cassettes" / "tiktok"
PAGE = "https://www.tiktok.com/@{}"
ITEM_LIST = "https://www.tiktok.com/api/creator/item_list/"
POST_ITEM_LIST = "https://www.tiktok.com/api/post/item_list/"
HTML = "text/html; charset=utf-8"
DAY = 86_400
NOW = 1_750_000_000  # 2025-06-15T15:06:40Z
CURSOR = str(NOW * 1000)
DEVICE_ID = "7301234567890123456"

PUBLIC = "mila.moves"
PRIVATE = "secret.garden"
MISSING = "nobody.here.404"
LEGACY = "old.school"


def make_sec_uid(seed: str) -> str:
    """A secUid of the real form: ``MS4wLjABAAAA`` and 64 URL-safe characters."""
    return "MS4wLjABAAAA" + (seed + "_" + "x0Y1z2W3v4U5t6S7r8Q9" * 4)[:64]


PUBLIC_SECUID = make_sec_uid("mIlAmOvEs-Pub")
PRIVATE_SECUID = make_sec_uid("sEcReTgArDeN-Prv")
LEGACY_SECUID = make_sec_uid("oLdScHoOl-Leg")


# -- bodies -------------------------------------------------------------------------------------

def user(handle: str, sec_uid: str, *, private: bool = False) -> dict[str, Any]:
    return {
        "id": str(6_900_000_000_000_000_000 + len(handle)),
        "shortId": "",
        "uniqueId": handle,
        "nickname": handle.replace(".", " ").title(),
        "avatarThumb": f"https://p16-sign-va.tiktokcdn.com/tos-maliva-avt-0068/{handle}~100.jpeg",
        "signature": "Dance, travel, coffee ☕",
        "createTime": 1_624_460_216,
        "verified": False,
        "secUid": sec_uid,
        "ftc": False,
        "relation": 0,
        "openFavorite": False,
        "commentSetting": 0,
        "duetSetting": 0,
        "stitchSetting": 0,
        "privateAccount": private,
        "secret": private,
        "isADVirtual": False,
        "roomId": "",
        "uniqueIdModifyTime": 0,
        "ttSeller": False,
        "downloadSetting": 0,
        "followingVisibility": 1,
        "language": "en",
        "isOrganization": 0,
    }


# The account's followers: statsV2 gives the exact count as text, stats a rounded number.
FOLLOWERS = 15_437


def stats(videos: int) -> dict[str, Any]:
    return {"followerCount": 15_400, "followingCount": 210, "heart": 402_000,
            "heartCount": 402_000, "videoCount": videos, "diggCount": 0, "friendCount": 12}


def stats_v2(videos: int) -> dict[str, str]:
    return {**{key: str(value) for key, value in stats(videos).items()},
            "followerCount": str(FOLLOWERS)}


def user_detail(handle: str, sec_uid: str, *, status: int = 0, private: bool = False,
                videos: int = 57) -> dict[str, Any]:
    count = stats(videos)
    return {
        "userInfo": {
            "user": user(handle, sec_uid, private=private),
            "stats": count,
            "statsV2": stats_v2(videos),
            "itemList": [],
        },
        "statusCode": status,
        "statusMsg": "",
        "needFix": False,
    }


def universal(scope: dict[str, Any]) -> dict[str, Any]:
    return {"__DEFAULT_SCOPE__": {
        "webapp.app-context": {"language": "en", "region": "FR", "appId": 1233,
                               "webIdCreatedTime": str(NOW), "user": {}},
        "webapp.biz-context": {"isBrowserSupported": True},
        **scope,
    }}


def page(handle: str, state: dict[str, Any], *, script_id: str = "__UNIVERSAL_DATA_FOR_REHYDRATION__",
         extra: str = "") -> str:
    # Pages escape "</" inside their JSON so that it cannot close the script element.
    data = json.dumps(state, ensure_ascii=False).replace("</", "<\\/")
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{handle} (@{handle}) | TikTok</title></head><body><div id=\"app\"></div>"
        f'<script id="{script_id}" type="application/json">{data}</script>{extra}'
        "</body></html>"
    )


def tag(name: str, start: int) -> dict[str, Any]:
    return {"awemeId": "", "end": start + len(name) + 1, "hashtagId": str(zlib.crc32(name.encode())),
            "hashtagName": name, "isCommerce": False, "start": start, "subType": 0, "type": 1}


def mention(name: str, start: int) -> dict[str, Any]:
    # Mentions are textExtra entries too: type 5 and a hashtagName of "@name".
    return {"awemeId": "", "end": start + len(name) + 1, "hashtagName": f"@{name}",
            "isCommerce": False, "secUid": "MS4wLjABAAAA" + "m" * 64, "start": start,
            "subType": 0, "type": 5, "userId": "6812345678901234567", "userUniqueId": name}


def item(number: int, handle: str, sec_uid: str, age_days: float, desc: str,
         extras: list[dict[str, Any]], *, pinned: bool = False, photo: bool = False,
         contents: list[dict[str, Any]] | None = None, string_time: bool = False,
         plays: int = 5_100, likes: int = 240, comments: int = 8, shares: int = 3,
         counted: bool = True) -> dict[str, Any]:
    """One ``itemList`` entry. Its ``stats`` hold numbers TikTok may round (to 3 significant
    digits above 10 000), ``statsV2`` the exact ones as text; ``counted=False`` leaves both out
    (an item whose counts the answer does not carry)."""
    created = int(NOW - age_days * DAY)
    video_id = str(7_500_000_000_000_000_000 + number * 1_000_003)
    body: dict[str, Any] = {
        "AIGCDescription": "",
        "author": {"id": "6900000000000000010", "uniqueId": handle, "nickname": handle,
                   "secUid": sec_uid, "privateAccount": False, "verified": False},
        "createTime": str(created) if string_time else created,
        "desc": desc,
        "id": video_id,
        "music": {"id": "7000000000000000001", "title": "original sound", "authorName": handle,
                  "duration": 15, "original": True},
        "authorStats": {key: stats(57)[key] for key in _AUTHOR_STATS},
        "authorStatsV2": {key: stats_v2(57)[key] for key in _AUTHOR_STATS},
        "video": {"id": video_id, "duration": 15, "height": 1024, "width": 576,
                  "ratio": "540p",
                  "cover": f"https://p16-sign-va.tiktokcdn.com/obj/{video_id}~cover.jpeg"},
    }
    if counted:
        exact = {"collectCount": 12, "commentCount": comments, "diggCount": likes,
                 "playCount": plays, "shareCount": shares}
        body["stats"] = {key: _rounded(value) for key, value in exact.items()}
        body["statsV2"] = {**{key: str(value) for key, value in exact.items()},
                           "repostCount": "0"}
    if extras:
        body["textExtra"] = extras
    if contents is not None:
        body["contents"] = contents
    if pinned:
        body["isPinned"] = True
    if photo:
        body["imagePost"] = {"images": [
            {"imageURL": {"urlList": [f"https://p16-sign-va.tiktokcdn.com/{video_id}-{i}.jpeg"]},
             "imageWidth": 1080, "imageHeight": 1440} for i in range(3)], "title": ""}
    return body


_AUTHOR_STATS = ("followerCount", "followingCount", "heart", "heartCount", "videoCount",
                 "diggCount", "friendCount")


def _rounded(value: int) -> int:
    """A count as TikTok's ``stats`` may show it: 3 significant digits above 10 000."""
    if value < 10_000:
        return value
    scale = 10 ** (len(str(value)) - 3)
    return value // scale * scale


def public_items(handle: str = PUBLIC, sec_uid: str = PUBLIC_SECUID) -> list[dict[str, Any]]:
    return [
        item(1, handle, sec_uid, 400, "Throwback to last year #summer #tbt",
             [tag("summer", 21), tag("tbt", 29)], pinned=True),
        item(2, handle, sec_uid, 1, "Beach day ☀️ #summer #beach",
             [tag("summer", 13), tag("beach", 21)], plays=48_213, likes=3_127, comments=96,
             shares=41),
        item(3, handle, sec_uid, 2, "Filmed by @summer at the beach 🎥", [mention("summer", 10)]),
        item(4, handle, sec_uid, 3, "Almost there #sumer vibes", [tag("sumer", 13)]),
        item(5, handle, sec_uid, 4, "Photo dump 📸 #Summer #photodump",
             [tag("Summer", 14), tag("photodump", 22)], photo=True),
        item(6, handle, sec_uid, 5, "Part 2", [], contents=[
            {"desc": "Part 2 of the trip #summer", "textExtra": [tag("summer", 19)]}]),
        item(7, handle, sec_uid, 6, "Sunset on the pier #summer", [tag("summer", 19)],
             string_time=True),
        item(8, handle, sec_uid, 7, "Late night snack #summer", []),
        item(9, handle, sec_uid, 8, "Snow trip #winter #ski", [tag("winter", 10), tag("ski", 18)]),
        item(10, handle, sec_uid, 9, "", [], counted=False),
    ]


def item_list_answer(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "cursor": str((NOW - 9 * DAY) * 1000),
        "extra": {"fatal_item_ids": [], "logid": "20250615150640A1B2C3D4E5F6", "now": NOW * 1000},
        "hasMore": True,
        "hasMorePrevious": False,
        "itemList": items,
        "log_pb": {"impr_id": "20250615150640A1B2C3D4E5F6"},
        "statusCode": 0,
        "status_code": 0,
        "status_msg": "",
    }


def sigi_state() -> dict[str, Any]:
    videos = [
        item(21, LEGACY, LEGACY_SECUID, 1, "Old layout #summer", [tag("summer", 11)],
             string_time=True),
        item(22, LEGACY, LEGACY_SECUID, 2, "Thanks @summer for the tip", [mention("summer", 7)],
             string_time=True),
        item(23, LEGACY, LEGACY_SECUID, 3, "Skate #skate #sumer", [tag("skate", 6), tag("sumer", 13)],
             string_time=True),
    ]
    for video in videos:  # the legacy ItemModule named the author by handle only
        video["author"] = LEGACY
    return {
        "AppContext": {"appContext": {"language": "en", "region": "FR"}},
        "UserPage": {"uniqueId": LEGACY, "statusCode": 0, "secUid": LEGACY_SECUID},
        "UserModule": {
            "users": {LEGACY: user(LEGACY, LEGACY_SECUID)},
            "stats": {LEGACY: stats(3)},
        },
        "ItemModule": {video["id"]: video for video in videos},
        "ItemList": {"user-post": {"list": [video["id"] for video in videos],
                                   "hasMore": False, "cursor": "0"}},
    }


CHALLENGE_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Please wait...</title></head>'
    '<body><p id="cs" class="eyJ2Ijp7ImEiOiJZV0ZoIiwiYyI6IlEzWTEifSwicyI6IjEifQ"></p>'
    '<p id="wci" class="_wafchallengeid"></p><p id="rci" class="waforiginalreid"></p>'
    '<p id="rs" class="MTIzNDU2"></p><p>Please wait...</p>'
    "<script>/* proof-of-work solver */</script></body></html>"
)
UNKNOWN_SHAPE_STATE = universal({
    "webapp.user-profile": {"profile": {"handle": PUBLIC, "sec": PUBLIC_SECUID}, "code": 0},
})
PRIVATE_STATE = universal({
    "webapp.user-detail": user_detail(PRIVATE, PRIVATE_SECUID, status=10222, private=True,
                                      videos=42)})
MISSING_STATE = universal({
    "webapp.user-detail": {"statusCode": 10221, "statusMsg": "user not exist", "needFix": False}})
PUBLIC_STATE = universal({"webapp.user-detail": user_detail(PUBLIC, PUBLIC_SECUID)})

# -- held back, refused, not found: the kinds of shared/cases/2026-11-30 -------------------------
# A user object emptied, with no status code (TikTok-Api users report it for existing accounts).
EMPTIED_STATE = universal({"webapp.user-detail": {
    "userInfo": {"user": {}, "stats": {}, "shareMeta": {}}, "needFix": False}})
# statusCode 10202: TikTok's "page not found" for a user that does not exist.
PAGE_NOT_FOUND_STATE = universal({"webapp.user-detail": {
    "statusCode": 10202, "statusMsg": "", "needFix": False}})
# A public account with no video at all: videoCount 0.
NO_VIDEOS = "brand.new"
NO_VIDEOS_SECUID = make_sec_uid("bRaNdNeW-Empty")
NO_VIDEOS_STATE = universal({"webapp.user-detail": user_detail(NO_VIDEOS, NO_VIDEOS_SECUID,
                                                               videos=0)})
# A captcha answered as JSON with HTTP 200, in place of item_list's answer.
CAPTCHA_ANSWER = {"code": "10000", "from": "", "type": "verify", "version": "",
                  "region": "va", "subtype": "slide", "detail": "Zm9vYmFy", "verify_event": "",
                  "fp": "verify_a1b2c3d", "mobile": "", "email": "", "channel_mobile": ""}


def held_back_answer(*, more: str = "hasMorePrevious", items: bool = False) -> dict[str, Any]:
    """item_list with statusCode 0 and no items while a "more" flag is true (``more``), or
    with ``itemList: []`` and both flags false (``more=""``, ``items=True``)."""
    answer: dict[str, Any] = {
        "cursor": CURSOR, "extra": {"fatal_item_ids": [], "logid": "20250615150640FFEE",
                                    "now": NOW * 1000},
        "hasMore": more == "hasMore", "hasMorePrevious": more == "hasMorePrevious",
        "log_pb": {"impr_id": "20250615150640FFEE"}, "statusCode": 0, "status_code": 0,
        "status_msg": ""}
    if items:
        answer["itemList"] = []
    return answer


def shuffled_sigi_state() -> dict[str, Any]:
    """The legacy page with its ItemModule keyed in another order and no ItemList: the
    oldest video first, an old pinned one in the middle."""
    state = sigi_state()
    modules = state["ItemModule"]
    ids = list(modules)
    pinned = item(24, LEGACY, LEGACY_SECUID, 400, "Pinned from last year #summer",
                  [tag("summer", 23)], string_time=True)
    pinned["isPinned"] = True
    pinned["author"] = LEGACY
    state["ItemModule"] = {ids[2]: modules[ids[2]], pinned["id"]: pinned,
                           ids[0]: modules[ids[0]], ids[1]: modules[ids[1]]}
    del state["ItemList"]
    return state


# -- web ----------------------------------------------------------------------------------------

def web_item_list_url(sec_uid: str, count: int = 13) -> str:
    """item_list as the web backend asks it: ``count`` is the limit (10) plus 3 pinned."""
    query = {"aid": "1988", "app_name": "tiktok_web", "channel": "tiktok_web",
             "device_platform": "web_pc", "type": "1", "count": str(count), "cursor": CURSOR,
             "secUid": sec_uid, "device_id": DEVICE_ID}
    return f"{ITEM_LIST}?{urlencode(query)}"


def write_page_only_cassettes(folder: Path) -> None:
    """The cases that end on the profile page, alike for every HTTP backend."""
    write_cassette(folder / "private.yaml", [
        Exchange(PAGE.format(PRIVATE), body=page(PRIVATE, PRIVATE_STATE), content_type=HTML)])
    write_cassette(folder / "not_found.yaml", [
        Exchange(PAGE.format(MISSING), body=page(MISSING, MISSING_STATE), content_type=HTML)])
    write_cassette(folder / "bot_challenge.yaml", [
        Exchange(PAGE.format(PUBLIC), body=CHALLENGE_PAGE, content_type=HTML)])
    write_cassette(folder / "unknown_shape.yaml", [
        Exchange(PAGE.format(PUBLIC), body=page(PUBLIC, UNKNOWN_SHAPE_STATE), content_type=HTML)])
    write_cassette(folder / "user_emptied.yaml", [
        Exchange(PAGE.format(PUBLIC), body=page(PUBLIC, EMPTIED_STATE), content_type=HTML)])
    write_cassette(folder / "page_not_found.yaml", [
        Exchange(PAGE.format(MISSING), body=page(MISSING, PAGE_NOT_FOUND_STATE),
                 content_type=HTML)])


def build_web() -> None:
    folder = ROOT / "web"
    public_page = Exchange(PAGE.format(PUBLIC), body=page(PUBLIC, PUBLIC_STATE), content_type=HTML)
    write_cassette(folder / "public.yaml", [
        public_page,
        Exchange(web_item_list_url(PUBLIC_SECUID), body=item_list_answer(public_items())),
    ])
    write_page_only_cassettes(folder)
    write_cassette(folder / "empty_item_list.yaml", [
        public_page,
        Exchange(web_item_list_url(PUBLIC_SECUID), body="", content_type="application/json"),
    ])
    write_cassette(folder / "legacy.yaml", [
        Exchange(PAGE.format(LEGACY), body=page(LEGACY, sigi_state(), script_id="SIGI_STATE"),
                 content_type=HTML)])
    for name, answer in (("held_back_more", held_back_answer()),
                         ("held_back_has_more", held_back_answer(more="hasMore")),
                         ("held_back_count", held_back_answer(more="", items=True)),
                         ("captcha_item_list", CAPTCHA_ANSWER)):
        write_cassette(folder / f"{name}.yaml", [
            public_page, Exchange(web_item_list_url(PUBLIC_SECUID), body=answer)])
    # The same flags from an account that has no video: a true "no posts".
    write_cassette(folder / "no_videos.yaml", [
        Exchange(PAGE.format(NO_VIDEOS), body=page(NO_VIDEOS, NO_VIDEOS_STATE), content_type=HTML),
        Exchange(web_item_list_url(NO_VIDEOS_SECUID), body=held_back_answer(more="")),
    ])
    write_cassette(folder / "legacy_shuffled.yaml", [
        Exchange(PAGE.format(LEGACY), body=page(LEGACY, shuffled_sigi_state(),
                                                script_id="SIGI_STATE"), content_type=HTML)])
    # A warm check whose cached secUid now answers 10222: the account went private.
    write_cassette(folder / "item_list_private.yaml", [
        Exchange(web_item_list_url(PUBLIC_SECUID),
                 body={"statusCode": 10222, "status_code": 10222, "status_msg": "",
                       "hasMore": False, "cursor": "0"}),
    ])


# -- yt-dlp -------------------------------------------------------------------------------------

def ytdlp_item_list_url(sec_uid: str) -> str:
    """The item_list URL exactly as the installed yt-dlp builds it (volatile values fixed)."""
    import yt_dlp
    from yt_dlp.extractor.tiktok import TikTokUserIE

    with yt_dlp.YoutubeDL({"quiet": True, "no_warnings": True}) as ydl:
        query = TikTokUserIE(ydl)._build_web_query(sec_uid, CURSOR)
    query.update({"device_id": DEVICE_ID, "verifyFp": "verify_a1b2c3d"})
    return f"{ITEM_LIST}?{urlencode(query)}"


def build_ytdlp() -> None:
    folder = ROOT / "yt-dlp"
    answer = item_list_answer(public_items())
    write_cassette(folder / "public.yaml", [
        Exchange(PAGE.format(PUBLIC), body=page(PUBLIC, PUBLIC_STATE), content_type=HTML),
        Exchange(ytdlp_item_list_url(PUBLIC_SECUID), body=answer),
    ])
    write_page_only_cassettes(folder)
    # The legacy layout embeds its videos: yt-dlp fetches the page only.
    write_cassette(folder / "legacy.yaml", [
        Exchange(PAGE.format(LEGACY), body=page(LEGACY, sigi_state(), script_id="SIGI_STATE"),
                 content_type=HTML)])
    public_page = Exchange(PAGE.format(PUBLIC), body=page(PUBLIC, PUBLIC_STATE), content_type=HTML)
    for name, held in (("held_back_more", held_back_answer()),
                       ("captcha_item_list", CAPTCHA_ANSWER)):
        write_cassette(folder / f"{name}.yaml", [
            public_page, Exchange(ytdlp_item_list_url(PUBLIC_SECUID), body=held)])


# -- browser (HAR) ------------------------------------------------------------------------------

def browser_item_list_url(sec_uid: str) -> str:
    # What the page's own script requests (signature parameters included, as a real page adds).
    query = {"WebIdLastTime": str(NOW), "aid": "1988", "app_language": "en",
             "app_name": "tiktok_web", "browser_language": "en-US", "channel": "tiktok_web",
             "count": "35", "cursor": "0", "device_id": DEVICE_ID, "device_platform": "web_pc",
             "secUid": sec_uid, "msToken": "bXNUb2tlbi1yZWRhY3RlZA", "X-Bogus": "DFSzswVLredacted"}
    return f"{POST_ITEM_LIST}?{urlencode(query)}"


def fetch_script(url: str) -> str:
    """The page's data loader in miniature: fetch item_list once the page has loaded."""
    return ("<script>window.addEventListener('load', function () {"
            f"fetch({json.dumps(url)}, {{credentials: 'include'}})"
            ".then(function (r) { return r.text(); });"
            "});</script>")


def har_entry(url: str, body: str, content_type: str, status: int = 200) -> dict[str, Any]:
    return {
        "startedDateTime": "2025-06-15T15:06:40.000Z",
        "time": 120,
        "request": {"method": "GET", "url": url, "httpVersion": "HTTP/2.0", "cookies": [],
                    "headers": [{"name": "accept", "value": "*/*"}],
                    "queryString": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": status, "statusText": "OK" if status == 200 else "",
                     "httpVersion": "HTTP/2.0", "cookies": [],
                     "headers": [{"name": "content-type", "value": content_type}],
                     "content": {"size": len(body.encode()), "mimeType": content_type,
                                 "text": body},
                     "redirectURL": "", "headersSize": -1, "bodySize": len(body.encode())},
        "cache": {},
        "timings": {"send": 1, "wait": 100, "receive": 19},
    }


def write_har(path: Path, entries: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"log": {"version": "1.2",
                        "creator": {"name": "social-missions build_tiktok", "version": "1"},
                        "pages": [], "entries": entries}}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def build_browser() -> None:
    folder = ROOT / "browser"
    url = browser_item_list_url(PUBLIC_SECUID)
    answer = item_list_answer(public_items())
    write_har(folder / "public.har", [
        har_entry(PAGE.format(PUBLIC), page(PUBLIC, PUBLIC_STATE, extra=fetch_script(url)), HTML),
        har_entry(url, json.dumps(answer, ensure_ascii=False), "application/json"),
    ])
    write_har(folder / "private.har", [
        har_entry(PAGE.format(PRIVATE), page(PRIVATE, PRIVATE_STATE), HTML)])
    write_har(folder / "not_found.har", [
        har_entry(PAGE.format(MISSING), page(MISSING, MISSING_STATE), HTML)])
    write_har(folder / "bot_challenge.har", [
        har_entry(PAGE.format(PUBLIC), CHALLENGE_PAGE, HTML)])
    unknown = {"statusCode": 0, "data": {"videos": [], "next": None}}
    write_har(folder / "unknown_shape.har", [
        har_entry(PAGE.format(PUBLIC), page(PUBLIC, PUBLIC_STATE, extra=fetch_script(url)), HTML),
        har_entry(url, json.dumps(unknown), "application/json"),
    ])
    for name, held in (("held_back_more", held_back_answer()),
                       ("captcha_item_list", CAPTCHA_ANSWER)):
        write_har(folder / f"{name}.har", [
            har_entry(PAGE.format(PUBLIC), page(PUBLIC, PUBLIC_STATE, extra=fetch_script(url)),
                      HTML),
            har_entry(url, json.dumps(held), "application/json"),
        ])
    write_har(folder / "user_emptied.har", [
        har_entry(PAGE.format(PUBLIC), page(PUBLIC, EMPTIED_STATE), HTML)])
    write_har(folder / "page_not_found.har", [
        har_entry(PAGE.format(MISSING), page(MISSING, PAGE_NOT_FOUND_STATE), HTML)])
    write_har(folder / "legacy.har", [
        har_entry(PAGE.format(LEGACY), page(LEGACY, sigi_state(), script_id="SIGI_STATE"), HTML)])


def build() -> None:
    build_web()
    build_ytdlp()
    build_browser()


if __name__ == "__main__":
    build()
