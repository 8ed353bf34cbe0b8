"""TikTok's ``yt-dlp`` backend: yt-dlp's own requests replayed, hashtags from captions only."""

from __future__ import annotations

import json

import pytest

from engine.cli import main
from engine.models import AccountStatus
from engine.testing.contract import replay_snapshot

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
    # yt-dlp gives the caption only: the mention never matches, the contents[]-only tag is lost.
    assert verdicts[video(3)] == "hashtag_missing" and verdicts[video(4)] == "hashtag_near_miss"
    assert verdicts[video(6)] == "hashtag_missing"
    published = [post["published_at"] for post in result["posts"]]
    assert published == sorted(published, reverse=True)  # newest first
    assert result["matched"] == 5
    assert all(post["kind"] is None for post in result["posts"])


def test_limit_stops_ytdlp_early() -> None:
    snapshot = replay_snapshot("tiktok", PUBLIC, "yt-dlp", YTDLP / "public.yaml", limit=3)
    assert snapshot.status is AccountStatus.OK and len(snapshot.posts) == 3
    assert snapshot.requests == 2
