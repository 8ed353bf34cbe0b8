"""TikTok's ``web`` backend: verdicts per video, 2 requests cold, 1 warm, 1 for the legacy page."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from engine.cache import MemoryCache
from engine.cli import main
from engine.config import config_from_mapping
from engine.core import Engine
from engine.models import AccountStatus
from engine.replay import cassette
from engine.testing.contract import replay_snapshot
from plugins.tiktok.constants import SECUID_CACHE_KEY, VOLATILE_QUERY_PARAMS

from .helpers import CASSETTES, LEGACY, PUBLIC, video

WEB = CASSETTES / "web"


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    status = main(["check", "tiktok", *args, "--json"])
    out = capsys.readouterr().out
    return status, json.loads(out) if out else {}


def test_public_account_verdicts_cold(capsys: pytest.CaptureFixture[str]) -> None:
    status, result = check(capsys, PUBLIC, "--hashtag", "summer", "--since", "2025-01-01",
                           "--cassette", str(WEB / "public.yaml"))
    assert status == 0
    assert result["status"] == "ok" and result["backend"] == "web" and result["public"] is True
    assert result["requests"] == 2
    verdicts = {post["id"]: post["verdict"] for post in result["posts"]}
    assert verdicts == {
        video(1): "before_window",  # pinned, old, tagged: the window decides
        video(2): "matched",
        video(3): "hashtag_missing",  # "@summer" is a mention, not #summer
        video(4): "hashtag_near_miss",
        video(5): "matched",  # photo post
        video(6): "matched",  # tag only in contents[]
        video(7): "matched",  # createTime as a string
        video(8): "matched",  # tag only in the caption
        video(9): "hashtag_missing",
        video(10): "hashtag_missing",
    }
    posts = {post["id"]: post for post in result["posts"]}
    # Newest first: the old pinned video takes its place by its own time, last.
    assert result["posts"][-1]["pinned"] is True and result["posts"][-1]["id"] == video(1)
    assert not any(post["pinned"] for post in result["posts"][:-1])
    assert posts[video(5)]["kind"] == "photo" and posts[video(2)]["kind"] == "video"
    assert posts[video(2)]["hashtags"] == ["summer", "beach"]
    assert posts[video(3)]["hashtags"] == []
    assert posts[video(2)]["url"] == f"https://www.tiktok.com/@{PUBLIC}/video/{video(2)}"
    assert posts[video(7)]["published_at"] == "2025-06-09T15:06:40Z"
    assert "#sumer" in posts[video(4)]["detail"]


@pytest.mark.parametrize("handle, name, code, status_name, requests", [
    ("secret.garden", "private.yaml", 0, "private", 1),
    ("nobody.here.404", "not_found.yaml", 0, "not_found", 1),
    (PUBLIC, "bot_challenge.yaml", 3, "unavailable", 1),
    (PUBLIC, "empty_item_list.yaml", 3, "unavailable", 2),
    (PUBLIC, "unknown_shape.yaml", 3, "layout_changed", 1),
])
def test_statuses_from_the_command_line(capsys: pytest.CaptureFixture[str], handle: str,
                                        name: str, code: int, status_name: str,
                                        requests: int) -> None:
    status, result = check(capsys, handle, "--hashtag", "summer", "--cassette", str(WEB / name))
    assert (status, result["status"], result["requests"]) == (code, status_name, requests)
    assert result["posts"] == [] and result["detail"]


def test_warm_check_costs_one_request() -> None:
    engine = Engine(config_from_mapping({}), cache=MemoryCache(), replaying=True)
    account = engine.account("tiktok", PUBLIC)
    with cassette(WEB / "public.yaml", record=False, volatile=VOLATILE_QUERY_PARAMS):
        cold = engine.snapshot(account)
        warm = engine.snapshot(account)
    assert (cold.requests, warm.requests) == (2, 1)
    assert warm.posts == cold.posts and warm.status is AccountStatus.OK
    assert str(engine.cache.get(SECUID_CACHE_KEY.format(handle=PUBLIC))).startswith("MS4wLjABAAAA")


def test_warm_check_of_an_account_gone_private() -> None:
    engine = Engine(config_from_mapping({}), cache=MemoryCache(), replaying=True)
    account = engine.account("tiktok", PUBLIC)
    volatile = VOLATILE_QUERY_PARAMS
    with cassette(WEB / "public.yaml", record=False, volatile=volatile):
        engine.snapshot(account)
    with cassette(WEB / "item_list_private.yaml", record=False, volatile=volatile):
        snapshot = engine.snapshot(account)
    assert snapshot.status is AccountStatus.PRIVATE and snapshot.requests == 1


def test_legacy_layout_costs_one_request() -> None:
    snapshot = replay_snapshot("tiktok", LEGACY, "web", WEB / "legacy.yaml")
    assert snapshot.status is AccountStatus.OK and snapshot.requests == 1
    assert [post.hashtags for post in snapshot.posts] == [("summer",), (), ("skate", "sumer")]
    assert all(post.published_at.year == 2025 for post in snapshot.posts)


def test_limit_and_pins_are_sent_as_count() -> None:
    seen: list[httpx.URL] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return _answer(request, PUBLIC)

    engine = _engine_over(answer)
    engine.snapshot(engine.account("tiktok", PUBLIC), limit=4)
    # The limit plus the 3 videos a creator may pin (listed first whatever their age).
    assert seen[1].params["count"] == "7" and seen[1].params["aid"] == "1988"
    assert seen[1].params["secUid"] == SEC_UID and seen[1].params["type"] == "1"


def test_handle_taken_by_another_account_rereads_the_page() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        # The stale secUid now belongs to whoever renamed away from the handle.
        stale = request.url.params.get("secUid", "").endswith("o" * 64)
        return _answer(request, "someone.else" if stale else PUBLIC)

    engine = _engine_over(answer)
    engine.cache.set(SECUID_CACHE_KEY.format(handle=PUBLIC), "MS4wLjABAAAA" + "o" * 64, 60)
    snapshot = engine.snapshot(engine.account("tiktok", PUBLIC))
    assert snapshot.status is AccountStatus.OK and snapshot.requests == 3
    assert engine.cache.get(SECUID_CACHE_KEY.format(handle=PUBLIC)) == SEC_UID


def test_warm_empty_list_lets_the_page_decide() -> None:
    engine = _engine_over(lambda request: _answer(request, PUBLIC, items=0))
    engine.cache.set(SECUID_CACHE_KEY.format(handle=PUBLIC), SEC_UID, 60)
    snapshot = engine.snapshot(engine.account("tiktok", PUBLIC))
    # item_list (empty), then the page, which confirms a public account: no third request.
    assert snapshot.status is AccountStatus.OK and snapshot.posts == ()
    assert snapshot.requests == 2


SEC_UID = "MS4wLjABAAAA" + "p" * 64


def _engine_over(handler: Any, cache: MemoryCache | None = None) -> Engine:
    return Engine(config_from_mapping({}), cache=cache or MemoryCache(),
                  transport=httpx.MockTransport(handler))


def _answer(request: httpx.Request, author: str, items: int = 2) -> httpx.Response:
    if request.url.path.startswith("/@"):
        state = {"__DEFAULT_SCOPE__": {"webapp.user-detail": {
            "statusCode": 0, "userInfo": {"user": {"uniqueId": PUBLIC, "secUid": SEC_UID,
                                                   "privateAccount": False}}}}}
        return httpx.Response(200, text='<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" '
                              f'type="application/json">{json.dumps(state)}</script>')
    body = {"statusCode": 0, "hasMore": False, "itemList": [
        {"id": str(n), "createTime": 1_750_000_000 - n, "desc": "#summer",
         "author": {"uniqueId": author}} for n in range(items)]}
    return httpx.Response(200, json=body)
