"""External actions and missions of the console in a real browser (issue 11 items 1 and 2), in
French on a desktop and in English on a phone: log in with the form, create an action with
``été2024``, see the fix offered and accept it, then create and publish a mission with the
default window (now to one calendar month later).

The browser is the system Chromium. Screenshots, at 1280 px and 390 px, are written to
``test-artifacts/`` at the repository root (ignored by git), named ``console-catalogue-*.png``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from engine.service.actions import list_actions
from engine.service.missions import DEFAULT_LABEL, list_missions
from engine.web.tokens import create_token

from .browser_helpers import CHROMIUM, DESKTOP, PHONE, screenshot, serving
from .pages_helpers import NOW, World

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="the system Chromium (/usr/bin/chromium, Debian package `chromium`) is not installed")

# What each language's pages say at each step.
WORDS = {
    "fr": {"token": "Jeton administrateur", "login": "Se connecter", "actions": "Actions externes",
           "platform": "Plateforme", "hashtag": "Hashtag (sans #)", "create": "Créer l'action",
           "refused": "« été2024 » : « é » n'est pas autorisé ; utilisez « ete2024 ».",
           "use": "Utiliser #ete2024", "created": "Action #ete2024 (instagram) créée.",
           "missions": "Missions", "new": "Nouvelle mission", "title": "Titre",
           "action": "Action Instagram", "publish": "Créer et publier",
           "published": "Mission publiée : les membres peuvent participer.",
           "status": "Statut : publiée", "start": "Début (UTC)", "end": "Fin (UTC)",
           "end_shown": "16 juil. 2025 à 09:00 UTC"},
    "en": {"token": "Admin token", "login": "Log in", "actions": "External actions",
           "platform": "Platform", "hashtag": "Hashtag (without #)",
           "create": "Create the action",
           "refused": "`été2024`: 'é' is not allowed; use `ete2024`",
           "use": "Use #ete2024", "created": "Action #ete2024 (instagram) created.",
           "missions": "Missions", "new": "New mission", "title": "Title",
           "action": "Instagram action", "publish": "Create and publish",
           "published": "Mission published: members can take part.",
           "status": "Status: published", "start": "Start (UTC)", "end": "End (UTC)",
           "end_shown": "Jul 16, 2025, 9:00\u202fAM UTC"},
}


def new_page(browser: Any, *, phone: bool) -> Any:
    options: dict[str, Any] = {"viewport": PHONE if phone else DESKTOP, "timezone_id": "UTC"}
    if phone:
        options["device_scale_factor"] = 2
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    return context.new_page()


def run_flow(page: Any, base: str, world: World, lang: str, title: str, size: str) -> None:
    """Log in, create the action with the offered fix, create and publish a mission."""
    from playwright.sync_api import expect

    words = WORDS[lang]
    _, raw = create_token(world.service, "admin", f"browser {lang}")
    page.goto(base + f"/admin/login?lang={lang}")
    page.get_by_label(words["token"]).fill(raw)
    page.get_by_role("button", name=words["login"]).click()
    page.wait_for_url(base + "/admin")  # signed in: the report
    page.goto(base + "/admin/actions")
    expect(page.get_by_role("heading", level=1)).to_have_text(words["actions"])

    page.get_by_label(words["platform"]).select_option("instagram")
    page.get_by_label(words["hashtag"]).fill("été2024")
    page.get_by_role("button", name=words["create"]).click()
    expect(page.locator("#hashtag-error")).to_have_text(words["refused"])
    expect(page.get_by_label(words["hashtag"])).to_have_value("été2024")
    screenshot(page, f"console-catalogue-hashtag-{lang}-{size}.png")
    page.get_by_role("button", name=words["use"]).click()
    expect(page.locator("#notice")).to_have_text(words["created"])
    action = list_actions(world.service)[-1]
    assert (action.platform, action.hashtag) == ("instagram", "ete2024")
    expect(page.locator(f"#action-{action.id}")).to_contain_text("#ete2024")
    screenshot(page, f"console-catalogue-actions-{lang}-{size}.png")

    page.get_by_role("navigation").get_by_role("link", name=words["missions"]).click()
    page.get_by_role("link", name=words["new"]).click()
    # The default window is shown, filled in: now, and one calendar month later.
    expect(page.get_by_label(words["start"])).to_have_value("2025-06-16T09:00")
    expect(page.get_by_label(words["end"])).to_have_value("2025-07-16T09:00")
    expect(page.locator("#end-shown")).to_have_text(words["end_shown"])
    page.get_by_label(words["title"], exact=True).fill(title)
    page.get_by_label(words["action"]).select_option(str(action.id))
    screenshot(page, f"console-catalogue-mission-form-{lang}-{size}.png")
    page.get_by_role("button", name=words["publish"]).click()
    expect(page.locator("#notice")).to_have_text(words["published"])
    expect(page.locator("#mission-status")).to_have_text(words["status"])
    screenshot(page, f"console-catalogue-mission-published-{lang}-{size}.png")
    mission = list_missions(world.service)[-1]
    assert (mission.title, mission.status, mission.label) == (title, "published", DEFAULT_LABEL)
    assert mission.start_at == NOW
    assert mission.end_at == datetime(2025, 7, 16, 9, tzinfo=UTC)
    assert [a.id for a in mission.actions] == [action.id]

    page.get_by_role("link", name=words["missions"], exact=True).first.click()
    expect(page.locator(f"#status-published #mission-{mission.id}")).to_contain_text(title)
    screenshot(page, f"console-catalogue-missions-{lang}-{size}.png")


def test_french_on_a_desktop(world: World, browser: Any) -> None:
    with serving(world, run_worker=False) as (base, _):
        run_flow(new_page(browser, phone=False), base, world, "fr", "Rentrée 2025", "1280")


def test_english_on_a_phone(world: World, browser: Any) -> None:
    with serving(world, run_worker=False) as (base, _):
        run_flow(new_page(browser, phone=True), base, world, "en", "Back to school", "390")


def test_french_on_a_phone_and_english_on_a_desktop(world: World, browser: Any) -> None:
    with serving(world, run_worker=False) as (base, _):
        run_flow(new_page(browser, phone=True), base, world, "fr", "Rentrée mobile", "390")
        run_flow(new_page(browser, phone=False), base, world, "en", "Back to school", "1280")
