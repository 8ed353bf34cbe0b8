"""Build the missions service's cassettes under cassettes/service/ (Instagram, real shapes).

Run from the repository root: ``python -m scripts.cassettes.build_service``. The accounts are
made for the service tests: ``ana.summer`` (matching posts on several days and weeks, a near
miss, an old post), ``bob.summer`` (one matching post), ``carla.private``, ``dan.limited``
(HTTP 429), ``eve.layout`` (an answer in an unknown shape) and ``fay.heldback`` (an answer that
says 30 posts and carries none).
"""

from __future__ import annotations

from pathlib import Path

from engine.testing.cassettes import Exchange, write_cassette
from scripts.cassettes.build_instagram import DAY, URL, node, profile

ROOT = Path(__file__).resolve().parents[2] / "cassettes" / "service"
NOW = 1_750_000_000  # 2025-06-15T15:06:40Z, a Sunday
HOUR = 3600

ANA = [
    node("AnaMatch01", "GraphImage", NOW - DAY, "Plage #summer2025",               # Sat 14
         likes=250, comments=12),
    node("AnaMatch02", "GraphImage", NOW - DAY - HOUR, "Encore #summer2025 !"),    # Sat 14
    node("AnaMatch03", "GraphSidecar", NOW - 2 * DAY, "Carrousel #Summer2025"),    # Fri 13
    node("AnaNear004", "GraphImage", NOW - 3 * DAY, "Presque #sumer2025"),
    node("AnaNone005", "GraphImage", NOW - 4 * DAY, "Ski #winter"),
    node("AnaMatch06", "GraphVideo", NOW - 8 * DAY, "Reel #summer2025",            # Sat 7
         product_type="clips", views=9_800),
    node("AnaOld0007", "GraphImage", NOW - 40 * DAY, "Vieux #summer2025"),         # May 6
]
BOB = [node("BobMatch01", "GraphImage", NOW - 2 * DAY, "Hello #summer2025")]


def build() -> None:
    write_cassette(ROOT / "accounts.yaml", [
        Exchange(URL.format("ana.summer"), body=profile("ana.summer", ANA)),
        Exchange(URL.format("bob.summer"), body=profile("bob.summer", BOB)),
        Exchange(URL.format("carla.private"),
                 body=profile("carla.private", [], private=True, count=12)),
        Exchange(URL.format("dan.limited"), status=429,
                 body={"message": "Please wait a few minutes before you try again.",
                       "require_login": True, "status": "fail"}),
        Exchange(URL.format("eve.layout"),
                 body={"data": {"xdt_user_profile": {"handle": "eve.layout"}}, "status": "ok"}),
        Exchange(URL.format("fay.heldback"), body=profile("fay.heldback", [], count=30)),
    ])


if __name__ == "__main__":
    build()
