"""Shared test set-up: cassette replay settings, the shared fixtures folder, engines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.replay import register_matchers, vcr_settings

ROOT = Path(__file__).resolve().parents[1]
CASSETTES = ROOT / "cassettes"
SHARED_FIXTURES = ROOT.parent / "shared" / "fixtures"

# Every platform's per-request parameters, ignored when matching requests to a cassette.
VOLATILE_QUERY_PARAMS = ("cursor", "device_id", "verifyFp", "msToken", "X-Bogus", "X-Gnarly",
                         "_signature", "WebIdLastTime")


def pytest_recording_configure(config: Any, vcr: Any) -> None:
    register_matchers(vcr, VOLATILE_QUERY_PARAMS)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    # Never a record_mode here: it would override --record-mode=none from the command line.
    return vcr_settings(VOLATILE_QUERY_PARAMS)


@pytest.fixture
def shared_fixtures() -> Path:
    """``../shared/fixtures`` beside the checkout; the test skips when it is absent."""
    if not SHARED_FIXTURES.is_dir():
        pytest.skip(f"shared fixtures not found at {SHARED_FIXTURES}")
    return SHARED_FIXTURES


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's configuration or cache."""
    monkeypatch.delenv("SOCIAL_MISSIONS_CONFIG", raising=False)
    monkeypatch.delenv("SOCIAL_MISSIONS_SECRET_KEY", raising=False)  # keys beside each database
    monkeypatch.setenv("SOCIAL_MISSIONS_CACHE", str(tmp_path / "cache.sqlite3"))
    monkeypatch.chdir(tmp_path)
