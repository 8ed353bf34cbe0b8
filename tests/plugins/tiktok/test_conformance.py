"""A full check replayed from TikTok payloads recorded by another project (../shared/fixtures):
the real ``webapp.user-detail`` in a profile page, the real ``item_list`` items as the answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from engine.models import AccountStatus
from engine.testing.cassettes import Exchange, write_cassette
from engine.testing.contract import replay_snapshot
from engine.verdicts import Verdict, judge_post
from plugins.tiktok.parsing import parse_items, parse_page

USER_DETAIL = "scrapfly__webapp-user-detail_userInfo__oddanimalspecimens__2026-01.json"
ITEMS = "scrapfly__post-item_list_projected__oddanimalspecimens__2026-01.json"


def load(folder: Path, name: str) -> Any:
    return json.loads((folder / "tiktok" / name).read_text(encoding="utf-8"))


def profile_page(user_info: dict[str, Any]) -> str:
    state = {"__DEFAULT_SCOPE__": {"webapp.user-detail": {"userInfo": user_info,
                                                          "statusCode": 0, "statusMsg": ""}}}
    data = json.dumps(state).replace("</", "<\\/")
    return ('<!DOCTYPE html><html><body><script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" '
            f'type="application/json">{data}</script></body></html>')


def test_real_user_detail_gives_sec_uid(shared_fixtures: Path) -> None:
    user_info = load(shared_fixtures, USER_DETAIL)[0]
    state = parse_page(profile_page(user_info), "oddanimalspecimens")
    assert state.sec_uid == user_info["user"]["secUid"] and state.items is None


def test_real_items_parse(shared_fixtures: Path) -> None:
    items = load(shared_fixtures, ITEMS)
    posts = parse_items(items, "oddanimalspecimens", limit=len(items))
    assert len(posts) == len(items) == 53
    by_id = {post.id: post for post in posts}
    first = by_id["7424178477068258603"]  # the answer's first item
    assert first.published_at.isoformat() == "2024-10-10T16:04:19+00:00"
    assert first.hashtags[:3] == ("animals", "science", "learnontiktok")
    # Ordered newest first, whatever the answer's order.
    assert [post.published_at for post in posts] == sorted(
        (post.published_at for post in posts), reverse=True)
    assert all(post.url.startswith("https://www.tiktok.com/@oddanimalspecimens/video/")
               for post in posts)


def test_check_replayed_from_real_answers(shared_fixtures: Path, tmp_path: Path) -> None:
    user_info = load(shared_fixtures, USER_DETAIL)[0]
    items = load(shared_fixtures, ITEMS)
    sec_uid = user_info["user"]["secUid"]
    query = urlencode({"aid": "1988", "app_name": "tiktok_web", "channel": "tiktok_web",
                       "device_platform": "web_pc", "type": "1", "count": "13",
                       "secUid": sec_uid, "cursor": "0", "device_id": "1"})
    path = write_cassette(tmp_path / "real.yaml", [
        Exchange("https://www.tiktok.com/@oddanimalspecimens", body=profile_page(user_info),
                 content_type="text/html; charset=utf-8"),
        Exchange(f"https://www.tiktok.com/api/creator/item_list/?{query}",
                 body={"itemList": items[:10], "hasMore": True, "statusCode": 0}),
    ])
    snapshot = replay_snapshot("tiktok", "OddAnimalSpecimens", "web", path)
    assert snapshot.status is AccountStatus.OK and snapshot.requests == 2
    newest = sorted(items[:10], key=lambda item: int(item["createTime"]), reverse=True)
    assert [post.id for post in snapshot.posts] == [item["id"] for item in newest]
    for post, item in zip(snapshot.posts, newest, strict=True):
        expected = any(entry.get("hashtagName", "").lower() == "science"
                       for content in item.get("contents", []) for entry in content["textExtra"])
        expected = expected or "#science" in item["desc"].lower()
        verdict = judge_post(post, "science").verdict
        assert (verdict is Verdict.MATCHED) == expected, post.url
