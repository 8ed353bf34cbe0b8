"""Service test set-up: a Service on SQLite + embedded queue, and on PostgreSQL + Redis.

The ``service`` fixture is parametrised over both set-ups; the PostgreSQL one uses a fresh
schema per test (dropped afterwards) and a Redis queue with a unique name, and is skipped with
the reason when the servers do not answer on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import socket
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from engine.cache import MemoryCache
from engine.config import Config
from engine.core import Engine
from engine.queue import build_huey
from engine.replay import cassette
from engine.service.context import Service
from engine.service.runtime import attach_queue
from engine.service.settings import load_settings
from engine.storage.database import open_database
from engine.storage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = ROOT / "cassettes" / "service" / "accounts.yaml"
PG_URLS = ("postgresql+psycopg://postgres@127.0.0.1:5432/test",
           "postgresql+psycopg://root@127.0.0.1:5432/test")
REDIS_URL = "redis://127.0.0.1:6379/15"
# The cassettes' "now": 2025-06-15T15:06:40Z.
CASSETTE_NOW = datetime(2025, 6, 15, 15, 6, 40, tzinfo=UTC)


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return True
    return False


def postgres_url() -> str | None:
    if not _answers(5432):
        return None
    from sqlalchemy import create_engine, text

    for url in PG_URLS:
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                connection.execute(text("select 1"))
            return url
        except Exception:
            continue
        finally:
            engine.dispose()
    return None


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 6, 16, 9, 0, tzinfo=UTC))


@pytest.fixture
def replay() -> Iterator[Any]:
    """The service cassette; requests to 127.0.0.1 (webhook receivers) go through for real."""
    with cassette(ACCOUNTS, record=False, ignore_localhost=True) as active:
        yield active


def make_engine() -> Engine:
    return Engine(Config(), replaying=True, cache=MemoryCache())


@pytest.fixture(params=["sqlite", "postgres"])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Database and queue URLs of one set-up."""
    if request.param == "sqlite":
        yield {"kind": "sqlite", "database_url": f"sqlite:///{tmp_path / 'missions.sqlite3'}",
               "queue_url": f"sqlite:///{tmp_path / 'queue.sqlite3'}", "queue_name": "test"}
        return
    base = postgres_url()
    if base is None:
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432 (database test)")
    if not _answers(6379):
        pytest.skip("Redis does not answer on 127.0.0.1:6379")
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield {"kind": "postgres",
               "database_url": f"{base}?options=-csearch_path%3D{schema}",
               "queue_url": REDIS_URL, "queue_name": f"test-{schema}"}
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
        build_huey(REDIS_URL, f"test-{schema}").flush()


ServiceFactory = Callable[..., Service]


@pytest.fixture
def make_service(setup: dict[str, str], clock: Clock) -> Iterator[ServiceFactory]:
    """Build services on the set-up's database and queue (several = several workers)."""
    opened: list[Service] = []

    def factory(**overrides: Any) -> Service:
        if overrides.get("webhook_url"):  # the tests' receivers listen on 127.0.0.1
            overrides.setdefault("webhook_allow_private", True)
        settings = load_settings(Config(), database_url=setup["database_url"],
                                 queue_url=setup["queue_url"], **overrides)
        database = open_database(settings.database_url)
        upgrade(database)
        service = Service(database, settings, engine=make_engine(), clock=clock)
        attach_queue(service, name=setup["queue_name"])
        opened.append(service)
        return service

    yield factory
    for service in opened:
        service.engine.close()
        service.close()


@pytest.fixture
def service(make_service: ServiceFactory) -> Service:
    return make_service()
