"""Counting the requests that libraries with their own HTTP stack make (instaloader, yt-dlp).

The engine's own HTTP layer counts as it sends. Libraries built on ``requests`` are counted by
wrapping ``requests.Session.send`` once; the count goes to the check running in the current
thread, so concurrent checks in other threads are not mixed up. Each such request first waits
for the backend's budget, as the engine's own requests do.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from .http import RequestCounter

_current = threading.local()
_installed = False
_install_lock = threading.Lock()


def _install_requests_hook() -> None:
    global _installed
    with _install_lock:
        if _installed:
            return
        import requests

        original = requests.Session.send

        def counted_send(self: Any, request: Any, **kwargs: Any) -> Any:
            counter: RequestCounter | None = getattr(_current, "counter", None)
            if counter is not None:
                counter.wait_for_budget()
                counter.count_requests()
            return original(self, request, **kwargs)

        requests.Session.send = counted_send  # type: ignore[method-assign]
        _installed = True


@contextlib.contextmanager
def counting_requests_library(counter: RequestCounter) -> Iterator[None]:
    """Count every ``requests`` call made by this thread inside the block against ``counter``."""
    _install_requests_hook()
    previous = getattr(_current, "counter", None)
    _current.counter = counter
    try:
        yield
    finally:
        _current.counter = previous
