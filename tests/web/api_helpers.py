"""Set-up of the API tests: a Service on SQLite (or PostgreSQL + Redis), tokens, a client."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from engine.cache import MemoryCache
from engine.config import Config
from engine.core import Engine
from engine.queue import build_huey
from engine.service.context import Service
from engine.service.runtime import attach_queue
from engine.service.settings import load_settings
from engine.storage.database import open_database
from engine.storage.migrate import upgrade
from engine.web.app import create_app
from engine.web.tokens import create_token
from tests.service.conftest import REDIS_URL, _answers, postgres_url

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = ROOT / "cassettes" / "instagram" / "web" / "public.yaml"
NOW = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)  # after the cassette's June 2025 posts


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@contextlib.contextmanager
def database_setup(kind: str, folder: Path) -> Iterator[dict[str, str]]:
    """Database and queue URLs: SQLite files, or a fresh PostgreSQL schema and Redis queue."""
    if kind == "sqlite":
        yield {"database_url": f"sqlite:///{folder / 'missions.sqlite3'}",
               "queue_url": f"sqlite:///{folder / 'queue.sqlite3'}", "queue_name": "api-test"}
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
        yield {"database_url": f"{base}?options=-csearch_path%3D{schema}",
               "queue_url": REDIS_URL, "queue_name": f"api-{schema}"}
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
        build_huey(REDIS_URL, f"api-{schema}").flush()


def build_service(urls: dict[str, str], clock: Clock, config: Config | None = None,
                  **overrides: Any) -> Service:
    config = config or Config()
    settings = load_settings(config, database_url=urls["database_url"],
                             queue_url=urls["queue_url"], **overrides)
    database = open_database(settings.database_url)
    upgrade(database)
    service = Service(database, settings, config=config,
                      engine=Engine(Config(), replaying=True, cache=MemoryCache()), clock=clock)
    attach_queue(service, name=urls["queue_name"])
    return service


class Api:
    """A TestClient with an admin and an integrator token."""

    app: FastAPI

    def __init__(self, service: Service, client: TestClient) -> None:
        self.service = service
        self.client = client
        _token, self.admin_token = create_token(service, "admin", "tests")
        _token, self.integrator_token = create_token(service, "integrator", "tests")
        self.admin = {"Authorization": f"Bearer {self.admin_token}"}
        self.integrator = {"Authorization": f"Bearer {self.integrator_token}"}

    def get(self, path: str, as_admin: bool = True, **kwargs: Any) -> Any:
        return self.client.get(path, headers=self.admin if as_admin else self.integrator, **kwargs)

    def post(self, path: str, as_admin: bool = True, **kwargs: Any) -> Any:
        return self.client.post(path, headers=self.admin if as_admin else self.integrator,
                                **kwargs)

    def put(self, path: str, as_admin: bool = True, **kwargs: Any) -> Any:
        return self.client.put(path, headers=self.admin if as_admin else self.integrator, **kwargs)

    def delete(self, path: str, as_admin: bool = True) -> Any:
        return self.client.delete(path, headers=self.admin if as_admin else self.integrator)


@contextlib.contextmanager
def api_for(service: Service, *, run_worker: bool = False) -> Iterator[Api]:
    # "localhost" so that a VCR cassette active in the test lets the client's requests through.
    app = create_app(service, run_worker=run_worker)
    with TestClient(app, base_url="http://localhost") as client:
        api = Api(service, client)
        api.app = app
        yield api


@contextlib.contextmanager
def sqlite_api(tmp_path: Path, *, seed: bool = False, **settings: Any) -> Iterator[Api]:
    """An :class:`Api` on a fresh SQLite service in ``tmp_path`` (``settings`` as
    :func:`build_service` takes them; ``seed``: with one published mission, id 1), closed
    after use."""
    with database_setup("sqlite", tmp_path) as urls:
        service = build_service(urls, Clock(), **settings)
        try:
            with api_for(service) as client:
                if seed:
                    seed_mission(client)
                yield client
        finally:
            service.engine.close()
            service.close()


def seed_mission(api: Api, *, recurring: bool = True, publish: bool = True) -> dict[str, Any]:
    action = api.post("/api/v1/actions", json={"platform": "instagram", "hashtag": "summer2025"})
    assert action.status_code == 201, action.text
    body: dict[str, Any] = {"title": "Été", "action_ids": [action.json()["id"]], "points": 10,
                            "start": "2025-06-01T00:00:00Z", "end": "2025-07-01T00:00:00Z",
                            "publish": publish, "description": "Postez #summer2025"}
    body.update({"recurring": True} if recurring else {"goal_posts": 1})
    mission = api.post("/api/v1/missions", json=body)
    assert mission.status_code == 201, mission.text
    return dict(mission.json())
