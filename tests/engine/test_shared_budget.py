"""One platform budget for all workers: rate limits and pauses shared across processes.

Two worker processes check the same account of a platform served on 127.0.0.1 and the
server's log of arrival times is the judge: with ``rate_limit = "3/2s"`` no 2-second window
holds more than 3 requests (each process alone would send 3), and after a 429 neither process
sends to that backend until the pause ends, falling back to the next backend meanwhile. Both
storages that cross processes are tested: Redis (when the queue is Redis) and the SQLite file
beside the cache (the embedded default).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from engine.cache import MemoryCache
from engine.config import Config, RateLimit, config_from_mapping, load_config
from engine.core import Engine
from engine.errors import ConfigurationError
from engine.models import AccountStatus, AttemptOutcome, UnavailableCause
from engine.ratelimit import (
    MemoryPauses,
    PlatformBudget,
    SQLitePauses,
    budget_for,
    budget_storage_url,
)

from .fake_platform import manager_with_fake
from .http_platform import FakePlatformServer, local_config, manager_with_local

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_or_skip() -> Any:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    return client


@pytest.fixture(params=["redis", "sqlite"])
def storage(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """A storage every worker process shares, under a key prefix of its own."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    if request.param == "sqlite":
        yield {"queue_url": None, "prefix": prefix}
        return
    client = _redis_or_skip()
    yield {"queue_url": REDIS_URL, "prefix": prefix}
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)


def _run_workers(tmp_path: Path, config_text: str, prefix: str, seconds: float,
                 count: int = 2) -> list[list[dict[str, Any]]]:
    """Run ``count`` worker processes together for ``seconds``; each one's check lines."""
    config = tmp_path / "social-missions.toml"
    config.write_text(config_text, encoding="utf-8")
    marker = tmp_path / "go"
    workers = [subprocess.Popen(
        [sys.executable, "-m", "tests.engine.budget_worker", str(config), prefix, str(seconds),
         str(marker)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}) for _ in range(count)]
    time.sleep(1.2)  # both processes loaded and waiting
    marker.write_text("go")
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=seconds + 30)
        assert worker.returncode == 0, err
        results.append([json.loads(line) for line in out.splitlines()])
    return results


def _most_in_any_window(times: list[float], window: float) -> int:
    times = sorted(times)
    return max((sum(1 for t in times[i:] if t < start + window)
                for i, start in enumerate(times)), default=0)


def test_two_processes_share_one_budget(tmp_path: Path, storage: dict[str, Any]) -> None:
    with FakePlatformServer() as server:
        text = local_config(server.url, backends=["page"], rate_limit="3/2s",
                            queue_url=storage["queue_url"])
        results = _run_workers(tmp_path, text, storage["prefix"], seconds=4.5)
        arrivals = server.times("page")
    # A request is counted when its worker takes the slot and seen when it arrives: allow
    # the few milliseconds between the two at the window's edges.
    assert _most_in_any_window(arrivals, 2.0 - 0.15) <= 3, arrivals
    assert 6 <= len(arrivals) <= 12, arrivals  # the budget was spent, not refused
    assert all(any(line["status"] == "ok" for line in lines) for lines in results)
    assert sum(len(lines) for lines in results) == len(arrivals)


def test_a_429_pauses_the_backend_for_every_process(tmp_path: Path,
                                                    storage: dict[str, Any]) -> None:
    with FakePlatformServer() as server:
        server.refusing["api"] = "2"  # Retry-After: 2 seconds, honoured instead of cool_off
        text = local_config(server.url, backends=["api", "page"], cool_off="10m",
                            queue_url=storage["queue_url"])
        results = _run_workers(tmp_path, text, storage["prefix"], seconds=3.6)
        api, page = server.times("api"), server.times("page")
    first = api[0]
    # The first answers may cross in flight (both processes ask at once); after them,
    # nobody sends to api until the 2 s pause ends, then one check tries it again.
    assert not [t for t in api if first + 0.4 < t < first + 1.9], api
    assert [t for t in api if t >= first + 1.9], "the pause must end with the Retry-After"
    assert len(api) <= 6 and len(page) >= 20
    lines = [line for lines in results for line in lines]
    paused = [line for line in lines if line["attempts"][0][1] == "unavailable"
              and line["attempts"][0][2].startswith("paused until")]
    assert len(paused) >= 10
    for line in paused:
        backend, outcome, detail, cause = line["attempts"][0]
        assert (backend, outcome, cause) == ("api", "unavailable", "rate_limited")
        assert detail.endswith("UTC after rate_limited: local api: HTTP 429")
        assert line["status"] == "ok" and line["backend"] == "page"


def test_no_backend_left_is_unavailable_until_the_pause_ends(tmp_path: Path) -> None:
    with FakePlatformServer() as server:
        server.refusing["api"] = None  # no Retry-After: the configured cool-off applies
        config = tmp_path / "social-missions.toml"
        config.write_text(local_config(server.url, backends=["api"], cool_off="90s"))
        engines = [Engine(load_config(config), plugin_manager=manager_with_local(),
                          cache=MemoryCache()) for _ in range(2)]  # two workers, one file
        account = engines[0].account("local", "alice")
        first = engines[0].snapshot(account)
        second = engines[1].snapshot(account)
        assert len(server.times("api")) == 1
    assert first.status is AccountStatus.UNAVAILABLE and first.detail.endswith("HTTP 429")
    assert second.status is AccountStatus.UNAVAILABLE
    assert second.cause is UnavailableCause.RATE_LIMITED
    until = datetime.strptime(second.detail.split("paused until ")[1][:19], "%Y-%m-%d %H:%M:%S")
    left = until.replace(tzinfo=UTC) - datetime.now(UTC)
    assert 80 < left.total_seconds() <= 90, second.detail
    assert second.attempts[0].requests == 0


def test_replayed_checks_never_pause() -> None:
    config = config_from_mapping({"platforms": {"fake": {"first": {"outcome": "unavailable"}}}})
    engine = Engine(config, plugin_manager=manager_with_fake(), cache=MemoryCache(),
                    replaying=True)
    account = engine.account("fake", "alice")
    for _ in range(2):
        snapshot = engine.snapshot(account)
        assert snapshot.backend == "second"
        assert snapshot.attempts[0].detail == "HTTP 429"  # tried again, not paused
    assert engine.budget is None


def test_a_login_wall_pauses_and_a_network_error_does_not() -> None:
    budget = PlatformBudget("memory://", MemoryPauses(), sleep=lambda _: None)
    config = config_from_mapping({"platforms": {"fake": {"first": {"outcome": "network"}}}})
    engine = Engine(config, plugin_manager=manager_with_fake(), cache=MemoryCache(),
                    budget=budget)
    account = engine.account("fake", "alice")
    engine.snapshot(account)
    assert budget.paused("fake", "first") is None
    wall = budget.pause("fake", "first", 60, "login_wall", "redirected to the login page")
    assert wall is not None
    snapshot = engine.snapshot(account)
    assert snapshot.attempts[0].cause is UnavailableCause.LOGIN_WALL
    assert "after login_wall: redirected to the login page" in snapshot.attempts[0].detail
    # A shorter pause never shortens a longer one.
    assert budget.pause("fake", "first", 5, "rate_limited", "") == wall


def test_the_moving_window_waits_for_the_oldest_request(tmp_path: Path) -> None:
    now = [1_750_000_000.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    url = f"sqlite:///{tmp_path / 'budget.sqlite3'}"
    budget = PlatformBudget(url, MemoryPauses(), clock=lambda: now[0], sleep=sleep)
    limit = RateLimit(2, 10.0)
    assert [budget.acquire("fake", "first", limit) for _ in range(2)] == [0.0, 0.0]
    assert budget.acquire("fake", "second", limit) == 0.0  # each backend has its own
    now[0] += 4
    assert budget.acquire("fake", "first", limit) == pytest.approx(6.0, abs=0.01)
    now[0] += 0.5  # the two first requests have left the window; the third has not
    assert budget.acquire("fake", "first", limit) == 0.0
    assert budget.acquire("fake", "first", limit) == pytest.approx(9.5, abs=0.01)
    assert len(waits) == 2


def test_a_failing_storage_lets_checks_through(caplog: pytest.LogCaptureFixture) -> None:
    budget = PlatformBudget("redis://127.0.0.1:1/0", MemoryPauses(), sleep=lambda _: None)
    assert budget.acquire("fake", "first", RateLimit(1, 60.0)) == 0.0
    assert "sent without its budget" in caplog.text


def test_where_the_budget_lives(tmp_path: Path) -> None:
    assert budget_storage_url(config_from_mapping(
        {"queue": {"url": "redis://10.0.0.5:6379/2"}})) == "redis://10.0.0.5:6379/2"
    local = budget_for(config_from_mapping({"cache": {"path": str(tmp_path / "c.sqlite3")}}))
    assert local.storage_url == f"sqlite:///{tmp_path / 'budget.sqlite3'}"
    assert isinstance(local.pauses, SQLitePauses)
    assert "every process of this machine" in local.describe()
    memory = budget_for(config_from_mapping({"cache": {"path": ":memory:"}}))
    assert memory.storage_url == "memory://" and isinstance(memory.pauses, MemoryPauses)
    assert budget_storage_url(Config()).endswith("/budget.sqlite3")
    secret = budget_for(config_from_mapping({"queue": {"url": "redis://:hunter2@db:6379/0"}}))
    assert "hunter2" not in secret.describe()


def test_the_sqlite_storage_is_a_limits_storage(tmp_path: Path) -> None:
    from limits import RateLimitItemPerSecond
    from limits.storage import storage_from_string
    from limits.strategies import MovingWindowRateLimiter

    from engine.ratelimit_storage import SQLiteStorage

    storage = storage_from_string(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    assert isinstance(storage, SQLiteStorage) and storage.check()
    limiter, item = MovingWindowRateLimiter(storage), RateLimitItemPerSecond(2, 60)
    assert [limiter.hit(item, "a") for _ in range(3)] == [True, True, False]
    assert limiter.get_window_stats(item, "a").remaining == 0
    assert storage.incr("counter", 60) == 1 and storage.incr("counter", 60) == 2
    assert storage.get("counter") == 2
    storage.clear(item.key_for("a"))
    assert limiter.hit(item, "a")


def test_cool_off_and_per_backend_budgets_are_read_and_checked() -> None:
    config = config_from_mapping({"http": {"cool_off": "5m"}, "platforms": {"fake": {
        "rate_limit": "10/1m", "first": {"rate_limit": "2/10s", "cool_off": 30}}}})
    fake = config.platform("fake")
    assert fake.http.cool_off == 300.0 and fake.backend_cool_off("first") == 30.0
    assert fake.backend_cool_off("second") == 300.0
    assert fake.backend_rate_limit("first") == RateLimit(2, 10.0)
    assert fake.backend_rate_limit("second") == RateLimit(10, 60.0)
    assert Config().platform("youtube").http.cool_off == 900.0
    with pytest.raises(ConfigurationError, match=r"\[platforms.fake\]: cool_off 'soon'"):
        config_from_mapping({"platforms": {"fake": {"cool_off": "soon"}}})
    with pytest.raises(ConfigurationError, match=r"\[platforms.fake.first\]: rate_limit"):
        config_from_mapping({"platforms": {"fake": {"first": {"rate_limit": "lots"}}}})


def test_the_skipped_attempt_sends_nothing(tmp_path: Path) -> None:
    budget = PlatformBudget("memory://", MemoryPauses())
    budget.pause("fake", "first", 60, "bot_challenge", "captcha")
    engine = Engine(config_from_mapping({}), plugin_manager=manager_with_fake(),
                    cache=MemoryCache(), budget=budget)
    snapshot = engine.snapshot(engine.account("fake", "alice"))
    attempt = snapshot.attempts[0]
    assert (attempt.backend, attempt.outcome, attempt.requests) == (
        "first", AttemptOutcome.UNAVAILABLE, 0)
    assert snapshot.status is AccountStatus.OK and snapshot.backend == "second"
