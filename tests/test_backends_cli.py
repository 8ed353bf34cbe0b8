"""``social-missions backends``: at least three backends per platform, each with its
availability, reason, what it needs and what a check costs in requests (issue 16)."""

from __future__ import annotations

import json

import pytest

from engine.cli import main


def test_every_platform_has_three_backends_with_needs_and_cost(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INSTAGRAM_GRAPH_TOKEN", raising=False)
    assert main(["backends", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    for platform in ("instagram", "youtube", "tiktok"):
        mine = [row for row in rows if row["platform"] == platform]
        assert len(mine) >= 3, platform
        for row in mine:
            assert row["requests_per_check"], row
            assert row["available"] or row["reason"], row
    graph = next(row for row in rows if (row["platform"], row["backend"]) ==
                 ("instagram", "graph-api"))
    assert not graph["available"] and "INSTAGRAM_GRAPH_TOKEN" in graph["reason"]
    assert "ig_user_id" in graph["needs"] and graph["requests_per_check"].startswith("1 request")


def test_text_output_says_needs_and_cost(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backends"]) == 0
    out = capsys.readouterr().out
    assert "graph-api" in out and "browser" in out
    assert "needs an access token" in out and "one check costs 1 request" in out
    assert "17 to 18 requests for 15 videos" in out
