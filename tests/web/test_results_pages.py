"""Mission results in the API and the console (issue 17 item 2), on the hand-made dataset of
:mod:`tests.service.results_data`: the route's scope, 404 and JSON shape; the console page's
figures in French and English, its charts (inline SVG, no inline style) and tables."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engine.web.app import create_app
from engine.web.pages.session import COOKIE, log_in
from engine.web.tokens import create_token
from tests.service.results_data import EXPECTED, results_world

from .pages_helpers import NOW, Clock, World, make_service


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[World, int]]:
    """A service holding only the hand-made results dataset (its mission's id)."""
    clock = Clock(NOW)
    service = make_service(tmp_path, clock)
    mission_id, _ = results_world(service)
    yield World(service=service, clock=clock, mission=None), mission_id  # type: ignore[arg-type]
    service.engine.close()
    service.close()


def bearer(world: World, scope: str) -> dict[str, str]:
    _, raw = create_token(world.service, scope, f"results {scope}")
    return {"Authorization": f"Bearer {raw}"}


def test_api_results_shape_scope_and_404(seeded: tuple[World, int]) -> None:
    world, mission_id = seeded
    client = TestClient(create_app(world.service))
    url = f"/api/v1/missions/{mission_id}/results"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer(world, "integrator")).status_code == 403
    admin = bearer(world, "admin")
    answer = client.get(url, headers=admin)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    for name, value in EXPECTED.items():
        assert body[name] == (pytest.approx(value) if isinstance(value, float) else value), name
    assert set(body) >= {"mission_id", "title", "per_platform", "per_day", "top_posts",
                         "measured_at", "day_basis"}
    assert body["measured_at"] == "2025-06-15T08:00:00Z"
    assert [p["platform"] for p in body["per_platform"]] == ["instagram", "tiktok"]
    assert body["per_platform"][1]["engagement_rate"] is None
    first = body["top_posts"][0]
    assert set(first) == {"url", "member_id", "platform", "handle", "published_at", "likes",
                          "comments", "views", "shares", "followers", "interactions",
                          "engagement_rate", "measured_at"}
    assert first["url"].endswith("/A1/") and first["interactions"] == 110
    missing = client.get("/api/v1/missions/999/results", headers=admin)
    assert missing.status_code == 404 and "999" in missing.text
    assert client.get("/api/v1/missions/abc/results", headers=admin).status_code == 422


def signed_in(world: World) -> TestClient:
    _, raw = create_token(world.service, "admin", "results console")
    cookie = log_in(world.service, raw)
    assert cookie is not None
    client = TestClient(create_app(world.service), follow_redirects=False)
    client.cookies.set(COOKIE, cookie, path="/admin")
    return client


def figure(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert found, name
    return found.group(1)


def test_console_page_in_french_and_english(seeded: tuple[World, int]) -> None:
    world, mission_id = seeded
    client = signed_in(world)
    url = f"/admin/missions/{mission_id}/results"
    french = client.get(url + "?lang=fr")
    assert french.status_code == 200, french.text[:500]
    html = french.text
    assert "Résultats : Été 2025" in html
    assert figure(html, "participants") == "5" and figure(html, "credited_posts") == "5"
    assert figure(html, "reach") == "3\u202f700"  # Babel's French grouping (narrow nbsp)
    assert figure(html, "engagement_rate") == "9,17\xa0%"  # A1 alone: 110 / 1200
    assert re.search(r'data-metric="views">.*?6\u202f300.*?600.*?4 sur 5', html, re.S)
    assert re.search(r'data-metric="likes">.*?190.*?40<.*?4 sur 5', html, re.S)
    assert "Par jour de publication (UTC)" in html and "12 juin 2025" in html
    assert html.count("<svg class=\"chart\"") == 2 and 'role="img"' in html
    assert 'style="' not in html  # the CSP refuses inline styles
    top = html.split('id="top-posts"')[1]
    assert top.index("/A1/") < top.index("/A2/") < top.index("/B1/") < top.index("/C1/")
    assert "/D1/" not in top and "—" in top  # D1 has no likes nor comments; rates undefined
    english = client.get(url + "?lang=en").text
    assert "Results: Été 2025" in english and "Likes, comments and views" in english
    assert figure(english, "reach") == "3,700" and figure(english, "engagement_rate") == "9.17%"
    assert "Jun 12, 2025" in english and "4 of 5" in english
    assert "Per day of publication (UTC)" in english


def test_console_page_refusals_and_link(seeded: tuple[World, int]) -> None:
    world, mission_id = seeded
    client = signed_in(world)
    mission_page = client.get(f"/admin/missions/{mission_id}?lang=en")
    assert f'href="/admin/missions/{mission_id}/results"' in mission_page.text
    assert ">Results</a>" in mission_page.text
    assert client.get("/admin/missions/999/results").status_code == 404
    anonymous = TestClient(create_app(world.service), follow_redirects=False)
    assert anonymous.get(f"/admin/missions/{mission_id}/results").status_code == 303


def test_chart_helpers_draw_without_inline_style() -> None:
    from engine.web.pages.charts import Bar, columns, horizontal_bars, rows, stacked_days

    assert columns([], label="x") == "" and rows([], label="x") == ""
    drawn = columns([("1 juin", [Bar("1 juin", 30, "30", ".bar-results")], "30"),
                     ("2 juin", [Bar("2 juin", 0, "0")], "0")], label="j'aime <par> jour")
    assert drawn.count("<rect") == 1 and 'class="bar-results"' in drawn
    assert 'aria-label="j&#x27;aime &lt;par&gt; jour"' in drawn and "<title>1 juin: 30" in drawn
    listed = rows([Bar("tiktok", 4022, "4 022", "#111827")], label="per platform")
    assert 'fill="#111827"' in listed and "4 022" in listed
    legacy = stacked_days({"2025-06-01": {"instagram": 2, "tiktok": 1}})
    assert legacy.count("<rect") == 2 and horizontal_bars([("hashtag_missing", 3)]).count(
        'class="bar-hashtag_missing"') == 1
    for svg in (drawn, listed, legacy):
        assert "style=" not in svg and "<script" not in svg
