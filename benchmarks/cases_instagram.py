"""Instagram cases for ``benchmarks.bench_checks``: a 12-post check through each backend."""

from __future__ import annotations

from pathlib import Path

from benchmarks.bench_checks import Case

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes" / "instagram"

CASES = [
    Case(label="instagram web (12 posts)", platform="instagram", backend="web",
         handle="lea.voyage", cassette=CASSETTES / "web" / "public.yaml", hashtag="summer2025"),
]

CASES.append(
    Case(label="instagram instaloader (12 posts)", platform="instagram", backend="instaloader",
         handle="lea.voyage", cassette=CASSETTES / "instaloader" / "public.yaml",
         hashtag="summer2025", via="vcr"),
)
