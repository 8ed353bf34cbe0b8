"""A worker, or any command opening the service, against a database or a queue that does not
answer: one line naming the server and the setting to check (the password masked), never a
traceback; ``worker --once`` whose passes failed does not exit 0."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main
from engine.cli.worker import _summary
from engine.queue import WorkerStats, build_huey, run_worker
from engine.service.runtime import attach_queue


def closed_port() -> int:
    """A port of 127.0.0.1 on which nothing listens (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("command", [["worker", "--once"], ["worker", "--once", "--processes",
                                                             "2"], ["init"]])
def test_a_database_that_does_not_answer_is_one_line(tmp_path: Path, command: list[str],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "social-missions.toml"
    port = closed_port()
    config.write_text(f'[database]\nurl = "postgresql+psycopg://postgres:sekret@127.0.0.1:{port}'
                      '/test"\n', encoding="utf-8")
    assert main([*command, "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"social-missions: error: the database postgresql+psycopg://postgres:"
                          f"***@127.0.0.1:{port}/test does not answer (")
    assert "check [database] url and that the server runs" in err and "sekret" not in err


def test_a_queue_that_does_not_answer_is_one_line(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "social-missions.toml"
    port = closed_port()
    config.write_text('[database]\nurl = "sqlite:///missions.sqlite3"\n'
                      f'[queue]\nurl = "redis://127.0.0.1:{port}/12"\n', encoding="utf-8")
    assert main(["worker", "--once", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert "the queue's Redis server does not answer" in err and "[queue] url" in err


def test_failed_passes_are_counted_and_once_does_not_pass_for_done(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from engine.service.context import Service

    service = Service.open(database_url=f"sqlite:///{tmp_path / 'm.sqlite3'}",
                           queue_url=f"sqlite:///{tmp_path / 'q.sqlite3'}")
    try:
        queue = attach_queue(service)
        calls: list[int] = []

        def broken_sweep() -> int:
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError("the database went away")
            return 0

        stats = run_worker(queue, broken_sweep, once=True, threads=1, poll_interval=0.01)
    finally:
        service.close()
    assert stats.failed == 1 and stats.jobs == 0
    assert _summary(stats, True, 0) == 3
    assert capsys.readouterr().out == "worker: 0 job(s), 0 swept, 1 failed pass(es): see the log\n"
    assert _summary(stats, False, 0) == 0  # a long-running worker goes on; the log says why
    assert _summary(WorkerStats(jobs=2), True, 0) == 0


def test_a_sqlite_queue_needs_no_server(tmp_path: Path) -> None:
    from engine.queue import check_queue

    huey: Any = build_huey(f"sqlite:///{tmp_path / 'q.sqlite3'}", "t")
    from engine.queue import JobQueue

    check_queue(JobQueue(huey, run_claim=lambda _: None, run_webhook=lambda _: None))


def test_an_outage_logs_its_traceback_once_then_a_line_per_pass(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # A database down for a while must not fill the log with one traceback per pass.
    from engine.service.context import Service

    service = Service.open(database_url=f"sqlite:///{tmp_path / 'm.sqlite3'}",
                           queue_url=f"sqlite:///{tmp_path / 'q.sqlite3'}")
    passes: list[int] = []
    stop = threading.Event()

    def sweep() -> int:
        passes.append(1)
        if len(passes) <= 3:
            raise ConnectionError("connection to server at 127.0.0.1 failed\nmore detail")
        stop.set()  # the database is back: one good pass, then the test stops the worker
        return 0

    try:
        with caplog.at_level("INFO", logger="engine.queue"):
            stats = run_worker(attach_queue(service), sweep, threads=1, poll_interval=0.01,
                               stop=stop)
    finally:
        service.close()
    assert stats.failed == 3
    records = [r for r in caplog.records if r.name == "engine.queue"]
    assert [r.exc_info is not None for r in records if "loop error" in r.message] == [
        True, False, False]
    assert [r.message for r in records if "again:" in r.message] == [
        "worker loop error again: ConnectionError: connection to server at 127.0.0.1 "
        "failed"] * 2
    assert [r.message for r in records if "works again" in r.message] == [
        "worker loop works again"]
