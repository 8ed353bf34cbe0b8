"""The example third-party plugin (examples/bluesky-plugin), loaded through its entry point.

These tests need the package installed (``scripts/test`` installs every ``examples/*`` package;
by hand: ``pip install -e examples/bluesky-plugin``). They check what the issue asks of a
third-party plugin: it shows up in ``social-missions backends``, a check through it works from
its cassette, it honours the backend contract, operators can switch it off, and ``engine/``
never names it.
"""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path

import httpx
import pytest

from engine.cache import MemoryCache
from engine.cli import main
from engine.config import config_from_mapping
from engine.core import Engine
from engine.errors import AccountNotFound, InvalidHandle, LayoutChanged, PlatformUnavailable
from engine.models import AccountStatus
from engine.plugin_manager import ENTRY_POINT_GROUP
from engine.testing.contract import BackendContract, replay_snapshot

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "bluesky-plugin"
CASSETTES = EXAMPLE / "cassettes"

if not any(ep.name == "bluesky" for ep in entry_points(group=ENTRY_POINT_GROUP)):
    pytest.skip(
        "the example plugin social-missions-bluesky is not installed "
        "(pip install -e examples/bluesky-plugin, as scripts/test does)",
        allow_module_level=True,
    )

from social_missions_bluesky.api import read_answer  # noqa: E402  (needs the package)

# What each post of cassettes/public.yaml must get for #summer2025 since 2025-06-01.
EXPECTED_VERDICTS = {
    "3kpin0ld2024": "before_window",  # pinned, old: listed first
    "3lrmatch0001": "matched",
    "3lrmatch0002": "matched",
    "3lrvideo0004": "matched",
    "3lrnear00005": "hashtag_near_miss",
    "3lrtags00006": "matched",  # the tag is only in record.tags
    "3lrlink00007": "hashtag_missing",
    "3lrquote0008": "hashtag_missing",
    "3lrempty0009": "hashtag_missing",
    "3lrnofac0010": "matched",  # no facets: read from the text
    "3lrother0011": "hashtag_missing",
}


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


# -- discovery and operator switches ---------------------------------------------------------


def test_it_appears_in_backends(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(capsys, "backends")
    assert code == 0
    assert "bluesky (limit 15; order: api)" in out
    assert "api" in out and "getAuthorFeed" in out


def test_it_appears_in_backends_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(capsys, "backends", "--json")
    rows = [row for row in json.loads(out) if row["platform"] == "bluesky"]
    assert code == 0
    assert [(r["backend"], r["available"], r["position"]) for r in rows] == [("api", True, 1)]


def test_disabling_autoload_removes_it(monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SOCIAL_MISSIONS_DISABLE_PLUGIN_AUTOLOAD", "1")
    code, out = run_cli(capsys, "backends")
    assert code == 0
    assert "instagram" in out
    assert "bluesky" not in out


def test_blocking_it_by_name_removes_it(monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SOCIAL_MISSIONS_BLOCK_PLUGINS", "bluesky")
    code, out = run_cli(capsys, "backends")
    assert code == 0
    assert "instagram" in out
    assert "bluesky" not in out


@pytest.mark.parametrize("table", ['block = ["bluesky"]', "autoload = false"])
def test_the_configuration_can_switch_it_off(table: str, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "social-missions.toml"
    config.write_text(f"[plugins]\n{table}\n", encoding="utf-8")
    code, out = run_cli(capsys, "backends", "--config", str(config))
    assert code == 0
    assert "bluesky" not in out


def test_a_check_of_a_blocked_plugin_names_the_known_platforms(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOCIAL_MISSIONS_BLOCK_PLUGINS", "bluesky")
    code = main(["check", "bluesky", "lea.bsky.social", "--hashtag", "summer2025",
                 "--cassette", str(CASSETTES / "public.yaml")])
    assert code == 2
    assert "unknown platform 'bluesky'" in capsys.readouterr().err


def test_nothing_in_engine_names_it() -> None:
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "engine").rglob("*")
                 if path.is_file() and path.suffix != ".pyc"
                 and "bluesky" in path.read_text(encoding="utf-8", errors="replace").lower()]
    assert offenders == []


# -- a check through it ----------------------------------------------------------------------


def test_a_check_works_from_its_cassette(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(capsys, "check", "bluesky", "https://bsky.app/profile/Lea.bsky.social",
                        "--hashtag", "Summer2025", "--since", "2025-06-01",
                        "--cassette", str(CASSETTES / "public.yaml"), "--json")
    result = json.loads(out)
    assert code == 0
    assert (result["platform"], result["handle"], result["backend"]) == (
        "bluesky", "lea.bsky.social", "api")
    assert result["status"] == "ok" and result["public"] is True
    assert result["requests"] == 1
    assert {post["id"]: post["verdict"] for post in result["posts"]} == EXPECTED_VERDICTS
    published = [post["published_at"] for post in result["posts"]]
    assert published == sorted(published, reverse=True)  # newest first, the old pin last
    assert result["matched"] == 5
    # The repost of someone else's post carries the tag but is not the member's post.
    assert all(post["id"] != "3lrrepost003" for post in result["posts"])


def test_posts_carry_urls_kinds_dates_and_hashtags() -> None:
    snapshot = replay_snapshot("bluesky", "lea.bsky.social", "api", CASSETTES / "public.yaml")
    posts = {post.id: post for post in snapshot.posts}
    first = posts["3lrmatch0001"]
    assert first.url == "https://bsky.app/profile/lea.bsky.social/post/3lrmatch0001"
    assert first.published_at.isoformat() == "2025-06-14T15:06:40+00:00"
    assert first.hashtags == ("summer2025", "plage")
    assert snapshot.posts[-1].pinned and not any(p.pinned for p in snapshot.posts[:-1])
    kinds = {post_id: post.kind.value if post.kind else None for post_id, post in posts.items()}
    assert kinds["3lrmatch0001"] == "image"
    assert kinds["3lrmatch0002"] == "carousel"
    assert kinds["3lrvideo0004"] == "video"
    assert kinds["3lrquote0008"] == "video"  # a quote with a video shows the video
    assert kinds["3lrlink00007"] is None  # text with a link card
    assert kinds["3lrnofac0010"] is None
    assert posts["3lrtags00006"].hashtags == ("summer2025",)


def test_the_default_limit_is_asked_for_and_reposts_are_left_out() -> None:
    engine = Engine(config_from_mapping({}), cache=MemoryCache(), replaying=True)
    assert engine.limit("bluesky") == 15
    # The cassette answers limit=15 only: any other request would be a cassette miss.
    snapshot = replay_snapshot("bluesky", "lea.bsky.social", "api", CASSETTES / "public.yaml")
    assert len(snapshot.posts) == 11  # 12 feed items, one of them a repost


def test_it_is_registered_under_its_entry_point_name() -> None:
    from engine.plugin_manager import get_plugin_manager

    manager = get_plugin_manager()
    plugin = manager.get_plugin("bluesky")
    assert plugin is not None
    assert [p.name for p in plugin.social_missions_platforms()] == ["bluesky"]


@pytest.mark.parametrize("raw", ["lea.bsky.social", "@Lea.Bsky.Social",
                                 "bsky.app/profile/lea.bsky.social",
                                 "https://bsky.app/profile/LEA.bsky.social/"])
def test_handles_are_normalised(raw: str) -> None:
    engine = Engine(config_from_mapping({}), cache=MemoryCache())
    assert engine.account("bluesky", raw).handle == "lea.bsky.social"


@pytest.mark.parametrize("raw", ["lea", "lea_voyage.bsky.social", "-lea.bsky.social",
                                 "lea.bsky.123", "https://bsky.app/profile/"])
def test_bad_handles_are_refused(raw: str) -> None:
    engine = Engine(config_from_mapping({}), cache=MemoryCache())
    with pytest.raises(InvalidHandle, match="domain name"):
        engine.account("bluesky", raw)


def test_a_bad_handle_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "bluesky", "not a handle", "--hashtag", "summer2025"]) == 2
    assert "not a valid bluesky handle" in capsys.readouterr().err


def test_post_urls_give_the_record_key() -> None:
    platform = Engine(config_from_mapping({}), cache=MemoryCache()).platform("bluesky")
    assert platform.post_id_from_url(
        "https://bsky.app/profile/lea.bsky.social/post/3lrmatch0001") == "3lrmatch0001"
    assert platform.post_url("3lrmatch0001", "lea.bsky.social") == (
        "https://bsky.app/profile/lea.bsky.social/post/3lrmatch0001")


# -- answers the platform gives --------------------------------------------------------------


@pytest.mark.parametrize(("status", "body", "error"), [
    (400, {"error": "InvalidRequest", "message": "Profile not found"}, AccountNotFound),
    (400, {"error": "AccountTakedown", "message": "Account has been suspended"}, AccountNotFound),
    (400, {"error": "BlockedActor"}, PlatformUnavailable),
    (401, {"error": "AuthMissing", "message": "Authentication Required"}, PlatformUnavailable),
    (429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, PlatformUnavailable),
    (502, "<html>Bad Gateway</html>", PlatformUnavailable),
    (400, {"error": "InvalidRequest", "message": "Error: limit must be <= 100"}, LayoutChanged),
    (200, "<html>maintenance</html>", LayoutChanged),
])
def test_answers_map_to_statuses(status: int, body: object, error: type[Exception]) -> None:
    content = json.dumps(body) if not isinstance(body, str) else body
    with pytest.raises(error):
        read_answer(httpx.Response(status, text=content))


# -- the reusable contract suite -------------------------------------------------------------


@pytest.fixture(params=["api"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


CASES = {"public": "public.yaml", "not_found": "not_found.yaml",
         "unavailable": "rate_limited.yaml", "layout_changed": "unknown_shape.yaml",
         "empty": "empty_account.yaml", "held_back": "held_back.yaml"}


class TestBlueskyContract(BackendContract):
    platform = "bluesky"
    handles = {"public": "lea.bsky.social", "not_found": "nobody-here.bsky.social",
               "unavailable": "lea.bsky.social", "layout_changed": "lea.bsky.social",
               "empty": "brand-new.bsky.social", "held_back": "lea.bsky.social"}
    max_requests = {"api": 1}

    def cassette(self, backend: str, case: str) -> Path:
        return CASSETTES / CASES[case]

    def test_private_account(self, backend: str) -> None:
        # Bluesky has no private accounts: every post of an existing account is public.
        # The contract's private case becomes its Bluesky counterpart: an account that
        # exists, even one with no post at all, reads as public and never as private.
        snapshot = self.replay(backend, "empty")
        assert snapshot.status is AccountStatus.OK, snapshot.detail
        assert snapshot.public is True
        assert snapshot.posts == ()
        assert snapshot.requests == 1
