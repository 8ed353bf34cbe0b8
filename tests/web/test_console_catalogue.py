"""The console's external actions and missions without a browser (issue 11 items 1 and 2).

Every form is posted as a browser without JavaScript posts it: it works and changes what it
says; without its session's CSRF token (or with another session's) it is refused with 403 and
changes nothing; bad input comes back inline (never a 500) with the typed values kept; pages
speak French by default and English through the switch; dates are typed and shown in the
community's time zone and stored in UTC.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from engine.service.actions import add_action, delete_action, list_actions
from engine.service.errors import Conflict
from engine.service.missions import (
    DEFAULT_LABEL,
    add_mission,
    duplicate_mission,
    get_mission,
    list_missions,
    update_mission,
)
from engine.web.app import create_app
from engine.web.tokens import create_token

from .pages_helpers import NOW, World, login_link

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def signed_in(world: World) -> TestClient:
    """A client with an admin session (a one-time login link)."""
    client = TestClient(create_app(world.service), follow_redirects=False)
    _, raw = create_token(world.service, "admin", "x")
    answer = client.get(login_link(world.service, raw))
    assert answer.status_code == 303
    return client


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with signed_in(world) as test_client:
        yield test_client


def csrf_of(client: TestClient, page: str) -> str:
    found = CSRF.search(client.get(page).text)
    assert found, page
    return found.group(1)


def text_of(page: str) -> str:
    plain = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(plain))


def field_value(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, name
    return html.unescape(found.group(1))


def error_of(page: str, name: str) -> str:
    found = re.search(rf'<p class="error" id="{name}-error" role="alert">(.*?)</p>', page, re.S)
    assert found, f"no error next to {name}"
    return html.unescape(found.group(1))


def mission_form(world: World, **changes: str) -> dict[str, str]:
    """A valid mission form: the world's Instagram action, 2 posts, 20 points, June 2025."""
    action = list_actions(world.service)[0]
    form = {"title": "Vacances", "description": "Une photo", "label": DEFAULT_LABEL,
            f"action_{action.platform}": str(action.id), "action_youtube": "",
            "action_tiktok": "", "goal": "posts", "goal_posts": "2", "cap_count": "",
            "cap_period": "day", "points": "20", "start": "2025-06-20T10:00",
            "end": "2025-07-20T10:00"}
    form.update(changes)
    return form


# -- external actions --------------------------------------------------------------------------


def test_actions_page_lists_actions_with_their_missions_in_french_and_english(
        client: TestClient, world: World) -> None:
    french = client.get("/admin/actions")
    assert french.status_code == 200
    words = text_of(french.text)
    assert "Actions externes" in words and "Nouvelle action externe" in words
    assert "#summer2025" in words and "Été 2025" in words  # the world's mission uses it
    assert "Utilisée par une mission" in words
    assert 'for="platform"' in french.text and 'for="hashtag"' in french.text
    assert "2025-06-16T09:00" not in french.text  # no raw ISO instants: a human date
    assert "16 juin 2025" in words
    english = text_of(client.get("/admin/actions?lang=en").text)
    assert "External actions" in english and "New external action" in english
    assert "Used by a mission: it cannot be deleted." in english
    assert "Jun 16, 2025" in english
    # The language is remembered.
    assert "New external action" in text_of(client.get("/admin/actions").text)


def test_actions_need_a_session(world: World) -> None:
    with TestClient(create_app(world.service), follow_redirects=False) as anonymous:
        answer = anonymous.get("/admin/actions")
        assert answer.status_code == 303 and answer.headers["location"] == "/admin/login"
        assert anonymous.get("/admin/missions").status_code == 303
        assert anonymous.get("/admin/missions/new").status_code == 303
        assert anonymous.get(f"/admin/missions/{world.mission.id}").status_code == 303
        assert anonymous.get(f"/admin/missions/{world.mission.id}/preview").status_code == 303


def test_creating_an_action(client: TestClient, world: World) -> None:
    token = csrf_of(client, "/admin/actions")
    answer = client.post("/admin/actions", data={"platform": "tiktok", "hashtag": "#rentree",
                                                 "csrf_token": token})
    assert answer.status_code == 303
    created = list_actions(world.service)[-1]
    assert (created.platform, created.hashtag) == ("tiktok", "rentree")
    page = client.get(answer.headers["location"])
    assert "Action #rentree (tiktok) créée." in text_of(page.text)


def test_a_refused_hashtag_says_why_and_offers_its_ascii_form(client: TestClient,
                                                              world: World) -> None:
    before = list_actions(world.service)
    token = csrf_of(client, "/admin/actions")
    answer = client.post("/admin/actions", data={"platform": "instagram", "hashtag": "été2024",
                                                 "csrf_token": token})
    assert answer.status_code == 422
    assert list_actions(world.service) == before
    message = error_of(answer.text, "hashtag")
    assert message == "« été2024 » : « é » n'est pas autorisé ; utilisez « ete2024 »."
    assert field_value(answer.text, "hashtag") == "été2024"  # the typed value is kept
    assert 'aria-invalid="true"' in answer.text
    fix = re.search(r'<form method="post" action="/admin/actions" class="fix-form".*?</form>',
                    answer.text, re.S)
    assert fix and 'name="hashtag" value="ete2024"' in fix.group(0)
    assert 'name="platform" value="instagram"' in fix.group(0)
    assert "Utiliser #ete2024" in text_of(fix.group(0))
    # The button posts the fix: the action is created.
    accepted = client.post("/admin/actions", data={"platform": "instagram",
                                                   "hashtag": "ete2024", "csrf_token": token})
    assert accepted.status_code == 303
    assert list_actions(world.service)[-1].hashtag == "ete2024"
    # In English, the engine's own R1 words.
    english = client.post("/admin/actions?lang=en", data={
        "platform": "instagram", "hashtag": "été 2024", "csrf_token": token})
    assert error_of(english.text, "hashtag") == (
        "`été 2024`: 'é', a space are not allowed; use `ete2024`")
    assert "Use #ete2024" in english.text


@pytest.mark.parametrize(("typed", "french"), [
    ("", "Le hashtag est vide"),
    ("#", "Le hashtag est vide"),
    ("2024", "doit contenir au moins une lettre"),
    ("a" * 5000, "un hashtag a au plus 100 caractères, pas 5000"),
    ("€€€", "utilisez seulement des lettres ASCII"),
    ("summer#2024", "un second « # »"),
])
def test_every_refused_hashtag_is_inline(client: TestClient, world: World, typed: str,
                                         french: str) -> None:
    before = list_actions(world.service)
    token = csrf_of(client, "/admin/actions")
    answer = client.post("/admin/actions", data={"platform": "youtube", "hashtag": typed,
                                                 "csrf_token": token})
    assert answer.status_code == 422
    assert french in error_of(answer.text, "hashtag")
    assert list_actions(world.service) == before
    assert 'id="fix-form"' not in answer.text or typed == "summer#2024"


def test_an_unknown_platform_is_refused_inline(client: TestClient, world: World) -> None:
    token = csrf_of(client, "/admin/actions")
    answer = client.post("/admin/actions", data={"platform": "myspace", "hashtag": "ok",
                                                 "csrf_token": token})
    assert answer.status_code == 422
    assert "Choisissez une des plateformes proposées." in error_of(answer.text, "platform")
    assert len(list_actions(world.service)) == 1


def test_deleting_an_unused_action_and_not_a_used_one(client: TestClient, world: World) -> None:
    spare = add_action(world.service, "youtube", "spare")
    used = world.mission.actions[0]
    page = client.get("/admin/actions").text
    assert f'action="/admin/actions/{spare.id}/delete"' in page
    assert f'action="/admin/actions/{used.id}/delete"' not in page  # no button: says why
    token = csrf_of(client, "/admin/actions")
    answer = client.post(f"/admin/actions/{spare.id}/delete", data={"csrf_token": token})
    assert answer.status_code == 303
    assert spare.id not in {a.id for a in list_actions(world.service)}
    assert "Action supprimée." in text_of(client.get(answer.headers["location"]).text)
    refused = client.post(f"/admin/actions/{used.id}/delete", data={"csrf_token": token})
    assert refused.status_code == 409
    assert ("L'action #summer2025 n'a pas été supprimée : elle est utilisée par « Été 2025 » "
            f"(n° {world.mission.id})") in text_of(refused.text)
    assert used.id in {a.id for a in list_actions(world.service)}
    gone = client.post(f"/admin/actions/{spare.id}/delete", data={"csrf_token": token})
    assert gone.status_code == 404 and "n'existe plus" in text_of(gone.text)


def test_service_delete_action_refuses_a_used_one(world: World) -> None:
    with pytest.raises(Conflict, match="used by mission"):
        delete_action(world.service, world.mission.actions[0].id)


# -- CSRF on every form ------------------------------------------------------------------------


def _forms(world: World) -> list[tuple[str, dict[str, str]]]:
    """Every form of this area: its address and valid fields (the token added by the test)."""
    spare = add_action(world.service, "youtube", "spare")
    draft = add_mission(world.service, title="Brouillon",
                        action_ids=[world.mission.actions[0].id], points=5, goal_posts=1)
    mission_id = world.mission.id
    return [
        ("/admin/actions", {"platform": "tiktok", "hashtag": "forged"}),
        (f"/admin/actions/{spare.id}/delete", {}),
        ("/admin/missions/new", mission_form(world, title="Forged", publish="1")),
        (f"/admin/missions/{mission_id}", mission_form(world, title="Forged")),
        (f"/admin/missions/{draft.id}/publish", {}),
        (f"/admin/missions/{mission_id}/archive", {}),
        (f"/admin/missions/{mission_id}/duplicate", {}),
    ]


def _state(world: World) -> tuple[object, ...]:
    return (tuple(list_actions(world.service)), tuple(list_missions(world.service)))


def test_every_form_without_its_csrf_token_is_refused_and_changes_nothing(
        client: TestClient, world: World) -> None:
    forms = _forms(world)
    before = _state(world)
    # The other session: another admin signed in elsewhere, with its own valid token.
    with signed_in(world) as other:
        foreign = csrf_of(other, "/admin/actions")
    for url, fields in forms:
        for token in (None, "", "forged", foreign):
            data = dict(fields)
            if token is not None:
                data["csrf_token"] = token
            answer = client.post(url, data=data)
            assert answer.status_code == 403, (url, token)
            assert "rien n'a été modifié" in answer.text
            assert _state(world) == before, (url, token)
    # With the page's own token each form works (so the refusals above were the token's).
    token = csrf_of(client, "/admin/actions")
    for url, fields in forms:
        answer = client.post(url, data={**fields, "csrf_token": token})
        assert answer.status_code == 303, (url, answer.text[:500])
    assert _state(world) != before


# -- missions: list, create, edit --------------------------------------------------------------


def test_missions_are_listed_by_status(client: TestClient, world: World) -> None:
    action = world.mission.actions[0]
    add_mission(world.service, title="Un brouillon", action_ids=[action.id], points=5,
                goal_posts=1)
    page = client.get("/admin/missions").text
    words = text_of(page)
    drafts = page.index('id="status-draft"')
    published = page.index('id="status-published"')
    archived = page.index('id="status-archived"')
    assert drafts < page.index("Un brouillon") < published < page.index("Été 2025") < archived
    assert "Brouillons 1" in words and "Publiées 1" in words and "Archivées 0" in words
    assert "10 points pour 1 publication comptée" in words
    assert "du 1 juin 2025 à 00:00 UTC au 1 juil. 2025 à 00:00 UTC" in words
    english = text_of(client.get("/admin/missions?lang=en").text)
    assert "Drafts 1" in english and "10 points for 1 counted post" in english


def test_the_new_mission_form_shows_the_defaults(client: TestClient, world: World) -> None:
    page = client.get("/admin/missions/new").text
    assert field_value(page, "label") == DEFAULT_LABEL
    # R2's default window: now (09:00 UTC) to one calendar month later, shown and removable.
    assert field_value(page, "start") == "2025-06-16T09:00"
    assert field_value(page, "end") == "2025-07-16T09:00"
    assert 'id="no_end"' in page and 'id="no_start"' in page
    words = text_of(page)
    assert "Début (UTC)" in words and "Fin (UTC)" in words
    assert "16 juil. 2025 à 09:00 UTC" in words
    assert "Publications exclusives" in words and "pas de chaque mission" in words
    # Every input has a label.
    for name in re.findall(r'<(?:input|select|textarea) [^>]*id="([^"]+)"', page):
        assert f'for="{name}"' in page, name
    english = text_of(client.get("/admin/missions/new?lang=en").text)
    assert "Start (UTC)" in english and "Done! Check my profile!" in english


def test_the_default_window_follows_the_community_zone(client: TestClient,
                                                       world: World) -> None:
    world.service.settings = replace(world.service.settings, timezone="Europe/Paris")
    world.clock.now = datetime(2025, 1, 31, 23, 30, tzinfo=UTC)  # 1 Feb 00:30 in Paris
    page = client.get("/admin/missions/new").text
    assert field_value(page, "start") == "2025-02-01T00:30"
    assert field_value(page, "end") == "2025-03-01T00:30"  # a Paris month, not 28 Feb
    assert "Début (Europe/Paris)" in text_of(page)
    token = csrf_of(client, "/admin/missions/new")
    answer = client.post("/admin/missions/new", data={
        **mission_form(world, start="2025-02-01T00:30", end="2025-03-01T00:30"),
        "csrf_token": token})
    assert answer.status_code == 303
    created = list_missions(world.service)[-1]
    assert created.start_at == datetime(2025, 1, 31, 23, 30, tzinfo=UTC)  # stored in UTC
    assert created.end_at == datetime(2025, 2, 28, 23, 30, tzinfo=UTC)
    shown = client.get(answer.headers["location"]).text
    assert field_value(shown, "start") == "2025-02-01T00:30"
    assert "1 févr. 2025 à 00:30" in text_of(shown)


def test_creating_and_publishing_a_mission_with_the_default_window(client: TestClient,
                                                                   world: World) -> None:
    page = client.get("/admin/missions/new").text
    token = CSRF.search(page).group(1)  # type: ignore[union-attr]
    form = mission_form(world, start=field_value(page, "start"), end=field_value(page, "end"),
                        title="Rentrée", publish="1", label=field_value(page, "label"))
    answer = client.post("/admin/missions/new", data={**form, "csrf_token": token})
    assert answer.status_code == 303
    created = list_missions(world.service)[-1]
    assert created.title == "Rentrée" and created.status == "published"
    assert created.start_at == NOW and created.end_at == datetime(2025, 7, 16, 9, tzinfo=UTC)
    assert created.goal == "posts" and created.goal_posts == 2 and created.points == 20
    assert created.label == DEFAULT_LABEL
    shown = text_of(client.get(answer.headers["location"]).text)
    assert "Mission publiée : les membres peuvent participer." in shown
    assert "Statut : publiée" in shown


def test_a_draft_a_recurring_mission_with_a_cap_and_an_open_window(client: TestClient,
                                                                   world: World) -> None:
    token = csrf_of(client, "/admin/missions/new")
    answer = client.post("/admin/missions/new", data={
        **mission_form(world, goal="recurring", goal_posts="", cap_count="3",
                       cap_period="week", no_end="1", label=""), "csrf_token": token})
    assert answer.status_code == 303
    created = list_missions(world.service)[-1]
    assert created.status == "draft" and created.goal == "recurring"
    assert (created.cap_count, created.cap_period) == (3, "week")
    assert created.end_at is None and created.label == DEFAULT_LABEL
    page = client.get(f"/admin/missions/{created.id}").text
    assert 'id="no_end" name="no_end" value="1" checked' in page
    assert field_value(page, "end") == ""


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"end": "2025-06-19T10:00"}, "end", "La fin doit être après le début (20 juin 2025 à "
                                         "10:00 UTC)."),
    ({"end": "2025-06-20T10:00"}, "end", "La fin doit être après le début"),
    ({"goal_posts": "0"}, "goal_posts", "Entrez un nombre entier entre 1 et 1000."),
    ({"goal_posts": "-3"}, "goal_posts", "Entrez un nombre entier entre 1 et 1000."),
    ({"goal_posts": "9" * 5000}, "goal_posts", "Entrez un nombre entier"),
    ({"points": "0"}, "points", "Entrez un nombre entier entre 1 et 1000000."),
    ({"points": "dix"}, "points", "Entrez un nombre entier"),
    ({"title": ""}, "title", "Ce champ est obligatoire."),
    ({"title": "T" * 100_000}, "title", "200 caractères au plus (ici 100000)."),
    ({"label": "L" * 201}, "label", "200 caractères au plus (ici 201)."),
    ({"description": "D" * 20_000}, "description", "5000 caractères au plus"),
    ({"start": "demain"}, "start", "Date et heure non reconnues"),
    ({"end": "2025-13-45T99:99"}, "end", "Date et heure non reconnues"),
    ({"start": "x" * 10_000}, "start", "Date et heure non reconnues"),
    ({"cap_count": "2"}, "cap_count", "Le plafond ne s'applique qu'aux missions récurrentes"),
    ({"goal": "recurring", "cap_count": "0"}, "cap_count", "Entrez un nombre entier"),
    ({"goal": "recurring", "cap_count": "2", "cap_period": "month"}, "cap_period",
     "Choisissez jour ou semaine."),
    ({"goal": "maybe"}, "goal", "Choisissez un objectif."),
    ({"action_instagram": ""}, "actions", "Choisissez au moins une action externe."),
    ({"action_instagram": "999"}, "action_instagram", "Choisissez une action de cette"),
    ({"action_youtube": "1"}, "action_youtube", "Choisissez une action de cette plateforme."),
])
def test_bad_mission_input_is_inline_with_the_typed_values_kept(
        client: TestClient, world: World, changes: dict[str, str], field: str,
        message: str) -> None:
    before = list_missions(world.service)
    token = csrf_of(client, "/admin/missions/new")
    form = mission_form(world, **changes)
    answer = client.post("/admin/missions/new", data={**form, "csrf_token": token})
    assert answer.status_code == 422
    assert message in error_of(answer.text, field)
    assert "La mission n'a pas été enregistrée" in text_of(answer.text)
    assert list_missions(world.service) == before
    if field != "title" and len(form["title"]) < 300:
        assert field_value(answer.text, "title") == form["title"]
    if field in ("goal_posts", "points", "start", "end") and len(form[field]) < 100:
        assert field_value(answer.text, field) == form[field]
    # The same error in English.
    english = client.post("/admin/missions/new?lang=en", data={**form, "csrf_token": token})
    assert english.status_code == 422
    assert "The mission was not saved" in english.text


def test_editing_every_field_of_a_mission(client: TestClient, world: World) -> None:
    youtube = add_action(world.service, "youtube", "rentree")
    tiktok = add_action(world.service, "tiktok", "rentree")
    mission_id = world.mission.id
    page = client.get(f"/admin/missions/{mission_id}").text
    assert field_value(page, "title") == "Été 2025"
    assert field_value(page, "start") == "2025-06-01T00:00"
    assert f'<option value="{world.mission.actions[0].id}" selected>' in page
    token = CSRF.search(page).group(1)  # type: ignore[union-attr]
    answer = client.post(f"/admin/missions/{mission_id}", data={
        "csrf_token": token, "title": "Rentrée 2025", "description": "Nouveau texte",
        "label": "J'ai publié !", "action_instagram": "", "action_youtube": str(youtube.id),
        "action_tiktok": str(tiktok.id), "goal": "recurring", "goal_posts": "",
        "cap_count": "2", "cap_period": "day", "points": "7", "start": "",
        "end": "2025-09-01T12:00", "no_start": "1"})
    assert answer.status_code == 303
    mission = get_mission(world.service, mission_id)
    assert (mission.title, mission.description, mission.label) == (
        "Rentrée 2025", "Nouveau texte", "J'ai publié !")
    assert {a.id for a in mission.actions} == {youtube.id, tiktok.id}
    assert (mission.goal, mission.goal_posts, mission.cap_count, mission.cap_period) == (
        "recurring", None, 2, "day")
    assert mission.points == 7 and mission.start_at is None
    assert mission.end_at == datetime(2025, 9, 1, 12, tzinfo=UTC)
    assert mission.status == "published"  # editing keeps the status
    assert "Modifications enregistrées." in text_of(client.get(answer.headers["location"]).text)
    # An edit error is inline too, and nothing changes.
    bad = client.post(f"/admin/missions/{mission_id}", data={
        **mission_form(world, end="2025-06-01T00:00", start="2025-06-02T00:00"),
        "csrf_token": token})
    assert bad.status_code == 422 and "La fin doit être après le début" in bad.text
    assert get_mission(world.service, mission_id) == mission


def test_publish_archive_and_duplicate(client: TestClient, world: World) -> None:
    action = world.mission.actions[0]
    draft = add_mission(world.service, title="Brouillon", action_ids=[action.id], points=5,
                        goal_posts=1)
    page = client.get(f"/admin/missions/{draft.id}").text
    assert 'id="publish"' in page
    token = CSRF.search(page).group(1)  # type: ignore[union-attr]
    published = client.post(f"/admin/missions/{draft.id}/publish", data={"csrf_token": token})
    assert published.status_code == 303
    assert get_mission(world.service, draft.id).status == "published"
    archived = client.post(f"/admin/missions/{draft.id}/archive", data={"csrf_token": token})
    assert archived.status_code == 303
    assert get_mission(world.service, draft.id).status == "archived"
    page = client.get(archived.headers["location"]).text
    assert "Mission archivée : elle n'accepte plus de participations." in text_of(page)
    assert 'id="publish"' not in page and 'id="archive"' not in page
    assert "<fieldset class=\"plain\" disabled>" in page  # read-only once archived
    again = client.post(f"/admin/missions/{draft.id}/publish", data={"csrf_token": token})
    assert again.status_code == 409 and "ne peut pas être publiée à nouveau" in again.text
    edit = client.post(f"/admin/missions/{draft.id}", data={**mission_form(world),
                                                            "csrf_token": token})
    assert edit.status_code == 409 and get_mission(world.service, draft.id).title == "Brouillon"
    copied = client.post(f"/admin/missions/{world.mission.id}/duplicate?lang=en",
                         data={"csrf_token": token})
    assert copied.status_code == 303
    copy = list_missions(world.service)[-1]
    assert copy.title == "Copy of Été 2025" and copy.status == "draft"
    assert copy.actions == world.mission.actions
    assert (copy.start_at, copy.end_at, copy.points) == (
        world.mission.start_at, world.mission.end_at, world.mission.points)
    assert copied.headers["location"] == f"/admin/missions/{copy.id}?saved=duplicated"


def test_unknown_missions_answer_404_not_500(client: TestClient, world: World) -> None:
    token = csrf_of(client, "/admin/missions")
    assert client.get("/admin/missions/999").status_code == 404
    assert client.get("/admin/missions/999/preview").status_code == 404
    for suffix in ("", "/publish", "/archive", "/duplicate"):
        answer = client.post(f"/admin/missions/999{suffix}",
                             data={**mission_form(world), "csrf_token": token})
        assert answer.status_code == 404, suffix
        assert "La mission n° 999 n'existe pas." in text_of(answer.text)


def test_the_preview_shows_the_member_page_without_any_form(client: TestClient,
                                                           world: World) -> None:
    page = client.get(f"/admin/missions/{world.mission.id}/preview").text
    words = text_of(page)
    assert "Été 2025" in words and "Publiez une photo de vos vacances" in words
    assert "Hashtag à utiliser : #summer2025" in words
    assert "10 points pour 1 publication comptée" in words
    assert "C'est fait ! Vérifiez mon profil !" in words
    assert "aucune participation n'est possible d'ici" in words
    main = page[page.index('id="member-preview"'):]
    assert "<form" not in main and "disabled" in main
    english = text_of(client.get(f"/admin/missions/{world.mission.id}/preview?lang=en").text)
    assert "Done! Check my profile!" in english and "Hashtag to use: #summer2025" in english


# -- the service functions behind the pages ----------------------------------------------------


def test_update_mission_checks_like_add_mission(world: World) -> None:
    from engine.errors import InvalidInput

    instagram = add_action(world.service, "instagram", "other")
    with pytest.raises(InvalidInput, match="at most one action per platform"):
        update_mission(world.service, world.mission.id, title="x",
                       action_ids=[world.mission.actions[0].id, instagram.id], points=1,
                       goal_posts=1, start=None, end=None)
    with pytest.raises(InvalidInput, match="end must be after its start"):
        update_mission(world.service, world.mission.id, title="x", action_ids=[instagram.id],
                       points=1, goal_posts=1, start=NOW, end=NOW)
    assert get_mission(world.service, world.mission.id) == world.mission
    # Swapping the Instagram action for another one on the same platform works.
    changed = update_mission(world.service, world.mission.id, title="x",
                             action_ids=[instagram.id], points=1, goal_posts=1, start=None,
                             end=None)
    assert changed.actions[0].id == instagram.id


def test_duplicate_mission_is_a_draft_copy(world: World) -> None:
    copy = duplicate_mission(world.service, world.mission.id, "Encore")
    assert copy.status == "draft" and copy.title == "Encore" and copy.id != world.mission.id
    assert copy.actions == world.mission.actions


def test_a_save_from_a_form_opened_before_another_save_is_refused(client: TestClient,
                                                                 world: World) -> None:
    """Two admins open the same mission; the first lowers its goal, the second (whose form
    still shows the old goal) changes only the title: the second save is refused with a
    message, nothing of it is written, and saving again (knowingly) applies it."""
    mission_id = world.mission.id
    REVISION = re.compile(r'name="revision" value="([0-9a-f]{16})"')
    first = client.get(f"/admin/missions/{mission_id}").text
    second = client.get(f"/admin/missions/{mission_id}").text
    stale = REVISION.search(second).group(1)  # type: ignore[union-attr]
    assert REVISION.search(first).group(1) == stale  # type: ignore[union-attr]
    token = CSRF.search(first).group(1)  # type: ignore[union-attr]
    saved = client.post(f"/admin/missions/{mission_id}", data={
        **mission_form(world, goal_posts="1"), "csrf_token": token, "revision": stale})
    assert saved.status_code == 303
    refused = client.post(f"/admin/missions/{mission_id}", data={
        **mission_form(world, title="Autre titre"), "csrf_token": token, "revision": stale})
    assert refused.status_code == 409
    assert "a été modifiée par quelqu'un d'autre" in text_of(refused.text)
    mission = get_mission(world.service, mission_id)
    assert (mission.title, mission.goal_posts) == ("Vacances", 1)
    current = REVISION.search(refused.text).group(1)  # type: ignore[union-attr]
    assert current != stale and field_value(refused.text, "title") == "Autre titre"
    again = client.post(f"/admin/missions/{mission_id}", data={
        **mission_form(world, title="Autre titre"), "csrf_token": token, "revision": current})
    assert again.status_code == 303
    assert get_mission(world.service, mission_id).title == "Autre titre"
