"""TikTok's ``yt-dlp`` backend: yt-dlp's own requests replayed, its answers read by the plugin's parser."""

from __future__ import annotations

import json

import pytest

from engine.cli import main
from engine.models import AccountStatus
from engine.testing.contract import replay_snapshot
from tests.plugins.ytdlp_table import refuse_extractor_table

from .helpers import CASSETTES, PUBLIC, video

YTDLP = CASSETTES / "yt-dlp"


def test_public_account_through_ytdlp(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["check", "tiktok", PUBLIC, "--hashtag", "summer", "--backend", "yt-dlp",
                   "--cassette", str(YTDLP / "public.yaml"), "--json"])
    result = json.loads(capsys.readouterr().out)
    assert status == 0 and result["backend"] == "yt-dlp" and result["status"] == "ok"
    assert result["requests"] == 2  # the profile page and one item_list page, as yt-dlp sends
    verdicts = {post["id"]: post["verdict"] for post in result["posts"]}
    assert len(verdicts) == 10
    # The items are read by the plugin's own parser, as web reads them: the mention never
    # matches, the contents[]-only tag is found, photo posts and pins are told apart.
    assert verdicts[video(3)] == "hashtag_missing" and verdicts[video(4)] == "hashtag_near_miss"
    assert verdicts[video(6)] == "matched" and verdicts[video(5)] == "matched"
    published = [post["published_at"] for post in result["posts"]]
    assert published == sorted(published, reverse=True)  # newest first
    assert result["matched"] == 6
    kinds = {post["id"]: post["kind"] for post in result["posts"]}
    assert kinds[video(5)] == "photo"
    assert [post["pinned"] for post in result["posts"]][-1] is True  # the old pinned video


def test_legacy_layout_through_ytdlp() -> None:
    snapshot = replay_snapshot("tiktok", "old.school", "yt-dlp", YTDLP / "legacy.yaml")
    assert snapshot.status is AccountStatus.OK, snapshot.detail
    assert len(snapshot.posts) == 3 and snapshot.requests == 1


def test_limit_stops_ytdlp_early() -> None:
    snapshot = replay_snapshot("tiktok", PUBLIC, "yt-dlp", YTDLP / "public.yaml", limit=3)
    assert snapshot.status is AccountStatus.OK and len(snapshot.posts) == 3
    assert snapshot.requests == 2


def test_check_never_loads_ytdlps_table_of_every_extractor(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The downloader knows TikTokUserIE's subclass and TikTokIE (which yt-dlp asks for by key
    when it filters the entries): its table of every extractor is never looked at (issue 13)."""
    looked_up = refuse_extractor_table(monkeypatch)
    snapshot = replay_snapshot("tiktok", PUBLIC, "yt-dlp", YTDLP / "public.yaml")
    assert snapshot.status is AccountStatus.OK, snapshot.detail
    assert (len(snapshot.posts), snapshot.requests, looked_up) == (10, 2, [])
