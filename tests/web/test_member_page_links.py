"""Every form of the member page answers a link that does not hold, and a platform its mission
lacks, the same way: 403 with the rejected-link page; back to the page with "refused"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from engine.service.claims import list_claims
from engine.service.errors import NotFound
from engine.service.members import get_member
from engine.web.app import create_app

from .pages_helpers import World, member_url

FORMS = {
    "": None,  # the page itself (GET)
    "/link": {"platform": "instagram", "handle": "lea.voyage"},
    "/claim": {"platform": "instagram"},
    "/post": {"platform": "instagram", "url": "https://www.instagram.com/p/DMatch0001a/"},
}


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.service), follow_redirects=False) as test_client:
        yield test_client


def send(client: TestClient, url: str, form: dict[str, str] | None) -> httpx.Response:
    """GET the page when ``form`` is None, else POST ``form`` in English."""
    return client.get(url + "?lang=en") if form is None else client.post(
        url, data={**form, "lang": "en"})


@pytest.mark.parametrize("path", FORMS)
def test_an_expired_link_is_rejected_by_every_form(client: TestClient, world: World,
                                                    path: str) -> None:
    url = member_url(world, "lea", expires_at=world.clock() + timedelta(minutes=1))
    world.clock.advance(minutes=2)
    answer = send(client, url + path, FORMS[path])
    assert answer.status_code == 403
    assert 'lang="en"' in answer.text
    assert list_claims(world.service, member_id="lea") == []
    with pytest.raises(NotFound):  # nor was a handle linked (the member would exist)
        get_member(world.service, "lea")


@pytest.mark.parametrize("path", ["/claim", "/post"])
def test_a_claim_on_a_platform_the_mission_lacks_is_refused(client: TestClient, world: World,
                                                             path: str) -> None:
    url = member_url(world, "lea")
    form = {"platform": "tiktok", "url": "https://www.tiktok.com/@lea/video/7300000000000000001",
            "lang": "en"}
    answer = client.post(url + path, data=form)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{url}?lang=en&notice=refused"
    assert list_claims(world.service, member_id="lea") == []
