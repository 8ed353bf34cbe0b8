"""YouTube cases for ``benchmarks.bench_checks``: a 15-video check through each backend, cold
and warm.

``rss`` warm reuses the cached channel id (1 request instead of 2); ``data-api`` and ``yt-dlp``
cache nothing, so their warm and cold figures are the same by design. yt-dlp has its own HTTP
stack and is replayed through VCR.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.bench_checks import Case

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes" / "youtube"
# Not a real key: the Data API cassettes hold no key and replay ignores it.
DATA_API = {"data-api": {"api_key": "benchmark-key-not-a-secret"}}

CASES = [
    Case(label="youtube rss cold (15 videos)", platform="youtube", backend="rss",
         handle="terra.trails", cassette=CASSETTES / "rss" / "public.yaml", hashtag="summer2025"),
    Case(label="youtube rss warm (15 videos)", platform="youtube", backend="rss",
         handle="terra.trails", cassette=CASSETTES / "rss" / "public.yaml", hashtag="summer2025",
         warm=True),
    Case(label="youtube rss by channel id (15 videos)", platform="youtube", backend="rss",
         handle="UCt3rRaTr41lsQx8Lm2vNp7A", cassette=CASSETTES / "rss" / "channel_id.yaml",
         hashtag="summer2025"),
    Case(label="youtube data-api cold (15 videos)", platform="youtube", backend="data-api",
         handle="terra.trails", cassette=CASSETTES / "data-api" / "public.yaml",
         hashtag="summer2025", settings=DATA_API),
    Case(label="youtube data-api warm (15 videos)", platform="youtube", backend="data-api",
         handle="terra.trails", cassette=CASSETTES / "data-api" / "public.yaml",
         hashtag="summer2025", settings=DATA_API, warm=True),
    Case(label="youtube yt-dlp cold (15 videos, Videos + Shorts)", platform="youtube", backend="yt-dlp",
         handle="terra.trails", cassette=CASSETTES / "yt-dlp" / "public.yaml",
         hashtag="summer2025", via="vcr"),
    Case(label="youtube yt-dlp warm (15 videos, Videos + Shorts)", platform="youtube", backend="yt-dlp",
         handle="terra.trails", cassette=CASSETTES / "yt-dlp" / "public.yaml",
         hashtag="summer2025", via="vcr", warm=True),
]
