"""Issue 12, part 4: the body size limit (413 before the body is read), strict types, member
ids refused rather than trimmed, post URLs matched from the start, and the webhook URL in the
API and the console (checked, credentials never shown)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.cache import MemoryCache
from engine.cli import main
from engine.config import Config, config_from_mapping
from engine.core import Engine
from engine.errors import ConfigurationError
from engine.service.member_ids import InvalidMemberId, check_member_id
from engine.service.members import link_account
from engine.service.settings import load_settings
from engine.storage.models import MemberRow, MissionRow
from engine.web.body_limit import BodyLimit

from .api_helpers import Api, Clock, api_for, build_service, database_setup, seed_mission
from .pages_helpers import World
from .test_console_report import signed_in

LIMIT = 4096


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    with database_setup("sqlite", tmp_path) as urls:
        service = build_service(urls, Clock(), max_body=LIMIT)
        try:
            with api_for(service) as client:
                seed_mission(client)
                yield client
        finally:
            service.engine.close()
            service.close()


def count(api: Api, table: Any) -> int:
    with api.service.db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


# -- the body size limit --------------------------------------------------------------------

def test_a_declared_length_over_the_limit_is_refused_413(api: Api) -> None:
    body = b'{"title": "' + b"x" * LIMIT + b'", "action_ids": [1], "points": 1}'
    answer = api.client.post("/api/v1/missions", content=body, headers={
        **api.admin, "content-type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["code"] == "too_large" and "[web] max_body" in answer.json()["message"]
    assert count(api, MissionRow) == 1  # nothing created
    small = api.client.post("/api/v1/missions", headers=api.admin, json={
        "title": "x", "action_ids": [1], "points": 1, "goal_posts": 1})
    assert small.status_code == 201  # under the limit: as before


def test_a_chunked_body_is_counted_and_refused_413(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"title": "'
        for _ in range(10):
            yield b"y" * 1024
        yield b'", "action_ids": [1], "points": 1}'

    answer = api.client.post("/api/v1/missions", content=chunks(), headers={
        **api.admin, "content-type": "application/json"})
    assert answer.status_code == 413 and answer.json()["code"] == "too_large"
    assert count(api, MissionRow) == 1


def test_console_and_member_pages_get_a_413_page(api: Api) -> None:
    answer = api.client.post("/admin/login", content=b"token=" + b"z" * LIMIT,
                             headers={"content-type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert "Request too large" in answer.text
    bad = api.client.post("/admin/login", content=b"token=x",
                          headers={"content-length": "12abc"})
    assert bad.status_code == 400


def test_the_middleware_stops_reading_at_the_limit() -> None:
    """A chunked body: the application's reads stop at the chunk that crosses the limit, and
    the answer is the 413 (not what the application would have said)."""
    read: list[int] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def receive() -> dict[str, Any]:
        read.append(1)
        return {"type": "http.request", "body": b"a" * 1000, "more_body": True}  # endless

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v1/missions", "headers": []}
    asyncio.run(BodyLimit(app, max_body=4500)(scope, receive, send))
    assert len(read) == 5  # 5 000 bytes read: the fifth chunk crossed 4 500; no more
    assert sent[0]["status"] == 413 and b"too_large" in sent[1]["body"]


@pytest.mark.parametrize("value", ["1MB", True, 0, 512, -1, 2**40, 1.5])
def test_max_body_is_validated(value: object) -> None:
    with pytest.raises(ConfigurationError, match=r"\[web\] max_body.*whole number"):
        load_settings(config_from_mapping({"web": {"max_body": value}}))


def test_max_body_default_and_setting() -> None:
    assert load_settings(Config()).max_body == 1_048_576
    assert load_settings(config_from_mapping({"web": {"max_body": 65536}})).max_body == 65536


# -- strict types ---------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value"), [
    ("points", "10"), ("points", True), ("points", 10.5), ("goal_posts", "1"),
    ("goal_posts", False), ("action_ids", ["1"]), ("action_ids", [True]),
    ("publish", "true"), ("publish", 1), ("recurring", "false"),
])
def test_numbers_and_flags_are_strict(api: Api, field: str, value: object) -> None:
    body: dict[str, Any] = {"title": "x", "action_ids": [1], "points": 5, "goal_posts": 1}
    body[field] = value
    answer = api.post("/api/v1/missions", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["message"].startswith(f"body.{field}")
    assert count(api, MissionRow) == 1


def test_ids_in_bodies_are_strict(api: Api) -> None:
    claim = api.post("/api/v1/claims", json={"member_id": "lea", "mission_id": "1",
                                             "platform": "instagram"})
    assert claim.status_code == 422 and "body.mission_id" in claim.json()["message"]
    link = api.post("/api/v1/member-links", json={"member_id": "lea", "mission_id": 1,
                                                  "expires_in": "3600"})
    assert link.status_code == 422 and "body.expires_in" in link.json()["message"]


# -- member ids -----------------------------------------------------------------------------

BAD_MEMBER_IDS = [" lea", "lea ", "\tlea", "lea\n", "le\x00a", "le\x1ba", "lea\u2028",
                  "\u00a0lea", "le\x85a", "", "x" * 201, "\ud800"]


@pytest.mark.parametrize("member_id", BAD_MEMBER_IDS)
def test_the_one_member_id_rule(member_id: str) -> None:
    with pytest.raises(InvalidMemberId):
        check_member_id(member_id)


def test_member_ids_are_refused_not_trimmed_in_the_api(api: Api) -> None:
    from urllib.parse import quote

    for member_id in (" lea", "lea ", "lea\n", "lea\t"):
        path = f"/api/v1/members/{quote(member_id)}/accounts/instagram"
        answer = api.put(path, as_admin=False, json={"handle": "lea.voyage"})
        assert answer.status_code == 422, member_id
        assert "path.member_id" in answer.json()["message"]
        for route, body in (("/api/v1/claims", {"member_id": member_id, "mission_id": 1,
                                                "platform": "instagram"}),
                            ("/api/v1/member-links", {"member_id": member_id,
                                                      "mission_id": 1})):
            refused = api.post(route, as_admin=False, json=body)
            assert refused.status_code == 422 and "body.member_id" in refused.json()["message"]
        assert api.get(f"/api/v1/members/{quote(member_id)}").status_code == 422
    assert count(api, MemberRow) == 0  # neither " lea" nor a trimmed "lea" was created
    assert api.put("/api/v1/members/l%C3%A9a%20b/accounts/instagram", as_admin=False,
                   json={"handle": "lea.voyage"}).status_code == 200  # inner space: fine


def test_member_ids_are_refused_in_the_service(api: Api) -> None:
    with pytest.raises(InvalidMemberId, match="white space"):
        link_account(api.service, "lea ", "instagram", "lea.voyage")


def test_member_ids_are_refused_on_the_command_line(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[database]\nurl = "sqlite:///m.sqlite3"\n'
                      '[queue]\nurl = "sqlite:///q.sqlite3"\n', encoding="utf-8")
    for member_id in (" lea", "lea "):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = main(["member", "link", member_id, "instagram", "lea.voyage",
                           "--config", str(config)])
        assert status == 2 and "white space" in err.getvalue()
        assert err.getvalue().count("\n") == 1


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_member_ids_are_refused_in_the_console(world: World) -> None:
    client = signed_in(world)
    token = CSRF.search(client.get("/admin/members").text)
    assert token
    answer = client.post("/admin/members/link", data={
        "csrf_token": token.group(1), "member_id": " ana", "mission_id": "1", "days": "7"})
    assert answer.status_code == 400
    with world.service.db.sessions() as session:
        assert session.get(MemberRow, " ana") is None


# -- post URLs ------------------------------------------------------------------------------

HOSTILE_POST_URLS = ["javascript:alert(1)//instagram.com/p/X",
                     "https://evil.example/instagram.com/p/X",
                     "https://instagram.com.evil.example/p/X",
                     "https://evil.example/?next=https://www.instagram.com/p/X/",
                     "https://user:pw@www.instagram.com/p/X/",
                     "https://instagram.com@evil.example/p/X",
                     "data:text/html,instagram.com/p/X", "https://notinstagram.com/p/X"]


def test_post_urls_match_from_the_start() -> None:
    engine = Engine(Config(), cache=MemoryCache())
    instagram, youtube = engine.platform("instagram"), engine.platform("youtube")
    for url in HOSTILE_POST_URLS:
        assert instagram.post_id_from_url(url) is None, url
    for url in ("https://www.instagram.com/p/ABC/", "instagram.com/reel/ABC",
                "https://instagram.com/lea.voyage/p/ABC/?igsh=1", "http://m.instagram.com/p/ABC"):
        assert instagram.post_id_from_url(url) == "ABC", url
    assert youtube.post_id_from_url("https://evil.example/?u=youtu.be/tT1match0Aa") is None
    assert youtube.post_id_from_url("https://youtu.be/tT1match0Aa") == "tT1match0Aa"
    engine.close()


def test_claims_refuse_post_urls_of_other_hosts(api: Api) -> None:
    api.put("/api/v1/members/lea/accounts/instagram", json={"handle": "lea.voyage"})
    for url in HOSTILE_POST_URLS:
        answer = api.post("/api/v1/claims", json={"member_id": "lea", "mission_id": 1,
                                                  "platform": "instagram", "post_url": url})
        assert answer.status_code == 400, url
        assert "is not a post URL of Instagram" in answer.json()["message"]


# -- the webhook URL in the API and the console ---------------------------------------------

@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/",
                                 "http://[::1]:6379/", "http://localhost/", "http://0.0.0.0/",
                                 "http://[::ffff:127.0.0.1]/", "ftp://hooks.example.org/",
                                 "https://", "not a url"])
def test_the_api_refuses_webhook_targets(api: Api, url: str) -> None:
    answer = api.put("/api/v1/webhook", json={"url": url})
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_input"
    assert api.get("/api/v1/webhook").json()["url"] is None


def test_the_api_never_echoes_webhook_credentials(api: Api) -> None:
    answer = api.put("/api/v1/webhook", json={"url": "https://shop:pa55@hooks.example.org/p"})
    assert answer.status_code == 200 and answer.json()["url"] == "https://***@hooks.example.org/p"
    assert "pa55" not in api.get("/api/v1/webhook").text
    assert api.service.settings.webhook_url == "https://shop:pa55@hooks.example.org/p"


def test_the_console_refuses_private_targets_and_hides_credentials(world: World) -> None:
    client = signed_in(world)

    def post(url: str) -> Any:
        token = CSRF.search(client.get("/admin/settings").text)
        assert token
        return client.post("/admin/settings/webhook", data={"csrf_token": token.group(1),
                                                             "url": url})

    refused = post("http://169.254.169.254/latest/meta-data/")
    assert refused.status_code == 400 and "link-local" in refused.text
    assert world.service.settings.webhook_url is None
    saved = post("https://shop:pa55@hooks.example.org/p")
    assert saved.status_code == 200 and "pa55" not in saved.text
    page = client.get("/admin/settings").text
    assert "pa55" not in page and "https://***@hooks.example.org/p" in page
    # Saving the form as shown (credentials hidden) keeps the credentials.
    assert post("https://***@hooks.example.org/p").status_code == 303
    assert world.service.settings.webhook_url == "https://shop:pa55@hooks.example.org/p"
