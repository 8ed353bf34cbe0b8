"""Issue 14: ``/healthz``, ``/readyz``, ``/metrics`` (admin token, or ``[web] metrics_address``
without one), and a demo server whose claim shows in ``/metrics``."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from engine.cache import MemoryCache
from engine.config import Config, config_from_mapping
from engine.core import Engine
from engine.service.context import Service
from engine.service.runtime import attach_queue
from engine.service.settings import load_settings
from engine.storage.database import open_database
from engine.storage.migrate import upgrade
from engine.web.app import create_app
from engine.web.tokens import create_token

from .test_api_serve import read_banner


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def open_service(folder: Path, config: Config | None = None) -> Service:
    settings = load_settings(Config(), database_url=f"sqlite:///{folder / 'm.sqlite3'}",
                             queue_url=f"sqlite:///{folder / 'q.sqlite3'}")
    database = open_database(settings.database_url)
    upgrade(database)
    service = Service(database, settings, config=config or Config(),
                      engine=Engine(Config(), replaying=True, cache=MemoryCache()))
    attach_queue(service, name="health-test")
    return service


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    opened = open_service(tmp_path)
    yield opened
    opened.engine.close()
    opened.close()


def samples(text: str, name: str) -> list[tuple[dict[str, str], float]]:
    """The samples of metric ``name`` (its ``_total`` for a counter) in an exposition."""
    return [(dict(sample.labels), sample.value)
            for family in text_string_to_metric_families(text)
            for sample in family.samples if sample.name == name]


def test_healthz_and_readyz_answer_without_a_token(service: Service) -> None:
    with TestClient(create_app(service)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ok", "checks": {"database": "ok", "queue": "ok"}}


def test_readyz_fails_when_the_database_is_unreachable(service: Service) -> None:
    app = create_app(service)
    working = service.db
    # Nothing listens on port 1: the connection is refused at once.
    service.db = open_database("postgresql+psycopg://postgres:pw-secret@127.0.0.1:1/test")
    try:
        with TestClient(app) as client:
            answer = client.get("/readyz")
            assert client.get("/healthz").status_code == 200  # the process still answers
    finally:
        service.db.dispose()
        service.db = working
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["queue"] == "ok"
    assert body["checks"]["database"].startswith("OperationalError")
    assert "pw-secret" not in answer.text


def test_readyz_fails_without_a_queue(service: Service) -> None:
    app = create_app(service)
    service.queue = None
    with TestClient(app) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["checks"]["database"] == "ok"
    assert "no job queue" in answer.json()["checks"]["queue"]


def test_metrics_need_an_admin_token_on_the_main_address(service: Service) -> None:
    _admin, admin = create_token(service, "admin", "ops")
    _integrator, integrator = create_token(service, "integrator", "host")
    with TestClient(create_app(service)) as client:
        refused = client.get("/metrics")
        assert refused.status_code == 401 and refused.json()["code"] == "unauthorized"
        forbidden = client.get("/metrics", headers={"Authorization": f"Bearer {integrator}"})
        assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
        answer = client.get("/metrics", headers={"Authorization": f"Bearer {admin}"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    assert samples(answer.text, "social_missions_claims_due") == [({}, 0.0)]
    assert samples(answer.text, "social_missions_claims_oldest_due_seconds") == [({}, 0.0)]


def test_metrics_address_serves_without_a_token(tmp_path: Path) -> None:
    port = free_port()
    config = config_from_mapping({"web": {"metrics_address": f"127.0.0.1:{port}"}})
    opened = open_service(tmp_path, config)
    try:
        with TestClient(create_app(opened)):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
                text = answer.read().decode()
            assert samples(text, "social_missions_claims_due") == [({}, 0.0)]
            assert "social_missions_checks" in text  # the process's counters, declared
        with pytest.raises(OSError):  # stopped with the application
            urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2)
    finally:
        opened.engine.close()
        opened.close()


@pytest.mark.parametrize("value", ["localhost", "127.0.0.1:99999", 9108, "127.0.0.1:"])
def test_a_wrong_metrics_address_stops_start_up(tmp_path: Path, value: Any) -> None:
    from engine.errors import ConfigurationError
    from engine.service.context import check_operations

    with pytest.raises(ConfigurationError, match=r"\[web\] metrics_address: .* host:port"):
        check_operations(config_from_mapping({"web": {"metrics_address": value}}))


def api(base: str, path: str, token: str, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(base + path, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {token}",
                                              "content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        raw = answer.read()
    return json.loads(raw) if answer.headers["content-type"].startswith("application/json") \
        else raw.decode()


def checks_counted(text: str, platform: str, status: str) -> dict[str, float]:
    """Checks of ``platform`` ended ``status``, by backend."""
    found: dict[str, float] = {}
    for labels, value in samples(text, "social_missions_checks_total"):
        if labels["platform"] == platform and labels["status"] == status:
            found[labels["backend"]] = found.get(labels["backend"], 0.0) + value
    return found


def test_demo_server_counts_a_claims_check_in_metrics(tmp_path: Path) -> None:
    """`serve --demo`: a claim made through the API is checked by the embedded worker and its
    check shows in /metrics by platform, backend and status."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", "serve", "--demo", "--port", "0"], cwd=tmp_path,
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        banner = read_banner(process)
        found_base = re.search(r"demo on (http://127\.0\.0\.1:\d+)", banner)
        found_token = re.search(r"admin token:\s+(sm_\S+)", banner)
        assert found_base and found_token, banner
        base, token = found_base.group(1), found_token.group(1)
        before = api(base, "/metrics", token)
        claim = api(base, "/api/v1/claims", token,
                    {"member_id": "ana", "mission_id": 2, "platform": "instagram"})
        deadline = time.monotonic() + 30
        state = api(base, f"/api/v1/claims/{claim['claim_id']}", token)
        while state["state"] == "queued" and time.monotonic() < deadline:
            time.sleep(0.2)
            state = api(base, f"/api/v1/claims/{claim['claim_id']}", token)
        assert state["state"] != "queued", state
        after = api(base, "/metrics", token)
        status = state["last_status"]
        was, now = checks_counted(before, "instagram", status), checks_counted(after, "instagram",
                                                                               status)
        grown = {backend: now[backend] - was.get(backend, 0.0) for backend in now
                 if now[backend] != was.get(backend, 0.0)}
        assert list(grown.values()) == [1.0], (grown, status)
        assert list(grown)[0] != ""  # named by the backend that answered
        transitions = samples(after, "social_missions_claim_transitions_total")
        assert any(labels["from_state"] == "new" and labels["to_state"] == "queued"
                   for labels, _ in transitions)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_metrics_refused_without_token_is_json_error(service: Service) -> None:
    with TestClient(create_app(service)) as client:
        answer = client.get("/metrics", headers={"Authorization": "Bearer sm_nope"})
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")



def test_a_worker_on_its_own_serves_metrics_on_its_address(tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "social-missions.toml"
    config.write_text(f'[service]\ndata = "{tmp_path / "data"}"\n'
                      f'[web]\nmetrics_address = "127.0.0.1:{port}"\n', encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "engine", "worker", "--config", str(config)],
                               cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    try:
        deadline, text = time.monotonic() + 30, ""
        while not text and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics",
                                            timeout=5) as answer:
                    text = answer.read().decode()
            except OSError:
                assert process.poll() is None, process.communicate()[1]
                time.sleep(0.2)
        assert samples(text, "social_missions_claims_due") == [({}, 0.0)]
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_console_shows_degraded_backends(service: Service) -> None:
    """A backend flagged by the alerts (any worker) shows on every console page, escaped and
    without inline script or style."""
    from datetime import UTC, datetime

    from engine.storage.models import BackendAlertRow

    from .pages_helpers import login_link

    _token, admin = create_token(service, "admin", "ops")
    with TestClient(create_app(service)) as client:
        client.get(login_link(service, admin))
        assert "degraded-backend" not in client.get("/admin?lang=en").text
        with service.db.transaction() as session:
            session.add(BackendAlertRow(platform="instagram", backend="web", degraded=True,
                                        share=0.8, attempts=10, detail="no <b>data.user</b>",
                                        check_id=12, changed_at=datetime(2025, 6, 16, 9,
                                                                         tzinfo=UTC)))
        page = client.get("/admin/missions?lang=en").text
    banner = re.search(r'<p class="error degraded-backend" role="alert">(.*?)</p>', page)
    assert banner, page[:2000]
    assert "instagram/web (80% layout_changed or error over 10 attempts" in banner.group(1)
    assert "no &lt;b&gt;data.user&lt;/b&gt; (check 12)" in banner.group(1)
