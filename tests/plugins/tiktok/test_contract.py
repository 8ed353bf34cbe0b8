"""The backend contract over every TikTok backend: VCR cassettes for ``web`` and ``yt-dlp``,
HAR replays in the system Chromium for ``browser``."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.models import Snapshot
from engine.testing.contract import BackendContract

from .helpers import CASSETTES, MISSING, PRIVATE, PUBLIC, browser_snapshot

CASE_FILES = {"public": "public", "private": "private", "not_found": "not_found",
              "unavailable": "bot_challenge", "layout_changed": "unknown_shape",
              "held_back": "held_back_more"}


@pytest.fixture(params=["web", "yt-dlp", "browser"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class TestTikTokContract(BackendContract):
    platform = "tiktok"
    handles = {"public": PUBLIC, "private": PRIVATE, "not_found": MISSING,
               "unavailable": PUBLIC, "layout_changed": PUBLIC, "held_back": PUBLIC}
    max_requests = {"web": 2, "yt-dlp": 2, "browser": 2}

    def cassette(self, backend: str, case: str) -> Path:
        suffix = "har" if backend == "browser" else "yaml"
        return CASSETTES / backend / f"{CASE_FILES[case]}.{suffix}"

    def play(self, backend: str, case: str, path: Path) -> Snapshot:
        if backend != "browser":
            return super().play(backend, case, path)
        # VCR cannot see a browser's traffic: the page replays its HAR in Chromium instead.
        return browser_snapshot(self.handles[case], CASE_FILES[case])
