"""The privacy actions of the console's member page: export the member's data (a JSON
download), revoke the member's page links, erase the member (confirmed by typing the id).

Every form is posted as a browser would (the page's CSRF token read from its hidden input) and
its effect checked in the service; without the token (or with another session's) it is refused
(403) and nothing changes. French by default, English through ``?lang=en``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from engine.service.members import get_member
from engine.service.privacy import erasure_plan
from engine.storage.models import LedgerRow, MemberRow
from engine.web.app import create_app

from .pages_helpers import World, member_url
from .test_console_people import claim_and_check, csrf_of, refused_both_ways, signed_in, text_of


@pytest.fixture
def admin(world: World) -> Iterator[TestClient]:
    client, _ = signed_in(world)
    with client:
        yield client


def ledger_totals(world: World) -> tuple[int, int]:
    """(rows, sum of points) of the whole ledger."""
    with world.service.db.sessions() as session:
        return (int(session.scalar(select(func.count(LedgerRow.id))) or 0),
                int(session.scalar(select(func.sum(LedgerRow.points))) or 0))


def member_exists(world: World, member_id: str) -> bool:
    with world.service.db.sessions() as session:
        return session.get(MemberRow, member_id) is not None


# -- export -------------------------------------------------------------------------------------


def test_export_downloads_the_members_data_as_json(admin: TestClient, world: World) -> None:
    claim_and_check(world, "lea", "lea.voyage")
    page = admin.get("/admin/members/lea")
    assert 'href="/admin/members/lea/export"' in page.text
    assert "Télécharger l'export (JSON)" in text_of(page.text)

    answer = admin.get("/admin/members/lea/export")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["content-disposition"] == \
        'attachment; filename="member-lea-export.json"'
    assert answer.headers["cache-control"] == "no-store"
    document = json.loads(answer.content)
    assert document["member_id"] == "lea" and document["balance"] == 10
    assert [a["handle"] for a in document["accounts"]] == ["lea.voyage"]
    assert len(document["claims"]) == 1 and len(document["ledger"]) == 1


@pytest.mark.parametrize(("member_id", "file_name"), [
    ('é"a/b\\c x;y', "member-__a_b_c_x_y-export.json"),
    ("..hidden", "member-hidden-export.json"),
    ("ü", "member-_-export.json"),
    ("x" * 200, f"member-{'x' * 100}-export.json"),
])
def test_the_export_file_name_keeps_safe_characters_only(admin: TestClient, world: World,
                                                         member_id: str, file_name: str) -> None:
    with world.service.db.transaction() as session:
        session.add(MemberRow(id=member_id, created_at=world.clock.now))
    answer = admin.get("/admin/members/" + quote(member_id, safe="") + "/export")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == f'attachment; filename="{file_name}"'
    assert json.loads(answer.content)["member_id"] == member_id



def test_export_of_an_unknown_member_is_the_consoles_404(admin: TestClient) -> None:
    answer = admin.get("/admin/members/nobody/export?lang=en")
    assert answer.status_code == 404
    assert 'No member has the id "nobody".' in text_of(answer.text)


def test_export_needs_a_login(world: World) -> None:
    with TestClient(create_app(world.service), follow_redirects=False) as anonymous:
        answer = anonymous.get("/admin/members/ana/export")
        assert answer.status_code == 303 and answer.headers["location"] == "/admin/login"


def test_a_member_whose_id_ends_in_export_keeps_its_page(admin: TestClient,
                                                          world: World) -> None:
    with world.service.db.transaction() as session:
        session.add(MemberRow(id="team/export", created_at=world.clock.now))
    page = admin.get("/admin/members/" + quote("team/export", safe=""))
    assert page.status_code == 200 and "Membre team/export" in text_of(page.text)
    download = admin.get("/admin/members/" + quote("team/export", safe="") + "/export")
    assert download.status_code == 200
    assert json.loads(download.content)["member_id"] == "team/export"
    assert download.headers["content-disposition"] == \
        'attachment; filename="member-team_export-export.json"'


# -- erase --------------------------------------------------------------------------------------


def test_erase_is_refused_without_the_right_confirmation(admin: TestClient,
                                                         world: World) -> None:
    claim_and_check(world, "lea", "lea.voyage")
    token = csrf_of(admin, "/admin/members/lea")
    for confirm, message in (("", "Tapez l'identifiant du membre pour confirmer"),
                             ("le", "Ce n'est pas l'identifiant de ce membre"),
                             (" lea", "Ce n'est pas l'identifiant de ce membre"),
                             ("LEA", "Ce n'est pas l'identifiant de ce membre")):
        answer = admin.post("/admin/members/lea/erase",
                            data={"csrf_token": token, "confirm": confirm})
        assert answer.status_code == 400, confirm
        text = text_of(answer.text)
        assert message in text and "rien n'a été effacé" in text
        assert 'id="erase-confirm-error"' in answer.text
    english = admin.post("/admin/members/lea/erase?lang=en",
                         data={"csrf_token": token, "confirm": "ana"})
    assert english.status_code == 400
    assert "That is not this member's id: nothing was erased." in text_of(english.text)
    # No confirmation field at all: refused too.
    assert admin.post("/admin/members/lea/erase",
                      data={"csrf_token": token}).status_code == 400
    member = get_member(world.service, "lea")
    assert member.balance == 10 and [a.handle for a in member.accounts] == ["lea.voyage"]


def test_erase_with_the_confirmation_erases_and_says_what_was_done(admin: TestClient,
                                                                  world: World) -> None:
    claim_and_check(world, "lea", "lea.voyage")
    before = ledger_totals(world)
    token = csrf_of(admin, "/admin/members/lea")
    refused_both_ways(world, admin, "/admin/members/lea/erase", {"confirm": "lea"})
    assert member_exists(world, "lea")

    answer = admin.post("/admin/members/lea/erase", data={"csrf_token": token, "confirm": "lea"})
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith("/admin/members/lea?done=erased%3A")
    assert not member_exists(world, "lea")
    assert erasure_plan(world.service, "lea").already_erased
    assert ledger_totals(world) == before  # the points stay, under a pseudonym

    done = admin.get(location)
    assert done.status_code == 200
    text = text_of(done.text)
    assert "Membre lea effacé" in text and "a été effacé le 16 juin 2025" in text
    assert "1 compte lié supprimé" in text
    assert "Demandes anonymisées : 1" in text and "lignes du registre 1" in text
    english = text_of(admin.get(location + "&lang=en").text)
    assert "Member lea erased" in english and "1 linked account removed" in english
    # The member's page and export are gone.
    assert admin.get("/admin/members/lea").status_code == 404
    assert admin.get("/admin/members/lea/export").status_code == 404
    # A made-up "done" cannot claim an erasure of a member never erased, nor hide one that exists.
    assert admin.get("/admin/members/nobody?done=erased%3A1.1.1.1.1.1.1.1.1").status_code == 404
    ana = admin.get("/admin/members/ana?done=erased%3A1.1.1.1.1.1.1.1.1&lang=fr")
    assert ana.status_code == 200 and "Membre ana" in text_of(ana.text)
    assert "effacé" not in text_of(ana.text).split("Données personnelles")[0]
    # Posting again: the console's 404, nothing more happens.
    assert admin.post("/admin/members/lea/erase",
                      data={"csrf_token": token, "confirm": "lea"}).status_code == 404
    assert ledger_totals(world) == before


def test_erase_of_an_unknown_member_is_the_consoles_404(admin: TestClient) -> None:
    token = csrf_of(admin, "/admin/members/ana")
    answer = admin.post("/admin/members/nobody/erase",
                        data={"csrf_token": token, "confirm": "nobody"})
    assert answer.status_code == 404 and "Membre introuvable" in answer.text


# -- revoke links -------------------------------------------------------------------------------


def test_revoking_the_links_makes_an_existing_link_stop_working(admin: TestClient,
                                                                world: World) -> None:
    link = member_url(world, "ana")
    with TestClient(create_app(world.service), follow_redirects=False) as visitor:
        assert visitor.get(link).status_code == 200
    token = csrf_of(admin, "/admin/members/ana")
    assert 'action="/admin/members/ana/revoke-links"' in admin.get("/admin/members/ana").text
    refused_both_ways(world, admin, "/admin/members/ana/revoke-links", {})
    with TestClient(create_app(world.service), follow_redirects=False) as visitor:
        assert visitor.get(link).status_code == 200  # nothing revoked by the refused posts

    answer = admin.post("/admin/members/ana/revoke-links?lang=en", data={"csrf_token": token})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/members/ana?done=links_revoked&lang=en"
    notice = text_of(admin.get(answer.headers["location"]).text)
    assert "Every link to this member's page created until now is revoked." in notice
    with TestClient(create_app(world.service), follow_redirects=False) as visitor:
        assert visitor.get(link).status_code == 403  # the link no longer opens the page
        world.clock.advance(seconds=5)
        assert visitor.get(member_url(world, "ana")).status_code == 200  # a new one works
    assert get_member(world.service, "ana").accounts  # the member itself is untouched


def test_revoking_the_links_of_an_unknown_member_is_the_consoles_404(admin: TestClient) -> None:
    token = csrf_of(admin, "/admin/members/ana")
    answer = admin.post("/admin/members/nobody/revoke-links", data={"csrf_token": token})
    assert answer.status_code == 404 and "Membre introuvable" in answer.text


def test_a_hostile_member_id_is_escaped_in_every_action(admin: TestClient, world: World) -> None:
    hostile = '<script>alert("x")</script>'
    with world.service.db.transaction() as session:
        session.add(MemberRow(id=hostile, created_at=world.clock.now))
    path = "/admin/members/" + quote(hostile, safe="")
    page = admin.get(path)
    assert page.status_code == 200 and "<script>alert" not in page.text
    token = csrf_of(admin, path)
    wrong = admin.post(path + "/erase", data={"csrf_token": token, "confirm": "x"})
    assert wrong.status_code == 400 and "<script>alert" not in wrong.text
    done = admin.post(path + "/erase", data={"csrf_token": token, "confirm": hostile})
    assert done.status_code == 303 and not member_exists(world, hostile)
    summary = admin.get(done.headers["location"])
    assert summary.status_code == 200 and "<script>alert" not in summary.text
    assert "&lt;script&gt;" in summary.text
