"""The backend contract over every Instagram backend, from cassettes/instagram/<backend>/."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.testing.contract import BackendContract

CASSETTES = Path(__file__).resolve().parents[3] / "cassettes" / "instagram"
CASE_FILES = {"public": "public", "private": "private", "not_found": "not_found",
              "unavailable": "rate_limited", "layout_changed": "unknown_shape",
              "held_back": "held_back"}


@pytest.fixture(params=["web", "instaloader"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class TestInstagramContract(BackendContract):
    platform = "instagram"
    handles = {"public": "lea.voyage", "private": "secret.garden", "not_found": "nobody.here.404",
               "unavailable": "lea.voyage", "layout_changed": "lea.voyage",
               "held_back": "lea.voyage"}
    max_requests = {"web": 1, "instaloader": 20}

    def cassette(self, backend: str, case: str) -> Path:
        return CASSETTES / backend / f"{CASE_FILES[case]}.yaml"
