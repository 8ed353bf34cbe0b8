"""Performance missions through the API, the console's mission form and the member page
(issue 17 item 3): ``min_views`` or ``min_likes`` (not both) with clear errors, in French and
English in the console; the member page says how far a post is from the threshold and when it
is re-checked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engine.service.claims import create_claim
from engine.service.missions import get_mission, list_missions
from engine.service.runtime import work
from engine.web.app import create_app
from tests.service.test_performance_missions import ScriptedEngine

from .api_helpers import Api, Clock, api_for, build_service, database_setup
from .pages_helpers import World, add_mission_to, member_url
from .test_console_catalogue import (
    csrf_of,
    error_of,
    field_value,
    mission_form,
    signed_in,
    text_of,
)


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    with database_setup("sqlite", tmp_path) as urls:
        service = build_service(urls, Clock())
        with api_for(service) as client:
            yield client
        service.engine.close()
        service.close()


def test_the_api_takes_one_threshold(api: Api) -> None:
    assert api.post("/api/v1/actions", json={"platform": "instagram",
                                             "hashtag": "summer2025"}).status_code == 201
    base = {"title": "Été", "action_ids": [1], "points": 5, "goal_posts": 1}
    made = api.post("/api/v1/missions", json={**base, "min_views": 5000})
    assert made.status_code == 201
    assert (made.json()["min_views"], made.json()["min_likes"]) == (5000, None)
    assert api.get(f"/api/v1/missions/{made.json()['id']}").json()["min_views"] == 5000
    plain = api.post("/api/v1/missions", json=base).json()
    assert (plain["min_views"], plain["min_likes"]) == (None, None)
    both = api.post("/api/v1/missions", json={**base, "min_views": 10, "min_likes": 10})
    assert both.status_code == 422 and "choose one threshold" in both.text
    for wrong in (0, -5, "100", 1.5, True, 10**12):
        answer = api.post("/api/v1/missions", json={**base, "min_likes": wrong})
        assert answer.status_code == 422, wrong
        assert answer.json()["code"] == "validation_error"


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with signed_in(world) as test_client:
        yield test_client


def test_the_console_form_creates_and_edits_a_threshold(client: TestClient,
                                                         world: World) -> None:
    page = client.get("/admin/missions/new").text
    assert "Seuil de performance (facultatif)" in text_of(page)
    assert "1 jour et 1 semaine après la demande" in text_of(page)
    token = csrf_of(client, "/admin/missions/new")
    answer = client.post("/admin/missions/new", data={
        **mission_form(world, threshold="5000", threshold_kind="views"), "csrf_token": token})
    assert answer.status_code == 303
    created = list_missions(world.service)[-1]
    assert (created.min_views, created.min_likes) == (5000, None)
    page = client.get(f"/admin/missions/{created.id}").text
    assert field_value(page, "threshold") == "5000"
    assert '<option value="views" selected>' in page
    answer = client.post(f"/admin/missions/{created.id}", data={
        **mission_form(world, threshold="250", threshold_kind="likes"), "csrf_token": token})
    assert answer.status_code == 303
    changed = get_mission(world.service, created.id)
    assert (changed.min_views, changed.min_likes) == (None, 250)
    answer = client.post(f"/admin/missions/{created.id}", data={
        **mission_form(world, threshold=" ", threshold_kind="likes"), "csrf_token": token})
    assert answer.status_code == 303
    removed = get_mission(world.service, created.id)
    assert (removed.min_views, removed.min_likes) == (None, None)


@pytest.mark.parametrize(("changes", "field", "french", "english"), [
    ({"threshold": "0"}, "threshold", "Entrez un nombre entier entre 1 et 999999999.",
     "Enter a whole number from 1 to 999999999."),
    ({"threshold": "beaucoup"}, "threshold", "Entrez un nombre entier",
     "Enter a whole number"),
    ({"threshold": "9" * 5000}, "threshold", "Entrez un nombre entier", "Enter a whole number"),
    ({"threshold": "100", "threshold_kind": "shares"}, "threshold_kind",
     "Choisissez vues ou mentions J'aime.", "Choose views or likes."),
])
def test_a_bad_threshold_is_said_next_to_it_in_french_and_english(
        client: TestClient, world: World, changes: dict[str, str], field: str, french: str,
        english: str) -> None:
    before = list_missions(world.service)
    token = csrf_of(client, "/admin/missions/new")
    form = {**mission_form(world, **changes), "csrf_token": token}
    answer = client.post("/admin/missions/new", data=form)
    assert answer.status_code == 422
    assert french in error_of(answer.text, field)
    answer = client.post("/admin/missions/new?lang=en", data=form)
    assert answer.status_code == 422
    assert english in error_of(answer.text, field)
    assert list_missions(world.service) == before


@pytest.mark.parametrize("post_url", [None, "https://www.instagram.com/reel/PerfPost01/"])
def test_the_member_page_says_how_far_the_post_is_from_the_threshold(
        world: World, post_url: str | None) -> None:
    """For a claim of the whole profile and for a claim aimed at the post."""
    goal = add_mission_to(world, goal_posts=1, title="Vues", min_views=5000)
    service = world.service
    real = service.engine
    scripted = ScriptedEngine(real, world.clock)
    service.engine = scripted  # type: ignore[assignment]
    try:
        scripted.views = 1240
        create_claim(service, "ana", goal.id, "instagram", post_url)
        work(service, once=True, threads=1)
        with TestClient(create_app(service), follow_redirects=False) as client:
            french = text_of(client.get(member_url(world, "ana", goal)).text)
            english = text_of(client.get(member_url(world, "ana", goal) + "?lang=en").text)
    finally:
        service.engine = real
    # (text_of turns Babel's narrow no-break spaces into spaces)
    assert "10 points pour 1 publication comptée ; une publication compte dès 5 000 vues" in french
    assert "a post counts from 5,000 views" in english
    assert "PerfPost01 : 1 240 vues sur 5 000 nécessaires" in french
    assert "nouvelle vérification automatique vers le 17 juin 2025" in french
    assert "1,240 views of 5,000 needed" in english
    assert "re-checked automatically around Jun 17, 2025" in english
