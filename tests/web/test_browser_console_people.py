"""The console's Members and Settings pages in a real browser (issue 11 items 3 and 5), in French
and English: create a member page link in the console, open it, link a handle, claim, and see
the claim in the member's admin page; revoke a token and see its session end.

Checks replay ``cassettes/service/accounts.yaml`` (``ana.summer`` has matching posts). Screenshots
at 1280 px and 390 px go to ``test-artifacts/`` (ignored by git), named ``console-people-*.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.service.members import unlink_account
from engine.web.tokens import create_token, get_token

from .browser_helpers import CHROMIUM, DESKTOP, PHONE, screenshot, serving
from .pages_helpers import ACCOUNTS, World, build_world, login_link

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="the system Chromium (/usr/bin/chromium, Debian package `chromium`) is not installed")

WORDS = {
    "fr": {"member": "Identifiant du membre", "mission": "Mission", "days": "Validité (jours)",
           "create": "Créer le lien", "handle": "Identifiant Instagram",
           "link": "Lier ce compte", "done": "Mission terminée", "copy": "Copier",
           "copied": "Copié", "claim": "Demande n° 1 · Été 2025 · Instagram",
           "state": "Terminée", "balance": "10 points", "reason": "Mission terminée",
           "revoke": "Révoquer le jeton n° {id}", "label": "Libellé",
           "scope": "Portée", "create_token": "Créer le jeton",
           "once": "Copiez-le maintenant : il ne sera plus jamais affiché.",
           "login": "Jeton administrateur", "created": "Lien créé pour {member} · Été 2025"},
    "en": {"member": "Member id", "mission": "Mission", "days": "Valid for (days)",
           "create": "Create the link", "handle": "Instagram handle",
           "link": "Link this account", "done": "Mission complete", "copy": "Copy",
           "copied": "Copied", "claim": "Claim no. 1 · Été 2025 · Instagram",
           "state": "Done", "balance": "10 points", "reason": "Mission completed",
           "revoke": "Revoke token no. {id}", "label": "Label",
           "scope": "Scope", "create_token": "Create the token",
           "once": "Copy it now: it will never be shown again.",
           "login": "Admin token", "created": "Link created for {member} · Été 2025"},
}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    unlink_account(built.service, "ana", "instagram")  # ana.summer is free for the new member
    yield built
    built.service.engine.close()
    built.service.close()


def new_page(browser: Any, *, phone: bool, locale: str = "fr-FR") -> Any:
    options: dict[str, Any] = {"viewport": PHONE if phone else DESKTOP, "locale": locale,
                               "timezone_id": "Europe/Paris"}
    if phone:
        options["device_scale_factor"] = 2
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    return context.new_page()


def sign_in(page: Any, base: str, world: World, lang: str) -> int:
    """Sign the page's context in with a fresh admin token (the demo's login link); its id."""
    token, raw = create_token(world.service, "admin", f"browser {lang}")
    page.goto(f"{base}{login_link(world.service, raw)}?lang={lang}")
    return token.id


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_member_link_claim_and_the_claim_in_the_admin_page(world: World, browser: Any,
                                                           lang: str) -> None:
    from playwright.sync_api import expect

    words = WORDS[lang]
    member = "nora" if lang == "fr" else "nick"
    with serving(world, run_worker=True, replay=ACCOUNTS) as (base, _):
        admin = new_page(browser, phone=False, locale="fr-FR" if lang == "fr" else "en-GB")
        sign_in(admin, base, world, lang)
        admin.goto(f"{base}/admin/members?lang={lang}")
        admin.get_by_label(words["member"], exact=True).fill(member)
        admin.get_by_label(words["mission"], exact=True).select_option(label="Été 2025")
        admin.get_by_label(words["days"]).fill("3")
        screenshot(admin, f"console-people-members-{lang}-1280.png")
        admin.get_by_role("button", name=words["create"]).click()
        expect(admin.get_by_role("status")).to_have_text(
            words["created"].format(member=member))
        field = admin.locator("#member-link-url")
        expect(field).to_have_attribute("readonly", "")
        url = field.input_value()
        assert url.startswith(base + "/m/")
        copy = admin.get_by_role("button", name=words["copy"])
        expect(copy).to_be_visible()  # JavaScript shows it
        copy.click()
        expect(admin.locator("#copy-link")).to_have_text(words["copied"])
        screenshot(admin, f"console-people-link-{lang}-1280.png")

        phone_admin = new_page(browser, phone=True)
        sign_in(phone_admin, base, world, lang)
        phone_admin.goto(f"{base}/admin/members?lang={lang}")
        phone_admin.get_by_label(words["member"], exact=True).fill(member)
        phone_admin.get_by_role("button", name=words["create"]).click()
        expect(phone_admin.locator("#member-link-url")).to_be_visible()
        assert phone_admin.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # Every section of the console's bar is in sight on a phone (none scrolled away).
        rights = phone_admin.eval_on_selector_all(
            ".console-nav a", "links => links.map(a => a.getBoundingClientRect().right)")
        assert len(rights) == 5 and max(rights) <= PHONE["width"], rights
        screenshot(phone_admin, f"console-people-link-{lang}-390.png")

        # The member opens the link on a phone, links a handle and claims.
        phone = new_page(browser, phone=True)
        phone.goto(url + ("?lang=en" if lang == "en" else ""))
        phone.get_by_label(words["handle"]).fill("ana.summer")
        phone.get_by_role("button", name=words["link"]).click()
        phone.locator("#claim-instagram").click()
        expect(phone.get_by_role("heading", name=words["done"])).to_be_visible(timeout=30_000)

        # The claim, its check and the award in the member's admin page.
        admin.goto(f"{base}/admin/members/{member}")
        claim = admin.locator("#claim-1")
        expect(claim).to_contain_text(words["claim"])
        expect(claim.locator(".status")).to_have_text(words["state"])
        expect(claim.locator(".check").first).to_contain_text("@ana.summer")
        expect(admin.locator("#balance")).to_contain_text(words["balance"])
        expect(admin.locator("#ledger tbody tr").first).to_contain_text(words["reason"])
        expect(admin.locator("#ownership-instagram")).to_be_visible()
        screenshot(admin, f"console-people-member-{lang}-1280.png")
        phone_admin.goto(f"{base}/admin/members/{member}")
        expect(phone_admin.locator("#claim-1")).to_contain_text(words["claim"])
        assert phone_admin.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(phone_admin, f"console-people-member-{lang}-390.png")
        # The search finds the member by handle.
        phone_admin.goto(f"{base}/admin/members?q=%40ana.sum")
        expect(phone_admin.locator("#members-table .member-id")).to_have_text([member])
        screenshot(phone_admin, f"console-people-search-{lang}-390.png")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_token_is_shown_once_and_revoking_ours_ends_the_session(world: World, browser: Any,
                                                                  lang: str) -> None:
    from playwright.sync_api import expect

    words = WORDS[lang]
    with serving(world, run_worker=False) as (base, _):
        for phone in (False, True):
            page = new_page(browser, phone=phone)
            own = sign_in(page, base, world, lang)
            page.goto(f"{base}/admin/settings?lang={lang}")
            page.get_by_label(words["scope"], exact=True).select_option("integrator")
            page.get_by_label(words["label"], exact=True).fill("shop")
            page.get_by_role("button", name=words["create_token"]).click()
            expect(page.locator("#token-created")).to_contain_text(words["once"])
            raw = page.locator("#new-token").input_value()
            assert raw.startswith("sm_")
            width = 390 if phone else 1280
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            screenshot(page, f"console-people-settings-{lang}-{width}.png")
            page.goto(f"{base}/admin/settings")
            expect(page.locator("#new-token")).to_have_count(0)
            assert raw not in page.content()

            page.get_by_role("button", name=words["revoke"].format(id=own)).click()
            expect(page.get_by_label(words["login"])).to_be_visible()
            assert page.url.endswith("/admin/login")
            assert get_token(world.service, own).revoked_at is not None
            page.goto(f"{base}/admin/settings")
            assert page.url.endswith("/admin/login")
            screenshot(page, f"console-people-revoked-{lang}-{width}.png")
