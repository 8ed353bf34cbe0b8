"""``social-missions check youtube …`` replayed from cassettes, as an operator runs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from youtube_support import CASSETTES

from engine.cli import main

EXPECTED_VERDICTS = {
    "tT1match0Aa": "matched",            # title
    "tT2descMtBb": "matched",            # description, other case
    "tT3nearMsCc": "hashtag_near_miss",  # one letter off
    "tT4accentDd": "hashtag_near_miss",  # accent
    "tT5extraEe-": "hashtag_near_miss",  # extra letters; "#5" is no tag
    "tT6numberFf": "hashtag_missing",    # only numeric tokens
    "tT7noTagsGg": "hashtag_missing",
    "tT8otherHh_": "hashtag_missing",
    "tT9descDeep": "matched",            # deep in the description
    "tT10shortII": "matched",            # a Short
    "tT11capsJJj": "matched",            # upper case
    "tT12plainKk": "hashtag_missing",    # no '#'
    "tT13seasonL": "hashtag_missing",    # #summer is too far
    "tT14mentnMm": "hashtag_missing",    # @mention
    "tT15oldMatN": "matched",
}


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["check", "youtube", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_public_channel_replays_the_same_every_time(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(CASSETTES / "rss" / "public.yaml")
    code, cold = _run(capsys, "@terra.trails", "--hashtag", "summer2025", "--cassette", path)
    assert code == 0
    assert (cold["status"], cold["backend"], cold["requests"]) == ("ok", "rss", 2)
    assert {post["id"]: post["verdict"] for post in cold["posts"]} == EXPECTED_VERDICTS
    # A --cassette replay starts from a fresh in-memory cache: the same cassette gives the
    # same requests every time (the persistent cache is never read nor written).
    code, again = _run(capsys, "terra.trails", "--hashtag", "#summer2025", "--cassette", path)
    assert (code, again["requests"]) == (0, 2)
    assert again["posts"] == cold["posts"]


def test_window_and_limit(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, "terra.trails", "--hashtag", "summer2025", "--since", "2025-06-01",
                     "--limit", "3", "--cassette", str(CASSETTES / "rss" / "public.yaml"))
    assert code == 0 and len(out["posts"]) == 3


def test_feed_404_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, "terra.trails", "--hashtag", "summer2025", "--cassette",
                     str(CASSETTES / "rss" / "feed_404.yaml"))
    assert (code, out["status"], out["posts"]) == (3, "unavailable", [])


def test_unknown_handle_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, "no.such.channel.404", "--hashtag", "summer2025", "--cassette",
                     str(CASSETTES / "rss" / "not_found.yaml"))
    assert (code, out["status"]) == (0, "not_found")


def test_layout_changed_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, "terra.trails", "--hashtag", "summer2025", "--cassette",
                     str(CASSETTES / "rss" / "unknown_shape.yaml"))
    assert (code, out["status"]) == (3, "layout_changed")


def test_data_api_with_a_key_from_the_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YT_API_KEY_TEST", "not-a-real-key")
    config = tmp_path / "social-missions.toml"
    config.write_text('[platforms.youtube.data-api]\napi_key_env = "YT_API_KEY_TEST"\n',
                      encoding="utf-8")
    code, out = _run(capsys, "terra.trails", "--hashtag", "summer2025", "--backend", "data-api",
                     "--config", str(config),
                     "--cassette", str(CASSETTES / "data-api" / "public.yaml"))
    assert (code, out["backend"], out["requests"]) == (0, "data-api", 2)
    assert {post["id"]: post["verdict"] for post in out["posts"]} == EXPECTED_VERDICTS
    assert "not-a-real-key" not in json.dumps(out)


def test_ytdlp(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, "terra.trails", "--hashtag", "summer2025", "--backend", "yt-dlp",
                     "--cassette", str(CASSETTES / "yt-dlp" / "public.yaml"))
    # The Videos and Shorts tabs, then one watch page per video (the Short included).
    assert (code, out["backend"], out["requests"]) == (0, "yt-dlp", 17)
    assert {post["id"]: post["verdict"] for post in out["posts"]} == EXPECTED_VERDICTS


def test_ytdlp_not_found_and_rate_limit(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, "no.such.channel.404", "--hashtag", "x1", "--backend", "yt-dlp",
                     "--cassette", str(CASSETTES / "yt-dlp" / "not_found.yaml"))
    assert (code, out["status"]) == (0, "not_found")
    code, out = _run(capsys, "terra.trails", "--hashtag", "x1", "--backend", "yt-dlp",
                     "--cassette", str(CASSETTES / "yt-dlp" / "rate_limited.yaml"))
    assert (code, out["status"]) == (3, "unavailable")
