"""Instagram cases for ``benchmarks.bench_checks``: a 12-post check through each backend.

``graph-api`` reads a fake token from ``BENCH_GRAPH_TOKEN`` (set here when absent: the
cassette never holds one); ``browser`` replays HAR files in the system Chromium (wall time,
browser start included), logged out (web_profile_info) and logged in (GraphQL timeline).
"""

from __future__ import annotations

import os
from pathlib import Path

from benchmarks.bench_checks import Case
from scripts.cassettes.build_instagram_graph_api import IG_USER_ID

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes" / "instagram"
os.environ.setdefault("BENCH_GRAPH_TOKEN", "bench-token")
GRAPH = {"graph-api": {"access_token_env": "BENCH_GRAPH_TOKEN", "ig_user_id": IG_USER_ID}}

CASES = [
    Case(label="instagram web (12 posts)", platform="instagram", backend="web",
         handle="lea.voyage", cassette=CASSETTES / "web" / "public.yaml", hashtag="summer2025"),
    Case(label="instagram graph-api (12 posts)", platform="instagram", backend="graph-api",
         handle="lea.voyage", cassette=CASSETTES / "graph-api" / "public.yaml",
         hashtag="summer2025", settings=GRAPH),
    Case(label="instagram instaloader (12 posts)", platform="instagram", backend="instaloader",
         handle="lea.voyage", cassette=CASSETTES / "instaloader" / "public.yaml",
         hashtag="summer2025", via="vcr"),
    Case(label="instagram browser web_profile_info (HAR)", platform="instagram",
         backend="browser", handle="lea.voyage", cassette=CASSETTES / "browser" / "public.har",
         hashtag="summer2025", via="har"),
    Case(label="instagram browser timeline (HAR)", platform="instagram", backend="browser",
         handle="lea.voyage", cassette=CASSETTES / "browser" / "timeline.har",
         hashtag="summer2025", via="har"),
]
