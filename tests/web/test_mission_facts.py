"""The facts box of every kind of mission on the member page and in the console's mission list
(issue 17 follow-up): a recurring mission with or without a performance threshold and an N-post
mission with one render in French and English (a recurring mission without threshold once
failed with a server error, and an N-post threshold mission lost its "of N")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from engine.web.app import create_app

from .pages_helpers import World, add_mission_to, member_url
from .test_console_catalogue import signed_in, text_of

# (options of the mission, what its facts say in French, in English)
KINDS: dict[str, tuple[dict[str, Any], list[str], list[str]]] = {
    "recurring": ({"goal_posts": None, "recurring": True},
                  ["10 points par publication comptée", "0 publication comptée"],
                  ["10 points for every counted post", "0 posts counted"]),
    "posts_threshold": ({"goal_posts": 1, "min_likes": 300},
                        ["10 points pour 1 publication comptée",
                         "une publication compte dès 300 « J'aime »",
                         "0 publication comptée sur 1"],
                        ["a post counts from 300 likes", "0 of 1 post counted"]),
    "recurring_threshold": ({"goal_posts": None, "recurring": True, "min_views": 5000},
                            ["10 points par publication comptée",
                             "une publication compte dès 5 000 vues", "0 publication comptée"],
                            ["10 points for every counted post",
                             "a post counts from 5,000 views", "0 posts counted"]),
}


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with signed_in(world) as test_client:
        yield test_client


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_member_page_gives_the_facts_of_every_kind_of_mission(world: World,
                                                                   kind: str) -> None:
    options, french, english = KINDS[kind]
    mission = add_mission_to(world, title=f"Sorte {kind}", **options)
    with TestClient(create_app(world.service), follow_redirects=False) as client:
        fr_page = client.get(member_url(world, "ana", mission))
        en_page = client.get(member_url(world, "ana", mission) + "?lang=en")
    assert (fr_page.status_code, en_page.status_code) == (200, 200)
    for expected in french:
        assert expected in text_of(fr_page.text), expected
    for expected in english:
        assert expected in text_of(en_page.text), expected


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_console_lists_every_kind_of_mission(client: TestClient, world: World,
                                                 kind: str) -> None:
    options, french, english = KINDS[kind]
    mission = add_mission_to(world, title=f"Sorte {kind}", **options)
    for path in ("/admin/missions", f"/admin/missions/{mission.id}"):
        fr_page, en_page = client.get(path), client.get(path + "?lang=en")
        assert (fr_page.status_code, en_page.status_code) == (200, 200), path
        assert f"Sorte {kind}" in text_of(fr_page.text)
    listed = text_of(client.get("/admin/missions?lang=fr").text)
    assert french[0] in listed
