"""The Graph API (or a gateway) echoing the access token in its answer: the token appears in
no output, log, budget pause or recorded cassette (engine.redaction). The server is in-process
and echoes the token it received in the error message, in a header and in the body."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from engine.cli import main
from engine.errors import PlatformUnavailable
from engine.redaction import MASK, backend_secrets, redact, remember
from scripts.cassettes.build_instagram_graph_api import IG_USER_ID, graph_error

from .local_server import QuietHandler, serving

TOKEN = "EAAGm0PX4ZCpsBAFAKE-echoed-token-9876543210"
ENV = "SM_TEST_ECHOED_GRAPH_TOKEN"


class _EchoingServer(QuietHandler):
    """Answers every request with error 190 quoting the token it was sent (as some gateways
    and old Graph API versions do), the token again in a header."""

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        token = parse_qs(urlsplit(self.path).query).get("access_token", [""])[0]
        body = json.dumps(graph_error(
            f"Error validating access token: Session has expired. token={token}", 190,
            463)).encode()
        self.answer(400, body, {"X-Debug-Request": f"access_token={token}"})


@pytest.fixture
def echoing_server() -> Iterator[str]:
    with serving(_EchoingServer) as url:
        yield url


def test_an_echoed_token_is_in_no_output_log_pause_or_cassette(
        echoing_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv(ENV, TOKEN)
    config = tmp_path / "config.toml"
    config.write_text(f'[cache]\npath = "{tmp_path / "cache.sqlite3"}"\n'
                      f'[platforms.instagram.graph-api]\naccess_token_env = "{ENV}"\n'
                      f'ig_user_id = "{IG_USER_ID}"\napi_base = "{echoing_server}"\n',
                      encoding="utf-8")
    recorded = tmp_path / "recorded.yaml"
    caplog.set_level(logging.DEBUG)
    main(["-vv", "check", "instagram", "lea.voyage", "--hashtag", "summer2025",
          "--backend", "graph-api", "--config", str(config), "--cassette", str(recorded),
          "--record", "--json"])
    out, err = capsys.readouterr()
    result = json.loads(out)
    assert result["status"] == "unavailable"
    assert "token=" + MASK in json.dumps(result)  # the message stays, the token does not
    assert TOKEN not in out + err + caplog.text
    cassette_text = recorded.read_text(encoding="utf-8")
    assert "Error validating access token" in cassette_text and "x-debug-request" in cassette_text.lower()
    assert TOKEN not in cassette_text
    budget = tmp_path / "budget.sqlite3"
    with sqlite3.connect(budget) as connection:  # the refused token paused the backend
        rows = connection.execute("SELECT detail FROM budget_pauses").fetchall()
    assert rows and "token=" + MASK in rows[0][0] and TOKEN not in repr(rows)


def test_secrets_are_found_from_how_backends_declare_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.config_schema import Option

    monkeypatch.setenv("SM_TEST_DEFAULT_TOKEN", "default-env-token-123")
    monkeypatch.setenv("SM_TEST_NAMED_KEY", "named-env-key-456")
    cookies = tmp_path / "cookies.json"
    cookies.write_text(json.dumps([{"name": "sessionid", "value": "cookie-session-789",
                                    "domain": ".instagram.com"}]), encoding="utf-8")
    declared = {"access_token_env": Option("string", "SM_TEST_DEFAULT_TOKEN"),
                "api_key_env": Option("string"), "api_key": Option("string"),
                "base_url": Option("URL")}
    found = backend_secrets({"api_key_env": "SM_TEST_NAMED_KEY", "api_key": "inline-key-0001",
                             "base_url": "https://example.com/long-enough"}, declared, cookies)
    assert set(found) == {"default-env-token-123", "named-env-key-456", "inline-key-0001",
                          "cookie-session-789"}
    remember([*found, "short", None])
    assert redact("a=default-env-token-123 b=cookie-session-789 c=short") == (
        f"a={MASK} b={MASK} c=short")
    assert PlatformUnavailable("echo inline-key-0001", cause="network").detail == f"echo {MASK}"


def test_an_echoed_token_is_in_no_claim_check_or_api_answer(
        echoing_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    from sqlalchemy import text

    from engine.cache import MemoryCache
    from engine.config import config_from_mapping
    from engine.core import Engine
    from engine.service.claims import create_claim
    from engine.service.runtime import work
    from tests.web.api_helpers import Clock, api_for, build_service, database_setup, seed_mission

    monkeypatch.setenv(ENV, TOKEN)
    caplog.set_level(logging.DEBUG)
    engine_config = config_from_mapping({"platforms": {"instagram": {
        "backends": ["graph-api"], "graph-api": {
            "access_token_env": ENV, "ig_user_id": IG_USER_ID, "api_base": echoing_server}}}})
    with database_setup("sqlite", tmp_path) as urls:
        service = build_service(urls, Clock())
        service.engine.close()
        service.engine = Engine(engine_config, cache=MemoryCache())
        try:
            with api_for(service) as api:
                mission = seed_mission(api)
                assert api.put("/api/v1/members/lea/accounts/instagram", as_admin=False,
                               json={"handle": "lea.voyage"}).status_code == 200
                claim = create_claim(service, "lea", mission["id"], "instagram")
                work(service, once=True, threads=1)
                answer = api.get(f"/api/v1/claims/{claim.claim_id}", as_admin=False).text
            with service.db.transaction() as session:
                rows = [[tuple(row) for row in session.execute(text(f"SELECT * FROM {table}"))]
                        for table in ("claims", "checks")]
        finally:
            service.engine.close()
            service.close()
    assert "token=" + MASK in answer and TOKEN not in answer
    assert "token=" + MASK in repr(rows) and TOKEN not in repr(rows)
    assert TOKEN not in caplog.text
