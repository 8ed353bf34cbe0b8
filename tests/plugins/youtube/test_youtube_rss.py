"""The ``rss`` backend: requests per check with a cold and a warm cache, and its statuses."""

from __future__ import annotations

from pathlib import Path

from youtube_support import CASSETTES, youtube_engine

from engine.cache import MemoryCache, SQLiteCache
from engine.models import AccountStatus, Snapshot
from engine.replay import cassette

RSS = CASSETTES / "rss"
TRAILS_ID = "UCt3rRaTr41lsQx8Lm2vNp7A"
CACHE_KEY = "youtube:channel-id:terra.trails"


def _check(name: str, handle: str, cache: MemoryCache | SQLiteCache) -> Snapshot:
    engine = youtube_engine("rss", cache)
    try:
        with cassette(RSS / f"{name}.yaml", record=False):
            return engine.snapshot(engine.account("youtube", handle))
    finally:
        engine.close()


def test_cold_check_costs_two_requests_and_warm_one() -> None:
    cache = MemoryCache()
    cold = _check("public", "@terra.trails", cache)
    assert (cold.status, cold.requests, len(cold.posts)) == (AccountStatus.OK, 2, 15)
    assert cache.get(CACHE_KEY) == TRAILS_ID
    warm = _check("public", "https://www.youtube.com/@Terra.Trails/videos", cache)
    assert (warm.status, warm.requests) == (AccountStatus.OK, 1)
    assert warm.posts == cold.posts


def test_warm_cache_survives_the_process(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    first = SQLiteCache(path)
    assert _check("public", "terra.trails", first).requests == 2
    first.close()
    second = SQLiteCache(path)
    assert _check("public", "terra.trails", second).requests == 1
    second.close()


def test_channel_id_costs_one_request_always() -> None:
    cache = MemoryCache()
    for _ in range(2):
        snapshot = _check("channel_id", TRAILS_ID, cache)
        assert (snapshot.status, snapshot.requests) == (AccountStatus.OK, 1)
    assert snapshot.posts[0].id == "tT1match0Aa"


def test_feed_404_after_a_good_lookup_is_unavailable_never_not_found() -> None:
    snapshot = _check("feed_404", "terra.trails", MemoryCache())
    assert snapshot.status is AccountStatus.UNAVAILABLE
    assert "404" in snapshot.detail
    assert snapshot.requests == 2


def test_feed_404_with_a_cached_id_checks_the_handle_and_keeps_the_cache() -> None:
    cache = MemoryCache()
    cache.set(CACHE_KEY, TRAILS_ID, 3600)
    snapshot = _check("feed_404", "terra.trails", cache)
    assert snapshot.status is AccountStatus.UNAVAILABLE
    assert snapshot.requests == 2  # the feed, then the handle page again
    assert cache.get(CACHE_KEY) == TRAILS_ID


def test_feed_404_with_a_cached_id_follows_a_moved_handle() -> None:
    cache = MemoryCache()
    cache.set(CACHE_KEY, TRAILS_ID, 3600)
    snapshot = _check("handle_moved", "terra.trails", cache)
    assert snapshot.status is AccountStatus.OK, snapshot.detail
    assert snapshot.requests == 3
    assert cache.get(CACHE_KEY) == "UCn3wTerraTrailsChannel1"


def test_feed_500_is_unavailable() -> None:
    snapshot = _check("feed_500", "terra.trails", MemoryCache())
    assert snapshot.status is AccountStatus.UNAVAILABLE
    assert "500" in snapshot.detail


def test_unknown_handle_is_not_found_and_not_cached() -> None:
    cache = MemoryCache()
    snapshot = _check("not_found", "@no.such.channel.404", cache)
    assert (snapshot.status, snapshot.requests) == (AccountStatus.NOT_FOUND, 1)
    assert cache.get("youtube:channel-id:no.such.channel.404") is None


def test_channel_id_whose_channel_is_gone_is_not_found() -> None:
    snapshot = _check("channel_id_gone", "UCg0neGoneGoneGoneGone00", MemoryCache())
    assert snapshot.status is AccountStatus.NOT_FOUND, snapshot.detail
    assert snapshot.requests == 2


def test_rate_limited_handle_page_is_unavailable() -> None:
    snapshot = _check("rate_limited", "terra.trails", MemoryCache())
    assert snapshot.status is AccountStatus.UNAVAILABLE
    assert "429" in snapshot.detail


def test_channel_page_without_an_id_is_layout_changed() -> None:
    snapshot = _check("page_unknown_shape", "terra.trails", MemoryCache())
    assert snapshot.status is AccountStatus.LAYOUT_CHANGED
    assert "canonical" in snapshot.detail


def test_feed_in_another_format_is_layout_changed() -> None:
    snapshot = _check("unknown_shape", "terra.trails", MemoryCache())
    assert snapshot.status is AccountStatus.LAYOUT_CHANGED
    assert snapshot.posts == ()


def test_cache_lifetime_is_configurable() -> None:
    cache = MemoryCache()
    engine = youtube_engine("rss", cache, {"rss": {"id_cache_days": 0}})
    with cassette(RSS / "public.yaml", record=False):
        engine.snapshot(engine.account("youtube", "terra.trails"))
    assert cache.get(CACHE_KEY) is None  # expired at once
