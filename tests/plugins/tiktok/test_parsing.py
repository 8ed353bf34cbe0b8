"""Reading TikTok answers: hashtags (never @mentions), times, kinds, pages and statuses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.core import Engine
from engine.errors import AccountNotFound, AccountPrivate, LayoutChanged, PlatformUnavailable
from engine.models import PostKind
from engine.verdicts import Verdict, judge_post
from plugins.tiktok import TIKTOK, short_link_code
from plugins.tiktok.parsing import (
    hashtags_from_entries,
    parse_item,
    parse_item_list,
    parse_page,
    read_json_answer,
)

SEC_UID = "MS4wLjABAAAA" + "a" * 64


def universal_page(detail: dict[str, Any]) -> str:
    data = json.dumps({"__DEFAULT_SCOPE__": {"webapp.user-detail": detail}})
    return ('<html><body><script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" '
            f'type="application/json">{data}</script></body></html>')


def detail(status: int = 0, **user: Any) -> dict[str, Any]:
    return {"statusCode": status, "userInfo": {"user": {"uniqueId": "mila", "secUid": SEC_UID,
                                                        "privateAccount": False, **user},
                                               "stats": {"videoCount": 3}}}


def test_mention_entries_never_become_hashtags() -> None:
    entries = [{"hashtagName": "@summer", "type": 5}, {"hashtagName": "summer", "type": 0},
               {"hashtagName": "@summer"}, {"hashtagName": "beach", "type": 1},
               {"hashtagName": "fyp"}]
    assert hashtags_from_entries(entries) == ["beach", "fyp"]


def test_mention_only_post_does_not_match_nor_near_miss() -> None:
    post = parse_item({"id": "1", "createTime": 1_750_000_000, "desc": "Filmed by @summer",
                       "textExtra": [{"hashtagName": "@summer", "type": 5}]}, "mila")
    assert post.hashtags == ()
    assert judge_post(post, "summer").verdict is Verdict.HASHTAG_MISSING


def test_caption_completes_text_extra() -> None:
    post = parse_item({"id": "2", "createTime": 1_750_000_000, "desc": "#Beach day #Summer",
                       "textExtra": [{"hashtagName": "beach", "type": 1}]}, "mila")
    assert post.hashtags == ("beach", "summer")


def test_create_time_as_string_and_int() -> None:
    as_text = parse_item({"id": "3", "createTime": "1750000000"}, "mila")
    as_int = parse_item({"id": "3", "createTime": 1_750_000_000}, "mila")
    assert as_text.published_at == as_int.published_at
    assert as_text.published_at.isoformat() == "2025-06-15T15:06:40+00:00"


def test_photo_posts_and_pinned() -> None:
    photo = parse_item({"id": "4", "createTime": 1, "imagePost": {"images": []},
                        "isPinned": True}, "mila")
    video = parse_item({"id": "5", "createTime": 1}, "mila")
    assert photo.kind is PostKind.PHOTO and photo.pinned is True
    assert video.kind is PostKind.VIDEO and video.pinned is False
    assert video.url == "https://www.tiktok.com/@mila/video/5"


def test_contents_extras_are_read() -> None:
    post = parse_item({"id": "6", "createTime": 1, "desc": "Part 2", "contents": [
        {"desc": "Part 2 #trip", "textExtra": [{"hashtagName": "summer", "type": 1},
                                                 {"hashtagName": "@summer", "type": 5}]}]}, "mila")
    assert post.hashtags == ("summer", "trip")
    assert "Part 2 #trip" in post.text


@pytest.mark.parametrize("item, path", [
    ({"createTime": 1}, "itemList[0].id"),
    ({"id": "7"}, "itemList[0].createTime"),
    ({"id": "7", "createTime": "yesterday"}, "createTime"),
])
def test_missing_mandatory_fields_name_the_path(item: dict[str, Any], path: str) -> None:
    with pytest.raises(LayoutChanged, match=path.replace("[", r"\[").replace("]", r"\]")):
        parse_item(item, "mila", "itemList[0]")


def test_page_statuses() -> None:
    assert parse_page(universal_page(detail()), "mila").sec_uid == SEC_UID
    with pytest.raises(AccountPrivate):
        parse_page(universal_page(detail(10222)), "mila")
    with pytest.raises(AccountPrivate):
        parse_page(universal_page(detail(privateAccount=True)), "mila")
    with pytest.raises(AccountNotFound):
        parse_page(universal_page({"statusCode": 10221}), "mila")
    with pytest.raises(AccountNotFound, match="10202"):
        parse_page(universal_page({"statusCode": 10202}), "mila")
    # No user and no error code is not an explicit "no such account": held back.
    with pytest.raises(PlatformUnavailable) as held:
        parse_page(universal_page({"statusCode": 0, "userInfo": {}}), "mila")
    assert held.value.cause == "held_back"
    with pytest.raises(PlatformUnavailable):
        parse_page("", "mila")
    with pytest.raises(PlatformUnavailable):
        parse_page('<html><p id="wci" class="_wafchallengeid"></p>Please wait...</html>', "mila")
    with pytest.raises(LayoutChanged, match="statusCode 10999"):
        parse_page(universal_page({"statusCode": 10999}), "mila")
    with pytest.raises(LayoutChanged, match="secUid"):
        parse_page(universal_page(detail(secUid="")), "mila")
    with pytest.raises(LayoutChanged, match="SIGI_STATE"):
        parse_page("<html><body>TikTok</body></html>", "mila")


def test_item_list_answers() -> None:
    assert parse_item_list({"statusCode": 0, "hasMore": False, "cursor": "0"}) == []
    with pytest.raises(AccountPrivate):
        parse_item_list({"statusCode": 10222})
    with pytest.raises(LayoutChanged, match="itemList"):
        parse_item_list({"statusCode": 0, "data": {"videos": []}})
    with pytest.raises(PlatformUnavailable, match="empty body"):
        read_json_answer("", "item_list")


def test_handles_and_post_urls() -> None:
    engine = Engine()
    assert engine.account("tiktok", "@Mila.Moves").handle == "mila.moves"
    assert engine.account("tiktok", "https://www.tiktok.com/@mila_moves?lang=en").handle == \
        "mila_moves"
    for bad in ("a", "x" * 25, "ends.with.", "has-dash", "été"):
        with pytest.raises(ValueError):
            engine.account("tiktok", bad)
    assert TIKTOK.default_limit == 10
    assert TIKTOK.post_id_from_url("https://www.tiktok.com/@mila/video/7500000000001000003") == \
        "7500000000001000003"
    assert TIKTOK.post_id_from_url("https://www.tiktok.com/@mila/photo/7500000000005000015") == \
        "7500000000005000015"
    # A short link is recognised, but its id needs the redirect resolved first.
    assert TIKTOK.post_id_from_url("https://vm.tiktok.com/ZMabc123/") is None
    assert short_link_code("https://vm.tiktok.com/ZMabc123/") == "ZMabc123"
    assert short_link_code("vt.tiktok.com/ZSxyz789") == "ZSxyz789"
    assert short_link_code("https://www.tiktok.com/@mila") is None
    for name in ("cursor", "device_id", "verifyFp", "msToken", "X-Bogus"):
        assert name in TIKTOK.volatile_query_params
