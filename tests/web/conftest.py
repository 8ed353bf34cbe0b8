"""Fixtures of the web tests: the system Chromium for the browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .browser_helpers import CHROMIUM, CHROMIUM_ARGS


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
