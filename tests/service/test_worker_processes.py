"""``[queue] processes`` and ``social-missions worker --processes N``: the setting, and real
worker processes (claims replayed from the service cassette, a stop by ``SIGTERM``, a child
killed and restarted)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main
from engine.config import config_from_mapping
from engine.errors import ConfigurationError
from engine.service.settings import ServiceSettings, auto_processes, load_settings

from .conftest import ACCOUNTS

ROOT = Path(__file__).resolve().parents[2]
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SUMMARY = re.compile(r"^worker: (\d+) job\(s\), (\d+) swept$", re.MULTILINE)


# -- the setting ------------------------------------------------------------------------------

@pytest.mark.parametrize("cores,expected", [(4, 4), (1, 1), (None, 1)])
def test_auto_is_one_process_per_core_on_postgresql(monkeypatch: pytest.MonkeyPatch,
                                                   cores: int | None, expected: int) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert auto_processes(PG) == expected
    for queue in ({}, {"processes": "auto"}):
        config = config_from_mapping({"database": {"url": PG}, "queue": queue})
        assert load_settings(config).processes == expected
    assert ServiceSettings(database_url=PG, queue_url="").processes == expected


def test_auto_is_one_process_on_sqlite(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    for queue in ({}, {"processes": "auto"}):
        config = config_from_mapping({"queue": queue}, path=tmp_path / "c.toml")
        assert load_settings(config).processes == 1
    assert ServiceSettings(database_url="sqlite:///m.sqlite3", queue_url="").processes == 1


def test_a_number_of_processes_is_taken_as_written(tmp_path: Path) -> None:
    for database in ({"url": PG}, {}):
        config = config_from_mapping({"database": database, "queue": {"processes": 3}},
                                     path=tmp_path / "c.toml")
        assert load_settings(config).processes == 3


def test_more_processes_than_one_machine_runs_are_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # A typo (100000) must not start a hundred thousand processes; "auto" stays within too.
    path = tmp_path / "social-missions.toml"
    config = config_from_mapping({"queue": {"processes": 100_000}}, path=path)
    with pytest.raises(ConfigurationError, match=r"\[queue\] processes: 100000 processes is "
                                                 r"more than the 64 one machine runs"):
        load_settings(config)
    assert load_settings(config_from_mapping({"queue": {"processes": 64}})).processes == 64
    monkeypatch.setattr(os, "cpu_count", lambda: 256)
    assert auto_processes(PG) == 64
    path.write_text('[queue]\nurl = "sqlite:///queue.sqlite3"\n', encoding="utf-8")
    assert main(["worker", "--config", str(path), "--once", "--processes", "100000"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--processes 100000 is more than the 64" in err


@pytest.mark.parametrize("value", [0, -2, "4", "Auto", 2.5, True, [2]])
def test_a_wrong_number_of_processes_is_refused_naming_the_key(value: object,
                                                               tmp_path: Path) -> None:
    path = tmp_path / "social-missions.toml"
    config = config_from_mapping({"queue": {"processes": value}}, path=path)
    with pytest.raises(ConfigurationError) as caught:
        load_settings(config)
    message = str(caught.value)
    assert message.startswith(f"{path} [queue] processes: {value!r} is not a number of "
                              "processes")
    assert 'at least 1' in message and '"auto"' in message


# -- the command line: refusals ---------------------------------------------------------------

@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "social-missions.toml"
    path.write_text('[database]\nurl = "sqlite:///missions.sqlite3"\n'
                    '[queue]\nurl = "sqlite:///queue.sqlite3"\nworkers = 2\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("argv,message", [
    (["--processes", "0"], "--processes must be at least 1, not 0"),
    (["--processes", "2", "--record", "--cassette", "x.yaml"], "use --processes 1"),
])
def test_bad_processes_option_is_one_line(config: Path, capsys: pytest.CaptureFixture[str],
                                          argv: list[str], message: str) -> None:
    assert main(["worker", "--config", str(config), "--once", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


# -- real processes ---------------------------------------------------------------------------

def sm(*argv: str) -> str:
    """Run a command in this process; returns its standard output (it must succeed)."""
    from io import StringIO

    out = StringIO()
    with contextlib.redirect_stdout(out):
        assert main(list(argv)) == 0, argv
    return out.getvalue()


MEMBERS = ("ana.summer", "bob.summer", "carla.private", "fay.heldback")  # all in ACCOUNTS


def queue_claims(config: Path) -> None:
    """A published Instagram mission and one due claim per member of :data:`MEMBERS`."""
    common = ("--config", str(config))
    sm("init", *common)
    sm("action", "add", *common, "--platform", "instagram", "--hashtag", "#summer2025")
    sm("mission", "add", *common, "--title", "Été", "--action", "1", "--posts", "3",
       "--points", "100", "--start", "2025-06-01", "--end", "2025-07-01")
    sm("mission", "publish", *common, "1")
    for handle in MEMBERS:
        member = handle.split(".")[0]
        sm("member", "link", *common, member, "instagram", f"@{handle}")
        sm("claim", *common, member, "1", "instagram", "--cassette", str(ACCOUNTS))


def claim_states(folder: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(folder / "missions.sqlite3")) as db:
        return [row[0] for row in db.execute("select state from claims order by id")]


def worker(config: Path, *argv: str) -> subprocess.Popen[str]:
    """``social-missions worker`` in a process of its own (children of its own too)."""
    return subprocess.Popen([sys.executable, "-m", "engine", "worker", "--config", str(config),
                             *argv], cwd=config.parent, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


@contextlib.contextmanager
def running(process: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    """Kill ``process`` and its children if the test leaves it running."""
    try:
        yield process
    finally:
        if process.poll() is None:
            for pid in children(process.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            process.kill()
        process.communicate()


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (read from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, ended but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def poll(condition: Callable[[], object], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still waiting after {timeout:.0f} s: {what}"
        time.sleep(0.1)


def two_free_ports() -> int:
    """A port ``p`` with ``p`` and ``p + 1`` free on 127.0.0.1."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            if port >= 65535:
                continue
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return int(port)
    raise AssertionError("no two free ports in a row")


def serves_metrics(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            return b"social_missions_claims_due" in answer.read()
    except OSError:
        return False


def test_two_processes_once_check_every_due_claim_and_add_up_their_counts(
        config: Path) -> None:
    queue_claims(config)
    assert claim_states(config.parent) == ["queued"] * len(MEMBERS)
    with running(worker(config, "--once", "--processes", "2", "--cassette",
                        str(ACCOUNTS))) as process:
        out, err = process.communicate(timeout=180)
    assert process.returncode == 0, err
    assert "Traceback" not in err and "worker: 2 processes of 2 threads each" in err
    summary = SUMMARY.findall(out)
    assert len(summary) == 1, out
    jobs, swept = map(int, summary[0])
    assert jobs + swept >= len(MEMBERS)
    assert "queued" not in claim_states(config.parent)
    # Every check was recorded once, from the cassette.
    with contextlib.closing(sqlite3.connect(config.parent / "missions.sqlite3")) as db:
        checked = {row[0] for row in db.execute("select claim_id from checks")}
    assert len(checked) == len(MEMBERS)


@contextlib.contextmanager
def two_processes(config: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """A running ``worker --processes 2`` serving /metrics on PORT and PORT+1 (both answer)."""
    port = two_free_ports()
    with running(worker(config, "--processes", "2", "--metrics-address",
                        f"127.0.0.1:{port}")) as process:
        poll(lambda: serves_metrics(port) and serves_metrics(port + 1),
             "both processes serve /metrics")
        yield process, port


def test_sigterm_stops_every_process_cleanly(config: Path) -> None:
    with two_processes(config) as (process, port):
        workers = children(process.pid)
        assert len(workers) >= 2  # the two workers (and multiprocessing's resource tracker)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err, err
    assert f"process i serves /metrics on 127.0.0.1:{port}+i (ports {port} to {port + 1})" \
        in err
    assert SUMMARY.search(out), out
    poll(lambda: not any(alive(pid) for pid in workers), "no worker process left", 30)


def test_a_child_that_dies_is_restarted(config: Path) -> None:
    with two_processes(config) as (process, port):
        before = children(process.pid)
        victim = next(pid for pid in before if b"spawn_main" in
                      Path(f"/proc/{pid}/cmdline").read_bytes())  # not the resource tracker
        os.kill(victim, signal.SIGKILL)
        poll(lambda: len(children(process.pid) - before) == 1, "a new worker process")
        poll(lambda: serves_metrics(port) and serves_metrics(port + 1),
             "both processes serve /metrics again")
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert re.search(r"worker process [01] ended unexpectedly with exit code -9 \(SIGKILL\); "
                     r"restarting it in 1 s", err), err


def flaky_target(folder: str, index: int, stop: Any) -> Any:
    """A child for the test below: process 1 dies at its first start, is refused (a
    configuration error, as a metrics port taken meanwhile) at its second, and works at its
    third; process 0 works from the start."""
    import time as clock

    from engine.queue import WorkerStats

    if index == 1:
        starts = Path(folder) / "starts"
        count = int(starts.read_text()) + 1 if starts.exists() else 1
        starts.write_text(str(count))
        if count == 1:
            os._exit(9)
        if count == 2:
            raise ConfigurationError("cannot serve metrics on 127.0.0.1:9: taken")
        (Path(folder) / "working").write_text("yes")
    while not stop.is_set():
        clock.sleep(0.05)
    return WorkerStats()


def test_a_child_refused_when_started_again_is_retried_and_the_others_keep_working(
        tmp_path: Path) -> None:
    # Only a refusal at the first start stops the whole run (the configuration is wrong); a
    # restart refused by a passing condition must not stop the healthy processes.
    script = ("import functools, logging, sys; logging.basicConfig(level=logging.INFO); "
              "from engine.service.worker_processes import run_processes; "
              "from tests.service.test_worker_processes import flaky_target; "
              f"run = run_processes(2, functools.partial(flaky_target, {str(tmp_path)!r})); "
              "print('status', run.status); sys.exit(run.status)")
    with running(subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)) as process:
        poll(lambda: (tmp_path / "working").exists(), "process 1 working at its third start", 30)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0 and "status 0" in out, err
    assert "cannot serve metrics on 127.0.0.1:9: taken" in err
    assert re.search(r"worker process 1 ended unexpectedly with exit code 2; restarting it in "
                     r"2 s", err), err
