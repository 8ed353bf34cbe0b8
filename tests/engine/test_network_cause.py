"""A network failure (DNS, refused connection, timeout) is ``unavailable`` with cause
``network`` on every HTTP backend: never "rate limit or login wall", never "no posts"."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from engine.cache import MemoryCache
from engine.config import config_from_mapping
from engine.core import Engine
from engine.models import AccountStatus, UnavailableCause

FAILURES = {
    "dns": httpx.ConnectError("[Errno -2] Name or service not known"),
    "refused": httpx.ConnectError("[Errno 111] Connection refused"),
    "timeout": httpx.ReadTimeout("The read operation timed out"),
}
BACKENDS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("instagram", "web", "lea.voyage", {}),
    ("tiktok", "web", "mila.moves", {}),
    ("youtube", "rss", "@terra.trails", {}),
    ("youtube", "data-api", "@terra.trails", {"api_key": "test-key-not-a-secret"}),
]


@pytest.mark.parametrize("failure", sorted(FAILURES))
@pytest.mark.parametrize(("platform", "backend", "handle", "options"), BACKENDS)
def test_network_failure_is_unavailable_network(platform: str, backend: str, handle: str,
                                                options: dict[str, Any], failure: str) -> None:
    calls: list[httpx.URL] = []

    def fail(request: httpx.Request) -> httpx.Response:
        calls.append(request.url)
        raise FAILURES[failure]

    config = config_from_mapping({"http": {"retries": 1, "backoff": 0},
                                  "platforms": {platform: {"backends": [backend],
                                                           backend: options}}})
    engine = Engine(config, cache=MemoryCache(), replaying=True,
                    transport=httpx.MockTransport(fail))
    snapshot = engine.snapshot(engine.account(platform, handle))
    assert snapshot.status is AccountStatus.UNAVAILABLE, snapshot.detail
    assert snapshot.cause is UnavailableCause.NETWORK
    assert snapshot.attempts[0].outcome == "unavailable"
    # The request and its one retry; a timeout is not retried (engine.http).
    assert len(calls) == (1 if failure == "timeout" else 2)
    assert "network error" in snapshot.detail
