"""The backend contract over the three YouTube backends, plus what every backend must agree on."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from youtube_support import CASSETTES, DATA_API_SETTINGS

from engine.models import AccountStatus, PostKind
from engine.testing.contract import BackendContract, replay_snapshot

BACKENDS = ["rss", "data-api", "yt-dlp"]
# The cassette that plays each contract case, per backend.
CASE_FILES = {
    "public": {"rss": "public", "data-api": "public", "yt-dlp": "public"},
    "not_found": {"rss": "not_found", "data-api": "not_found", "yt-dlp": "not_found"},
    "unavailable": {"rss": "feed_404", "data-api": "quota_exceeded", "yt-dlp": "rate_limited"},
    "layout_changed": {"rss": "unknown_shape", "data-api": "unknown_shape",
                       "yt-dlp": "unknown_shape"},
    "held_back": {"data-api": "held_back"},
}


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class TestYouTubeContract(BackendContract):
    platform = "youtube"
    handles: ClassVar[dict[str, str]] = {
        "public": "@terra.trails", "not_found": "@no.such.channel.404",
        "unavailable": "@terra.trails", "layout_changed": "@terra.trails",
        "held_back": "@terra.trails",
    }
    unsupported: ClassVar[dict[str, dict[str, str]]] = {
        "rss": {"held_back": "the Atom feed carries no upload count nor a 'more' flag: an "
                             "empty feed cannot be told from a channel without uploads"},
        "yt-dlp": {"held_back": "yt-dlp's flat Videos tab gives no upload count to compare"},
    }
    # rss: lookup + feed; data-api: channels + playlistItems; yt-dlp: two tabs + one per
    # video, and at most one more read by the merge and not kept.
    max_requests: ClassVar[dict[str, int]] = {"rss": 2, "data-api": 2, "yt-dlp": 18}
    settings: ClassVar[dict[str, dict[str, Any]]] = {"data-api": DATA_API_SETTINGS}

    def cassette(self, backend: str, case: str) -> Path:
        return CASSETTES / backend / f"{CASE_FILES[case].get(backend, case)}.yaml"

    def test_private_account(self, backend: str) -> None:
        # YouTube channels are public by nature: no backend ever reports "private".
        snapshot = self.replay(backend, "public")
        assert snapshot.status is AccountStatus.OK
        assert snapshot.public is True


def _replay(backend: str, name: str, handle: str):  # type: ignore[no-untyped-def]
    settings = DATA_API_SETTINGS if backend == "data-api" else None
    return replay_snapshot("youtube", handle, backend, CASSETTES / backend / f"{name}.yaml",
                           settings=settings)


@pytest.mark.parametrize("backend", BACKENDS)
def test_check_by_channel_id(backend: str) -> None:
    snapshot = _replay(backend, "channel_id", "UCt3rRaTr41lsQx8Lm2vNp7A")
    assert snapshot.status is AccountStatus.OK, snapshot.detail
    assert snapshot.account.handle == "UCt3rRaTr41lsQx8Lm2vNp7A"
    assert snapshot.posts[0].id == "tT1match0Aa"
    expected = {"rss": 1, "data-api": 2, "yt-dlp": 17}[backend]
    assert snapshot.requests == expected


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_post_is_a_video_with_a_watch_url(backend: str) -> None:
    snapshot = _replay(backend, "public", "terra.trails")
    for post in snapshot.posts:
        assert post.kind is PostKind.VIDEO
        assert post.url == f"https://www.youtube.com/watch?v={post.id}"
    assert [p.published_at for p in snapshot.posts] == sorted(
        (p.published_at for p in snapshot.posts), reverse=True)


def test_backends_agree_on_the_public_channel() -> None:
    rss = _replay("rss", "public", "terra.trails")
    api = _replay("data-api", "public", "terra.trails")
    ytdlp = _replay("yt-dlp", "public", "terra.trails")
    as_tuples = [[(p.id, p.published_at, p.hashtags) for p in s.posts] for s in (rss, api)]
    assert as_tuples[0] == as_tuples[1]
    assert len(rss.posts) == 15
    # yt-dlp merges the Videos and Shorts tabs: the same 15 posts as the feed.
    assert [(p.id, p.published_at, p.hashtags) for p in ytdlp.posts] == as_tuples[0]
    assert ytdlp.requests == 2 + len(ytdlp.posts)


@pytest.mark.parametrize("backend", ["rss", "data-api"])
def test_shorts_heavy_channel(backend: str) -> None:
    snapshot = _replay(backend, "shorts", "@Quick.Cuts")
    assert snapshot.status is AccountStatus.OK, snapshot.detail
    assert len(snapshot.posts) == 15
    assert sum("shorts" in post.hashtags for post in snapshot.posts) == 13
    assert all(post.url.startswith("https://www.youtube.com/watch?v=") for post in snapshot.posts)


def test_ytdlp_reads_the_shorts_tab_of_a_shorts_heavy_channel() -> None:
    snapshot = _replay("yt-dlp", "shorts", "quick.cuts")
    assert snapshot.status is AccountStatus.OK, snapshot.detail
    assert [post.id for post in snapshot.posts] == [
        post.id for post in _replay("rss", "shorts", "@Quick.Cuts").posts]
    assert sum("shorts" in post.hashtags for post in snapshot.posts) == 13
    assert snapshot.requests == 2 + 15


def test_data_api_bad_key_is_unavailable_with_a_clear_detail() -> None:
    snapshot = _replay("data-api", "bad_key", "terra.trails")
    assert snapshot.status is AccountStatus.UNAVAILABLE
    assert "API key" in snapshot.detail and "api_key" in snapshot.detail
    assert "test-key" not in snapshot.detail


def test_data_api_quota_detail_names_the_quota() -> None:
    snapshot = _replay("data-api", "quota_exceeded", "terra.trails")
    assert snapshot.status is AccountStatus.UNAVAILABLE
    assert "quota" in snapshot.detail and "quotaExceeded" in snapshot.detail


def test_data_api_without_key_is_skipped_with_a_reason() -> None:
    snapshot = replay_snapshot("youtube", "terra.trails", "data-api",
                               CASSETTES / "data-api" / "public.yaml")
    assert snapshot.status is AccountStatus.UNAVAILABLE
    assert snapshot.requests == 0
    assert snapshot.attempts[0].outcome == "skipped"
    assert "api_key" in snapshot.detail


def test_data_api_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YOUTUBE_KEY_FOR_TEST", "from-env")
    snapshot = replay_snapshot("youtube", "terra.trails", "data-api",
                               CASSETTES / "data-api" / "public.yaml",
                               settings={"data-api": {"api_key_env": "YOUTUBE_KEY_FOR_TEST"}})
    assert snapshot.status is AccountStatus.OK, snapshot.detail


def test_no_cassette_holds_a_key() -> None:
    for path in CASSETTES.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert "key=" not in text, path
        assert "AIza" not in text, path


def test_ytdlp_skips_a_video_turned_private_after_listing() -> None:
    snapshot = _replay("yt-dlp", "private_video", "terra.trails")
    assert snapshot.status is AccountStatus.OK, snapshot.detail
    assert [post.id for post in snapshot.posts] == ["tT1match0Aa", "tT3nearMsCc"]
    assert snapshot.requests == 5  # two tabs, three watch pages


def test_ytdlp_uses_only_transports_that_replay_can_see() -> None:

    from engine.backends import CheckSession
    from engine.cache import MemoryCache
    from engine.core import Engine
    from engine.ytdlp_support import counting_downloader

    engine = Engine()
    platform = engine.platform("youtube")
    backend = platform.backend("yt-dlp")(engine.config.platform("youtube"))
    session = CheckSession(backend=backend, http=engine.http("youtube"), cache=MemoryCache(),
                           limit=15)
    with counting_downloader(backend._params(session), session) as ydl:
        assert set(ydl._request_director.handlers) <= {"Requests", "Urllib"}
