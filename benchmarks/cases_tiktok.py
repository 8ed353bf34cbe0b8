"""TikTok cases for ``benchmarks.bench_checks``: a 10-video check through each backend.

``web`` runs cold (page + item_list) and warm (secUid cached: item_list only), plus the legacy
page; ``yt-dlp`` replays its own requests through VCR (it keeps no cache, so warm costs what
cold does); ``browser`` replays a HAR in the system Chromium and reports wall time per check,
browser start included (at most 10 checks, each one launches Chromium).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from benchmarks.bench_checks import Case
from engine.cache import MemoryCache
from engine.config import config_from_mapping
from engine.core import Engine
from plugins.tiktok.browser import TikTokBrowser

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes" / "tiktok"
HANDLE = "mila.moves"
BROWSER_RUNS = 10


def measure_browser(repeat: int) -> tuple[float, float]:
    """Median wall seconds and mean requests per browser check over a HAR replay."""
    config = config_from_mapping({"platforms": {"tiktok": {"backends": ["browser"], "browser": {
        "har": str(CASSETTES / "browser" / "public.har")}}}})
    reason = TikTokBrowser.unavailable_reason(config.platform("tiktok"))
    if reason:
        raise SystemExit(f"tiktok browser case: {reason}")
    engine = Engine(config, cache=MemoryCache())
    account = engine.account("tiktok", HANDLE)
    timings: list[float] = []
    requests: list[int] = []
    for _ in range(min(repeat, BROWSER_RUNS)):
        started = time.perf_counter()
        outcome = engine.check(account, "summer")
        timings.append(time.perf_counter() - started)
        requests.append(outcome.snapshot.requests)
    engine.close()
    return statistics.median(timings), statistics.mean(requests)


CASES = [
    Case(label="tiktok web cold (10 videos)", platform="tiktok", backend="web", handle=HANDLE,
         cassette=CASSETTES / "web" / "public.yaml", hashtag="summer"),
    Case(label="tiktok web warm (secUid cached)", platform="tiktok", backend="web",
         handle=HANDLE, cassette=CASSETTES / "web" / "public.yaml", hashtag="summer", warm=True),
    Case(label="tiktok web legacy SIGI_STATE (3 videos)", platform="tiktok", backend="web",
         handle="old.school", cassette=CASSETTES / "web" / "legacy.yaml", hashtag="summer"),
    Case(label="tiktok yt-dlp cold (10 videos)", platform="tiktok", backend="yt-dlp",
         handle=HANDLE, cassette=CASSETTES / "yt-dlp" / "public.yaml", hashtag="summer",
         via="vcr"),
    Case(label="tiktok yt-dlp warm (no cache of its own)", platform="tiktok", backend="yt-dlp",
         handle=HANDLE, cassette=CASSETTES / "yt-dlp" / "public.yaml", hashtag="summer",
         via="vcr", warm=True),
    Case(label="tiktok browser (HAR replay, Chromium)", platform="tiktok", backend="browser",
         handle=HANDLE, cassette=CASSETTES / "browser" / "public.har", hashtag="summer",
         measure=measure_browser, wall_clock=True),
]
