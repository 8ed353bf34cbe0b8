"""The kinds of answer that looked like "no posts" or "not found" and were not, on every TikTok
backend: posts held back, emptied users, 10202, captchas answered as JSON, and answer order.

The inputs are those of ``shared/cases/2026-11-30`` (c07, c08, c09, c10), rebuilt with
``scripts/cassettes/build_tiktok.py``, plus variants of our own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli import main
from engine.models import AccountStatus, Snapshot, UnavailableCause
from engine.testing.contract import replay_snapshot

from .helpers import CASSETTES, LEGACY, MISSING, PUBLIC, browser_snapshot

BACKENDS = ["web", "yt-dlp", "browser"]


def snapshot_of(backend: str, name: str, handle: str = PUBLIC) -> Snapshot:
    if backend == "browser":
        return browser_snapshot(handle, name)
    return replay_snapshot("tiktok", handle, backend, CASSETTES / backend / f"{name}.yaml")


def check_json(capsys: pytest.CaptureFixture[str], handle: str,
               name: str) -> tuple[int, dict[str, object]]:
    code = main(["check", "tiktok", handle, "--hashtag", "summer", "--backend", "web",
                 "--cassette", str(CASSETTES / "web" / f"{name}.yaml"), "--json"])
    return code, json.loads(capsys.readouterr().out)


# -- c10: item_list with no items and hasMorePrevious, profile says 57 videos ------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_empty_item_list_with_more_flag_is_held_back(backend: str) -> None:
    snapshot = snapshot_of(backend, "held_back_more")
    assert snapshot.status is AccountStatus.UNAVAILABLE, snapshot.detail
    assert snapshot.cause is UnavailableCause.HELD_BACK
    assert "hasMorePrevious" in snapshot.detail and snapshot.posts == ()


def test_c10_exits_3_with_the_cause_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, result = check_json(capsys, PUBLIC, "held_back_more")
    assert code == 3
    assert (result["status"], result["cause"], result["posts"]) == ("unavailable", "held_back", [])
    assert result["attempts"] == [{"backend": "web", "outcome": "unavailable",
                                   "cause": "held_back", "detail": result["attempts"][0]["detail"],
                                   "requests": 2}]


@pytest.mark.parametrize(("name", "field"), [("held_back_has_more", "hasMore"),
                                             ("held_back_count", "videoCount")])
def test_variants_hasmore_and_a_video_count_without_items(name: str, field: str) -> None:
    snapshot = snapshot_of("web", name)
    assert snapshot.status is AccountStatus.UNAVAILABLE, snapshot.detail
    assert snapshot.cause is UnavailableCause.HELD_BACK and field in snapshot.detail


def test_an_account_with_no_video_is_still_ok_and_empty() -> None:
    snapshot = snapshot_of("web", "no_videos", "brand.new")
    assert snapshot.status is AccountStatus.OK and snapshot.posts == () and snapshot.cause is None


# -- c08: webapp.user-detail with an emptied user and no status code --------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_emptied_user_is_held_back_not_not_found(backend: str) -> None:
    snapshot = snapshot_of(backend, "user_emptied")
    assert snapshot.status is AccountStatus.UNAVAILABLE, snapshot.detail
    assert snapshot.cause is UnavailableCause.HELD_BACK
    assert "userInfo.user" in snapshot.detail


def test_c08_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    code, result = check_json(capsys, PUBLIC, "user_emptied")
    assert (code, result["status"], result["cause"]) == (3, "unavailable", "held_back")


# -- c09: statusCode 10202 ------------------------------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_status_10202_is_not_found(backend: str) -> None:
    snapshot = snapshot_of(backend, "page_not_found", MISSING)
    assert snapshot.status is AccountStatus.NOT_FOUND, snapshot.detail
    assert "10202" in snapshot.detail


def test_c09_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, result = check_json(capsys, MISSING, "page_not_found")
    assert (code, result["status"], result["cause"]) == (0, "not_found", None)


# -- c07: a captcha answered as HTTP 200 JSON on item_list ---------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_captcha_json_on_item_list_is_a_bot_challenge(backend: str) -> None:
    snapshot = snapshot_of(backend, "captcha_item_list")
    assert snapshot.status is AccountStatus.UNAVAILABLE, snapshot.detail
    assert snapshot.cause is UnavailableCause.BOT_CHALLENGE
    assert "captcha" in snapshot.detail and "slide" in snapshot.detail


def test_c07_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    code, result = check_json(capsys, PUBLIC, "captcha_item_list")
    assert (code, result["status"], result["cause"]) == (3, "unavailable", "bot_challenge")


@pytest.mark.parametrize("backend", ["web", "yt-dlp"])
def test_an_empty_body_and_a_challenge_page_are_bot_challenges(backend: str) -> None:
    snapshot = snapshot_of(backend, "bot_challenge")
    assert snapshot.cause is UnavailableCause.BOT_CHALLENGE
    assert snapshot_of("web", "empty_item_list").cause is UnavailableCause.BOT_CHALLENGE


# -- newest first, whatever order the answer lists --------------------------------------------

def test_legacy_item_module_in_another_order_is_read_newest_first() -> None:
    snapshot = snapshot_of("web", "legacy_shuffled", LEGACY)
    times = [post.published_at for post in snapshot.posts]
    assert times == sorted(times, reverse=True)
    assert snapshot.posts[-1].pinned  # the pinned video from last year, at its own time


def test_legacy_limit_keeps_the_newest_not_the_first_keys() -> None:
    snapshot = replay_snapshot("tiktok", LEGACY, "web", CASSETTES / "web" / "legacy_shuffled.yaml",
                               limit=2)
    assert [post.text.split(" #")[0] for post in snapshot.posts] == [
        "Old layout", "Thanks @summer for the tip"]


def test_a_cassette_recorded_with_the_former_page_size_still_replays(tmp_path: Path) -> None:
    # Earlier versions asked item_list for `count=10`; this one asks limit + 3 pins.
    from engine.testing.cassettes import Exchange, write_cassette
    from scripts.cassettes.build_tiktok import (
        HTML,
        PAGE,
        PUBLIC_SECUID,
        PUBLIC_STATE,
        held_back_answer,
        page,
        web_item_list_url,
    )

    path = write_cassette(tmp_path / "old.yaml", [
        Exchange(PAGE.format(PUBLIC), body=page(PUBLIC, PUBLIC_STATE), content_type=HTML),
        Exchange(web_item_list_url(PUBLIC_SECUID, count=10), body=held_back_answer())])
    snapshot = replay_snapshot("tiktok", PUBLIC, "web", path)
    assert snapshot.cause is UnavailableCause.HELD_BACK and snapshot.requests == 2
