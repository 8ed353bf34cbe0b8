"""Refusals that say what is wrong: a threshold or a cap posted without its unit is refused in
the console (never a silent default unit), and a number too large for the API says it is too
large and gives the maximum."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from engine.service.missions import list_missions

from .api_helpers import Api
from .pages_helpers import World
from .test_console_catalogue import csrf_of, error_of, mission_form, signed_in
from .test_performance_missions_web import api  # noqa: F401, F811 - the API fixture


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with signed_in(world) as test_client:
        yield test_client


@pytest.mark.parametrize(("changes", "field", "french", "english"), [
    ({"threshold": "5000"}, "threshold_kind", "Choisissez vues ou mentions J'aime.",
     "Choose views or likes."),
    ({"threshold": "5000", "threshold_kind": ""}, "threshold_kind",
     "Choisissez vues ou mentions J'aime.", "Choose views or likes."),
    ({"goal": "recurring", "goal_posts": "", "cap_count": "3", "cap_period": ""},
     "cap_period", "Choisissez jour ou semaine.", "Choose day or week."),
])
def test_a_count_without_its_unit_is_refused(client: TestClient, world: World,
                                             changes: dict[str, str], field: str, french: str,
                                             english: str) -> None:
    before = list_missions(world.service)
    form = {**mission_form(world, **changes), "csrf_token": csrf_of(client, "/admin/missions/new")}
    if not changes.get(field, "x"):
        form.pop(field)  # left out of the post altogether, as a hand-made request does
    for path, words in (("/admin/missions/new", french), ("/admin/missions/new?lang=en",
                                                           english)):
        answer = client.post(path, data=form)
        assert answer.status_code == 422
        assert words in error_of(answer.text, field)
    assert list_missions(world.service) == before


def test_a_number_too_large_says_so_with_the_maximum(api: Api) -> None:  # noqa: F811
    answer = api.get("/api/v1/missions/99999999999999999999")
    assert answer.status_code == 422
    assert "is too large" in answer.text and "2147483647" in answer.text
    assert "not a whole number" not in answer.text
    assert "not a whole number" in api.get("/api/v1/missions/12a").text
