"""Shared helpers of the TikTok tests: cassette paths and a browser replay of a HAR file."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cache import MemoryCache
from engine.config import config_from_mapping
from engine.core import Engine
from engine.models import Snapshot
from plugins.tiktok.browser import TikTokBrowser
from plugins.tiktok.constants import DEFAULT_CHROMIUM

CASSETTES = Path(__file__).resolve().parents[3] / "cassettes" / "tiktok"
PUBLIC, PRIVATE, MISSING, LEGACY = "mila.moves", "secret.garden", "nobody.here.404", "old.school"


def require_chromium() -> None:
    """Skip, naming the reason, where the system Chromium is not installed (CI has it)."""
    reason = TikTokBrowser.unavailable_reason(config_from_mapping({}).platform("tiktok"))
    if reason:
        pytest.skip(f"browser backend cannot run here: {reason}")


def browser_snapshot(handle: str, har: str, *, limit: int | None = None) -> Snapshot:
    """One check through the browser backend, replaying ``cassettes/tiktok/browser/<har>.har``."""
    require_chromium()
    options = {"har": str(CASSETTES / "browser" / f"{har}.har"), "item_list_wait": 10,
               "executable_path": DEFAULT_CHROMIUM}
    engine = Engine(config_from_mapping({"platforms": {"tiktok": {"backends": ["browser"],
                                                                  "browser": options}}}),
                    cache=MemoryCache())
    try:
        return engine.snapshot(engine.account("tiktok", handle), limit=limit)
    finally:
        engine.close()


def video(number: int) -> str:
    """The id of the public account's ``number``-th video, as the cassette builder gives it."""
    return str(7_500_000_000_000_000_000 + number * 1_000_003)
