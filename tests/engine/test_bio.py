"""The account's bio, read from the answer a check already fetches (R11: ownership codes), and
what reading it costs when a warm cache would skip the page that carries it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.cache import MemoryCache
from engine.config import config_from_mapping
from engine.core import Engine
from engine.testing.contract import replay_snapshot

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
KEY: dict[str, Any] = {"api_key": "test-key-not-a-secret"}


def engine_for(platform: str, backend: str, options: dict[str, Any] | None = None) -> Engine:
    table: dict[str, Any] = {"backends": [backend], backend: options or {}}
    return Engine(config_from_mapping({"platforms": {platform: table}}), cache=MemoryCache(),
                  replaying=True)


@pytest.mark.parametrize(("platform", "backend", "handle", "cassette", "bio", "requests"), [
    ("instagram", "web", "lea.voyage", "instagram/web/public.yaml", "Voyages & cafés ☕", 1),
    ("instagram", "web", "secret.garden", "instagram/web/private.yaml", "Voyages & cafés ☕", 1),
    ("instagram", "instaloader", "lea.voyage", "instagram/instaloader/public.yaml",
     "Voyages & cafés ☕", 15),
    ("tiktok", "web", "mila.moves", "tiktok/web/public.yaml", "Dance, travel, coffee ☕", 2),
    ("tiktok", "yt-dlp", "mila.moves", "tiktok/yt-dlp/public.yaml", "Dance, travel, coffee ☕", 2),
    ("youtube", "rss", "@terra.trails", "youtube/rss/public.yaml",
     "The official Terra Trails channel", 2),
    ("youtube", "data-api", "@terra.trails", "youtube/data-api/public.yaml",
     "The official Terra Trails channel", 2),
])
def test_the_bio_comes_with_the_answer(platform: str, backend: str, handle: str, cassette: str,
                                       bio: str, requests: int) -> None:
    engine = engine_for(platform, backend, KEY if backend == "data-api" else None)
    snapshot = replay_snapshot(platform, handle, backend, CASSETTES / cassette, engine=engine)
    assert snapshot.bio == bio
    assert snapshot.requests == requests  # no request added to read it


def test_tiktok_warm_check_reads_the_page_only_when_the_bio_is_wanted() -> None:
    engine = engine_for("tiktok", "web")
    path = CASSETTES / "tiktok" / "web" / "public.yaml"
    cold = replay_snapshot("tiktok", "mila.moves", "web", path, engine=engine)
    warm = replay_snapshot("tiktok", "mila.moves", "web", path, engine=engine)
    wanted = replay_snapshot("tiktok", "mila.moves", "web", path, engine=engine, want_bio=True)
    assert (cold.requests, warm.requests, wanted.requests) == (2, 1, 2)
    assert (warm.bio, wanted.bio) == (None, "Dance, travel, coffee ☕")


def test_youtube_warm_check_reads_the_channel_page_only_when_the_bio_is_wanted() -> None:
    engine = engine_for("youtube", "rss")
    path = CASSETTES / "youtube" / "rss" / "public.yaml"
    replay_snapshot("youtube", "@terra.trails", "rss", path, engine=engine)
    warm = replay_snapshot("youtube", "@terra.trails", "rss", path, engine=engine)
    wanted = replay_snapshot("youtube", "@terra.trails", "rss", path, engine=engine,
                             want_bio=True)
    assert (warm.requests, warm.bio) == (1, None)
    assert (wanted.requests, wanted.bio) == (2, "The official Terra Trails channel")
