"""``social-missions member link-url MEMBER MISSION [--days N]``: the signed member page link the
console and the API's ``POST /member-links`` make, printed for the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engine.cli import main
from engine.config import load_config
from engine.service.context import Service
from engine.web.app import create_app
from engine.web.member_links import verify_member_link


@pytest.fixture
def config(tmp_path: Path) -> str:
    path = tmp_path / "social-missions.toml"
    path.write_text('[database]\nurl = "sqlite:///missions.sqlite3"\n'
                    '[queue]\nurl = "sqlite:///queue.sqlite3"\nworkers = 1\n', encoding="utf-8")
    return str(path)


def sm(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def prepare(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert sm(capsys, "init", "--config", config)[0] == 0
    assert sm(capsys, "action", "add", "--config", config, "--platform", "instagram",
              "--hashtag", "summer2025")[0] == 0
    assert sm(capsys, "mission", "add", "--config", config, "--title", "Été", "--action", "1",
              "--posts", "1", "--points", "10", "--publish")[0] == 0


def test_link_url_prints_a_working_signed_link(config: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    prepare(config, capsys)
    status, out, _ = sm(capsys, "member", "link-url", "--config", config, "zoe", "1",
                        "--days", "3")
    assert status == 0
    url, note = out.strip().splitlines()
    assert url.startswith("http://127.0.0.1:8000/m/")
    assert note.startswith("member zoe, mission 1; valid until ")
    service = Service.open(load_config(config))
    try:
        link = verify_member_link(service, url.split("/m/", 1)[1])
        assert (link.member_id, link.mission_id) == ("zoe", 1)
        left = link.expires_at - datetime.now(UTC)
        assert timedelta(days=3) - timedelta(minutes=5) < left <= timedelta(days=3)
        # The link opens the member's page on a server of the same database.
        with TestClient(create_app(service)) as client:
            page = client.get(url.removeprefix("http://127.0.0.1:8000"))
            assert page.status_code == 200 and "Été" in page.text
    finally:
        service.close()

    status, out, _ = sm(capsys, "member", "link-url", "--config", config, "zoe", "1",
                        "--json", "--base-url", "https://missions.example/")
    document = json.loads(out)
    assert document["url"] == "https://missions.example" + document["path"]
    assert document["member_id"] == "zoe" and document["mission_id"] == 1
    assert document["expires_at"].endswith("Z") or document["expires_at"].endswith("+00:00")
    default = datetime.fromisoformat(document["expires_at"].replace("Z", "+00:00"))
    assert abs(default - datetime.now(UTC) - timedelta(days=7)) < timedelta(minutes=5)


def test_link_url_uses_the_configured_base_url(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "social-missions.toml"
    path.write_text('[database]\nurl = "sqlite:///missions.sqlite3"\n'
                    '[queue]\nurl = "sqlite:///queue.sqlite3"\n'
                    '[web]\nbase_url = "https://club.example"\n', encoding="utf-8")
    prepare(str(path), capsys)
    status, out, _ = sm(capsys, "member", "link-url", "--config", str(path), "ana", "1")
    assert status == 0 and out.startswith("https://club.example/m/")


def test_link_url_refusals(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    prepare(config, capsys)
    for argv, message in [
        (("zoe", "99"), "no mission 99"),
        (("zoe", "1", "--days", "0"), "--days must be a whole number from 1 to 366"),
        (("zoe", "1", "--days", "367"), "--days must be a whole number from 1 to 366"),
        (("zoe", "1", "--days", "٣"), "--days must be a whole number from 1 to 366"),
        (("  ", "1"), "the member id begins or ends with white space"),
        ((" zoe", "1"), "the member id begins or ends with white space"),
        (("z" * 201, "1"), "the member id has 201 characters, more than 200"),
        (("zoe", "1", "--base-url", "ftp://x"), "must start with http:// or https://"),
    ]:
        status, out, err = sm(capsys, "member", "link-url", "--config", config, *argv)
        assert status == 2, argv
        assert message in err and out == "", argv
