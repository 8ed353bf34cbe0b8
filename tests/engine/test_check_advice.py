"""``check`` runs once: after ``unavailable`` or ``layout_changed`` it says what the operator
can do (wait for the cool-off, another ``--backend``…), never that it will retry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli import main

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_rate_limited_check_names_the_cool_off_and_the_other_backend(
        capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "check", "instagram", "lea.voyage", "--hashtag", "summer2025",
                         "--cassette", str(CASSETTES / "instagram/web/rate_limited.yaml"))
    assert status == 3
    assert "unavailable (rate_limited) via web" in out
    assert "retried" not in out and "retry" not in out.replace("Retry-After", "")
    assert "what to do:" in out and "cool-off" in out and "cool_off" in out
    assert "--backend instaloader" in out  # the backend not tried yet
    assert "--backend web" not in out


def test_layout_changed_with_json_keeps_the_document_and_advises_on_stderr(
        capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "check", "youtube", "@terra.trails", "--hashtag", "summer",
                           "--cassette", str(CASSETTES / "youtube/rss/unknown_shape.yaml"),
                           "--backend", "rss", "--json")
    assert status == 3
    document = json.loads(out)
    assert document["status"] == "layout_changed" and "advice" not in document
    assert "update the plugin" in err and "docs/operations.md" in err
    assert "--backend yt-dlp" in err  # data-api needs a key, so it is not offered


def test_server_error_detail_does_not_promise_a_retry(
        capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "check", "youtube", "@terra.trails", "--hashtag", "summer",
                         "--cassette", str(CASSETTES / "youtube/rss/feed_404.yaml"))
    assert status == 3 and "(server_error)" in out
    assert "will be retried" not in out
    assert "run the check again" in out


def test_a_completed_check_gives_no_advice(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "check", "instagram", "lea.voyage", "--hashtag",
                           "summer2025", "--cassette",
                           str(CASSETTES / "instagram/web/public.yaml"))
    assert status == 0
    assert "what to do" not in out + err and "other backends" not in out + err
