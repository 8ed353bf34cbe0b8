"""TikTok cases for ``benchmarks.bench_checks``: a 10-video check through each backend.

``web`` runs cold (page + item_list) and warm (secUid cached: item_list only), plus the legacy
page; ``yt-dlp`` replays its own requests through VCR (it keeps no cache, so warm costs what
cold does); ``browser`` replays a HAR in the system Chromium and reports wall time per check,
browser start included (at most 10 checks, each one launches Chromium).
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.bench_checks import Case

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes" / "tiktok"
HANDLE = "mila.moves"

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
    Case(label="tiktok yt-dlp legacy SIGI_STATE (3 videos)", platform="tiktok",
         backend="yt-dlp", handle="old.school", cassette=CASSETTES / "yt-dlp" / "legacy.yaml",
         hashtag="summer", via="vcr"),
    Case(label="tiktok browser (HAR replay, Chromium)", platform="tiktok", backend="browser",
         handle=HANDLE, cassette=CASSETTES / "browser" / "public.har", hashtag="summer",
         via="har"),
]
