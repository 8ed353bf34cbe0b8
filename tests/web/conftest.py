"""Fixtures of the web tests: a world (service, tokens, members; see pages_helpers) and the
system Chromium for the browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser_helpers import CHROMIUM, CHROMIUM_ARGS
from .pages_helpers import World, build_world


@pytest.fixture
def browser() -> Iterator[Any]:
    """Chromium launched by Playwright (the test skips when it is not installed)."""
    if not CHROMIUM.exists():
        pytest.skip("the system Chromium (/usr/bin/chromium, Debian package `chromium`) is "
                    "not installed")
    from playwright.sync_api import expect, sync_playwright

    # Generous waits: the machine may be busy with other test runs (two cores).
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """A service on SQLite with missions, members and tokens (:func:`build_world`), closed
    after the test."""
    built = build_world(tmp_path)
    yield built
    built.service.engine.close()
    built.service.close()
