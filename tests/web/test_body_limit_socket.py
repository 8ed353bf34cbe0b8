"""The 413 reaches a client that is still sending a large body, over a real socket.

Through the test client a too-large body always gets its 413; through uvicorn, answering while
the client still writes 10 MB and then closing reset the connection, and httpx reported a
broken connection instead (a new-user session saw it). The server now reads and drops the body
(bounded) before it answers.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from engine.web.app import create_app
from engine.web.tokens import create_token

from .api_helpers import Clock, build_service, database_setup
from .browser_helpers import Server

LIMIT = 4096
TEN_MB = 10 * 1_048_576


@pytest.fixture
def base(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The server's URL and an admin token (without one the answer is a 401, before any
    body is looked at)."""
    with database_setup("sqlite", tmp_path) as urls:
        service = build_service(urls, Clock(), max_body=LIMIT)
        _, token = create_token(service, "admin", "tests")
        try:
            with Server(create_app(service)) as url:
                yield url, token
        finally:
            service.engine.close()
            service.close()


def test_a_10_mb_body_with_its_length_gets_the_413(base: tuple[str, str]) -> None:
    url, token = base
    answer = httpx.post(f"{url}/api/v1/missions", content=b"x" * TEN_MB, timeout=30,
                        headers={"content-type": "application/json",
                                 "authorization": f"Bearer {token}"})
    assert answer.status_code == 413
    assert answer.json()["code"] == "too_large" and "[web] max_body" in answer.json()["message"]


def test_a_10_mb_streamed_body_gets_the_413(base: tuple[str, str]) -> None:
    url, token = base

    def chunks() -> Iterator[bytes]:
        for _ in range(160):
            yield b"y" * 65536

    answer = httpx.post(f"{url}/api/v1/missions", content=chunks(), timeout=30,
                        headers={"content-type": "application/json",
                                 "authorization": f"Bearer {token}"})
    assert answer.status_code == 413 and answer.json()["code"] == "too_large"


def test_a_client_waiting_for_100_continue_gets_the_413_without_sending(
        base: tuple[str, str]) -> None:
    url, token = base
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(b"POST /api/v1/missions HTTP/1.1\r\nHost: localhost\r\n"
                           b"Content-Type: application/json\r\nContent-Length: 10485760\r\n"
                           b"Expect: 100-continue\r\n"
                           + f"Authorization: Bearer {token}\r\n\r\n".encode())
        answer = connection.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "100 Continue" not in answer
