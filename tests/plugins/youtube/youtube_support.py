"""Helpers for the YouTube tests: cassette paths and an engine with a given cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.cache import Cache, MemoryCache
from engine.config import config_from_mapping
from engine.core import Engine

CASSETTES = Path(__file__).resolve().parents[3] / "cassettes" / "youtube"
# Not a real key: the Data API cassettes are recorded without any key.
TEST_KEY = "test-key-not-a-secret"
DATA_API_SETTINGS: dict[str, Any] = {"data-api": {"api_key": TEST_KEY}}


def youtube_engine(backend: str = "rss", cache: Cache | None = None,
                   settings: dict[str, Any] | None = None) -> Engine:
    table: dict[str, Any] = {"backends": [backend], **(settings or {})}
    return Engine(config_from_mapping({"platforms": {"youtube": table}}),
                  cache=cache if cache is not None else MemoryCache(), replaying=True)
