"""Mission results (issue 17 item 2) on a hand-made dataset (:mod:`.results_data`): medians,
reach counted once per account, nulls left out, undefined rates, per platform and per day,
the top posts, and the command line."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.service.context import Service
from engine.service.errors import NotFound
from engine.service.results import as_text, mission_results

from .results_data import EXPECTED, add_missions, results_world


def test_figures_of_the_hand_made_mission(service: Service) -> None:
    mission_id, _ = results_world(service)
    results = mission_results(service, mission_id)
    shown = results.as_json()
    for name, value in EXPECTED.items():
        assert shown[name] == (pytest.approx(value) if isinstance(value, float) else value), name
    assert results.title == "Été 2025" and results.day_basis == "published_at_utc"
    assert results.measured_at is not None and results.measured_at.day == 15


def test_per_platform_counts_each_account_once(service: Service) -> None:
    mission_id, _ = results_world(service)
    platforms = {item.platform: item for item in mission_results(service, mission_id).per_platform}
    instagram, tiktok = platforms["instagram"], platforms["tiktok"]
    # ana (latest 1200, not 1000 nor 1200 per post), bob (no count), eve (rejected post only).
    assert (instagram.participants, instagram.reach.accounts, instagram.reach.known,
            instagram.reach.followers) == (3, 3, 2, 3200)
    assert (instagram.credited_posts, instagram.likes.total, instagram.likes.median) == (
        3, 180, 50.0)
    assert instagram.comments.known == 2 and instagram.views.median == 600.0
    assert instagram.engagement_rate == pytest.approx(110 / 1200)  # A2 hides its comments
    # cleo has 0 followers, dan none of likes and comments: no rate on TikTok.
    assert (tiktok.participants, tiktok.reach.followers, tiktok.reach.known) == (2, 500, 2)
    assert tiktok.engagement_rate is None and tiktok.rated_posts == 0
    assert tiktok.likes.as_json() == {"total": 10, "median": 10.0, "known": 1}


def test_per_day_of_publication_in_utc(service: Service) -> None:
    mission_id, _ = results_world(service)
    days = {item.day: item for item in mission_results(service, mission_id).per_day}
    assert sorted(days) == ["2025-06-10", "2025-06-12", "2025-06-13"]
    assert days["2025-06-12"].credited_posts == 2  # A2 (23:00 UTC) and B1 (01:00 UTC)
    assert days["2025-06-12"].likes.median == 40.0
    assert days["2025-06-13"].views.total == 5100 and days["2025-06-13"].engagement_rate is None
    assert days["2025-06-10"].engagement_rate == pytest.approx(110 / 1200)


def test_top_posts_by_interactions(service: Service) -> None:
    mission_id, _ = results_world(service)
    top = mission_results(service, mission_id).top_posts
    assert [post.url.split("/")[-2] for post in top] == ["A1", "A2", "B1", "C1"]  # D1: none
    first = top[0]
    assert (first.member_id, first.platform, first.handle, first.interactions) == (
        "ana", "instagram", "ana.instagram", 110)
    assert first.engagement_rate == pytest.approx(110 / 1200)
    assert top[1].comments is None and top[1].interactions == 50
    assert top[1].engagement_rate is None  # a hidden count is unknown, never 0
    assert top[2].engagement_rate is None and top[3].engagement_rate is None
    assert top[3].shares == 4


def test_a_mission_without_posts_and_an_unknown_one(service: Service) -> None:
    _, other = results_world(service)
    results = mission_results(service, other)
    assert (results.participants, results.credited_posts,
            results.reach.followers) == (1, 1, 99_999)
    [empty] = add_missions(service, "Vide")
    nothing = mission_results(service, empty)
    assert nothing.credited_posts == 0 and nothing.likes.median is None
    assert nothing.engagement_rate is None and nothing.per_day == () and nothing.top_posts == ()
    assert "0 credited post(s)" in as_text(nothing)
    assert "likes: total —, median —" in as_text(nothing)  # no number known: not 0
    with pytest.raises(NotFound):
        mission_results(service, 999)


def test_command_line(service: Service, tmp_path: Any, capsys: Any) -> None:
    from engine.cli import main

    mission_id, _ = results_world(service)
    config = tmp_path / "results.toml"
    config.write_text(f'[database]\nurl = "{service.settings.database_url}"\n')
    assert main(["report", "--results", str(mission_id), "--config", str(config)]) == 0
    text = capsys.readouterr().out
    assert "5 participant(s), 5 credited post(s)" in text
    assert "likes: total 190, median 40 (4 of 5 post(s) with a number)" in text
    assert "engagement rate (likes + comments) / followers: 9.17 % over 1 post(s)" in text
    # A1 alone that day, without views: "—", not 0.
    assert "2025-06-10: 1 post(s), likes 100, comments 10, views —, rate 9.17 %" in text
    assert main(["report", "--results", str(mission_id), "--json", "--config",
                 str(config)]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["reach"]["followers"] == 3700 and len(body["top_posts"]) == 4
    assert main(["report", "--results", "999", "--config", str(config)]) == 2
    assert "no mission 999" in capsys.readouterr().err
