"""A new member's id holds no '/' and is not '.' or '..' (the API's URLs could never reach that
member: no export, no erasure), no invisible format character, no noncharacter, and is in
Unicode's normal form NFKC (a full-width or decomposed id shows like another member's); ids
already stored keep working (a new-user session created "team/alice", who then earned points
the API could not reach)."""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from engine.service.member_ids import InvalidMemberId, check_member_id
from engine.service.members import link_account
from engine.storage.models import MemberRow

from .api_helpers import Api, sqlite_api
from .pages_helpers import World
from .test_console_people import csrf_of, signed_in

REFUSED = {"team/alice": "'/'", "lea\u200b": "U+200B", "\ufeffana": "U+FEFF",
           "a\u2060b": "U+2060", "x\uffff": "U+FFFF", "a\ufdd0": "U+FDD0",
           "b\U0010fffe": "U+10FFFE", ".": "path step", "..": "path step",
           "\uff41\uff4e\uff41": "shows like 'ana'", "e\u0301lodie": "shows like '\u00e9lodie'",
           "\ufb01ona": "shows like 'fiona'", "team\uff0falice": "choose another id",
           "l\u0435a": "mixes Latin and Cyrillic letters", "\u0391nna": "mixes Greek and Latin"}


@pytest.mark.parametrize("member_id", sorted(REFUSED))
def test_a_new_id_is_refused_naming_the_character(member_id: str) -> None:
    assert check_member_id(member_id) == member_id  # a stored one is still looked up
    with pytest.raises(InvalidMemberId, match=REFUSED[member_id].replace("+", r"\+")):
        check_member_id(member_id, new=True)


@pytest.mark.parametrize("member_id", ["نرم\u200cافزار", "👩\u200d💻", "team:alice", "élodie",
                                       "\u0438\u0432\u0430\u043d", "\u03b1\u03bb\u03c6\u03b1-7",
                                       "...", ".lea", "lea.voyage"])
def test_joiners_and_plain_ids_are_fine_for_a_new_member(member_id: str) -> None:
    assert check_member_id(member_id, new=True) == member_id


@given(st.text(min_size=1, max_size=12))
def test_a_new_id_never_shows_like_another(member_id: str) -> None:
    """Whatever a client sends, an id accepted for a new member is its own NFKC normal form:
    two new members never differ only by full-width, ligature or decomposed characters."""
    try:
        check_member_id(member_id, new=True)
    except InvalidMemberId:
        return
    assert unicodedata.normalize("NFKC", member_id) == member_id


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    with sqlite_api(tmp_path, seed=True) as client:
        yield client


def test_the_api_refuses_to_create_such_a_member(api: Api) -> None:
    link = api.post("/api/v1/member-links", json={"member_id": "team/alice", "mission_id": 1})
    assert link.status_code == 400 and link.json()["code"] == "invalid_input"
    assert "'/'" in link.json()["message"] and "':'" in link.json()["message"]
    answer = api.client.put("/api/v1/members/lea%E2%80%8B/accounts/instagram",
                            headers=api.admin, json={"handle": "lea.voyage"})
    assert answer.status_code == 400 and "U+200B" in answer.json()["message"]
    dots = api.client.put("/api/v1/members/%2e%2e/accounts/instagram", headers=api.admin,
                          json={"handle": "zz.test"})
    assert dots.status_code == 400 and "path step" in dots.json()["message"]
    with api.service.db.sessions() as session:
        assert session.get(MemberRow, "lea\u200b") is None
        assert session.get(MemberRow, "..") is None
    assert api.post("/api/v1/member-links",
                    json={"member_id": "team:alice", "mission_id": 1}).status_code == 201


def test_a_stored_member_with_a_slash_keeps_working(api: Api) -> None:
    with api.service.db.transaction() as session:  # stored before the rule
        session.add(MemberRow(id="old/member", created_at=datetime.now(UTC)))
    link_account(api.service, "old/member", "instagram", "old.member")  # known: allowed
    link = api.post("/api/v1/member-links", json={"member_id": "old/member", "mission_id": 1})
    assert link.status_code == 201


def _refusals(world: World, cases: tuple[tuple[str, str, str], ...]) -> None:
    """Post the console's member-link form with each (member id, lang, words): refused (400)
    with ``words`` in the page."""
    client: TestClient
    client, _ = signed_in(world)
    with client:
        token = csrf_of(client, "/admin/members")
        for member_id, lang, words in cases:
            answer = client.post(f"/admin/members/link?lang={lang}", data={
                "csrf_token": token, "member_id": member_id,
                "mission_id": str(world.mission.id), "days": "3"})
            assert answer.status_code == 400 and words in html.unescape(answer.text)


def test_the_console_says_why_it_cannot_make_a_link_for_such_an_id(world: World) -> None:
    _refusals(world, (
        ("team/alice", "fr", "ne peut contenir « / »"),
        ("team/alice", "en", "cannot hold '/'"),
        ("..", "fr", "« . » et « .. » ne peuvent pas être l'identifiant"),
        ("..", "en", "choose another id"),
        ("lea\u200b", "fr", "caractère invisible"),
        ("lea\u200b", "en", "remove it")))


def test_the_console_names_the_id_a_look_alike_shows_like(world: World) -> None:
    _refusals(world, (("\uff41\uff4e\uff41", "fr", "s'affiche comme « ana »"),
                      ("\uff41\uff4e\uff41", "en", "shows like 'ana'")))


def test_the_console_refuses_an_id_mixing_scripts(world: World) -> None:
    _refusals(world, (("l\u0435a", "fr", "mêle des lettres latines, cyrilliques"),))
