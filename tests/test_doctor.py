"""``social-missions doctor``: a healthy set-up passes; each fault fails naming the fix."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from engine.cli import main
from engine.config import load_config
from engine.queue import build_huey
from engine.service.context import Service
from engine.service.keys import load_key_ring


def healthy(tmp_path: Path, extra: str = "") -> Path:
    """A configuration whose database is migrated, queue file and key file created."""
    path = tmp_path / "social-missions.toml"
    path.write_text(f"""
[database]
url = "sqlite:///{tmp_path}/missions.sqlite3"
[queue]
url = "sqlite:///{tmp_path}/queue.sqlite3"
[web]
secret_key_file = "secret.key"
{extra}""", encoding="utf-8")
    config = load_config(path)
    service = Service.open(config)
    service.close()
    build_huey(service.settings.queue_url).storage.conn.close()
    load_key_ring(config, service.settings.database_url)
    return path


def doctor(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = main(["doctor", *argv])
    return status, capsys.readouterr().out


def lines(out: str, status: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(status)]


def test_a_healthy_set_up_passes_every_check(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    config = healthy(tmp_path)
    status, out = doctor(capsys, "--config", str(config))
    assert status == 0, out
    checks = [line.split()[1] for line in out.splitlines()[:-1]]
    assert checks[:4] == ["configuration", "database", "queue", "key"]
    assert {"instagram", "youtube", "tiktok", "webhook"} <= set(checks)
    assert lines(out, "FAIL") == [] and lines(out, "warn") == []
    assert "migrations at head" in out and "mode 0600" in out
    assert out.splitlines()[-1] == "0 failure(s), 0 warning(s): ready to run"


def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = doctor(capsys, "--config", str(healthy(tmp_path)), "--json")
    answer = json.loads(out)
    assert status == 0 and answer["ok"] is True
    assert {item["status"] for item in answer["checks"]} == {"ok"}


def test_a_key_file_others_can_read_fails_naming_chmod(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = healthy(tmp_path)
    key = tmp_path / "secret.key"
    os.chmod(key, 0o644)
    status, out = doctor(capsys, "--config", str(config))
    assert status == 1
    [failure] = lines(out, "FAIL")
    assert "key file" in failure and "mode 0644" in failure
    assert f"chmod 600 {key}" in failure


def test_an_unknown_configuration_key_fails_naming_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "social-missions.toml"
    config.write_text("[web]\nsecrte_key_file = \"k\"\n", encoding="utf-8")
    status, out = doctor(capsys, "--config", str(config))
    assert status == 1
    [failure] = lines(out, "FAIL")
    assert "configuration" in failure and "'secrte_key_file'" in failure
    assert "did you mean 'secret_key_file'" in failure


def test_an_unknown_backend_option_fails_naming_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = healthy(tmp_path, "[platforms.tiktok.browser]\nexecutable = \"/usr/bin/x\"\n")
    status, out = doctor(capsys, "--config", str(config))
    assert status == 1
    assert "unknown setting 'executable' in [platforms.tiktok.browser]" in out
    assert "did you mean 'executable_path'" in out


def test_an_unreachable_postgresql_fails(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "social-missions.toml"
    config.write_text("[database]\nurl = \"postgresql://missions:hunter2@127.0.0.1:1/missions\"\n"
                      f"[queue]\nurl = \"sqlite:///{tmp_path}/queue.sqlite3\"\n",
                      encoding="utf-8")
    status, out = doctor(capsys, "--config", str(config))
    assert status == 1
    [failure] = lines(out, "FAIL")
    assert failure.split()[1] == "database"
    assert "cannot connect to postgresql://missions:***@127.0.0.1:1/missions" in failure
    assert "hunter2" not in out


def test_an_unreachable_redis_queue_fails(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    config = healthy(tmp_path)
    text = config.read_text(encoding="utf-8").replace(
        f"sqlite:///{tmp_path}/queue.sqlite3", "redis://127.0.0.1:1/0")
    config.write_text(text, encoding="utf-8")
    status, out = doctor(capsys, "--config", str(config))
    assert status == 1
    [failure] = lines(out, "FAIL")
    assert failure.split()[1] == "queue" and "redis://127.0.0.1:1/0" in failure


def test_a_configured_backend_that_cannot_run_and_a_missing_session_file_fail(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = healthy(tmp_path, f"""
[platforms.tiktok]
backends = ["browser", "web"]
[platforms.tiktok.browser]
executable_path = "{tmp_path}/no-chromium"
[platforms.instagram.instaloader]
username = "me"
session_file = "{tmp_path}/no-session"
""")
    status, out = doctor(capsys, "--config", str(config))
    assert status == 1
    failures = "\n".join(lines(out, "FAIL"))
    assert "tiktok" in failures and "backend browser is not available" in failures
    assert f"session_file: {tmp_path}/no-session is missing or unreadable" in failures


def test_a_private_webhook_url_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # Written before the configuration loads would refuse it: stored through the API.
    config = healthy(tmp_path)
    from engine.service.stored_settings import WEBHOOK_URL, write_setting

    service = Service.open(load_config(config))
    write_setting(service, WEBHOOK_URL, "http://user:pw@10.0.0.7/hook")
    service.close()
    status, out = doctor(capsys, "--config", str(config))
    assert status == 1
    [failure] = lines(out, "FAIL")
    assert failure.split()[1] == "webhook" and "private" in failure
    assert "pw@" not in out


def test_missing_files_are_warnings_not_failures(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "social-missions.toml"
    config.write_text("[service]\ndata = \"state\"\n", encoding="utf-8")
    status, out = doctor(capsys, "--config", str(config))
    assert status == 0
    assert len(lines(out, "warn")) == 3  # database, queue, key file: created on first start
    assert not (tmp_path / "state").exists()  # the doctor creates nothing
