"""Console sessions and security headers (issue 12, part 3): Secure cookies over HTTPS, logout
ends the session on the server, one-time login links, a Content-Security-Policy without
inline scripts on every page, framing of the member page by ``[web] embed_origins`` only,
``no-store`` on authenticated answers, and the API docs from local files."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import httpx
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from engine.config import Config, config_from_mapping
from engine.replay import cassette
from engine.service.runtime import work
from engine.web.app import STATIC, create_app
from engine.web.pages.session import COOKIE, create_login_link
from engine.web.tokens import create_token, revoke_token

from .pages_helpers import PUBLIC, World, member_url

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SWAGGER_SHA256 = {
    "swagger-ui-bundle.js": "e6a898692f2d768e807c3ba4626068a69a2c5dd960dd6c76f3e4d3a3de180af2",
    "swagger-ui.css": "5ed08757e53da3e026d6cbecc61fe5d43585c9560b302d534ad56692519a273d",
}


def app_with(world: World, web: dict[str, Any] | None = None) -> Any:
    """The app of ``world`` with a configuration holding ``[web]`` = ``web``."""
    world.service.config = config_from_mapping({"web": web}) if web else Config()
    return create_app(world.service)


def login(client: TestClient, world: World) -> httpx.Response:
    """Log in through the form, as a browser does; the answer (a redirect to /admin)."""
    _, raw = create_token(world.service, "admin", "form")
    page = client.get("/admin/login")
    found = CSRF.search(page.text)
    assert found
    answer = client.post("/admin/login", data={"token": raw, "csrf_token": found.group(1)})
    assert answer.status_code == 303 and answer.headers["location"] == "/admin"
    return answer


def cookie_line(answer: httpx.Response, name: str) -> str:
    lines = [v for k, v in answer.headers.multi_items()
             if k == "set-cookie" and v.startswith(name + "=")]
    assert len(lines) == 1, answer.headers
    return lines[0]


@pytest.mark.parametrize(("base_url", "web", "secure"), [
    ("http://testserver", None, False),
    ("https://testserver", None, True),
    ("http://testserver", {"secure_cookies": True}, True),
])
def test_the_session_cookie_is_secure_over_https_or_by_configuration(
        world: World, base_url: str, web: dict[str, Any] | None, secure: bool) -> None:
    # ``secure_cookies`` is for a TLS proxy the server does not trust for X-Forwarded-Proto:
    # the browser speaks HTTPS, the app sees HTTP (and a client sends no Secure cookie over
    # HTTP, hence the one-time link here rather than the form and its nonce cookie).
    token, _raw = create_token(world.service, "admin", "cookies")
    with TestClient(app_with(world, web), base_url=base_url, follow_redirects=False) as client:
        nonce = cookie_line(client.get("/admin/login"), "sm_login_nonce")
        line = cookie_line(client.get(create_login_link(world.service, token)), COOKIE)
    for cookie in (line, nonce):
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert {"httponly", "path", "max-age"} <= attributes
        assert "samesite=strict" in cookie.lower()
        assert ("secure" in attributes) is secure


def test_logout_ends_the_session_on_the_server(world: World) -> None:
    with TestClient(app_with(world), follow_redirects=False) as client:
        login(client, world)
        cookie = client.cookies.get(COOKIE)
        assert cookie and client.get("/admin").status_code == 200
        csrf = CSRF.search(client.get("/admin").text)
        assert csrf
        out = client.post("/admin/logout", data={"csrf_token": csrf.group(1)})
        assert out.status_code == 303 and out.headers["location"] == "/admin/login"
        client.cookies.set(COOKIE, cookie, path="/admin")  # a copy kept by an attacker
        again = client.get("/admin")
        assert again.status_code == 303 and again.headers["location"] == "/admin/login"
    with TestClient(app_with(world), follow_redirects=False) as other:
        login(other, world)
        kept = other.cookies.get(COOKIE)
        # Sessions end with their token too, and after twelve hours.
        world.clock.advance(hours=12, seconds=1)
        assert other.get("/admin").status_code == 303
        assert kept


def test_a_one_time_login_link_works_once_and_expires(world: World) -> None:
    token, _raw = create_token(world.service, "admin", "demo")
    link = create_login_link(world.service, token)
    assert link.startswith("/admin/login/once/") and "sm_" not in link
    with TestClient(app_with(world), follow_redirects=False) as client:
        first = client.get(link + "?lang=en")
        assert first.status_code == 303 and first.headers["location"] == "/admin"
        assert client.get("/admin").status_code == 200
    with TestClient(app_with(world), follow_redirects=False) as other:
        second = other.get(link + "?lang=en")
        assert second.status_code == 401 and "already used" in second.text
        assert other.get("/admin").status_code == 303
        late = create_login_link(world.service, token)
        world.clock.advance(minutes=10, seconds=1)
        assert other.get(late).status_code == 401
        revoked = create_login_link(world.service, token)
        revoke_token(world.service, token.id)
        assert other.get(revoked).status_code == 401
        assert other.get("/admin/login/once/made-up").status_code == 401
        assert other.get("/admin").status_code == 303


def html_pages(world: World, client: TestClient) -> dict[str, httpx.Response]:
    """Every kind of HTML page, with content: the member page after a check, the console's
    pages (a new token shown once, a new member link), the login and refusal pages."""
    pages: dict[str, httpx.Response] = {}
    url = member_url(world, "lea")
    pages["login"] = client.get("/admin/login")
    pages["login failed"] = client.post("/admin/login", data={"token": "sm_x"})
    client.post(url + "/link", data={"platform": "instagram", "handle": "lea.voyage"})
    client.post(url + "/claim", data={"platform": "instagram"})
    with cassette(PUBLIC, record=False):
        work(world.service, once=True, threads=1)
    pages["member"] = client.get(url)
    pages["member en"] = client.get(url + "?lang=en")
    pages["member rejected"] = client.get("/m/not-a-link")
    login(client, world)
    for path in ("/admin", "/admin/actions", "/admin/missions", "/admin/missions/new",
                 f"/admin/missions/{world.mission.id}", "/admin/members",
                 "/admin/members/lea", "/admin/members/nobody", "/admin/settings"):
        pages[path] = client.get(path)
    csrf = CSRF.search(pages["/admin/settings"].text)
    assert csrf
    token = csrf.group(1)
    created = client.post("/admin/settings/tokens", data={"csrf_token": token,
                                                          "scope": "integrator",
                                                          "label": "forum"})
    if created.status_code == 303:
        created = client.get(created.headers["location"])
    pages["new token"] = created
    pages["new link"] = client.post("/admin/members/link", data={
        "csrf_token": token, "member_id": "lea", "mission_id": str(world.mission.id),
        "days": "7"})
    pages["csrf refused"] = client.post("/admin/actions", data={"platform": "instagram"})
    pages["docs"] = client.get("/docs")
    return pages


def test_every_page_has_a_csp_and_no_inline_script_or_style(world: World) -> None:
    with TestClient(app_with(world), follow_redirects=False) as client:
        pages = html_pages(world, client)
    assert 'id="new-token"' in pages["new token"].text
    assert 'id="member-link-url"' in pages["new link"].text
    assert "<svg" in pages["/admin"].text  # the report's charts and legend are there
    for name, answer in pages.items():
        assert answer.headers["content-type"].startswith("text/html"), name
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "style-src 'self';" in policy, name
        assert "'unsafe-inline'" not in policy and "frame-ancestors 'none'" in policy, name
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        soup = BeautifulSoup(answer.text, "html.parser")
        for script in soup.find_all("script"):
            assert str(script.get("src", "")).startswith("/static/"), (name, str(script)[:200])
            assert not script.get_text().strip(), name
        assert not soup.find_all("style"), name
        for element in soup.find_all(True):
            handlers = [a for a in element.attrs if a.lower().startswith("on")]
            assert not handlers, (name, element.name, handlers)
            assert "style" not in element.attrs, (name, str(element)[:200])
        for link in soup.find_all("link", rel="stylesheet"):
            assert str(link["href"]).startswith("/static/"), name
    scripts = {s["src"] for a in pages.values()
               for s in BeautifulSoup(a.text, "html.parser").find_all("script")}
    assert {"/static/member.js", "/static/console.js", "/static/api-docs.js"} <= scripts


def test_authenticated_answers_are_never_cached(world: World) -> None:
    _, raw = create_token(world.service, "integrator", "forum")
    with TestClient(app_with(world), follow_redirects=False) as client:
        for headers in ({"Authorization": f"Bearer {raw}"}, {}):
            answer = client.get("/api/v1/missions", headers=headers)
            assert answer.status_code in (200, 401)
            assert answer.headers["cache-control"] == "no-store"
        assert client.get(member_url(world, "lea")).headers["cache-control"] == "no-store"
        assert client.get("/admin/login").headers["cache-control"] == "no-store"
        assert "cache-control" not in client.get("/static/style.css").headers


def test_embed_origins_may_frame_the_member_page_only(world: World) -> None:
    origins = ["https://forum.example.org", "https://*.club.example"]
    with TestClient(app_with(world, {"embed_origins": origins}),
                    follow_redirects=False) as client:
        page = client.get(member_url(world, "lea"))
        assert page.status_code == 200
        assert page.headers["content-security-policy"].endswith(
            "frame-ancestors https://forum.example.org https://*.club.example")
        assert "x-frame-options" not in page.headers
        for path in ("/admin/login", "/docs", "/admin"):
            other = client.get(path)
            assert other.headers["content-security-policy"].endswith("frame-ancestors 'none'")
            assert other.headers["x-frame-options"] == "DENY"
    with TestClient(app_with(world), follow_redirects=False) as client:
        page = client.get(member_url(world, "lea"))
        assert page.headers["content-security-policy"].endswith("frame-ancestors 'none'")
        assert page.headers["x-frame-options"] == "DENY"


def test_the_api_docs_come_from_the_server_itself(world: World) -> None:
    with TestClient(app_with(world), follow_redirects=False) as client:
        docs = client.get("/docs")
        assert docs.status_code == 200
        soup = BeautifulSoup(docs.text, "html.parser")
        sources = [s["src"] for s in soup.find_all("script")]
        assert sources == ["/static/swagger-ui/swagger-ui-bundle.js", "/static/api-docs.js"]
        root = soup.find("div", id="swagger-ui")
        assert root is not None and root["data-openapi-url"] == "/openapi.json"
        for path in (*sources, "/static/swagger-ui/swagger-ui.css"):
            asset = client.get(path)
            assert asset.status_code == 200 and len(asset.content) > 100, path
        assert client.get("/redoc").status_code == 404  # no local ReDoc: off
        assert client.get("/openapi.json").status_code == 200
    for name, digest in SWAGGER_SHA256.items():
        content = (STATIC / "swagger-ui" / name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == digest, name
    with TestClient(app_with(world, {"api_docs": False}), follow_redirects=False) as client:
        assert client.get("/docs").status_code == 404
        assert client.get("/openapi.json").status_code == 200


def test_the_pages_run_their_scripts_under_the_csp_in_chromium(world: World,
                                                               browser: Any) -> None:
    """Chromium enforces the policy: Swagger UI renders the operations, the member page's
    script shares the browser's time zone, the console's copy button appears, and no page
    reports a violation."""
    from playwright.sync_api import expect

    from .browser_helpers import DESKTOP, serving

    token, _raw = create_token(world.service, "admin", "browser")
    violations: list[str] = []
    with serving(world, run_worker=False) as (base, _worker):
        context = browser.new_context(viewport=DESKTOP, timezone_id="Europe/Paris")
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.on("console", lambda message: violations.append(message.text)
                if "Content Security Policy" in message.text else None)
        page.goto(base + "/docs")
        expect(page.locator(".opblock").first).to_be_visible()
        assert page.locator(".opblock").count() > 20
        page.goto(base + member_url(world, "lea"))
        expect(page.locator("#zone-note")).to_contain_text("Europe/Paris")  # member.js ran
        page.goto(base + create_login_link(world.service, token) + "?lang=en")
        page.goto(base + "/admin/members")
        page.fill("#link-member", "lea")
        page.click("#link-create")
        expect(page.locator("#copy-link")).to_be_visible()  # console.js ran
        page.locator("#member-link-url").focus()
        assert page.evaluate("window.getSelection().toString() || "
                             "document.activeElement.selectionEnd") not in ("", 0)
        context.close()
    assert violations == []
