"""The Instagram ``instaloader`` backend, replayed from cassettes in Instagram's real formats.

The cassettes (scripts/cassettes/build_instagram_instaloader.py) answer exactly the requests
instaloader 4.16 makes logged out; these tests pin the statuses, the posts (the same verdicts as
the ``web`` backend), the requests counted, the translation of the library's exceptions and the
session file's configuration errors. instaloader never sleeps and never reaches the network here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import instaloader
import pytest

from engine.cache import MemoryCache
from engine.config import config_from_mapping
from engine.core import Engine
from engine.errors import CassetteMiss, ConfigurationError
from engine.models import AccountStatus, PostKind, Snapshot
from engine.plugin_manager import get_plugin_manager
from engine.testing.contract import replay_snapshot
from engine.verdicts import judge_snapshot
from plugins.instagram import plugin as instagram_plugin
from plugins.instagram.instaloader_backend import InstagramInstaloader

ROOT = Path(__file__).resolve().parents[3]
CASSETTES = ROOT / "cassettes" / "instagram" / "instaloader"
WEB_CASSETTES = ROOT / "cassettes" / "instagram" / "web"

# Profile page (loaded once, though instaloader asks twice), start page for the LSD token, start
# page again for the csrftoken (cookies are stripped from cassettes; asked once per check), then
# one api/graphql query per post.
PUBLIC_REQUESTS = 1 + 1 + 1 + 12


@pytest.fixture(autouse=True)
def _never_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sleep anywhere in a check (instaloader's pauses, its rate controller) fails the test."""

    def refuse(seconds: float) -> None:
        raise AssertionError(f"instaloader tried to sleep {seconds}s during a replayed check")

    monkeypatch.setattr("time.sleep", refuse)


def make_engine(backend: str, options: dict[str, Any] | None = None) -> Engine:
    """An engine with only the Instagram plugin, so other platforms cannot interfere."""
    manager = get_plugin_manager(autoload=False, builtins=False)
    manager.register(instagram_plugin, name="instagram")
    table: dict[str, Any] = {"backends": [backend]}
    if options is not None:
        table[backend] = options
    return Engine(config_from_mapping({"platforms": {"instagram": table}}),
                  plugin_manager=manager, cache=MemoryCache(), replaying=True)


def replay(name: str, handle: str = "lea.voyage", backend: str = "instaloader",
           options: dict[str, Any] | None = None) -> Snapshot:
    folder = CASSETTES if backend == "instaloader" else WEB_CASSETTES
    return replay_snapshot("instagram", handle, backend, folder / f"{name}.yaml",
                           engine=make_engine(backend, options))


def test_public_account_gives_twelve_posts_with_kinds_and_pin() -> None:
    snapshot = replay("public")
    assert snapshot.status is AccountStatus.OK, snapshot.detail
    assert snapshot.backend == "instaloader"
    assert snapshot.public is True
    kinds = {post.id: post.kind for post in snapshot.posts}
    assert len(kinds) == 12
    assert kinds["DMatch0002b"] is PostKind.CAROUSEL
    assert kinds["DReel000003"] is PostKind.REEL
    assert kinds["DVideo00007"] is PostKind.VIDEO
    assert kinds["DMatch0001a"] is PostKind.IMAGE
    assert [post.id for post in snapshot.posts if post.pinned] == ["DPin0ld2023"]
    empty = next(post for post in snapshot.posts if post.id == "DEmpty00008")
    assert empty.text == "" and empty.hashtags == ()
    assert all(post.published_at.tzinfo is not None for post in snapshot.posts)


def test_public_account_costs_the_measured_requests() -> None:
    snapshot = replay("public")
    assert snapshot.requests == PUBLIC_REQUESTS
    assert [(a.backend, a.outcome, a.requests) for a in snapshot.attempts] == [
        ("instaloader", "ok", PUBLIC_REQUESTS)]


def test_same_posts_and_verdicts_as_the_web_backend() -> None:
    via_instaloader = judge_snapshot(replay("public"), "summer2025")
    via_web = judge_snapshot(replay("public", backend="web"), "summer2025")

    def seen(outcome: Any) -> list[dict[str, Any]]:
        posts = outcome.as_json()["posts"]
        assert posts, "a public account with posts must not read as empty"
        return posts

    assert seen(via_instaloader) == seen(via_web)
    assert via_instaloader.as_json()["matched"] == via_web.as_json()["matched"] == 4


def test_limit_stops_the_post_queries() -> None:
    snapshot = replay_snapshot("instagram", "lea.voyage", "instaloader", CASSETTES / "public.yaml",
                               engine=make_engine("instaloader"), limit=3)
    # instaloader pays one query per post: it reads the first 3 listed (pinned first), and the
    # engine orders them newest first.
    assert [post.id for post in snapshot.posts] == ["DMatch0001a", "DMatch0002b", "DPin0ld2023"]
    assert snapshot.requests == 1 + 1 + 1 + 3


def test_private_account_reads_as_private_from_the_page_alone() -> None:
    snapshot = replay("private", "secret.garden")
    assert snapshot.status is AccountStatus.PRIVATE, snapshot.detail
    assert snapshot.public is False
    assert snapshot.posts == ()
    assert snapshot.requests == 1


def test_unknown_handle_is_not_found() -> None:
    snapshot = replay("not_found", "nobody.here.404")
    assert snapshot.status is AccountStatus.NOT_FOUND, snapshot.detail
    assert snapshot.requests == 1


@pytest.mark.parametrize(("name", "says"), [
    ("rate_limited", "429"),
    ("wait_a_few_minutes", "Please wait a few minutes"),
    ("login_redirect", "log in"),
])
def test_refusals_are_unavailable_never_empty(name: str, says: str) -> None:
    snapshot = replay(name)
    assert snapshot.status is AccountStatus.UNAVAILABLE, snapshot.detail
    assert says in snapshot.detail
    assert snapshot.posts == ()


@pytest.mark.parametrize(("name", "says"), [
    ("unknown_shape", "did not contain its posts"),
    ("unknown_media", "media_type"),
])
def test_unknown_shapes_are_layout_changed(name: str, says: str) -> None:
    snapshot = replay(name)
    assert snapshot.status is AccountStatus.LAYOUT_CHANGED, snapshot.detail
    assert says in snapshot.detail
    assert snapshot.posts == ()


def test_a_request_missing_from_the_cassette_is_a_cassette_miss_not_the_network() -> None:
    with pytest.raises(CassetteMiss, match="instaloader: request not in the cassette"):
        replay("public", "someone.else")


def raising(error: BaseException) -> Any:
    def from_username(context: Any, username: str) -> Any:
        raise error
    return from_username


@pytest.mark.parametrize(("error", "status", "says"), [
    (instaloader.ProfileNotExistsException("Profile x does not exist."),
     AccountStatus.NOT_FOUND, "no account"),
    (instaloader.LoginRequiredException("Redirected to login page."),
     AccountStatus.UNAVAILABLE, "log in"),
    (instaloader.PrivateProfileNotFollowedException("private"),
     AccountStatus.UNAVAILABLE, "log in"),
    (instaloader.TooManyRequestsException("429 Too Many Requests"),
     AccountStatus.UNAVAILABLE, "rate limit"),
    (instaloader.ConnectionException("401 Unauthorized"),
     AccountStatus.UNAVAILABLE, "401"),
    (instaloader.AbortDownloadException("checkpoint_required"),
     AccountStatus.UNAVAILABLE, "checkpoint_required"),
    (instaloader.BadResponseException("Fetching Post metadata failed."),
     AccountStatus.LAYOUT_CHANGED, "Fetching Post metadata failed"),
    (KeyError("xig_user_by_username"), AccountStatus.LAYOUT_CHANGED, "xig_user_by_username"),
    (TypeError("'NoneType' object is not subscriptable"), AccountStatus.LAYOUT_CHANGED,
     "NoneType"),
])
def test_library_exceptions_are_translated(monkeypatch: pytest.MonkeyPatch, error: BaseException,
                                           status: AccountStatus, says: str) -> None:
    monkeypatch.setattr(instaloader.Profile, "from_username", raising(error))
    snapshot = replay("public")
    assert snapshot.status is status, snapshot.detail
    assert says in snapshot.detail
    assert snapshot.attempts[0].outcome == status.value


def test_loader_never_sleeps_and_tries_once() -> None:
    engine = make_engine("instaloader")
    backend = InstagramInstaloader(engine.config.platform("instagram"))
    loader = backend._loader(instaloader)
    assert loader.context.sleep is False
    assert loader.context.max_connection_attempts == 1


def test_missing_session_file_names_the_fix(tmp_path: Path) -> None:
    missing = tmp_path / "session-lea"
    with pytest.raises(ConfigurationError, match="instaloader --login") as caught:
        replay("public", options={"session_file": str(missing), "username": "lea"})
    assert str(missing) in str(caught.value)


def test_session_file_without_username_names_the_fix(tmp_path: Path) -> None:
    session = tmp_path / "session-lea"
    session.write_bytes(b"")
    with pytest.raises(ConfigurationError, match="needs username"):
        replay("public", options={"session_file": str(session)})


def test_unreadable_session_file_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    session = tmp_path / "session-lea"
    session.write_bytes(b"not a pickled session")
    snapshot = replay("public", options={"session_file": str(session), "username": "lea"})
    assert snapshot.status is AccountStatus.UNAVAILABLE, snapshot.detail
    assert "session file unreadable" in snapshot.detail
    assert snapshot.requests == 0
