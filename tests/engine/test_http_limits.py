"""The HTTP layer's bounds on one check: a timeout is not retried (one slow server costs one
timeout, not three) while a connection failure still is; an answer body over
``MAX_BODY_BYTES`` is read no further and is ``layout_changed``."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from engine.errors import LayoutChanged, PlatformUnavailable
from engine.http import MAX_BODY_BYTES

from .test_http import Counter, layer


@pytest.mark.parametrize("slow", [httpx.ReadTimeout, httpx.ConnectTimeout])
def test_a_timeout_is_not_retried(slow: type[httpx.TimeoutException]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise slow("timed out", request=request)

    http, slept = layer(handler, retries=2)
    counter = Counter()
    with pytest.raises(PlatformUnavailable) as raised:
        http.request("GET", "https://graph.example.test/v23.0/1", counter=counter)
    assert raised.value.cause == "network" and slow.__name__ in raised.value.detail
    assert counter.requests == 1 and slept == []


def test_a_connection_failure_is_still_retried() -> None:
    failures = [httpx.ConnectError("refused")]

    def handler(request: httpx.Request) -> httpx.Response:
        if failures:
            raise failures.pop()
        return httpx.Response(200, json={})

    http, _ = layer(handler, retries=2)
    counter = Counter()
    assert http.request("GET", "https://example.test/", counter=counter).status_code == 200
    assert counter.requests == 2


def _chunks(total: int) -> Iterator[bytes]:
    block = b"A" * (1024 * 1024)
    for _ in range(total // len(block)):
        yield block


@pytest.mark.parametrize("length_known", [True, False])
def test_an_answer_over_the_cap_is_layout_changed(length_known: bool) -> None:
    size = MAX_BODY_BYTES + 1024 * 1024

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Length": str(size)} if length_known else {}
        return httpx.Response(200, headers=headers, content=_chunks(size))

    http, _ = layer(handler)
    with pytest.raises(LayoutChanged, match="larger than 10 MiB"):
        http.request("GET", "https://graph.example.test/v23.0/1", counter=Counter())


def test_an_answer_under_the_cap_is_read_whole() -> None:
    body = b'{"ok": "' + b"x" * (MAX_BODY_BYTES - 100) + b'"}'
    http, _ = layer(lambda request: httpx.Response(200, content=body))
    answer = http.request("GET", "https://example.test/", counter=Counter())
    assert answer.content == body and answer.json()["ok"].startswith("xxx")
