"""Shared test set-up: cassette replay settings, the shared fixtures folder, engines, and a
check at the end of the run that the tests left nothing behind (see :func:`leftovers`)."""

from __future__ import annotations

import os
import tempfile
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


# What a test run may add at the checkout's root: tool caches, screenshots of browser tests.
ROOT_ALLOWED = frozenset({".hypothesis", ".pytest_cache", ".mypy_cache", ".ruff_cache",
                          "__pycache__", "test-artifacts", ".venv", ".coverage"})
TEMPORARY_PREFIX = "social-missions-"
_BEFORE: dict[str, frozenset[str]] = {}
_LEFTOVERS = pytest.StashKey[list[str]]()


def _temporary_folders() -> frozenset[str]:
    """The ``social-missions-*`` entries of the temporary folder (``$TMPDIR`` or /tmp)."""
    base = Path(tempfile.gettempdir())
    return frozenset(str(p) for p in base.glob(f"{TEMPORARY_PREFIX}*"))


def _root_entries() -> frozenset[str]:
    return frozenset(p.name for p in ROOT.iterdir())


def _open_elsewhere(folders: set[str]) -> set[str]:
    """The folders of ``folders`` that a running process still uses (an open file or its
    working folder inside, read from /proc): another test run or a demo server started by
    hand, not a leftover of this run. Empty where /proc cannot be read."""
    used: set[str] = set()
    proc = Path("/proc")
    if not proc.is_dir():
        return used
    for pid in proc.iterdir():
        if not pid.name.isdigit() or pid.name == str(os.getpid()):
            continue
        try:
            targets = [os.readlink(pid / "cwd")]
            targets += [os.readlink(fd) for fd in (pid / "fd").iterdir()]
        except OSError:  # gone, or not ours to read
            continue
        for target in targets:
            for folder in folders:
                if target == folder or target.startswith(folder + os.sep):
                    used.add(folder)
    return used


def leftovers() -> list[str]:
    """What the run left since it started: ``social-missions-*`` temporary folders no running
    process still uses, and new entries at the checkout's root (``missions.sqlite3``,
    ``data/``, ``social-missions.toml``…) other than :data:`ROOT_ALLOWED`."""
    if not _BEFORE:
        return []
    folders = set(_temporary_folders() - _BEFORE["tmp"])
    folders -= _open_elsewhere(folders)
    root = _root_entries() - _BEFORE["root"] - ROOT_ALLOWED
    return sorted(folders) + sorted(str(ROOT / name) for name in root)


def pytest_sessionstart(session: pytest.Session) -> None:
    _BEFORE["tmp"] = _temporary_folders()
    _BEFORE["root"] = _root_entries()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run (exit status 1) when it left temporary folders or files in the checkout;
    :func:`pytest_terminal_summary` names them."""
    found = leftovers()
    session.config.stash[_LEFTOVERS] = found
    if found and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    found = config.stash.get(_LEFTOVERS, [])
    if found:
        terminalreporter.section("left behind by the tests", red=True)
        for path in found:
            terminalreporter.line(f"{path}  (a test must remove it: use tmp_path)")
