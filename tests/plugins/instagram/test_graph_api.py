"""Instagram's ``graph-api`` backend: business discovery in one request, from cassettes in the
Graph API's real answer shapes (scripts/cassettes/build_instagram_graph_api.py); the access
token never shows in output, logs or cassettes."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.cache import MemoryCache
from engine.cli import main
from engine.config import config_from_mapping
from engine.core import Engine
from engine.models import AccountStatus, AttemptOutcome, PostKind, UnavailableCause
from engine.replay import cassette
from plugins.instagram.graph_api import InstagramGraphApi
from scripts.cassettes.build_instagram import PUBLIC_NODES
from scripts.cassettes.build_instagram_graph_api import IG_USER_ID, discovery

from .local_server import QuietHandler, serving

CASSETTES = Path(__file__).resolve().parents[3] / "cassettes" / "instagram"
TOKEN = "EAAGm0PX4ZCpsBAFAKE-token-never-shown-0123456789"
ENV = "SM_TEST_GRAPH_TOKEN"
OPTIONS = {"access_token_env": ENV, "ig_user_id": IG_USER_ID}


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(ENV, TOKEN)
    return TOKEN


def graph(case: str, handle: str = "lea.voyage", *, backends: tuple[str, ...] = ("graph-api",)
          ) -> Any:
    """Replay ``graph-api/<case>.yaml`` through ``backends``, in that order."""
    engine = Engine(config_from_mapping({"platforms": {"instagram": {
        "backends": list(backends), "graph-api": OPTIONS}}}), cache=MemoryCache(),
        replaying=True)
    with cassette(CASSETTES / "graph-api" / f"{case}.yaml", record=False):
        return engine.snapshot(engine.account("instagram", handle))


def test_professional_account_in_one_request() -> None:
    snapshot = graph("public")
    assert snapshot.status is AccountStatus.OK and snapshot.backend == "graph-api"
    assert snapshot.requests == 1 and snapshot.public is True
    assert len(snapshot.posts) == 12
    first = snapshot.posts[0]
    assert first.id == "DMatch0001a" and first.url == "https://www.instagram.com/p/DMatch0001a/"
    assert first.published_at.isoformat() == "2025-06-14T15:06:40+00:00"
    assert first.hashtags == ("summer2025", "plage")
    assert (first.likes, first.comments, first.views) == (120, 3, None)
    kinds = {post.id: post.kind for post in snapshot.posts}
    assert kinds["DReel000003"] is PostKind.REEL and kinds["DMatch0002b"] is PostKind.CAROUSEL
    assert kinds["DVideo00007"] is PostKind.VIDEO and kinds["DEmpty00008"] is PostKind.IMAGE
    assert snapshot.bio == "Voyages & cafés ☕"


def test_account_out_of_reach_goes_to_the_next_backend() -> None:
    snapshot = graph("out_of_reach_then_web", "secret.garden", backends=("graph-api", "web"))
    assert snapshot.status is AccountStatus.PRIVATE and snapshot.backend == "web"
    first = snapshot.attempts[0]
    assert first.backend == "graph-api" and first.outcome == AttemptOutcome.SKIPPED
    assert first.requests == 1 and "professional" in first.detail


def test_account_out_of_reach_alone_is_never_not_found() -> None:
    snapshot = graph("out_of_reach", "secret.garden")
    assert snapshot.status is AccountStatus.UNAVAILABLE
    assert snapshot.cause is UnavailableCause.BACKEND_ERROR
    assert "cannot see" in snapshot.detail


@pytest.mark.parametrize(("case", "cause", "words"), [
    ("rate_limited", UnavailableCause.RATE_LIMITED, "17: (#17)"),
    ("quota", UnavailableCause.QUOTA, "4: (#4)"),
    ("expired_token", UnavailableCause.LOGIN_WALL, "expired"),
])
def test_refusals_are_unavailable_in_one_request(case: str, cause: UnavailableCause,
                                                 words: str) -> None:
    snapshot = graph(case)
    assert snapshot.status is AccountStatus.UNAVAILABLE and snapshot.cause is cause
    assert snapshot.requests == 1 and words in snapshot.detail


def test_expired_token_tells_the_operator_what_to_do() -> None:
    detail = graph("expired_token").detail
    assert "new long-lived token" in detail and "access_token_env" in detail
    assert TOKEN not in detail


def test_unknown_shape_is_layout_changed() -> None:
    snapshot = graph("unknown_shape")
    assert snapshot.status is AccountStatus.LAYOUT_CHANGED
    assert "media.data" in snapshot.detail


def test_empty_professional_account() -> None:
    snapshot = graph("empty_account", "brand.new")
    assert snapshot.status is AccountStatus.OK and snapshot.posts == ()


@pytest.mark.parametrize(("options", "env", "words"), [
    ({}, False, "INSTAGRAM_GRAPH_TOKEN"),
    ({"access_token_env": ENV}, True, "ig_user_id"),
    ({"access_token_env": ENV, "ig_user_id": "me"}, True, "digits"),
    ({**OPTIONS, "version": "25"}, True, "v25.0"),
])
def test_availability_names_what_is_missing(monkeypatch: pytest.MonkeyPatch,
                                            options: dict[str, Any], env: bool,
                                            words: str) -> None:
    if not env:
        monkeypatch.delenv("INSTAGRAM_GRAPH_TOKEN", raising=False)
    settings = config_from_mapping({"platforms": {"instagram": {"graph-api": options}}})
    reason = InstagramGraphApi.unavailable_reason(settings.platform("instagram"))
    assert reason is not None and words in reason
    assert InstagramGraphApi.unavailable_reason(config_from_mapping({"platforms": {
        "instagram": {"graph-api": OPTIONS}}}).platform("instagram")) is None


def test_cli_check_never_prints_or_logs_the_token(capsys: pytest.CaptureFixture[str],
                                                  caplog: pytest.LogCaptureFixture,
                                                  tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[platforms.instagram.graph-api]\naccess_token_env = "{ENV}"\n'
                      f'ig_user_id = "{IG_USER_ID}"\n', encoding="utf-8")
    caplog.set_level(logging.DEBUG)
    status = main(["-v", "check", "instagram", "lea.voyage", "--hashtag", "summer2025",
                   "--since", "2025-06-01", "--backend", "graph-api", "--config", str(config),
                   "--cassette", str(CASSETTES / "graph-api" / "public.yaml"), "--json"])
    out, err = capsys.readouterr()
    assert status == 0
    result = json.loads(out)
    assert result["backend"] == "graph-api" and result["requests"] == 1
    assert result["matched"] == 3
    assert TOKEN not in out + err + caplog.text
    for path in (CASSETTES / "graph-api").glob("*.yaml"):
        assert "access_token" not in path.read_text(encoding="utf-8")


class _GraphServer(QuietHandler):
    """A local stand-in for graph.facebook.com answering one business discovery."""

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.answer(200, json.dumps(discovery("lea.voyage", PUBLIC_NODES[:3])).encode())


@pytest.fixture
def graph_server() -> Iterator[str]:
    with serving(_GraphServer) as url:
        yield url


def test_a_recorded_cassette_holds_no_token(graph_server: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str],
                                            caplog: pytest.LogCaptureFixture) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[platforms.instagram.graph-api]\naccess_token_env = "{ENV}"\n'
                      f'ig_user_id = "{IG_USER_ID}"\napi_base = "{graph_server}"\n',
                      encoding="utf-8")
    recorded = tmp_path / "recorded.yaml"
    caplog.set_level(logging.DEBUG)
    status = main(["-v", "check", "instagram", "lea.voyage", "--hashtag", "summer2025",
                   "--backend", "graph-api", "--config", str(config), "--cassette",
                   str(recorded), "--record", "--json"])
    out, err = capsys.readouterr()
    assert status == 0 and json.loads(out)["status"] == "ok"
    text = recorded.read_text(encoding="utf-8")
    assert "business_discovery" in text
    assert TOKEN not in text and "access_token" not in text
    assert TOKEN not in out + err + caplog.text
