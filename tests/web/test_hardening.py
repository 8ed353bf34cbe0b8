"""Issue 12, part 4: the body size limit (413 before the body is read), strict types, member
ids refused rather than trimmed, post URLs matched from the start, and the webhook URL in the
API and the console (checked, credentials never shown)."""

from __future__ import annotations

import asyncio
import contextlib
import html
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
from engine.web.body_limit import LINGER_MAX_BYTES, BodyLimit

from .api_helpers import Api, sqlite_api
from .pages_helpers import World
from .test_console_report import signed_in

LIMIT = 4096


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    with sqlite_api(tmp_path, seed=True, max_body=LIMIT) as client:
        yield client


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


@pytest.mark.parametrize("chunks", [20, None])
def test_the_middleware_stops_reading_at_the_limit(chunks: int | None) -> None:
    """A chunked body: the application's reads stop at the chunk that crosses the limit, and
    the answer is the 413 (not what the application would have said). The rest of the body is
    read and dropped first (the client is still sending it), never more than
    LINGER_MAX_BYTES of an endless one (``chunks`` None)."""
    read: list[int] = []
    seen: list[int] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            seen.append(1)
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def receive() -> dict[str, Any]:
        read.append(1)
        more = chunks is None or len(read) < chunks
        return {"type": "http.request", "body": b"a" * 1000, "more_body": more}

    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v1/missions", "headers": []}
    asyncio.run(BodyLimit(app, max_body=4500)(scope, receive, send))
    assert len(seen) == 4  # 5 000 bytes read: the fifth chunk crossed 4 500; no more
    if chunks is not None:
        assert len(read) == chunks  # the rest was dropped, then the answer went out
    else:
        assert len(read) <= 5 + LINGER_MAX_BYTES // 1000 + 1
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
                                 "https://", "not a url", "https://xn--/x", "https://a..b/",
                                 "https://.example.org/", "https://" + "a" * 64 + ".org/"])
def test_the_api_refuses_webhook_targets(api: Api, url: str) -> None:
    answer = api.put("/api/v1/webhook", json={"url": url})
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_input"
    assert api.get("/api/v1/webhook").json()["url"] is None


def test_the_api_never_echoes_webhook_credentials(api: Api) -> None:
    answer = api.put("/api/v1/webhook", json={"url": "https://shop:pa55@hooks.example.org/p"})
    assert answer.status_code == 200 and answer.json()["url"] == "https://***@hooks.example.org/p"
    assert "pa55" not in api.get("/api/v1/webhook").text
    assert api.service.settings.webhook_url == "https://shop:pa55@hooks.example.org/p"


def test_a_webhook_host_in_other_letters_is_stored_and_shown_in_ascii(api: Api) -> None:
    """A host that only looks like another ("exаmple.com" with a Cyrillic "а") is kept in
    its ASCII form (IDNA), which shows that it is not example.com."""
    answer = api.put("/api/v1/webhook", json={"url": "https://u:p@ex\u0430mple.com:8443/in"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["url"] == "https://***@xn--exmple-4nf.com:8443/in"
    assert api.service.settings.webhook_url == "https://u:p@xn--exmple-4nf.com:8443/in"
    bad = api.put("/api/v1/webhook", json={"url": "https://" + "\u00e9" * 60 + ".org/"})
    assert bad.status_code == 400 and "not a valid international domain name" in \
        bad.json()["message"]


def test_the_console_refuses_private_targets_and_hides_credentials(world: World) -> None:
    client = signed_in(world)

    def post(url: str) -> Any:
        token = CSRF.search(client.get("/admin/settings").text)
        assert token
        return client.post("/admin/settings/webhook", data={"csrf_token": token.group(1),
                                                             "url": url})

    refused = post("http://169.254.169.254/latest/meta-data/")
    assert refused.status_code == 400 and "de lien local" in html.unescape(refused.text)
    assert "Adresse refusée : l'hôte 169.254.169.254 est une adresse de lien local" in \
        html.unescape(refused.text) and "webhook host" not in refused.text  # all in French
    loopback = post("http://localhost:8080/in")
    assert "adresse de bouclage (cette machine)" in html.unescape(loopback.text)
    bad_name = post("https://a..b/in")
    assert "« a..b » n'est pas un nom de domaine valide" in html.unescape(bad_name.text)
    assert world.service.settings.webhook_url is None
    saved = post("https://shop:pa55@hooks.example.org/p")
    assert saved.status_code == 200 and "pa55" not in saved.text
    page = client.get("/admin/settings").text
    assert "pa55" not in page and "https://***@hooks.example.org/p" in page
    # Saving the form as shown (credentials hidden) keeps the credentials.
    assert post("https://***@hooks.example.org/p").status_code == 303
    assert world.service.settings.webhook_url == "https://shop:pa55@hooks.example.org/p"


# -- issue 12, findings 5 to 10 and the minor ones --------------------------------------------

def _console_mission(world: World, **changes: str) -> tuple[Any, list[Any]]:
    """POST the console's new-mission form with ``changes``; (answer, missions after)."""
    from engine.service.missions import list_missions

    from .test_console_catalogue import csrf_of, mission_form

    client = signed_in(world)
    form = mission_form(world, **changes)
    form["csrf_token"] = csrf_of(client, "/admin/missions/new")
    answer = client.post("/admin/missions/new", data=form)
    return answer, list(list_missions(world.service))


@pytest.mark.parametrize("end", ["9999-12-31T23:59", "2999-12-31T23:59", "0001-01-01T00:00"])
def test_console_dates_outside_1970_2999_are_refused_in_any_zone(world: World,
                                                                 end: str) -> None:
    """Finding 5: Honolulu is UTC-10, so 9999-12-31T23:59 overflowed (500) and 2999-12-31
    23:59 became a year-3000 instant; both, and year 1, get the readable refusal."""
    from dataclasses import replace

    world.service.settings = replace(world.service.settings, timezone="Pacific/Honolulu")
    before = len(_console_mission(world, title="Probe", end="2025-07-20T10:00")[1])
    answer, missions = _console_mission(world, title="Late", end=end)
    assert answer.status_code in (400, 422), answer.text[:300]
    assert "l&#39;année doit être comprise entre 1970 et 2999" in answer.text \
        or "l'année doit être comprise entre 1970 et 2999" in answer.text
    assert len(missions) == before
    # Within range in the zone: accepted, stored in UTC.
    answer, missions = _console_mission(world, title="Fine", end="2999-12-31T13:59")
    assert answer.status_code == 303
    assert missions[-1].end_at is not None and missions[-1].end_at.year == 2999


@pytest.mark.parametrize("cap", ["²/day", "٣/day", "１/day", "1001/day", "9" * 15 + "/day"])
def test_caps_take_ascii_digits_only(api: Api, cap: str) -> None:
    """Finding 6: ``int("²")`` raised (500) and ``"٣/day"`` was read as 3."""
    answer = api.post("/api/v1/missions", json={"title": "c", "action_ids": [1], "points": 1,
                                                "recurring": True, "cap": cap})
    assert answer.status_code in (400, 422), answer.text[:300]
    assert "ASCII digits" in answer.json()["message"]
    assert count(api, MissionRow) == 1
    fine = api.post("/api/v1/missions", json={"title": "c", "action_ids": [1], "points": 1,
                                              "recurring": True, "cap": "3/day"})
    assert fine.status_code == 201 and fine.json()["cap_count"] == 3


def _cli(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = main(argv)
        except SystemExit as stop:
            status = int(stop.code or 0)
    return status, err.getvalue()


@pytest.mark.parametrize("argv", [
    ["privacy", "purge", "--days", "1000000"],
    ["privacy", "purge", "--days", "99999999999999999999"],
    ["privacy", "purge", "--days", "36601"],
    ["privacy", "purge", "--days", "٣"],
    ["privacy", "purge", "--days", "１"],
    ["secret", "rotate", "--grace", "9999999d"],
    ["secret", "rotate", "--grace", "99999999999999999999"],
    ["secret", "rotate", "--grace", "٣d"],
    ["secret", "rotate", "--grace", "367d"],
    ["mission", "add", "--title", "t", "--action", "1", "--points", "1", "--recurring",
     "--cap", "²"],
])
def test_cli_numbers_are_ascii_and_bounded(tmp_path: Path, argv: list[str]) -> None:
    """Finding 7 (and 6 on the command line): a one-line usage error, never a traceback."""
    config = tmp_path / "social-missions.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/m.sqlite3"\n'
                      f'[queue]\nurl = "sqlite:///{tmp_path}/q.sqlite3"\n', encoding="utf-8")
    assert _cli(["init", "--config", str(config)])[0] == 0
    assert _cli(["action", "add", "--platform", "instagram", "--hashtag", "summer",
                 "--config", str(config)])[0] == 0
    status, err = _cli([*argv, "--config", str(config)])
    assert status == 2, err
    assert "Traceback" not in err and err.count("\n") == 1
    assert "ASCII digits" in err


@pytest.mark.parametrize("title", ["a\x00b", "a\x1bb", "\ud800", "a\x7f"])
def test_console_text_fields_follow_the_api_text_rule(world: World, title: str) -> None:
    """Finding 8: control characters and invalid encodings (a lone surrogate sent as
    ``%ED%A0%80`` arrives as U+FFFD) are refused in the console's forms, like the API."""
    from urllib.parse import quote

    from .test_console_catalogue import csrf_of, mission_form

    client = signed_in(world)
    sent = quote(title, errors="surrogatepass") if title == "\ud800" else quote(title)
    form = mission_form(world, title="PLACEHOLDER")
    form["csrf_token"] = csrf_of(client, "/admin/missions/new")
    body = "&".join(f"{quote(k)}={quote(v)}" for k, v in form.items())
    body = body.replace("PLACEHOLDER", sent)
    from engine.service.missions import list_missions

    before = len(list_missions(world.service))
    answer = client.post("/admin/missions/new", content=body.encode(), headers={
        "content-type": "application/x-www-form-urlencoded"})
    assert answer.status_code in (400, 422), answer.status_code
    assert "U+" in answer.text
    assert len(list_missions(world.service)) == before
    # The hashtag of an action, too.
    token = csrf_of(client, "/admin/actions")
    refused = client.post("/admin/actions", content=(
        f"platform=tiktok&hashtag=ab{sent}&csrf_token={quote(token)}").encode(),
        headers={"content-type": "application/x-www-form-urlencoded"})
    assert refused.status_code == 422 and "U+" in refused.text


@pytest.mark.parametrize("path", [
    "/api/v1/tokens/1%20", "/api/v1/tokens/%201", "/api/v1/tokens/+1", "/api/v1/tokens/%D9%A1"])
def test_path_ids_are_ascii_digits_only(api: Api, path: str) -> None:
    """Finding 9: ``1 ``, `` 1`` and ``+1`` all named token 1 (pydantic's lax int)."""
    answer = api.client.delete(path, headers=api.admin)
    assert answer.status_code == 422, answer.text[:200]
    tokens = api.get("/api/v1/tokens").json()
    assert all(token["revoked_at"] is None for token in tokens)


@pytest.mark.parametrize("method,url", [
    ("POST", "/api/v1/missions/%201/publish"), ("GET", "/api/v1/claims/+1"),
    ("GET", "/api/v1/claims?mission=1%20"), ("GET", "/api/v1/claims?limit=+1"),
    ("GET", "/api/v1/report?mission=%2B1"), ("GET", "/api/v1/missions?limit=%201"),
    ("POST", "/api/v1/webhook/deliveries/1%20/resend"), ("GET", "/admin/missions/+1"),
])
def test_query_and_path_integers_are_strict(api: Api, method: str, url: str) -> None:
    answer = api.client.request(method, url, headers=api.admin)
    assert answer.status_code == 422, (url, answer.status_code, answer.text[:200])
    good = api.client.request(method, url.replace("%201", "1").replace("1%20", "1")
                              .replace("+1", "1").replace("%2B1", "1"), headers=api.admin)
    assert good.status_code != 422 or "/admin/" in url, (url, good.text[:200])


@pytest.mark.parametrize("url", [
    "/api/v1/report?member=%ED%A0%80", "/api/v1/report?member=%FF",
    "/api/v1/claims?member=%FF", "/api/v1/claims?member=%20ana",
    "/api/v1/balances?cursor=%FF", "/api/v1/balances?cursor=%00",
    "/api/v1/members/%FF/balance",
])
def test_member_ids_in_queries_follow_the_rule(api: Api, url: str) -> None:
    """Finding 10: ``%FF`` decodes to U+FFFD and was taken as a member id."""
    answer = api.client.get(url, headers=api.admin)
    assert answer.status_code == 422, (url, answer.status_code, answer.text[:200])
    assert "member id" in answer.json()["message"]


@pytest.mark.parametrize("member", ["%FF", "%ED%A0%80"])
def test_revoking_links_of_a_junk_member_id_is_refused(api: Api, member: str) -> None:
    from engine.storage.models import Base

    tables = {table.name: table for table in Base.metadata.sorted_tables}
    revocations = [table for name, table in tables.items() if "revocation" in name]
    before = [count(api, table) for table in revocations]
    answer = api.client.delete(f"/api/v1/members/{member}/member-links",
                               headers=api.integrator)
    assert answer.status_code == 422 and "U+FFFD" in answer.json()["message"]
    assert [count(api, table) for table in revocations] == before


@pytest.mark.parametrize("query,known", [("verdict=%00", "hashtag_missing"),
                                         ("verdict=nosuch", "counted"),
                                         ("platform=nosuch", "instagram")])
def test_report_filters_name_the_known_values(api: Api, query: str, known: str) -> None:
    answer = api.get(f"/api/v1/report?{query}")
    assert answer.status_code == 422 and known in answer.json()["message"], answer.text[:300]
    assert api.get("/api/v1/report?verdict=counted&platform=instagram").status_code == 200


def test_a_chunked_json_body_to_a_form_route_gets_413(world: World) -> None:
    """A JSON body to the member page's form route was never read, so never counted: 413."""
    from fastapi.testclient import TestClient

    from engine.web.app import create_app

    from .pages_helpers import member_url

    def chunks() -> Iterator[bytes]:
        yield b'{"platform": "'
        for _ in range(2048):
            yield b"x" * 1024
        yield b'"}'

    client = TestClient(create_app(world.service), follow_redirects=False)
    answer = client.post(member_url(world, "ana") + "/claim", content=chunks(),
                         headers={"content-type": "application/json"})
    assert answer.status_code == 413
    small = client.post(member_url(world, "ana") + "/claim", content=iter([b"{}"]),
                        headers={"content-type": "application/json"})
    # Under the limit: the route's own answer (no platform in the form: its refused notice).
    assert small.status_code == 303 and "notice=refused" in small.headers["location"]


def test_favicon_is_an_empty_answer_not_a_404(api: Api) -> None:
    answer = api.client.get("/favicon.ico")
    assert answer.status_code == 204 and answer.content == b""


def test_webhook_errors_mask_only_the_userinfo() -> None:
    from engine.service.webhook_targets import redact_text

    url = "https://u:secret-password@hooks.example.org/in"
    text = redact_text(f"Connection refused by {url} (u:secret-password@hooks)", url)
    assert "Connection refused" in text and "secret-password" not in text
    assert "***@hooks.example.org/in" in text and "u:" not in text
    short = redact_text("Connection refused for user u", "https://u:p@h.example/x")
    assert short == "Connection refused for user u"


def test_a_body_nested_too_deeply_is_a_validation_error(api: Api) -> None:
    """json.loads gives up on 100,000 nested arrays with a RecursionError, which FastAPI
    answers with a bare 400 "http_error"; the API answers it as any unreadable body."""
    answer = api.client.post("/api/v1/missions", content=b"[" * 3000, headers={
        **api.admin, "content-type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "validation_error"
    assert "nested too deeply" in answer.json()["message"]


@pytest.mark.parametrize(("body", "words"), [
    (b'{"title": "\xff"}', "not valid UTF-8 (byte 0xFF at offset 11)"),
    (b'{"points": ' + b"9" * 5000 + b"}", "more than 4300 digits"),
    (b'{"title": "x"', "not valid JSON at character 13 (Expecting ',' delimiter)"),
    (b"", "the request body is empty"),
])
def test_an_unreadable_body_says_why(tmp_path: Path, body: bytes, words: str) -> None:
    """Each way a body cannot be read is named: bytes that are not UTF-8, a number Python
    will not read, a syntax error and where, no body at all (the default body limit)."""
    with sqlite_api(tmp_path) as api:
        answer = api.client.post("/api/v1/missions", content=body, headers={
            **api.admin, "content-type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "validation_error"
    assert words in answer.json()["message"] and "send" in answer.json()["message"]


@pytest.mark.parametrize(("body", "field"), [
    ({"recurring": True, "goal_posts": 3}, "goal_posts"),
    ({"recurring": False}, "recurring: true"),
    ({"goal_posts": 2, "cap": "1/day"}, "a cap (cap"),
])
def test_a_mission_s_rule_names_the_api_field(api: Api, body: dict[str, object],
                                               field: str) -> None:
    """The rules shared with the command line name the API's field, not only a CLI flag."""
    answer = api.post("/api/v1/missions", json={"title": "x", "action_ids": [1], "points": 1,
                                                **body})
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_input"
    assert field in answer.json()["message"]


@pytest.mark.parametrize(("field", "value", "words"), [
    ("start", 1700000000, 'an instant is ISO 8601 text, such as "2025-06-01T00:00:00Z", not a '
                          "number"),
    ("start", True, "not a boolean"),
    ("start", "1700000000", "not a number ('1700000000' would be read as seconds since 1970)"),
    ("end", "2025", "not a number ('2025' would be read as seconds"),
    ("title", "x" * 300, "body.title: the text has 300 characters, more than 200"),
])
def test_strict_instants_and_lengths_in_characters(api: Api, field: str, value: object,
                                                   words: str) -> None:
    """An instant is ISO 8601 text, never a number of seconds read silently; a text's length
    is said in characters."""
    body = {"title": "x", "action_ids": [1], "points": 1, "recurring": True, field: value}
    answer = api.post("/api/v1/missions", json=body)
    assert answer.status_code == 422 and words in answer.json()["message"], answer.text


@pytest.mark.parametrize("title", ["\u200b", " \u2060 ", "\u00a0"])
def test_a_title_that_does_not_show_is_refused(api: Api, title: str) -> None:
    answer = api.post("/api/v1/missions", json={"title": title, "action_ids": [1],
                                                "points": 1, "recurring": True})
    assert answer.status_code == 400 and "a mission needs a title" in answer.json()["message"]
