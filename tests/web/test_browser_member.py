"""The member page in a real browser (issue 10): a finished mission, an outage with its cause and
next try, a check that stops spinning, "select your post" naming every failed criterion, dates
in French and English in the browser's time zone (UTC without JavaScript), and the ownership
code from link to verified to credited.

Checks replay cassettes only. Screenshots, at 390 px (a phone) and 1280 px, are written to
``test-artifacts/`` at the repository root (ignored by git), named ``member-*.png``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.replay import cassette
from engine.service.claims import create_claim
from engine.service.members import get_member, link_account
from engine.service.runtime import work

from .browser_helpers import CHROMIUM, DESKTOP, PHONE, screenshot, serving
from .pages_helpers import (
    ACCOUNTS,
    World,
    add_mission_to,
    member_url,
    merged_cassette,
)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="the system Chromium (/usr/bin/chromium, Debian package `chromium`) is not installed")

NNBSP = "\u202f"  # CLDR's narrow no-break space before AM/PM


def new_page(browser: Any, *, phone: bool = True, locale: str = "fr-FR",
             zone: str | None = "Europe/Paris", javascript: bool = True) -> Any:
    """A page in a fresh context (its own cookies): a phone or a desktop, a locale, a zone."""
    options: dict[str, Any] = {"viewport": PHONE if phone else DESKTOP, "locale": locale,
                               "java_script_enabled": javascript}
    if phone:
        options["device_scale_factor"] = 2
    if zone:
        options["timezone_id"] = zone
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    return context.new_page()


def link(page: Any, handle: str, label: str = "Identifiant Instagram",
         button: str = "Lier ce compte") -> None:
    page.get_by_label(label).fill(handle)
    page.get_by_role("button", name=button).click()


def test_a_finished_mission_shows_points_and_posts_and_no_button(world: World,
                                                                 browser: Any) -> None:
    from playwright.sync_api import expect

    with serving(world, run_worker=False) as (base, worker):
        page = new_page(browser)
        page.goto(base + member_url(world, "lea"))
        link(page, "lea.voyage")
        page.locator("#claim-instagram").click()
        expect(page.locator("#checking-instagram .spinner")).to_be_visible()
        worker.start()
        expect(page.get_by_role("heading", name="Mission terminée")).to_be_visible(
            timeout=20_000)
        expect(page.locator("#complete")).to_have_text(
            "✓ Mission terminée Bravo ! Vous avez gagné 10 points avec 1 publication comptée.",
            use_inner_text=False)
        expect(page.locator("#fact-points")).to_have_text("10 points")
        expect(page.locator("#fact-progress")).to_contain_text("1 publication comptée sur 1")
        post = page.locator("#counted-posts li")
        expect(post).to_have_count(1)
        expect(post).to_contain_text("DReel000003")
        expect(post).to_contain_text("publiée le 12 juin 2025 à 17:06")  # Paris, not UTC
        expect(post.get_by_role("link")).to_have_attribute(
            "href", "https://www.instagram.com/p/DReel000003/")
        expect(page.locator("button.claim")).to_have_count(0)
        expect(page.locator(".select-post")).to_have_count(0)
        expect(page.locator("#zone-note")).to_have_text(
            "Heures indiquées dans votre fuseau horaire (Europe/Paris).")
        screenshot(page, "member-finished-390.png")

        desktop = new_page(browser, phone=False, locale="en-US", zone="America/New_York")
        desktop.goto(base + member_url(world, "lea") + "?lang=en")
        expect(desktop.get_by_role("heading", name="Mission complete")).to_be_visible()
        expect(desktop.locator("#counted-posts li")).to_contain_text(
            "published on Jun 12, 2025, 11:06" + NNBSP + "AM")
        screenshot(desktop, "member-finished-desktop-en.png")


def test_an_outage_says_its_cause_and_the_next_try(world: World, browser: Any,
                                                   tmp_path: Path) -> None:
    from playwright.sync_api import expect

    with serving(world, run_worker=False, replay=merged_cassette(tmp_path)) as (base, worker):
        page = new_page(browser)
        page.goto(base + member_url(world, "dan"))
        link(page, "dan.limited")
        page.locator("#claim-instagram").click()
        expect(page.locator("#checking-instagram")).to_be_visible()
        worker.start()  # Instagram answers 429: the claim waits for a retry
        box = page.locator("#retrying-instagram")
        expect(box).to_be_visible(timeout=20_000)
        expect(box).to_have_attribute("data-cause", "rate_limited")
        expect(box).to_contain_text("Vérification retardée")
        expect(box).to_contain_text(
            "Nous n'avons pas pu lire votre profil : Instagram limite le nombre de "
            "consultations et nous demande d'attendre.")
        expect(box).to_contain_text(
            "Prochain essai automatique le 16 juin 2025 à 11:01 (dans 1 minute).")
        expect(page.locator(".spinner")).to_have_count(0)
        expect(page.locator("#claim-instagram")).to_be_disabled()
        screenshot(page, "member-outage-390.png")

        english = new_page(browser, phone=False, locale="en-GB", zone="Europe/London")
        english.goto(base + member_url(world, "dan") + "?lang=en")
        expect(english.locator("#retrying-instagram")).to_contain_text(
            "Instagram limits how often profiles can be read and asked us to wait. Next "
            "automatic try on Jun 16, 2025, 10:01" + NNBSP + "AM (in 1 minute).")
        screenshot(english, "member-outage-desktop-en.png")


def test_a_queued_check_stops_spinning_and_says_so(world: World, browser: Any) -> None:
    from playwright.sync_api import expect

    with serving(world, run_worker=False) as (base, _):
        page = new_page(browser)
        page.goto(base + member_url(world, "lea"))
        link(page, "lea.voyage")
        page.locator("#claim-instagram").click()
        expect(page.locator("#checking-instagram .spinner")).to_be_visible()
        page.evaluate("window.samePage = true")
        world.clock.advance(seconds=31)  # no worker runs: the check stays queued
        box = page.locator("#checking-instagram")
        expect(box.locator(".spinner")).to_have_count(0, timeout=20_000)
        expect(box).to_contain_text("Vérification en file d'attente")
        expect(box).to_contain_text(
            "Votre demande attend son tour ; elle devrait partir dans un instant.")
        assert page.evaluate("window.samePage") is True  # told in place, without a reload
        expect(page.locator("#claim-instagram")).to_be_disabled()
        screenshot(page, "member-queued-390.png")


def test_select_your_post_names_every_failed_criterion(world: World, browser: Any) -> None:
    from playwright.sync_api import expect

    five = add_mission_to(world)  # 3 of lea's posts count out of 5: the page stays open
    with serving(world, run_worker=False) as (base, worker):
        page = new_page(browser)
        page.goto(base + member_url(world, "lea", five))
        link(page, "lea.voyage")
        page.locator("#claim-instagram").click()
        worker.start()
        expect(page.locator("#outcome-instagram")).to_contain_text(
            "3 publications comptées", timeout=20_000)

        page.get_by_text("Vérifier une publication précise").click()
        expect(page.locator("#select-instagram legend")).to_have_text(
            "Publications vues le 16 juin 2025 à 11:00")
        page.get_by_label("DPin0ld2023").check()
        page.get_by_role("button", name="Vérifier cette publication").click()
        answer = page.locator("#answer-instagram")
        expect(answer).to_be_visible()
        expect(answer.get_by_role("link")).to_have_text("DPin0ld2023")
        criteria = page.locator("#criteria-instagram li")
        expect(criteria).to_have_count(2)
        expect(criteria.nth(0)).to_have_text(
            "le hashtag #summer2025 n'y est pas (hashtags lus : #cafe #paris) ; ajoutez-le à la "
            "légende.")
        expect(criteria.nth(1)).to_have_text(
            "publiée le 11 mai 2024 à 17:06, avant le début de la mission (1 juin 2025 à "
            "02:00).")
        screenshot(page, "member-select-post-390.png")
        screenshot(page.locator("#platform-instagram"), "member-select-post-section-390.png")

        page.get_by_label("… ou lien d'une publication Instagram").fill("https://example.com/x")
        page.get_by_role("button", name="Vérifier cette publication").click()
        expect(page.get_by_role("alert")).to_have_text(
            "« https://example.com/x » n'est pas le lien d'une publication Instagram. Copiez le "
            "lien depuis le bouton « Partager » de la publication.")

        desktop = new_page(browser, phone=False, locale="en-US", zone="UTC")
        desktop.goto(base + member_url(world, "lea", five) + "?lang=en")
        desktop.get_by_text("Check one particular post").click()
        desktop.get_by_label("… or link to a post on Instagram").fill(
            "https://www.instagram.com/p/DNear000004/")
        desktop.get_by_role("button", name="Check this post").click()
        expect(desktop.locator("#criteria-instagram li")).to_have_text(
            ["#sumer2025 looks like #summer2025 but is not it: fix the typo."])
        screenshot(desktop, "member-select-post-desktop-en.png")


def test_dates_in_french_and_english_in_the_browsers_zone(world: World, browser: Any) -> None:
    from playwright.sync_api import expect

    link_account(world.service, "lea", "instagram", "lea.voyage")
    create_claim(world.service, "lea", world.mission.id, "instagram")  # a cooldown to show
    with serving(world, run_worker=False) as (base, _):
        url = base + member_url(world, "lea")
        # The first visit is written in UTC; member.js sets the tz cookie and reloads once.
        paris = new_page(browser)
        paris.goto(url)
        expect(paris.locator("#fact-window")).to_contain_text(
            "du 1 juin 2025 à 02:00 au 1 juil. 2025 à 02:00")
        expect(paris.locator("#cooldown-instagram small")).to_have_text(
            "(le 17 juin 2025 à 11:00)")
        expect(paris.locator("#zone-note")).to_have_text(
            "Heures indiquées dans votre fuseau horaire (Europe/Paris).")
        assert {c["name"]: c["value"] for c in paris.context.cookies()}["tz"] == "Europe%2FParis"
        paris.get_by_role("link", name="English").click()
        expect(paris.locator("#fact-window")).to_contain_text(
            "from Jun 1, 2025, 2:00" + NNBSP + "AM to Jul 1, 2025, 2:00" + NNBSP + "AM")
        expect(paris.locator("#cooldown-instagram small")).to_have_text(
            "(on Jun 17, 2025, 11:00" + NNBSP + "AM)")
        screenshot(paris, "member-dates-en-paris-390.png")

        york = new_page(browser, phone=False, locale="en-US", zone="America/New_York")
        york.goto(url + "?lang=en")
        expect(york.locator("#cooldown-instagram small")).to_have_text(
            "(on Jun 17, 2025, 5:00" + NNBSP + "AM)")
        expect(york.locator("#zone-note")).to_have_text(
            "Times are shown in your time zone (America/New_York).")

        # Without JavaScript: UTC, and the page says so.
        plain = new_page(browser, javascript=False)
        plain.goto(url)
        expect(plain.locator("#fact-window")).to_contain_text(
            "du 1 juin 2025 à 00:00 UTC au 1 juil. 2025 à 00:00 UTC")
        expect(plain.locator("#cooldown-instagram small")).to_have_text(
            "(le 17 juin 2025 à 09:00 UTC)")
        expect(plain.locator("#zone-note")).to_have_text("Heures indiquées en UTC.")
        screenshot(plain, "member-dates-fr-utc-nojs-390.png")


def bio_cassette(folder: Path, handle: str, biography: str) -> Path:
    """The service cassette with ``handle``'s Instagram biography replaced."""
    document = yaml.safe_load(ACCOUNTS.read_text(encoding="utf-8"))
    for interaction in document["interactions"]:
        if interaction["request"]["uri"].endswith(f"username={handle}"):
            body = json.loads(interaction["response"]["body"]["string"])
            body["data"]["user"]["biography"] = biography
            interaction["response"]["body"]["string"] = json.dumps(body, ensure_ascii=False)
    path = folder / "bio.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_the_code_flow_from_link_to_verified_to_credited(world: World, browser: Any,
                                                         tmp_path: Path) -> None:
    from playwright.sync_api import expect

    # "ana" linked ana.summer first (it is not hers) and was paid for its posts.
    create_claim(world.service, "ana", world.mission.id, "instagram")
    with cassette(ACCOUNTS, record=False):
        work(world.service, once=True, threads=1)
    assert get_member(world.service, "ana").balance == 10
    world.clock.advance(minutes=10)  # past the shared fetch of ana's check: a new fetch

    with serving(world, run_worker=False, replay=None) as (base, worker):
        page = new_page(browser)
        page.goto(base + member_url(world, "lea"))
        link(page, "ana.summer")  # the real owner links it: a contest, not a refusal
        proof = page.locator("#proof-instagram")
        expect(proof).to_contain_text(
            "Un autre membre a aussi lié @ana.summer. Personne n'est crédité pour ce compte "
            "tant que son propriétaire ne l'a pas prouvé.")
        expect(proof).to_contain_text(
            "Ajoutez ce code à la bio de votre profil Instagram, ou à la légende d'une "
            "publication récente.")
        code = page.locator("#code-instagram").inner_text()
        assert code.startswith("SM-") and len(code) == 8
        screenshot(page, "member-code-390.png")
        screenshot(page.locator("#platform-instagram"), "member-code-section-390.png")

        # The owner puts the code in the bio, and presses the button.
        with cassette(bio_cassette(tmp_path, "ana.summer", f"Voyages ☕ {code}"), record=False,
                      ignore_localhost=True):
            page.locator("#claim-instagram").click()
            worker.start()
            expect(page.get_by_role("heading", name="Mission terminée")).to_be_visible(
                timeout=20_000)
            worker.close()
        expect(page.locator("#verified-instagram")).to_have_text(
            "✓ Compte vérifié le 16 juin 2025 à 11:10")
        expect(page.locator("#proof-instagram")).to_have_count(0)
        expect(page.locator("#fact-points")).to_have_text("10 points")
        expect(page.locator("#counted-posts li")).to_have_count(1)
        screenshot(page, "member-code-verified-390.png")

        english = new_page(browser, phone=False, locale="en-US", zone="UTC")
        english.goto(base + member_url(world, "lea") + "?lang=en")
        expect(english.locator("#verified-instagram")).to_have_text(
            "✓ Account verified on Jun 16, 2025, 9:10" + NNBSP + "AM UTC")
        screenshot(english, "member-code-verified-desktop-en.png")

    # The impostor's award was reversed by a compensating row; the owner was paid.
    assert get_member(world.service, "ana").balance == 0
    assert get_member(world.service, "lea").balance == 10
