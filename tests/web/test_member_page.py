"""The member page tells the truth, without JavaScript (issue 10): the mission's basics, a
finished mission, outages with their cause and next try, a queued check that stops spinning,
"select your post" naming every failed criterion, the ownership code, and human times in the
member's time zone (``tz`` cookie; UTC, said so, without it) with no raw ISO instant."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from engine.replay import cassette
from engine.service.claims import create_claim, list_claims
from engine.service.members import link_account
from engine.service.runtime import work
from engine.storage.models import ClaimRow
from engine.web.app import create_app

from .pages_helpers import PUBLIC, World, add_mission_to, member_url, merged_cassette

ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
NNBSP = "\u202f"  # CLDR's narrow no-break space before AM/PM


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.service), follow_redirects=False) as test_client:
        yield test_client


def text_of(html: str) -> str:
    """The page's words, tags removed and entities decoded, ASCII spaces squeezed (Babel's
    narrow no-break spaces stay)."""
    plain = re.sub(r"<[^>]+>", " ", html)
    plain = plain.replace("&#39;", "'").replace("&quot;", '"').replace("&amp;", "&")
    return re.sub(r"[ \t\r\n]+", " ", plain)


def words(client: TestClient, url: str, **cookies: str) -> str:
    """The page's words; fails if the page shows a raw ISO instant anywhere."""
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies.set(name, value)
    answer = client.get(url)
    assert answer.status_code == 200, answer.text
    assert not ISO_INSTANT.search(answer.text), ISO_INSTANT.search(answer.text)
    client.cookies.clear()
    return text_of(answer.text)


def run_checks(world: World, path: Path = PUBLIC) -> None:
    with cassette(path, record=False):
        work(world.service, once=True, threads=1)


def link_and_check(client: TestClient, world: World, url: str,
                   handle: str = "lea.voyage") -> None:
    client.post(url + "/link", data={"platform": "instagram", "handle": handle})
    client.post(url + "/claim", data={"platform": "instagram"})
    run_checks(world)


def test_the_basics_in_french_and_english(client: TestClient, world: World) -> None:
    five = add_mission_to(world, goal_posts=5)
    url = member_url(world, "lea", five)
    before = words(client, url)
    assert "Récompense 10 points pour 5 publications comptées" in before
    assert "Progression 0 publication comptée sur 5" in before
    assert "Points gagnés 0 point" in before
    assert "Période du 1 juin 2025 à 00:00 UTC au 1 juil. 2025 à 00:00 UTC" in before
    assert "Se termine dans 2 semaines." in before
    assert "Hashtag à utiliser : #summer2025" in before
    assert "Heures indiquées en UTC." in before

    link_and_check(client, world, url)
    after = words(client, url)
    assert "Progression 3 publications comptées sur 5" in after
    assert "Publications comptées DMatch0001a publiée le 14 juin 2025 à 15:06 UTC · comptée " \
           "le 16 juin 2025 à 09:00 UTC" in after
    assert "DReel000003 publiée le 12 juin 2025 à 15:06 UTC" in after
    assert 'href="https://www.instagram.com/p/DMatch0001a/"' in client.get(url).text
    english = words(client, url + "?lang=en")
    assert "Reward 10 points for 5 counted posts" in english
    assert "Progress 3 of 5 posts counted" in english
    assert "Dates from Jun 1, 2025, 12:00" + NNBSP + "AM UTC to Jul 1, 2025, 12:00" + NNBSP \
           + "AM UTC" in english
    assert "Ends in 2 weeks." in english
    assert "DMatch0001a published on Jun 14, 2025, 3:06" + NNBSP + "PM UTC" in english
    assert "Times are shown in UTC." in english


def test_times_follow_the_tz_cookie_and_fall_back_to_utc(client: TestClient,
                                                         world: World) -> None:
    url = member_url(world, "lea")
    client.post(url + "/link", data={"platform": "instagram", "handle": "lea.voyage"})
    client.post(url + "/claim", data={"platform": "instagram"})
    paris = words(client, url, tz="Europe/Paris")
    assert "du 1 juin 2025 à 02:00 au 1 juil. 2025 à 02:00 " in paris
    assert "(le 17 juin 2025 à 11:00)" in paris
    assert "Heures indiquées dans votre fuseau horaire (Europe/Paris)." in paris
    tokyo = words(client, url + "?lang=en", tz="Asia%2FTokyo")  # as member.js encodes it
    assert "(on Jun 17, 2025, 6:00" + NNBSP + "PM)" in tokyo
    assert "Times are shown in your time zone (Asia/Tokyo)." in tokyo
    for odd in ("Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime", "x" * 300, ""):
        utc = words(client, url, tz=odd)
        assert "(le 17 juin 2025 à 09:00 UTC)" in utc and "Heures indiquées en UTC." in utc


def test_a_finished_mission_is_finished(client: TestClient, world: World) -> None:
    url = member_url(world, "lea")
    link_and_check(client, world, url)
    page = client.get(url).text
    french = words(client, url)
    assert "✓ Mission terminée Bravo ! Vous avez gagné 10 points avec 1 publication comptée." \
           in french
    assert "Points gagnés 10 points" in french and "Progression 1 publication comptée sur 1" \
           in french
    assert "Publications comptées DReel000003 publiée le 12 juin 2025 à 15:06 UTC" in french
    # No button, no "select your post", no re-check talk, no polling.
    for gone in ('id="claim-instagram"', 'id="select-instagram"', "Vérification en cours",
                 "nouvelle vérification", '<meta http-equiv="refresh"'):
        assert gone not in page, gone
    assert "Mission complete" in words(client, url + "?lang=en")
    refused = client.post(url + "/claim", data={"platform": "instagram", "lang": "en"})
    assert refused.headers["location"].endswith("notice=goal_met")
    assert "You have already completed this mission: it takes no more requests." in words(
        client, refused.headers["location"])
    picked = client.post(url + "/post", data={
        "platform": "instagram", "url": "https://www.instagram.com/p/DGone000099/"})
    assert picked.headers["location"].endswith("notice=goal_met")


@pytest.mark.parametrize(("start", "end", "french", "english"), [
    (datetime(2025, 5, 1, tzinfo=UTC), datetime(2025, 6, 10, 12, 30, tzinfo=UTC),
     "La période de la mission s'est terminée le 10 juin 2025 à 12:30 UTC : seules les "
     "publications d'avant cette date comptent.",
     "The mission's period ended on Jun 10, 2025, 12:30" + NNBSP + "PM UTC"),
    (datetime(2025, 6, 19, tzinfo=UTC), None,
     "depuis le 19 juin 2025 à 00:00 UTC, sans date de fin Commence dans 3 jours",
     "Starts in 3 days: earlier posts do not count."),
    (datetime(2025, 6, 1, tzinfo=UTC), None, "sans date de fin Pas de date de fin.",
     "No end date."),
])
def test_the_window_says_when_it_ends_or_ended(client: TestClient, world: World,
                                               start: datetime, end: datetime | None,
                                               french: str, english: str) -> None:
    mission = add_mission_to(world, start=start, end=end)
    url = member_url(world, "lea", mission)
    assert french in words(client, url)
    assert english in words(client, url + "?lang=en")


def test_an_outage_says_why_and_when_the_next_try_is(client: TestClient, world: World,
                                                     tmp_path: Path) -> None:
    url = member_url(world, "dan")
    client.post(url + "/link", data={"platform": "instagram", "handle": "dan.limited"})
    client.post(url + "/claim", data={"platform": "instagram"})
    run_checks(world, merged_cassette(tmp_path))
    [claim] = list_claims(world.service, member_id="dan")
    assert (claim.state, claim.last_cause) == ("retrying", "rate_limited")
    page = client.get(url).text
    assert 'class="spinner"' not in page and "Vérification en cours" not in page
    assert '<meta http-equiv="refresh" content="60">' in page
    french = words(client, url)
    assert ("Vérification retardée Nous n'avons pas pu lire votre profil : Instagram limite le "
            "nombre de consultations et nous demande d'attendre. Prochain essai automatique le "
            "16 juin 2025 à 09:01 UTC (dans 1 minute).") in french
    english = words(client, url + "?lang=en", tz="Europe/London")
    assert ("We could not read your profile: Instagram limits how often profiles can be read "
            "and asked us to wait. Next automatic try on Jun 16, 2025, 10:01" + NNBSP + "AM "
            "(in 1 minute).") in english
    # The diagnosis's own line about it is not repeated beside the box.
    assert "n'a pas pu être lu" not in french
    status = client.get(url + "/status?lang=en").json()
    assert status["checking"] is False and status["waiting"] is True
    entry = status["claims"]["instagram"]
    assert entry["phase"] == "retrying" and entry["due_at"] == "2025-06-16T09:01:00Z"
    assert "Instagram limits how often" in entry["message"] and "9:01" in entry["message"]
    world.clock.advance(minutes=5)  # the try is late (the worker is busy): no time in the past
    assert "Un nouvel essai automatique part dans un instant" in words(client, url)


def test_a_queued_check_stops_spinning_after_30_seconds(client: TestClient,
                                                         world: World) -> None:
    url = member_url(world, "lea")
    client.post(url + "/link", data={"platform": "instagram", "handle": "lea.voyage"})
    client.post(url + "/claim", data={"platform": "instagram"})
    assert client.get(url + "/status").json()["claims"]["instagram"]["phase"] == "checking"
    world.clock.advance(seconds=31)
    page = client.get(url).text
    assert 'class="spinner"' not in page
    assert '<meta http-equiv="refresh" content="15">' in page
    assert ("Vérification en file d'attente Votre demande attend son tour ; elle devrait partir "
            "dans un instant.") in text_of(page)
    status = client.get(url + "/status?lang=en").json()
    assert status["checking"] is False and status["waiting"] is True
    assert status["claims"]["instagram"]["phase"] == "queued"
    assert status["claims"]["instagram"]["message"].startswith(
        "Your request is waiting for its turn; it should start in a moment.")
    # A check put off (the account's fetch is busy elsewhere) says when it is expected.
    with world.service.db.transaction() as session:
        session.execute(update(ClaimRow).values(due_at=datetime(2025, 6, 16, 9, 10, tzinfo=UTC)))
    assert ("Votre demande attend son tour ; elle est prévue vers le 16 juin 2025 à 11:10."
            in words(client, url, tz="Europe/Paris"))


def test_a_long_queue_says_when_the_check_is_expected(client: TestClient,
                                                     world: World) -> None:
    # Issue 13: 40 claims are due before Lea's and one worker thread checks one claim in 2 s
    # (no check ran yet: the default check time), so hers is expected 80 s from now: the page
    # says so at once, in French and in English, instead of spinning.
    world.service.settings = replace(world.service.settings, workers=1)
    for index in range(40):
        link_account(world.service, f"m{index}", "instagram", f"someone{index}")
        create_claim(world.service, f"m{index}", world.mission.id, "instagram")
    url = member_url(world, "lea")
    client.post(url + "/link", data={"platform": "instagram", "handle": "lea.voyage"})
    client.post(url + "/claim", data={"platform": "instagram"})
    page = client.get(url).text
    assert 'class="spinner"' not in page
    assert ("Votre demande attend son tour ; elle est prévue vers le 16 juin 2025 à 11:01."
            in words(client, url, tz="Europe/Paris"))
    status = client.get(url + "/status?lang=en").json()
    assert status["claims"]["instagram"]["phase"] == "queued"
    assert status["claims"]["instagram"]["message"].startswith(
        "Your request is waiting for its turn; it is expected around Jun 16, 2025, 9:01")


def test_select_your_post_names_every_failed_criterion(client: TestClient,
                                                       world: World) -> None:
    five = add_mission_to(world)
    url = member_url(world, "lea", five)
    link_and_check(client, world, url)
    page = words(client, url)
    assert "Publications vues le 16 juin 2025 à 09:00 UTC" in page
    assert "DPin0ld2023 publiée le 11 mai 2024 à 15:06 UTC hashtag absent" in page

    # A post seen at the last check is answered at once, every criterion named.
    picked = client.post(url + "/post", data={"platform": "instagram", "seen": "DPin0ld2023",
                                              "lang": "fr"})
    assert picked.status_code == 303
    assert picked.headers["location"].endswith(
        "platform=instagram&pick=DPin0ld2023#select-instagram")
    html = client.get(picked.headers["location"]).text
    assert re.findall(r'data-code="(\w+)"', html) == ["hashtag_missing", "before_window"]
    answer = text_of(html)
    assert ("Elle ne compte pas : le hashtag #summer2025 n'y est pas (hashtags lus : #cafe "
            "#paris) ; ajoutez-le à la légende. publiée le 11 mai 2024 à 15:06 UTC, avant le "
            "début de la mission (1 juin 2025 à 00:00 UTC).") in answer
    assert "D'après la vérification du 16 juin 2025 à 09:00 UTC" in answer
    assert '<details class="select-post" id="select-instagram" open>' in html

    # The same by its pasted link, in English; a near miss names the tag that was typed.
    pasted = client.post(url + "/post", data={
        "platform": "instagram", "url": " https://www.instagram.com/p/DNear000004/ ",
        "lang": "en"})
    english = words(client, pasted.headers["location"])
    assert "It does not count: #sumer2025 looks like #summer2025 but is not it: fix the " \
           "typo." in english
    counted = client.post(url + "/post", data={"platform": "instagram", "seen": "DMatch0001a"})
    assert "Elle compte pour la mission." in words(client, counted.headers["location"])

    # A link that is not an Instagram post, or nothing at all: inline errors.
    bad = client.post(url + "/post", data={"platform": "instagram",
                                           "url": "https://example.com/p/xyz", "lang": "fr"})
    assert bad.status_code == 400
    assert ("« https://example.com/p/xyz » n'est pas le lien d'une publication Instagram."
            in text_of(bad.text))
    assert 'value="https://example.com/p/xyz"' in bad.text and 'role="alert"' in bad.text
    empty = client.post(url + "/post", data={"platform": "instagram", "lang": "en"})
    assert empty.status_code == 400 and "Pick a post or paste its link." in text_of(empty.text)

    # A post not seen at the last check needs a check of its own: during the cooldown, the
    # refusal says when the button comes back.
    unseen = {"platform": "instagram", "url": "https://www.instagram.com/p/DGone000099/",
              "lang": "fr"}
    refused = client.post(url + "/post", data=unseen)
    assert "notice=cooldown_refused" in refused.headers["location"]
    assert ("Vous avez déjà demandé une vérification Instagram : le bouton revient le 17 juin "
            "2025 à 09:00 UTC.") in words(client, refused.headers["location"])
    world.clock.advance(hours=24, seconds=1)
    accepted = client.post(url + "/post", data=unseen)
    assert accepted.headers["location"].endswith("#platform-instagram")
    claim = list_claims(world.service, member_id="lea", mission_id=five.id)[-1]
    assert claim.post_url == unseen["url"]
    run_checks(world)
    html = client.get(url).text
    assert re.findall(r'data-code="(\w+)"', html) == ["post_not_recent"]
    assert ("Elle ne compte pas : elle ne fait pas partie des publications les plus récentes "
            "de @lea.voyage : seules celles-ci sont lues.") in text_of(html)
    # The list to pick from is still the last check of the whole profile.
    assert "DPin0ld2023" in text_of(html)


def test_a_picked_post_can_be_checked_again(client: TestClient, world: World) -> None:
    five = add_mission_to(world)
    url = member_url(world, "lea", five)
    link_and_check(client, world, url)
    world.clock.advance(hours=25)
    again = client.post(url + "/post", data={"platform": "instagram", "again": "1",
                                             "url": "https://www.instagram.com/p/DNear000005/"})
    assert again.headers["location"].endswith("#platform-instagram")
    run_checks(world)
    html = client.get(url + "?lang=en").text
    assert re.findall(r'data-code="(\w+)"', html) == ["hashtag_near_miss"]
    assert "#summér2025 looks like #summer2025" in text_of(html)


def test_a_contested_handle_shows_the_code_and_where_to_put_it(client: TestClient,
                                                               world: World) -> None:
    url = member_url(world, "lea")
    linked = client.post(url + "/link", data={"platform": "instagram", "handle": "ana.summer"})
    assert linked.status_code == 303  # a contest (policy on_conflict), not a refusal
    from engine.service.members import get_member

    [account] = get_member(world.service, "lea").accounts
    assert account.ownership == "contested" and account.verification_code
    html = client.get(url).text
    assert f'<code class="code" id="code-instagram">{account.verification_code}</code>' in html
    french = text_of(html)
    assert ("Prouvez que ce compte est à vous Un autre membre a aussi lié @ana.summer. Personne "
            "n'est crédité pour ce compte tant que son propriétaire ne l'a pas prouvé.") in french
    assert ("Ajoutez ce code à la bio de votre profil Instagram, ou à la légende d'une "
            "publication récente.") in french
    assert "Une fois le compte vérifié, vous pouvez retirer le code." in french
    english = words(client, url + "?lang=en")
    assert "Add this code to your Instagram profile's bio, or to the caption of a recent " \
           "post." in english
    assert "Once the account is verified, you may remove the code." in english


def test_under_the_policy_always_the_code_is_asked_for_before_any_credit(
        client: TestClient, world: World) -> None:
    world.service.settings = replace(world.service.settings, ownership="always")
    url = member_url(world, "lea")
    client.post(url + "/link", data={"platform": "instagram", "handle": "lea.voyage"})
    page = words(client, url + "?lang=en")
    assert ("Prove that this account is yours This community asks you to prove the account is "
            "yours before your posts count. Your code SM-") in page
    assert 'id="proof-instagram" role="region"' in client.get(url).text


def test_a_verified_account_says_so_with_its_date(client: TestClient, world: World) -> None:
    from engine.service.ownership import mark_verified

    link_account(world.service, "lea", "instagram", "lea.voyage")
    mark_verified(world.service, "lea", "instagram", "checked by hand")
    url = member_url(world, "lea")
    assert "Compte vérifié le 16 juin 2025 à 11:00" in words(client, url, tz="Europe/Paris")
    assert "Account verified on Jun 16, 2025, 9:00" + NNBSP + "AM UTC" in words(
        client, url + "?lang=en")
    assert 'id="proof-instagram"' not in client.get(url).text


def test_an_outcome_of_a_handle_no_longer_linked_says_so(client: TestClient,
                                                        world: World) -> None:
    """A member who links another handle after a check sees that the outcome shown was the
    old handle's (a new-user session saw @lea.voyage's counted posts under @ana.summer)."""
    five = add_mission_to(world)
    url = member_url(world, "lea", five)
    link_and_check(client, world, url)
    assert "concernent @" not in words(client, url)
    client.post(url + "/link", data={"platform": "instagram", "handle": "zoe.switch"})
    page = words(client, url)
    assert "Compte lié : @zoe.switch" in page
    assert ("Ce résultat et les publications vues concernent @lea.voyage, le compte lié lors "
            "de cette vérification. Appuyez sur le bouton pour vérifier @zoe.switch.") in page
    assert "This outcome and the posts seen are of @lea.voyage" in words(client, url + "?lang=en")


def test_a_form_made_by_hand_is_answered_in_words(client: TestClient, world: World) -> None:
    """A post without a platform, or with one the mission does not use, shows the page with
    its "refused" notice, never a developer's "body.platform: Field required"."""
    url = member_url(world, "lea", add_mission_to(world))
    for path in ("/link", "/claim", "/post"):
        for data in ({}, {"platform": "tiktok"}, {"platform": "../x"}):
            answer = client.post(url + path, data={"handle": "lea.voyage", **data})
            assert answer.status_code == 303, (path, data, answer.text[:200])
            page = words(client, answer.headers["location"])
            assert "La demande n'a pas pu être prise en compte." in page, (path, data)
