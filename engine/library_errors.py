"""Reading third-party libraries' exceptions (yt-dlp, instaloader, requests, urllib).

Backends that drive a library translate its exceptions into :mod:`engine.errors` at their own
boundary; these helpers find what is behind a wrapped exception: a cassette miss, an HTTP
status, a network failure. Nothing here imports the libraries themselves. A status found
behind an exception gets its cause from :func:`engine.status_signals.status_cause`, the same
table every plugin's :class:`~engine.status_signals.StatusSignals` starts from.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .replay import find_cassette_miss
from .status_signals import status_cause

__all__ = ["cassette_miss_in", "error_chain", "http_status", "network_failure", "status_cause"]

# Words of the libraries' (yt-dlp's, urllib's, requests') messages when the network failed before any
# platform answered.
_NETWORK_MARKERS = ("timed out", "timeout", "name or service not known", "nodename nor servname",
                    "temporary failure in name resolution", "getaddrinfo failed",
                    "connection refused", "connection reset", "network is unreachable",
                    "no route to host", "failed to establish a new connection")


def error_chain(error: BaseException) -> Iterator[BaseException]:
    """``error`` and every exception behind it: causes, ``exc_info``, a handler's own errors."""
    seen: set[int] = set()
    stack: list[Any] = [error]
    while stack:
        current = stack.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        exc_info = getattr(current, "exc_info", None)
        stack.extend([getattr(current, "cause", None), current.__cause__, current.__context__,
                      exc_info[1] if isinstance(exc_info, tuple) and len(exc_info) > 1 else None,
                      *(getattr(current, "unexpected_errors", None) or ())])


def cassette_miss_in(error: BaseException) -> Exception | None:
    """The :class:`~engine.errors.CassetteMiss` anywhere behind ``error``, or None."""
    for current in error_chain(error):
        miss = find_cassette_miss(current)
        if miss is not None:
            return miss
    return None


def http_status(error: BaseException) -> int | None:
    """The HTTP status behind a library error (yt-dlp's ``HTTPError``, wrapped in ``cause`` and
    ``exc_info``), or None."""
    for current in error_chain(error):
        status = getattr(current, "status", None)
        if isinstance(status, int) and type(current).__name__ == "HTTPError":
            return status
    return None


def network_failure(error: BaseException) -> bool:
    """True when the network failed before the platform answered (DNS, connect, timeout)."""
    if http_status(error) is not None:
        return False
    for current in error_chain(error):
        if isinstance(current, TimeoutError | ConnectionError) or type(current).__name__ in (
                "TransportError", "ConnectionError", "URLError", "SSLError", "ProxyError"):
            return True
        if any(marker in str(current).lower() for marker in _NETWORK_MARKERS):
            return True
    return False
