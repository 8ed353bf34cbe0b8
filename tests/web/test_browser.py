"""The pages in a real browser: the system Chromium driven by Playwright against uvicorn.

The server runs in a thread on a free port of 127.0.0.1; the worker runs in another thread
inside the replayed Instagram cassette (no check ever reaches the network). Screenshots of the
member page and the admin report are written to ``test-artifacts/`` at the repository root.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest

from benchmarks.bench_console import fill
from engine.web.tokens import create_token

from .browser_helpers import CHROMIUM, DESKTOP, PHONE, Worker, screenshot, serving
from .pages_helpers import ARTIFACTS, World, member_url

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="the system Chromium (/usr/bin/chromium, Debian package `chromium`) is not installed")


def test_member_links_a_handle_claims_and_sees_the_post_counted(
        world: World, browser: Any) -> None:
    with serving(world, run_worker=False) as (base, worker):
        member_journey(world, base, worker, browser)


def member_journey(world: World, base: str, worker: Worker, browser: Any) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(base + member_url(world, "lea"))
    expect(page.get_by_role("heading", name="Été 2025")).to_be_visible()

    page.get_by_label("Identifiant Instagram").fill("not a handle!")
    page.get_by_role("button", name="Lier ce compte").click()
    expect(page.get_by_role("alert")).to_have_text(
        "« not a handle! » n'est pas un identifiant Instagram valide. L'espace n'est pas "
        "permis.")
    screenshot(page, "member-page-link-error.png")
    page.get_by_label("Identifiant Instagram").fill("lea.voyage")
    page.get_by_role("button", name="Lier ce compte").click()
    expect(page.get_by_text("Compte lié : @lea.voyage")).to_be_visible()
    button = page.locator("#claim-instagram")
    expect(button).to_have_text("C'est fait ! Vérifiez mon profil !")
    expect(button).to_be_enabled()

    button.click()
    expect(page.get_by_text("Vérification en cours…")).to_be_visible()
    expect(button).to_be_disabled()
    countdown = page.locator("#cooldown-instagram .countdown-text")
    expect(countdown).to_contain_text("Bouton de nouveau disponible dans 23:59:")
    before = countdown.inner_text()
    # The countdown is live: its text changes by itself (waited for, the machine may be busy).
    page.wait_for_function("([node, text]) => node.textContent !== text",
                           arg=[countdown.element_handle(), before], timeout=10_000)
    screenshot(page, "member-page-checking.png")

    worker.start()  # member.js polls the claim and reloads the page when the check is over
    expect(page.get_by_role("heading", name="Mission terminée")).to_be_visible(timeout=20_000)
    expect(page.locator("#complete")).to_contain_text(
        "Bravo ! Vous avez gagné 10 points avec 1 publication comptée.")
    expect(page.locator("#claim-instagram")).to_have_count(0)
    screenshot(page, "member-page.png")

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Mission complete")).to_be_visible()
    expect(page.locator("#complete")).to_contain_text(
        "Well done! You earned 10 points with 1 counted post.")
    context.close()


def test_admin_logs_in_filters_the_report_and_downloads_the_csv(
        world: World, browser: Any) -> None:
    # The app's embedded worker runs this claim's check as soon as it is queued.
    with serving(world, run_worker=True) as (base, _):
        admin_journey(world, base, browser)


def figure(page: Any, name: str) -> int:
    """A total of the report's figures (posts seen, claims, credited posts, points)."""
    return int(page.locator(f'#totals [data-total="{name}"]').inner_text())


def admin_journey(world: World, base: str, browser: Any) -> None:
    from playwright.sync_api import expect

    member = browser.new_page()
    member.set_default_timeout(15_000)
    member.goto(base + member_url(world, "lea"))
    member.get_by_label("Identifiant Instagram").fill("lea.voyage")
    member.get_by_role("button", name="Lier ce compte").click()
    member.locator("#claim-instagram").click()
    expect(member.locator("#complete")).to_contain_text(
        "1 publication comptée", timeout=20_000)
    member.close()
    fill(world.service, 200, members=8, days=5)  # rows on YouTube and TikTok too

    _, raw = create_token(world.service, "admin", "browser test")
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(base + "/admin")
    expect(page).to_have_url(base + "/admin/login")
    page.get_by_label("Jeton administrateur").fill(raw)  # the console is French by default
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(base + "/admin")
    expect(page.get_by_role("heading", name="Social campaigns")).to_be_visible()
    expect(page.locator("a.brand")).to_have_text("Social Missions")
    assert page.locator("#report tbody tr").count() == 100  # one page of 100 rows
    expect(page.locator("#summary-1 svg").first).to_be_visible()
    everything = figure(page, "posts_seen")
    assert everything == 212
    screenshot(page, "admin-report.png")

    # Filter by platform: the figures follow.
    page.locator("#f-platform").select_option("youtube")
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"/admin\?.*platform=youtube"))
    youtube = figure(page, "posts_seen")
    assert 0 < youtube < everything
    assert set(page.locator("#report tbody td:nth-child(6)").all_inner_texts()) == {"youtube"}
    screenshot(page, "admin-report-youtube-fr.png")

    # In English (remembered), with another platform.
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("button", name="Filter")).to_be_visible()
    expect(page.locator("#rows-title")).to_contain_text("Posts seen")
    page.locator("#f-platform").select_option("instagram")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#rows-title")).to_contain_text("Posts seen")  # still English
    assert figure(page, "posts_seen") not in (everything, youtube)
    screenshot(page, "admin-report-instagram-en.png")

    page.locator("#f-platform").select_option("")
    page.locator("#f-verdict").select_option("counted")
    page.locator("#f-member").fill("lea")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(base + "/admin?mission=&platform=&member=lea&verdict=counted"
                             "&since=&until=")
    expect(page.locator("#report tbody tr")).to_have_count(1)
    expect(page.locator("#report .badge")).to_have_text("counted")
    post_link = page.locator("#report tbody a").first
    assert post_link.get_attribute("href", timeout=5_000).startswith(
        "https://www.instagram.com/p/")

    with page.expect_download() as download_info:
        page.locator("#csv-export").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text("utf-8"))))
    assert [(r["member_id"], r["platform"], r["handle"], r["verdict"], r["points"])
            for r in rows] == [("lea", "instagram", "lea.voyage", "counted", "10")]
    assert rows[0]["checked_at_utc"].endswith("Z") and rows[0]["timezone"] == "UTC"
    screenshot(page, "admin-report-filtered.png")

    # A wrong period is refused with a message.
    page.goto(base + "/admin?since=2025-06-20&until=2025-06-01")
    expect(page.get_by_role("alert")).to_contain_text(
        "The period starts on Jun 20, 2025, after its end on Jun 1, 2025.")
    context.close()

    # On a phone the rows are cards, the verdict first; French again.
    phone = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="fr-FR")
    phone.set_default_timeout(15_000)
    small = phone.new_page()
    small.goto(base + "/admin/login?lang=fr")
    small.get_by_label("Jeton administrateur").fill(raw)
    small.get_by_role("button", name="Se connecter").click()
    expect(small).to_have_url(base + "/admin")
    small.locator("#f-platform").select_option("tiktok")
    small.get_by_role("button", name="Filtrer").click()
    expect(small).to_have_url(re.compile(r"platform=tiktok"))
    assert 0 < figure(small, "posts_seen") < everything
    card = small.locator("#report tbody tr").first
    badge, box = card.locator(".badge").bounding_box(), card.bounding_box()
    assert badge and box and badge["y"] - box["y"] < 30  # the verdict heads the card
    assert box["width"] <= PHONE["width"]
    width = small.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width  # nothing scrolls sideways
    screenshot(small, "admin-report-phone.png")
    screenshot(card, "admin-report-phone-card.png")
    small.evaluate("window.scrollTo(0, 0)")
    small.screenshot(path=str(ARTIFACTS / "admin-report-phone-top.png"))  # the first screen
    phone.close()
