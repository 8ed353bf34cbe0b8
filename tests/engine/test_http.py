"""The shared HTTP layer: retries, Retry-After, rate limit, counting, cookies, secrets."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.config import HttpSettings, PlatformSettings, RateLimit
from engine.errors import ConfigurationError, PlatformUnavailable
from engine.http import PlatformHttp, load_cookie_file, masked_url


class Counter:
    def __init__(self) -> None:
        self.requests = 0
        self.budget_waits = 0
        self.retry_after: float | None = None

    def count_requests(self, number: int = 1) -> None:
        self.requests += number

    def wait_for_budget(self) -> None:
        self.budget_waits += 1

    def note_retry_after(self, seconds: float) -> None:
        self.retry_after = seconds


def layer(handler, *, retries: int = 2, rate: RateLimit | None = None,
          cookies: Path | None = None) -> tuple[PlatformHttp, list[float]]:
    slept: list[float] = []
    settings = PlatformSettings(name="instagram", rate_limit=rate, cookies_file=cookies,
                                http=HttpSettings(retries=retries, backoff=0.5,
                                                  max_retry_wait=30))
    return PlatformHttp(settings, sleep=slept.append,
                        transport=httpx.MockTransport(handler)), slept


def test_5xx_is_retried_with_exponential_backoff_and_counted() -> None:
    answers = iter([503, 500, 200])
    http, slept = layer(lambda request: httpx.Response(next(answers)))
    counter = Counter()
    assert http.request("GET", "https://example.test/", counter=counter).status_code == 200
    assert counter.requests == 3
    assert slept == [0.5, 1.0]


def test_429_waits_for_a_short_retry_after_only() -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200)])
    http, slept = layer(lambda request: next(answers))
    assert http.request("GET", "https://example.test/", counter=Counter()).status_code == 200
    assert slept == [2.0]

    http, slept = layer(lambda request: httpx.Response(429))
    counter = Counter()
    assert http.request("GET", "https://example.test/", counter=counter).status_code == 429
    assert counter.requests == 1 and slept == []

    http, slept = layer(lambda request: httpx.Response(429, headers={"Retry-After": "3600"}))
    assert http.request("GET", "https://example.test/", counter=Counter()).status_code == 429
    assert slept == []


def test_network_failure_becomes_unavailable_after_retries() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    http, slept = layer(refuse, retries=1)
    counter = Counter()
    with pytest.raises(PlatformUnavailable, match="network error on example.test"):
        http.request("GET", "https://example.test/", counter=counter)
    assert counter.requests == 2 and slept == [0.5]


def test_every_attempt_waits_for_the_budget_and_retry_after_is_handed_back() -> None:
    answers = iter([httpx.Response(503), httpx.Response(429, headers={"Retry-After": "600"})])
    http, slept = layer(lambda request: next(answers))
    counter = Counter()
    assert http.request("GET", "https://example.test/", counter=counter).status_code == 429
    assert counter.budget_waits == counter.requests == 2
    assert counter.retry_after == 600.0 and slept == [0.5]


def test_secrets_are_masked_in_urls_and_never_logged(caplog: pytest.LogCaptureFixture,
                                                    tmp_path: Path) -> None:
    assert masked_url("https://x.test/a?key=SECRET&part=id") == "https://x.test/a?key=%2A%2A%2A&part=id"
    cookies = tmp_path / "cookies.json"
    cookies.write_text('{"sessionid": "TOPSECRETCOOKIE"}', encoding="utf-8")
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie", ""))
        return httpx.Response(200)

    http, _ = layer(handler, cookies=cookies)
    with caplog.at_level(logging.DEBUG):
        http.request("GET", "https://x.test/a?key=SECRETKEY", counter=Counter())
    assert "sessionid=TOPSECRETCOOKIE" in seen[0]
    assert "SECRETKEY" not in caplog.text and "TOPSECRETCOOKIE" not in caplog.text


def test_netscape_cookie_file(tmp_path: Path) -> None:
    path = tmp_path / "cookies.txt"
    path.write_text("# Netscape HTTP Cookie File\n"
                    ".instagram.com\tTRUE\t/\tTRUE\t2000000000\tsessionid\tabc\n",
                    encoding="utf-8")
    assert [c.name for c in load_cookie_file(path)] == ["sessionid"]
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_cookie_file(tmp_path / "missing.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("not cookies", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="neither Netscape"):
        load_cookie_file(bad)


@pytest.mark.parametrize(("url", "params"), [
    ("https://www.instagram.com/api/v1/users/web_profile_info/", {"username": "ana.summer"}),
    ("https://graph.example.test/v21.0/1784", {"fields": "a(x){b.limit(12){id,c}}",
                                               "access_token": "a b&c=d/é"}),
    ("https://www.example.test/api/list/?aid=1988#top", {"id": "MS4w-x_y", "count": 30,
                                                          "flag": True, "k": ["1", "2"],
                                                          "n": None, "e": ""}),
    ("https://www.example.test/feed", {}),
    ("https://www.example.test/feed?kept=1", None),
])
def test_the_request_sent_is_the_one_httpx_builds_from_url_and_params(
        url: str, params: dict[str, Any] | None) -> None:
    """The layer builds the URL with its query itself (once): the request sent has the URL
    and the headers that httpx's own build_request gives for the same url and params."""
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    http, _slept = layer(answer)
    headers = {"accept": "*/*", "referer": "https://www.example.test/x/"}
    http.request("GET", url, counter=Counter(), params=params, headers=headers)
    expected = http.client.build_request("GET", url, params=params, headers=headers)
    assert str(sent[0].url) == str(expected.url)
    assert sent[0].headers.multi_items() == expected.headers.multi_items()
