"""The console's error pages speak the console's language and name the problem
(engine/web/error_handlers.py); the API keeps its JSON errors, other pages their bilingual
page."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from engine.web.app import create_app
from engine.web.tokens import create_token

from .pages_helpers import World, login_link


@pytest.fixture
def admin(world: World) -> Iterator[TestClient]:
    """A client with an admin session (a one-time login link)."""
    client = TestClient(create_app(world.service), follow_redirects=False)
    _, raw = create_token(world.service, "admin", "errors")
    assert client.get(login_link(world.service, raw)).status_code == 303
    with client:
        yield client


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def test_a_mission_number_that_is_not_one_is_named_in_french(admin: TestClient) -> None:
    answer = admin.get("/admin/missions/abc")
    assert answer.status_code == 422
    assert "<html lang=fr>" in answer.text and "<h1>Adresse invalide</h1>" in answer.text
    words = text_of(answer.text)
    assert ("« abc » n'est pas un numéro de mission valide : un numéro s'écrit avec des "
            "chiffres seulement, de 1 à ") in words
    assert "de 1 à 2\u202f147\u202f483\u202f647." in answer.text  # grouped as French writes it
    assert "<a href='/admin/missions'>Retour à la liste des missions</a>" in answer.text
    # Nothing of the validator's English.
    assert "whole number" not in words and "path.mission_id" not in words


@pytest.mark.parametrize(("path", "value"), [
    ("/admin/missions/0", "0"), ("/admin/missions/-1", "-1"),
    ("/admin/missions/99999999999999999999", "99999999999999999999"),
    ("/admin/missions/%D9%A1", "\u0661"), ("/admin/missions/abc/results", "abc"),
    ("/admin/missions/abc/preview", "abc"),
])
def test_every_mission_path_refuses_a_bad_number_the_same_way(admin: TestClient, path: str,
                                                              value: str) -> None:
    answer = admin.get(path)
    assert answer.status_code == 422, path
    assert f"« {value} » n'est pas un numéro de mission valide" in text_of(answer.text)


def test_the_page_follows_the_console_language(admin: TestClient) -> None:
    english = admin.get("/admin/missions/abc?lang=en")
    assert english.status_code == 422 and "<html lang=en>" in english.text
    assert ('"abc" is not a valid mission number: a number is written with digits only, '
            "from 1 to 2,147,483,647.") in text_of(english.text)
    assert "Back to the list of missions" in english.text
    # The language remembered by the console (its cookie) is used without ?lang=.
    admin.get("/admin/missions?lang=en")
    assert "<h1>Page not found</h1>" in admin.get("/admin/nowhere").text
    assert "Invalid address" in admin.get("/admin/missions/abc").text


def test_a_bad_query_number_names_what_it_is(admin: TestClient) -> None:
    answer = admin.get("/admin/actions?created=abc")
    assert answer.status_code == 422
    assert "« abc » n'est pas un numéro d'action valide" in text_of(answer.text)
    assert "Retour à la liste des actions" in answer.text


def test_an_unknown_console_address_is_a_french_404(admin: TestClient) -> None:
    answer = admin.get("/admin/nowhere")
    assert answer.status_code == 404
    assert "<title>404 · Page introuvable</title>" in answer.text
    assert "Il n'y a pas de page à l'adresse /admin/nowhere." in text_of(answer.text)
    assert "<a href='/admin'>Retour à la console</a>" in answer.text
    english = admin.get("/admin/nowhere?lang=en")
    assert "There is no page at /admin/nowhere." in text_of(english.text)


def test_a_method_an_address_does_not_take(admin: TestClient) -> None:
    answer = admin.get("/admin/logout")
    assert answer.status_code == 405
    assert "L'adresse /admin/logout n'accepte pas la méthode GET." in text_of(answer.text)


def test_the_refused_value_is_escaped_and_shortened(admin: TestClient) -> None:
    answer = admin.get("/admin/missions/%3Cscript%3E" + "x" * 60)
    assert answer.status_code == 422
    assert "<script>" not in answer.text and "&lt;script&gt;" in answer.text
    assert "x" * 41 not in answer.text and "…" in answer.text
    control = admin.get("/admin/missions/a%01b")
    assert "« aU+0001b »" in text_of(control.text)


def test_the_api_and_json_clients_keep_their_json(admin: TestClient) -> None:
    api = admin.get("/api/v1/missions/abc")
    assert api.status_code in (401, 422)
    assert set(api.json()) >= {"code", "message"}
    answer = admin.get("/admin/missions/abc", headers={"accept": "application/json"})
    assert answer.status_code == 422 and answer.json()["code"] == "validation_error"
    assert "path.mission_id" in answer.json()["message"]


def test_pages_outside_the_console_keep_their_bilingual_page(admin: TestClient) -> None:
    answer = admin.get("/nowhere")
    assert answer.status_code == 404
    assert "Page introuvable · Page not found" in answer.text
    # The sentence too, not only the title (a new-user session found it in English only).
    words = text_of(answer.text)
    assert "Il n'y a pas de page à l'adresse /nowhere" in words
    assert "There is no page at /nowhere" in words
    assert admin.get("/m/../../etc/passwd").status_code == 404
