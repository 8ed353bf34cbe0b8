"""``social-missions token …`` and ``social-missions serve --demo --port 0`` for real."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main


def test_token_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "social-missions.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "m.sqlite3"}"\n'
                      f'[queue]\nurl = "sqlite:///{tmp_path / "q.sqlite3"}"\n', encoding="utf-8")
    assert main(["token", "create", "--scope", "integrator", "--label", "forum",
                 "--config", str(config)]) == 0
    raw = capsys.readouterr().out.splitlines()[0]
    assert raw.startswith("sm_")
    assert main(["token", "list", "--json", "--config", str(config)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(t["id"], t["scope"], t["label"]) for t in listed] == [(1, "integrator", "forum")]
    assert raw not in json.dumps(listed)
    assert main(["token", "revoke", "1", "--config", str(config)]) == 0
    assert main(["token", "list", "--config", str(config)]) == 0
    assert "revoked" in capsys.readouterr().out
    assert main(["token", "revoke", "9", "--config", str(config)]) == 2


def read_banner(process: subprocess.Popen[str], timeout: float = 60.0) -> str:
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if len(lines) >= 2 and "member page for ana" in lines[-2]:  # and its link, last
            return "".join(lines)
    raise AssertionError("serve --demo printed:\n" + "".join(lines))


def fetch(url: str, token: str | None = None) -> Any:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def test_serve_demo_prints_token_and_urls_and_answers(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", "serve", "--demo", "--port", "0"], cwd=tmp_path,
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        banner = read_banner(process)
        base = re.search(r"demo on (http://127\.0\.0\.1:\d+)", banner)
        token = re.search(r"admin token:\s+(sm_\S+)", banner)
        assert base and token, banner
        assert token.group(1) not in banner.split("admin page:")[1]  # no token in a URL
        once = re.search(r"admin page:\s+(http://\S+/admin/login/once/\S+)", banner)
        assert once, banner
        links = re.findall(r"(http://127\.0\.0\.1:\d+/m/\S+)", banner)
        assert len(links) == 2
        data = re.search(r"data:\s+(\S+)", banner)  # where the demo keeps its database
        assert data and (Path(data.group(1)) / "missions.sqlite3").is_file(), banner
        spec = fetch(base.group(1) + "/openapi.json")
        assert "/api/v1/claims" in spec["paths"]
        missions = fetch(base.group(1) + "/api/v1/missions", token.group(1))
        assert [m["title"] for m in missions][:2] == ["Été 2025", "Carnet de voyage"]
        ana = fetch(base.group(1) + "/api/v1/members/ana", token.group(1))
        assert ana["accounts"][0]["handle"] == "ana.summer"
        path = links[0].split("/m/")[1]
        link = fetch(f"{base.group(1)}/api/v1/member-links/{path}", token.group(1))
        assert link["member_id"] == "lea"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_demo_removes_its_folder_on_sigterm(tmp_path: Path) -> None:
    """``kill <pid>`` (systemd's stop) ends ``serve --demo`` with status 0 and no temporary
    folder left: the demo's database lives in the folder and must go with the server."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(temporary)}
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", "serve", "--demo", "--port", "0"], cwd=tmp_path,
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        read_banner(process)
        folders = list(temporary.glob("social-missions-serve-demo-*"))
        assert len(folders) == 1 and (folders[0] / "missions.sqlite3").exists(), folders
        process.send_signal(signal.SIGTERM)
        status = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.stderr is not None
    stderr = process.stderr.read()
    assert "Traceback" not in stderr, stderr
    assert status == 0, stderr
    assert list(temporary.iterdir()) == []


def test_sigterm_inside_a_database_call_still_stops_cleanly(tmp_path: Path) -> None:
    """The signal may arrive while SQLAlchemy builds a statement (during start-up, seen in
    CI): the stop must come out as itself, not wrapped in a database error with a traceback."""
    from sqlalchemy import Integer, column, create_engine, select
    from sqlalchemy.types import TypeDecorator

    from engine.cli.serve import Terminated

    class Interrupted(TypeDecorator[int]):
        impl = Integer
        cache_ok = True

        def process_bind_param(self, value: object, dialect: object) -> int:
            raise Terminated("signal 15")

    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.connect() as connection, pytest.raises(Terminated):
        connection.execute(select(column("a", Integer)).where(
            column("a", Interrupted()) == 1))
