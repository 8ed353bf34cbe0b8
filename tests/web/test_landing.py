"""``GET /`` is a small landing page; unknown routes answer the documented error shape:
``{"code": "not_found", "message"}`` under ``/api/`` and for JSON clients, a readable page
for browsers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engine.config import Config
from engine.web.app import create_app

from .api_helpers import Api, Clock, build_service, database_setup, sqlite_api

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    with sqlite_api(tmp_path) as client:
        yield client


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_landing_page_links_console_and_api_docs(api: Api) -> None:
    answer = api.client.get("/?lang=en", headers=BROWSER)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    found = links(answer.text)
    assert {"/admin", "/docs", "/openapi.json", "/static/style.css"} <= set(found)
    for target in ("/admin", "/docs", "/openapi.json", "/static/style.css"):
        assert api.client.get(target, follow_redirects=True).status_code == 200, target
    # CSP-safe: no script at all, no inline style; the policy header is the strict one.
    assert "<script" not in answer.text and "style=" not in answer.text
    assert "<style" not in answer.text
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert "Admin console" in answer.text
    assert "Console d'administration" in api.client.get("/?lang=fr").text


def test_landing_page_leaves_out_api_docs_when_they_are_off(tmp_path: Path) -> None:
    with database_setup("sqlite", tmp_path) as urls:
        config = Config(raw={"web": {"api_docs": False}})
        service = build_service(urls, Clock(), config=config)
        try:
            with TestClient(create_app(service), base_url="http://localhost") as client:
                page = client.get("/?lang=en").text
                assert "/admin" in links(page) and "/docs" not in links(page)
                assert client.get("/docs").status_code == 404
        finally:
            service.engine.close()
            service.close()


def test_unknown_api_route_answers_not_found_json(api: Api) -> None:
    answer = api.get("/api/v1/nosuch")
    assert answer.status_code == 404
    body = answer.json()
    assert body["code"] == "not_found" and "/api/v1/nosuch" in body["message"]
    assert set(body) == {"code", "message"}
    # Asked by a browser, an API route still answers JSON.
    answer = api.client.get("/api/v1/nosuch", headers={**api.admin, **BROWSER})
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"


def test_unknown_page_is_html_for_browsers_and_json_for_json_clients(api: Api) -> None:
    page = api.client.get("/nosuch", headers=BROWSER)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "/nosuch" in page.text
    assert "detail" not in page.text
    answer = api.client.get("/nosuch", headers={"Accept": "application/json"})
    assert answer.status_code == 404
    assert answer.json() == {"code": "not_found", "message": answer.json()["message"]}
    assert "/nosuch" in answer.json()["message"]
    # A wrong method on the landing page: 405 in the same shapes.
    assert api.client.post("/", headers={"Accept": "application/json"}).json()["code"] \
        == "method_not_allowed"
