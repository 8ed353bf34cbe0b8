"""A PostgreSQL restart between two requests fails neither (issue 13: the pool looks at each
connection on checkout, polling its socket when it was used in the last
``PING_AFTER_IDLE_SECONDS`` and sending it an empty query when it rested longer, instead of
``pool_pre_ping``'s ``SELECT 1``)."""

from __future__ import annotations

import contextlib
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.pool import QueuePool

from engine.service.context import Service
from engine.storage import database
from engine.web.app import create_app

from .conftest import postgres_url


@pytest.mark.parametrize("rested", [False, True], ids=["used-recently", "rested"])
def test_requests_after_the_server_dropped_every_pooled_connection(
        service: Service, rested: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if rested:  # every pooled connection counts as rested: the empty query's path
        monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
    if service.db.is_sqlite:
        pytest.skip("SQLite has no server to restart")
    engine = service.db.engine
    # Fill the pool with three open connections and note their server processes.
    with contextlib.ExitStack() as stack:
        held = [stack.enter_context(engine.connect()) for _ in range(3)]
        pids = [connection.scalar(text("SELECT pg_backend_pid()")) for connection in held]
    assert isinstance(engine.pool, QueuePool) and engine.pool.checkedin() >= 3
    # What a restart does to them: the server ends each one (only ours: the database is shared).
    admin = create_engine(str(postgres_url()), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for pid in pids:
                assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            # As after a restart: the server processes have ended (termination is signalled).
            deadline = time.monotonic() + 10
            while connection.scalar(text("SELECT count(*) FROM pg_stat_activity "
                                         "WHERE pid = ANY(:pids)"), {"pids": pids}):
                assert time.monotonic() < deadline, "the server processes did not end"
                time.sleep(0.02)
    finally:
        admin.dispose()
    with TestClient(create_app(service)) as client:
        for _ in range(4):  # more requests than the pool held dead connections
            ready = client.get("/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json()["checks"]["database"] == "ok"
    with service.db.transaction() as session:
        assert session.scalar(text("SELECT 1")) == 1
