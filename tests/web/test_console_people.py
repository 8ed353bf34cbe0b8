"""The console's Members and Settings pages (issue 11 items 3 and 5), without a browser.

Every form is posted as a browser would (the page's CSRF token read from its hidden input) and
its effect checked in the service; every form is also posted without the token and with another
session's token: 403, nothing changed. French by default, English through ``?lang=en``.
Hostile input (huge strings, control characters, unknown ids) answers with a message, never 500.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engine.replay import cassette
from engine.service.claims import create_claim
from engine.service.members import get_member, link_account, search_members, unlink_account
from engine.service.runtime import work
from engine.service.webhooks import delivery_page
from engine.storage.models import MemberRow
from engine.web.app import create_app
from engine.web.member_links import verify_member_link
from engine.web.tokens import create_token, get_token, list_tokens, verify_token

from .pages_helpers import ACCOUNTS, PUBLIC, World, build_world, login_link

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def signed_in(world: World, label: str = "console") -> tuple[TestClient, int]:
    """A client signed in with a fresh admin token (and that token's id)."""
    client = TestClient(create_app(world.service), follow_redirects=False)
    token, raw = create_token(world.service, "admin", label)
    answer = client.get(login_link(world.service, raw))
    assert answer.status_code == 303
    return client, token.id


@pytest.fixture
def admin(world: World) -> Iterator[TestClient]:
    client, _ = signed_in(world)
    with client:
        yield client


def csrf_of(client: TestClient, path: str = "/admin/settings") -> str:
    """The CSRF token of the page at ``path`` (as a browser reads it from the form)."""
    page = client.get(path)
    assert page.status_code == 200, page.text[:500]
    found = CSRF.search(page.text)
    assert found is not None
    return found.group(1)


def text_of(html: str) -> str:
    plain = re.sub(r"<[^>]+>", " ", html)
    for entity, char in (("&#39;", "'"), ("&#34;", '"'), ("&quot;", '"'), ("&amp;", "&"), ("&lt;", "<"),
                         ("&gt;", ">")):
        plain = plain.replace(entity, char)
    return re.sub(r"\s+", " ", plain)


def refused_both_ways(world: World, client: TestClient, path: str,
                      data: dict[str, str]) -> None:
    """The post is refused (403) without a CSRF token and with another session's token."""
    other, _ = signed_in(world, "other session")
    with other:
        foreign = csrf_of(other)
    for token in (None, foreign, "garbage"):
        body = dict(data)
        if token is not None:
            body["csrf_token"] = token
        answer = client.post(path, data=body)
        assert answer.status_code == 403, (path, token)
        assert "rien n'a été modifié" in text_of(answer.text) or \
            "nothing was changed" in text_of(answer.text)


def claim_and_check(world: World, member: str, handle: str, replay: Path = PUBLIC) -> None:
    link_account(world.service, member, "instagram", handle)
    create_claim(world.service, member, world.mission.id, "instagram")
    with cassette(replay, record=False):
        work(world.service, once=True, threads=1)


# -- Members: search ---------------------------------------------------------------------------


def test_pages_need_a_login_and_posts_need_the_token(world: World) -> None:
    with TestClient(create_app(world.service), follow_redirects=False) as anonymous:
        for path in ("/admin/members", "/admin/members/ana", "/admin/settings"):
            answer = anonymous.get(path)
            assert answer.status_code == 303 and answer.headers["location"] == "/admin/login"
        for path in ("/admin/members/link", "/admin/members/ana/verify", "/admin/settings/tokens",
                     "/admin/settings/webhook", "/admin/settings/webhook/secret"):
            assert anonymous.post(path, data={"csrf_token": "x"}).status_code == 403


def test_search_by_member_id_or_handle_one_page_at_a_time(admin: TestClient,
                                                          world: World) -> None:
    with world.service.db.transaction() as session:
        for number in range(60):
            session.add(MemberRow(id=f"user{number:03d}", created_at=world.clock.now))
        session.add(MemberRow(id="50%_off", created_at=world.clock.now))
    link_account(world.service, "lea", "instagram", "lea.voyage")

    page = admin.get("/admin/members")
    assert page.status_code == 200 and "Membres" in page.text
    assert page.text.count('class="member-id"') == 50  # one page of 50, no more
    assert 'rel="next"' in page.text and 'rel="prev"' not in page.text
    second = admin.get("/admin/members?page=2")
    assert second.text.count('class="member-id"') == 13 and 'rel="prev"' in second.text
    assert 'rel="next"' not in second.text

    by_id = admin.get("/admin/members?q=user05").text
    assert by_id.count('class="member-id"') == 10 and ">user059<" in by_id
    by_handle = text_of(admin.get("/admin/members?q=%40LEA.v").text)
    assert "lea" in by_handle and "instagram · @lea.voyage" in by_handle
    assert "user000" not in by_handle
    # % and _ are matched as typed, not as wildcards.
    wild = admin.get("/admin/members?q=50%25_").text
    assert wild.count('class="member-id"') == 1 and "50%_off" in wild
    assert admin.get("/admin/members?q=5_").text.count('class="member-id"') == 0
    none = text_of(admin.get("/admin/members?q=zzz").text)
    assert "Aucun membre ne correspond à « zzz »." in none
    english = text_of(admin.get("/admin/members?q=zzz&lang=en").text)
    assert 'No member matches "zzz".' in english and "Members found" in english
    # The service reads one page (and says whether more follow).
    found, more = search_members(world.service, "user", offset=55, limit=10)
    assert [m.id for m in found] == ["user055", "user056", "user057", "user058", "user059"]
    assert more is False


def test_hostile_searches_and_ids_answer_with_a_message(admin: TestClient) -> None:
    huge = admin.get("/admin/members?q=" + "x" * 5000)
    assert huge.status_code == 400
    assert "ne doit pas dépasser 200 caractères" in text_of(huge.text)
    control = admin.get("/admin/members?q=ana%01%00&lang=en")
    assert control.status_code == 400 and "without control characters" in text_of(control.text)
    for page in ("-1", "abc", "99999999999999999999", "0"):
        assert admin.get(f"/admin/members?page={page}").status_code == 200
    missing = admin.get("/admin/members/nobody?lang=fr")
    assert missing.status_code == 404
    assert "Aucun membre n'a l'identifiant « nobody »." in text_of(missing.text)
    # No valid member id at all: 422, as the API answers; a valid id of nobody: 404.
    for path, status in (("/admin/members/" + "y" * 5000, 422), ("/admin/members/a%00b", 422),
                         ("/admin/members/%7F", 422), ("/admin/members/a%2Fb%3Fc", 404)):
        answer = admin.get(path)
        assert answer.status_code == status, path
        assert "Membre introuvable" in answer.text
    escaped = admin.get("/admin/members?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").text
    assert "<script>alert(1)" not in escaped and "&lt;script&gt;" in escaped


# -- Members: one member -----------------------------------------------------------------------


def test_member_page_shows_accounts_balance_ledger_claims_checks_and_diagnosis(
        admin: TestClient, world: World) -> None:
    claim_and_check(world, "lea", "lea.voyage")
    page = admin.get("/admin/members/lea")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Membre lea" in text and "Solde 10 points" in text
    assert "Instagram @lea.voyage" in text and "Non vérifié" in text
    code = get_member(world.service, "lea").accounts[0].verification_code
    assert f"<code>{code}</code>" in page.text
    assert "Lié le 16 juin 2025 à 09:00 UTC" in text  # the community's zone (UTC), named
    assert "Mission terminée" in text and "+10" in text and "Été 2025" in text
    assert "Demande n° 1 · Été 2025 · Instagram" in text and "Terminée" in text
    assert "Première vérification · @lea.voyage · Compte lu" in text
    assert "1 publication comptée" in text
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text) is None  # no raw ISO instant
    assert "Bravo : 10 points gagnés avec cette mission." in text
    english = text_of(admin.get("/admin/members/lea?lang=en").text)
    assert "Balance 10 points" in english and "Not verified" in english
    assert "Claim no. 1 · Été 2025 · Instagram" in english and "Account read" in english
    assert "Well done: 10 points earned with this mission." in english
    assert "Linked Jun 16, 2025, 9:00 AM UTC" in english  # (text_of squeezes U+202F)


def test_the_community_zone_is_used_and_named(tmp_path: Path) -> None:
    built = build_world(tmp_path)
    built.service.settings = dataclasses.replace(built.service.settings,
                                                 timezone="Europe/Paris")
    try:
        client, _ = signed_in(built)
        with client:
            text = text_of(client.get("/admin/members/ana").text)
            assert "Lié le 16 juin 2025 à 11:00" in text
            assert "Heures du fuseau de la communauté : Europe/Paris." in text
    finally:
        built.service.engine.close()
        built.service.close()


def test_outage_causes_and_attempts_are_shown(admin: TestClient, world: World,
                                              tmp_path: Path) -> None:
    from .pages_helpers import merged_cassette

    claim_and_check(world, "dan", "dan.limited", merged_cassette(tmp_path))
    text = text_of(admin.get("/admin/members/dan").text)
    assert "Nouvel essai prévu" in text
    assert ("Dernier résultat : Indisponible : Instagram limite le nombre de consultations et "
            "nous demande d'attendre") in text
    assert "Prochaine vérification le" in text
    assert "Essais" in admin.get("/admin/members/dan").text
    english = text_of(admin.get("/admin/members/dan?lang=en").text)
    assert "Instagram limits how often profiles can be read and asked us to wait" in english
    assert "Retry scheduled" in english


def test_mark_verified_needs_a_reason_and_settles_a_contest(admin: TestClient,
                                                            world: World) -> None:
    claim_and_check(world, "ana", "ana.summer", ACCOUNTS)  # ana holds it, is paid
    assert get_member(world.service, "ana").balance == 10
    link_account(world.service, "bob", "instagram", "ana.summer")  # a contest
    page = admin.get("/admin/members/bob")
    assert "Contesté" in text_of(page.text)
    assert "Ses publications ne sont pas créditées" in text_of(page.text)
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]

    refused_both_ways(world, admin, "/admin/members/bob/verify",
                      {"platform": "instagram", "reason": "saw the ID"})
    assert get_member(world.service, "bob").accounts[0].ownership == "contested"

    for reason in ("", "   ", "x" * 501, "bad\x01reason"):
        empty = admin.post("/admin/members/bob/verify",
                           data={"csrf_token": token, "platform": "instagram", "reason": reason})
        assert empty.status_code == 400
        assert "Indiquez la raison de cette décision" in text_of(empty.text)
    unknown = admin.post("/admin/members/bob/verify",
                         data={"csrf_token": token, "platform": "tiktok", "reason": "x"})
    assert unknown.status_code == 400 and "pas de compte lié sur cette plateforme" in \
        text_of(unknown.text)
    assert admin.post("/admin/members/nobody/verify", data={
        "csrf_token": token, "platform": "instagram", "reason": "x"}).status_code == 404
    assert get_member(world.service, "bob").accounts[0].ownership == "contested"

    done = admin.post("/admin/members/bob/verify", data={
        "csrf_token": token, "platform": "instagram", "reason": "  showed   ID at desk "})
    assert done.status_code == 303
    after = text_of(admin.get(done.headers["location"]).text)
    assert "Compte Instagram @ana.summer marqué vérifié." in after
    assert "par admin: showed ID at desk" in after
    account = get_member(world.service, "bob").accounts[0]
    assert account.ownership == "verified" and account.verified_by == "admin: showed ID at desk"
    # ana's award is reversed by a compensating row, shown as such.
    ana = admin.get("/admin/members/ana")
    assert get_member(world.service, "ana").balance == 0
    assert 'data-reason="ownership_transferred"' in ana.text
    assert "Compte transféré : points repris · annule une récompense précédente" in \
        text_of(ana.text)
    assert re.search(r'class="negative transfer"[^>]*>.*?-10', ana.text, re.S)
    english = text_of(admin.get("/admin/members/ana?lang=en").text)
    assert "Account transferred: points taken back · reverses an earlier award" in english


# -- Members: member page links ----------------------------------------------------------------


def test_member_page_links_are_created_shown_and_work(admin: TestClient, world: World) -> None:
    token = csrf_of(admin, "/admin/members")
    refused_both_ways(world, admin, "/admin/members/link",
                      {"member_id": "zoe", "mission_id": str(world.mission.id), "days": "3"})
    # Surrounding spaces are refused, not trimmed (issue 12): " zoe " is not "zoe".
    spaced = admin.post("/admin/members/link", data={
        "csrf_token": token, "member_id": " zoe ", "mission_id": str(world.mission.id),
        "days": "3"})
    assert spaced.status_code == 400 and "espace au début ou à la fin" in spaced.text
    answer = admin.post("/admin/members/link", data={
        "csrf_token": token, "member_id": "zoe", "mission_id": str(world.mission.id),
        "days": "3"})
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    url = re.search(r'id="member-link-url" type="text" readonly value="([^"]+)"',
                    answer.text).group(1)  # type: ignore[union-attr]
    assert url.startswith("http://testserver/m/")
    link = verify_member_link(world.service, url.split("/m/")[1])
    assert (link.member_id, link.mission_id) == ("zoe", world.mission.id)
    assert (link.expires_at - world.clock.now).days == 3
    text = text_of(answer.text)
    assert "Lien créé pour zoe · Été 2025" in text
    assert "Valable jusqu'au 19 juin 2025 à 09:00 UTC." in text
    assert 'id="copy-link" hidden' in answer.text  # shown by JavaScript only
    page = admin.get(url.removeprefix("http://testserver"))
    assert page.status_code == 200 and "Été 2025" in page.text

    # From a member's page: the member is fixed, the answer leads back to them.
    token = csrf_of(admin, "/admin/members/ana")
    answer = admin.post("/admin/members/link?lang=en", data={
        "csrf_token": token, "member_id": "ana", "mission_id": str(world.mission.id),
        "days": "7", "back": "member"})
    assert "Link created for ana · Été 2025" in text_of(answer.text)
    assert 'href="/admin/members/ana"' in answer.text


def test_member_link_form_refuses_bad_input_with_messages(admin: TestClient,
                                                         world: World) -> None:
    token = csrf_of(admin, "/admin/members")
    mission = str(world.mission.id)
    cases = [
        ({"member_id": "", "mission_id": mission, "days": "7"},
         "L'identifiant du membre doit faire de 1 à 200 caractères"),
        ({"member_id": "m" * 10_000, "mission_id": mission, "days": "7"},
         "L'identifiant du membre doit faire de 1 à 200 caractères"),
        ({"member_id": "a\x00b", "mission_id": mission, "days": "7"},
         "sans caractères de contrôle"),
        ({"member_id": "zoe", "mission_id": "999999", "days": "7"},
         "Choisissez une des missions proposées."),
        ({"member_id": "zoe", "mission_id": "1; DROP TABLE", "days": "7"},
         "Choisissez une des missions proposées."),
        ({"member_id": "zoe", "mission_id": mission, "days": "0"},
         "La validité est un nombre entier de jours, de 1 à 366."),
        ({"member_id": "zoe", "mission_id": mission, "days": "367"},
         "La validité est un nombre entier de jours, de 1 à 366."),
        ({"member_id": "zoe", "mission_id": mission, "days": "9" * 400},
         "La validité est un nombre entier de jours, de 1 à 366."),
    ]
    for data, message in cases:
        answer = admin.post("/admin/members/link", data={"csrf_token": token, **data})
        assert answer.status_code == 400, data
        assert message in text_of(answer.text), data
        assert 'id="member-link-url"' not in answer.text
    english = admin.post("/admin/members/link?lang=en", data={
        "csrf_token": token, "member_id": "zoe", "mission_id": mission, "days": "x"})
    assert "The validity is a whole number of days, from 1 to 366." in text_of(english.text)


# -- Settings: tokens --------------------------------------------------------------------------


def test_tokens_are_created_shown_once_listed_and_revoked(admin: TestClient,
                                                          world: World) -> None:
    before = len(list_tokens(world.service))
    refused_both_ways(world, admin, "/admin/settings/tokens",
                      {"scope": "admin", "label": "sneaky"})
    assert all(t.label != "sneaky" for t in list_tokens(world.service))
    assert len(list_tokens(world.service)) == before + 1  # the other session's own token

    token = csrf_of(admin)
    answer = admin.post("/admin/settings/tokens", data={
        "csrf_token": token, "scope": "integrator", "label": "Boutique <b>"})
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    raw = re.search(r'id="new-token" type="text" readonly value="([^"]+)"',
                    answer.text).group(1)  # type: ignore[union-attr]
    created = verify_token(world.service, raw)
    assert (created.scope, created.label) == ("integrator", "Boutique <b>")
    text = text_of(answer.text)
    assert "Copiez-le maintenant : il ne sera plus jamais affiché." in text
    assert "Boutique &lt;b&gt;" in answer.text
    listing = admin.get("/admin/settings")
    assert raw not in listing.text  # never again
    row = re.search(rf'<tr id="token-{created.id}".*?</tr>', listing.text, re.S).group(0)  # type: ignore[union-attr]
    assert "intégrateur" in row and "Actif" in row and "16 juin 2025 à 09:00 UTC" in row

    refused_both_ways(world, admin, f"/admin/settings/tokens/{created.id}/revoke", {})
    assert get_token(world.service, created.id).revoked_at is None
    revoked = admin.post(f"/admin/settings/tokens/{created.id}/revoke",
                         data={"csrf_token": token})
    assert revoked.status_code == 303
    assert get_token(world.service, created.id).revoked_at is not None
    page = admin.get(revoked.headers["location"])
    assert f"Jeton n° {created.id} révoqué." in text_of(page.text)
    row = re.search(rf'<tr id="token-{created.id}".*?</tr>', page.text, re.S).group(0)  # type: ignore[union-attr]
    assert "Révoqué le 16 juin 2025 à 09:00 UTC" in text_of(row) and "/revoke" not in row
    english = text_of(admin.get("/admin/settings?lang=en").text)
    assert "API tokens" in english and "Revoked Jun 16, 2025" in english


def test_token_form_refuses_bad_input(admin: TestClient, world: World) -> None:
    token = csrf_of(admin)
    before = len(list_tokens(world.service))
    for data, message in [
        ({"scope": "root", "label": "x"}, "Choisissez une des portées proposées."),
        ({"scope": "", "label": "x"}, "Choisissez une des portées proposées."),
        ({"scope": "admin", "label": "L" * 201}, "Le libellé fait au plus 200 caractères"),
        ({"scope": "admin", "label": "a\x00b"}, "sans caractères de contrôle"),
    ]:
        answer = admin.post("/admin/settings/tokens", data={"csrf_token": token, **data})
        assert answer.status_code == 400 and message in text_of(answer.text), data
    assert len(list_tokens(world.service)) == before
    for bad in ("abc", "0", "99999", "9" * 50, "-1"):
        answer = admin.post(f"/admin/settings/tokens/{bad}/revoke", data={"csrf_token": token})
        assert answer.status_code == 404, bad
        assert "Ce jeton n'existe pas." in text_of(answer.text)


def test_revoking_the_sessions_own_token_ends_the_session(world: World) -> None:
    client, own = signed_in(world)
    with client:
        token = csrf_of(client)
        page = client.get("/admin/settings").text
        assert "(cette session)" in page and "Révoquer ce jeton termine votre session." in page
        answer = client.post(f"/admin/settings/tokens/{own}/revoke", data={"csrf_token": token})
        assert answer.status_code == 303
        assert client.get(answer.headers["location"]).headers["location"] == "/admin/login"
        assert client.get("/admin/members").status_code == 303
        # The old page's forms no longer do anything either.
        refused = client.post("/admin/settings/tokens", data={
            "csrf_token": token, "scope": "admin", "label": "after"})
        assert refused.status_code == 303 and refused.headers["location"] == "/admin/login"
        assert all(t.label != "after" for t in list_tokens(world.service))


# -- Settings: webhook -------------------------------------------------------------------------


def test_webhook_url_and_secret_are_set_rotated_and_shown_once(admin: TestClient,
                                                               world: World) -> None:
    refused_both_ways(world, admin, "/admin/settings/webhook", {"url": "https://evil.example"})
    refused_both_ways(world, admin, "/admin/settings/webhook/secret", {})
    assert world.service.settings.webhook_url is None
    assert not world.service.settings.webhook_secret

    token = csrf_of(admin)
    first = admin.post("/admin/settings/webhook", data={
        "csrf_token": token, "url": " https://shop.example/hooks "})
    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    secret = re.search(r'id="new-secret" type="text" readonly value="([^"]+)"',
                       first.text).group(1)  # type: ignore[union-attr]
    assert secret == world.service.settings.webhook_secret
    assert world.service.settings.webhook_url == "https://shop.example/hooks"
    page = admin.get("/admin/settings")
    assert secret not in page.text
    assert "Un secret de signature est en place" in text_of(page.text)

    again = admin.post("/admin/settings/webhook", data={
        "csrf_token": token, "url": "https://shop.example/v2"})
    assert again.status_code == 303  # a secret exists: nothing to show
    assert "Adresse du webhook enregistrée." in text_of(admin.get(again.headers["location"]).text)

    rotated = admin.post("/admin/settings/webhook/secret", data={"csrf_token": token})
    new = re.search(r'id="new-secret" type="text" readonly value="([^"]+)"',
                    rotated.text).group(1)  # type: ignore[union-attr]
    assert new != secret and new == world.service.settings.webhook_secret
    assert new not in admin.get("/admin/settings").text

    for bad in ("ftp://shop.example", "javascript:alert(1)", "https://", "shop.example",
                "https://shop.example/\x00", "https://a b.example",
                "https://shop.example/" + "x" * 3000):
        answer = admin.post("/admin/settings/webhook", data={"csrf_token": token, "url": bad})
        assert answer.status_code == 400, bad
        assert "L'adresse doit commencer par http:// ou https://" in text_of(answer.text)
    assert world.service.settings.webhook_url == "https://shop.example/v2"

    cleared = admin.post("/admin/settings/webhook?lang=en", data={"csrf_token": token,
                                                                   "url": ""})
    assert cleared.status_code == 303 and world.service.settings.webhook_url is None
    assert "Webhook removed: no more events are sent." in text_of(
        admin.get(cleared.headers["location"]).text)


def test_failed_deliveries_are_listed_with_attempts_and_sent_again(admin: TestClient,
                                                                   world: World) -> None:
    from tests.service.helpers import Receiver

    # A receiver on this machine: a private address, allowed by [webhooks] allow_private.
    world.service.settings = dataclasses.replace(world.service.settings,
                                                 webhook_max_attempts=1,
                                                 webhook_allow_private=True)
    token = csrf_of(admin)
    admin.post("/admin/settings/webhook", data={"csrf_token": token,
                                                "url": "http://127.0.0.1:9/closed"})
    claim_and_check(world, "lea", "lea.voyage")
    work(world.service, once=True, threads=1)  # the delivery's one attempt fails
    [delivery], _ = delivery_page(world.service)
    assert delivery.state == "failed" and len(delivery.attempts) == 1

    page = admin.get("/admin/settings")
    box = page.text.split(f'id="delivery-{delivery.id}"')[1].split('<li class="delivery"')[0]
    text = text_of(box)
    assert f"Envoi n° {delivery.id} · points.awarded · lea · points : 10" in text
    assert "Échec" in text and "Vers http://127.0.0.1:9/closed" in text
    assert "16 juin 2025" in text and "/resend" in box
    failed_only = admin.get("/admin/settings?state=failed")
    assert f'id="delivery-{delivery.id}"' in failed_only.text
    assert f'id="delivery-{delivery.id}"' not in admin.get("/admin/settings?state=pending").text
    assert admin.get("/admin/settings?state=%00&page=-3").status_code == 200

    path = f"/admin/settings/deliveries/{delivery.id}/resend"
    refused_both_ways(world, admin, path, {})
    assert delivery_page(world.service)[0][0].state == "failed"

    receiver = Receiver(failures=0)
    try:
        admin.post("/admin/settings/webhook", data={"csrf_token": token, "url": receiver.url})
        again = admin.post(path, data={"csrf_token": token})
        assert again.status_code == 303
        shown = text_of(admin.get(again.headers["location"]).text)
        assert f"Envoi n° {delivery.id} relancé" in shown
        [pending], _ = delivery_page(world.service)
        assert pending.state == "pending" and pending.url == receiver.url
        work(world.service, once=True, threads=1)
        [done], _ = delivery_page(world.service)
        assert done.state == "delivered" and len(done.attempts) == 2
        assert len(receiver.received) == 1
    finally:
        receiver.server.shutdown()
    not_failed = admin.post(path + "?lang=en", data={"csrf_token": token})
    assert not_failed.status_code == 409
    assert "Only a failed delivery can be sent again." in text_of(not_failed.text)
    for bad in ("abc", "424242", "9" * 40):
        answer = admin.post(f"/admin/settings/deliveries/{bad}/resend?lang=fr",
                            data={"csrf_token": token})
        assert answer.status_code == 404 and "Cet envoi n'existe pas." in text_of(answer.text)


def test_resending_without_a_webhook_url_says_so(admin: TestClient, world: World) -> None:
    # A receiver on this machine: a private address, allowed by [webhooks] allow_private.
    world.service.settings = dataclasses.replace(world.service.settings,
                                                 webhook_max_attempts=1,
                                                 webhook_allow_private=True)
    token = csrf_of(admin)
    admin.post("/admin/settings/webhook", data={"csrf_token": token,
                                                "url": "http://127.0.0.1:9/closed"})
    claim_and_check(world, "lea", "lea.voyage")
    work(world.service, once=True, threads=1)
    [delivery], _ = delivery_page(world.service)
    admin.post("/admin/settings/webhook", data={"csrf_token": token, "url": ""})
    answer = admin.post(f"/admin/settings/deliveries/{delivery.id}/resend",
                        data={"csrf_token": token})
    assert answer.status_code == 409
    assert "Aucune adresse de webhook" in text_of(answer.text)
    assert delivery_page(world.service)[0][0].state == "failed"


def test_every_page_renders_in_both_languages(admin: TestClient, world: World) -> None:
    unlink_account(world.service, "ana", "instagram")
    pages: dict[str, tuple[str, str]] = {
        "/admin/members": ("Lien vers la page d'un membre", "Member page link"),
        "/admin/members/ana": ("Registre des points", "Points ledger"),
        "/admin/settings": ("Jetons d'API", "API tokens"),
    }
    for path, (french, english) in pages.items():
        assert french in text_of(admin.get(path).text), path
        assert english in text_of(admin.get(path + "?lang=en").text), path
        assert english in text_of(admin.get(path).text), path  # the choice is remembered
        admin.get(path + "?lang=fr")
    html = admin.get("/admin/settings").text
    for field in re.findall(r'<(?:input|select|textarea)\b[^>]*>', html):
        if 'type="hidden"' in field:
            continue
        ident = re.search(r'id="([^"]+)"', field)
        assert ident is not None, field
        assert f'for="{ident.group(1)}"' in html, field


def test_an_account_is_unlinked_from_the_console(admin: TestClient, world: World) -> None:
    claim_and_check(world, "ana", "ana.summer", ACCOUNTS)
    refused_both_ways(world, admin, "/admin/members/ana/unlink", {"platform": "instagram"})
    assert get_member(world.service, "ana").accounts[0].handle == "ana.summer"
    token = csrf_of(admin, "/admin/members/ana")
    unknown = admin.post("/admin/members/ana/unlink",
                         data={"csrf_token": token, "platform": "tiktok"})
    assert unknown.status_code == 400
    done = admin.post("/admin/members/ana/unlink",
                      data={"csrf_token": token, "platform": "instagram"})
    assert done.status_code == 303
    assert "Le compte Instagram @ana.summer n'est plus lié." in text_of(
        admin.get(done.headers["location"]).text)
    member = get_member(world.service, "ana")
    assert member.accounts == () and member.balance == 10  # points already earned stay


def test_the_link_forms_mission_list_names_a_draft_in_the_pages_language(
        world: World, admin: TestClient) -> None:
    from engine.service.missions import add_mission

    add_mission(world.service, title="Hiver", action_ids=[world.mission.actions[0].id],
                points=5, goal_posts=1, start=None, end=None, publish=False)
    french = admin.get("/admin/members?lang=fr").text
    assert "Hiver (brouillon)</option>" in french and "(draft)" not in french
    assert "Hiver (draft)</option>" in admin.get("/admin/members?lang=en").text
