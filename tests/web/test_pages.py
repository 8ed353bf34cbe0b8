"""The pages without JavaScript: plain form posts, redirects, 403 links, languages, admin login."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from engine.replay import cassette
from engine.service.runtime import work
from engine.web.app import create_app
from engine.web.tokens import create_token, revoke_token

from .pages_helpers import PUBLIC, World, add_mission_to, login_link, member_url


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.service), follow_redirects=False) as test_client:
        yield test_client


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(client: TestClient, path: str) -> str:
    """The CSRF token in the form of the page at ``path`` (the login page sets its nonce)."""
    found = CSRF.search(client.get(path).text)
    assert found, path
    return found.group(1)


def log_in(client: TestClient, token: str) -> object:
    """Post the login form as a browser does: with the form's CSRF token."""
    return client.post("/admin/login", data={"token": token,
                                             "csrf_token": csrf_of(client, "/admin/login")})


def run_checks(world: World) -> None:
    with cassette(PUBLIC, record=False):
        work(world.service, once=True, threads=1)


def text_of(html: str) -> str:
    """The page's words, tags removed and entities the page uses decoded, spaces squeezed."""
    plain = re.sub(r"<[^>]+>", " ", html)
    plain = plain.replace("&#39;", "'").replace("&quot;", '"').replace("&amp;", "&")
    return re.sub(r"\s+", " ", plain)


def test_altered_and_expired_links_answer_403(client: TestClient, world: World) -> None:
    url = member_url(world, "lea")
    altered = client.get(url[:-3] + ("aaa" if not url.endswith("aaa") else "bbb"))
    assert altered.status_code == 403
    assert "Ce lien a expiré ou a été modifié" in text_of(altered.text)
    short = member_url(world, "lea", expires_at=world.clock.now + timedelta(hours=1))
    assert client.get(short).status_code == 200
    world.clock.advance(hours=2)
    expired = client.get(short + "?lang=en")
    assert expired.status_code == 403
    assert "This link has expired or was altered" in text_of(expired.text)
    assert client.post(short + "/claim", data={"platform": "instagram"}).status_code == 403
    assert client.get(short + "/status").status_code == 403


def test_page_is_french_by_default_and_english_on_request(client: TestClient,
                                                          world: World) -> None:
    url = member_url(world, "lea")
    french = text_of(client.get(url).text)
    assert "Été 2025" in french and "Publiez une photo de vos vacances" in french
    assert "Identifiant Instagram" in french and "Hashtag à utiliser : #summer2025" in french
    english = client.get(url + "?lang=en").text
    assert "Instagram handle" in english and "Link this account" in english
    assert f'href="{url}?lang=fr"' in english  # the switch back to French
    assert f'href="{url}?lang=en"' in client.get(url).text


def test_linking_errors_are_inline_in_the_members_language(client: TestClient,
                                                           world: World) -> None:
    url = member_url(world, "lea")
    bad = client.post(url + "/link", data={"platform": "instagram", "handle": "not a handle!",
                                           "lang": "fr"})
    assert bad.status_code == 400
    assert ("« not a handle! » n'est pas un identifiant Instagram valide. L'espace n'est pas "
            "permis.") in text_of(bad.text)
    # The reason in French too: the first character refused, a length, or the form.
    for typed, reason in (("été.voyage", "La lettre « é » n'est pas permise : seules les "
                           "lettres sans accent (de a à z) le sont."),
                          ("lea..voyage", "Sa forme n'est pas permise"),
                          ("a" * 31, "Il faut au plus 30 caractères, pas 31.")):
        refused = client.post(url + "/link", data={"platform": "instagram", "handle": typed,
                                                   "lang": "fr"})
        assert refused.status_code == 400 and reason in text_of(refused.text)
    assert 'value="not a handle!"' in bad.text  # what was typed stays in the field
    # Under the ownership policy "off", a handle another member holds is refused.
    world.service.settings = replace(world.service.settings, ownership="off")
    taken = client.post(url + "/link", data={"platform": "instagram", "handle": "ana.summer",
                                             "lang": "en"})
    assert taken.status_code == 400
    assert "This Instagram account is already linked to another member." in text_of(taken.text)
    empty = client.post(url + "/link", data={"platform": "instagram", "handle": " "})
    assert "Indiquez un identifiant." in text_of(empty.text)


def test_link_claim_cooldown_and_outcome_without_javascript(client: TestClient,
                                                            world: World) -> None:
    url = member_url(world, "lea")
    linked = client.post(url + "/link", data={"platform": "instagram", "handle": "@Lea.Voyage",
                                              "lang": "fr"})
    assert linked.status_code == 303
    assert linked.headers["location"] == url + "?lang=fr#platform-instagram"
    page = client.get(url).text
    assert "Compte lié : @lea.voyage" in text_of(page)
    assert re.search(r'<button type="submit" class="claim" id="claim-instagram"\s*>'
                     r"C&#39;est fait ! Vérifiez mon profil !</button>", page)

    pressed = client.post(url + "/claim", data={"platform": "instagram", "lang": "fr"})
    assert pressed.status_code == 303
    page = client.get(url).text
    assert "Vérification en cours…" in page
    assert '<meta http-equiv="refresh" content="2">' in page  # refreshes itself without JS
    assert re.search(r'id="claim-instagram"\s*disabled', page)
    assert "Bouton de nouveau disponible dans 24:00:00" in text_of(page)
    assert "(le 17 juin 2025 à 09:00 UTC)" in text_of(page)
    assert client.get(url + "/status").json()["checking"] is True

    again = client.post(url + "/claim", data={"platform": "instagram", "lang": "fr"})
    assert again.headers["location"].endswith(
        "notice=cooldown_refused&platform=instagram#platform-instagram")
    assert ("Vous avez déjà demandé une vérification Instagram : le bouton revient le "
            "17 juin 2025 à 09:00 UTC.") in text_of(client.get(again.headers["location"]).text)

    run_checks(world)
    status = client.get(url + "/status").json()
    assert status["checking"] is False and status["claims"]["instagram"]["counted"] == 1
    world.clock.advance(hours=1)
    # One post was the goal: the mission is complete, without a button.
    page = client.get(url).text
    words = text_of(page)
    assert "Mission terminée" in words
    assert "Bravo ! Vous avez gagné 10 points avec 1 publication comptée." in words
    assert 'id="claim-instagram"' not in page and '<meta http-equiv="refresh"' not in page
    english = text_of(client.get(url + "?lang=en").text)
    assert "Mission complete" in english
    assert "Well done! You earned 10 points with 1 counted post." in english


def test_admin_pages_need_a_login(client: TestClient, world: World) -> None:
    for path in ("/admin", "/admin/report.csv", "/admin?verdict=counted"):
        answer = client.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/admin/login"
    assert "Jeton administrateur" in client.get("/admin/login").text  # French by default
    assert "Admin token" in client.get("/admin/login?lang=en").text
    assert log_in(client, "sm_nope").status_code == 401  # type: ignore[attr-defined]
    # Without the form's CSRF token, even a good token is refused and nothing is signed in.
    _, good = create_token(world.service, "admin", "no form")
    assert client.post("/admin/login", data={"token": good}).status_code == 403
    _, integrator = create_token(world.service, "integrator", "community")
    assert log_in(client, integrator).status_code == 401  # type: ignore[attr-defined]
    # A token in the URL is never read: the page is the form, and nothing is signed in.
    assert client.get(f"/admin/login?token={good}").status_code == 200
    assert client.get("/admin").status_code == 303
    client.cookies.set("sm_admin", "forged.value", path="/admin")
    assert client.get("/admin").status_code == 303


def test_admin_report_filters_csv_and_revocation(client: TestClient, world: World) -> None:
    url = member_url(world, "lea")
    client.post(url + "/link", data={"platform": "instagram", "handle": "lea.voyage"})
    client.post(url + "/claim", data={"platform": "instagram"})
    run_checks(world)

    token, raw = create_token(world.service, "admin", "ops")
    login = log_in(client, raw)
    assert isinstance(login, httpx.Response)
    assert login.status_code == 303 and login.headers["location"] == "/admin"
    cookie = login.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and raw not in cookie

    page = client.get("/admin")
    assert page.status_code == 200
    assert 'class="badge v-counted"' in page.text and "v-hashtag_near_miss" in page.text
    assert "https://www.instagram.com/p/" in page.text
    assert "<svg" in page.text and "Publications comptées par jour et plateforme" in page.text
    assert "Credited posts per day and platform" in client.get("/admin?lang=en").text

    counted = client.get("/admin?verdict=counted&platform=instagram&member=lea&since=2025-06-16"
                         f"&until=2025-06-16&mission={world.mission.id}").text
    assert counted.count('class="badge v-') == 1
    assert 'href="/admin/report.csv?mission=' in counted
    assert client.get("/admin?since=2025-06-17").text.count('class="badge v-') == 0
    refused = client.get("/admin?since=yesterday&lang=en")
    assert refused.status_code == 400
    assert 'Checked since: “yesterday” is not a date (YYYY-MM-DD).' in text_of(refused.text)

    export = client.get("/admin/report.csv?verdict=counted")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [(r["member_id"], r["handle"], r["verdict"], r["points"]) for r in rows] == [
        ("lea", "lea.voyage", "counted", "10")]

    revoke_token(world.service, token.id)
    assert client.get("/admin").status_code == 303


def test_button_comes_back_after_the_cooldown_and_closes_with_the_mission(
        client: TestClient, world: World) -> None:
    from engine.service.missions import set_status

    five = add_mission_to(world)  # 3 of lea's posts count: the mission goes on
    url = member_url(world, "lea", five)
    client.post(url + "/link", data={"platform": "instagram", "handle": "lea.voyage"})
    client.post(url + "/claim", data={"platform": "instagram"})
    run_checks(world)
    world.clock.advance(hours=1)
    page = client.get(url + "?lang=en").text
    assert "Button available again in 23:00:00" in text_of(page)
    assert re.search(r'id="claim-instagram"\s*disabled', page)
    world.clock.advance(hours=23, seconds=1)
    page = client.get(url).text
    assert re.search(r'id="claim-instagram"\s*>', page)  # enabled again
    assert "Bouton de nouveau disponible" not in page
    set_status(world.service, five.id, "archived")
    page = client.get(url + "?lang=en").text
    assert "This mission no longer accepts entries." in text_of(page)
    assert re.search(r'id="claim-instagram"\s*disabled', page)
    refused = client.post(url + "/claim", data={"platform": "instagram", "lang": "en"})
    assert refused.headers["location"].endswith("notice=refused")
    assert "The request could not be accepted." in text_of(client.get(
        refused.headers["location"]).text)


def test_the_demo_login_link_logs_in_with_a_get(client: TestClient, world: World) -> None:
    _, raw = create_token(world.service, "admin", "demo")
    answer = client.get(login_link(world.service, raw))
    assert answer.status_code == 303 and answer.headers["location"] == "/admin"
    assert client.get("/admin").status_code == 200
    token = csrf_of(client, "/admin")
    assert client.post("/admin/logout", data={"csrf_token": token}).headers[
        "location"] == "/admin/login"
    assert client.get("/admin").status_code == 303


def test_odd_form_posts_never_fail(client: TestClient, world: World) -> None:
    url = member_url(world, "lea")
    for platform in ("myspace", "tiktok", ""):
        claim = client.post(url + "/claim", data={"platform": platform})
        assert claim.status_code in (303, 422), platform
        link = client.post(url + "/link", data={"platform": platform, "handle": "lea"})
        assert link.status_code in (303, 422), platform
    no_handle = client.post(url + "/claim", data={"platform": "instagram", "lang": "en"})
    assert no_handle.headers["location"].endswith("notice=refused")
    assert client.get(url + "?lang=xx").status_code == 200  # unknown language: French
    assert 'lang="fr"' in client.get(url + "?lang=xx").text
    assert client.get("/admin/login?token=").status_code == 200


def test_links_to_unknown_missions_are_rejected_and_text_is_escaped(
        client: TestClient, world: World) -> None:
    from engine.service.actions import add_action
    from engine.service.missions import add_mission
    from engine.web.member_links import sign_member_link

    assert client.get("/m/" + sign_member_link(world.service, "lea", 999)).status_code == 403
    action = add_action(world.service, "instagram", "winter2025")
    odd = add_mission(world.service, title="<script>alert(1)</script>", action_ids=[action.id],
                      points=1, goal_posts=1, description="<b>bold</b>", publish=True)
    page = client.get("/m/" + sign_member_link(world.service, "lea", odd.id)).text
    assert "<script>alert(1)</script>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page


def test_pages_send_security_headers(client: TestClient, world: World) -> None:
    for path in (member_url(world, "lea"), "/admin/login"):
        answer = client.get(path)
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "no-referrer"  # the link is in the URL
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert answer.headers["Cache-Control"] == "no-store"
