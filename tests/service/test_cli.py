"""A scripted run of the commands on a fresh SQLite database, plus refusals and the demo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli import main

from .conftest import ACCOUNTS


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


def test_scripted_run(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    cassette = str(ACCOUNTS)
    assert sm(capsys, "init", "--config", config)[0] == 0
    assert sm(capsys, "init", "--config", config)[0] == 0  # migrations are idempotent
    status, out, _ = sm(capsys, "action", "add", "--config", config, "--platform", "instagram",
                        "--hashtag", "#summer2025", "--json")
    assert status == 0 and json.loads(out)["hashtag"] == "summer2025"
    status, out, _ = sm(capsys, "mission", "add", "--config", config, "--title", "Été",
                        "--action", "1", "--posts", "3", "--points", "100", "--start",
                        "2025-06-01", "--end", "2025-07-01", "--json")
    assert status == 0 and json.loads(out)["status"] == "draft"
    status, _, err = sm(capsys, "claim", "--config", config, "ana", "1", "instagram")
    assert status == 2 and err.count("\n") == 1 and "no member" in err
    assert sm(capsys, "mission", "publish", "--config", config, "1")[0] == 0
    assert sm(capsys, "member", "link", "--config", config, "ana", "instagram",
              "@Ana.Summer")[0] == 0
    status, out, _ = sm(capsys, "claim", "--config", config, "ana", "1", "instagram",
                        "--cassette", cassette, "--json")
    assert status == 0 and json.loads(out)["claim_id"] == 1
    # Nothing due before it: position 0, expected now (an ISO 8601 UTC instant).
    assert json.loads(out)["queue_position"] == 0
    assert json.loads(out)["expected_check_at"].endswith("Z")
    status, _, err = sm(capsys, "claim", "--config", config, "ana", "1", "instagram",
                        "--cassette", cassette)
    assert status == 2 and "the button comes back at" in err
    assert sm(capsys, "worker", "--config", config, "--once", "--cassette", cassette)[0] == 0
    status, out, _ = sm(capsys, "report", "--config", config, "--format", "json")
    document = json.loads(out)
    verdicts = {row["post_url"].split("/")[-2]: row["verdict"] for row in document["rows"]}
    assert verdicts == {
        "AnaMatch06": "counted", "AnaMatch03": "counted", "AnaMatch02": "counted",
        "AnaMatch01": "goal_already_met", "AnaNear004": "hashtag_near_miss",
        "AnaNone005": "hashtag_missing", "AnaOld0007": "before_window"}
    status, out, _ = sm(capsys, "member", "show", "--config", config, "ana", "--json")
    assert json.loads(out)["balance"] == 100
    status, out, _ = sm(capsys, "report", "--config", config, "--format", "csv",
                        "--verdict", "counted")
    assert status == 0 and len(out.strip().splitlines()) == 4
    status, out, _ = sm(capsys, "why", "--config", config, "ana", "1")
    assert status == 0 and "Bravo : 100 points" in out
    status, out, _ = sm(capsys, "why", "--config", config, "ana", "1", "--lang", "en")
    assert "fix the hashtag typo" in out
    status, out, _ = sm(capsys, "mission", "list", "--config", config)
    assert "«Été» [published]" in out
    # The goal is met: a new claim is refused (exit 2) with the reason.
    status, _, err = sm(capsys, "claim", "--config", config, "ana", "1", "instagram",
                        "--cassette", cassette)
    assert status == 2 and "already completed mission 1" in err
    # The ownership code (R11), and an admin's verification with its reason.
    status, out, _ = sm(capsys, "member", "code", "--config", config, "ana", "instagram",
                        "--json")
    code = json.loads(out)
    assert status == 0 and code["code"].startswith("SM-") and len(code["code"]) == 8
    assert code["ownership"] == "unverified" and "bio" in code["where"]
    status, out, _ = sm(capsys, "member", "code", "--config", config, "ana", "instagram")
    assert out.splitlines()[0] == code["code"] and "put it in" in out
    status, _, err = sm(capsys, "member", "verify", "--config", config, "ana", "instagram")
    assert status == 2 and "--reason" in err
    status, out, _ = sm(capsys, "member", "verify", "--config", config, "ana", "instagram",
                        "--reason", "met at the shop")
    assert status == 0 and "@ana.summer  verified" in out
    status, _, err = sm(capsys, "member", "code", "--config", config, "ghost", "instagram")
    assert status == 2 and "no linked instagram handle" in err
    status, out, _ = sm(capsys, "backends", "--config", config, "--stats", "--json")
    web = next(row for row in json.loads(out)
               if (row["platform"], row["backend"]) == ("instagram", "web"))
    assert status == 0 and web["stats"] == {"attempts": 1, "outcomes": {"ok": 1}, "causes": {}}
    status, out, _ = sm(capsys, "backends", "--config", config, "--stats")
    assert "last 7 days: 1 attempt(s): ok 1" in out
    status, _, err = sm(capsys, "backends", "--config", config, "--stats", "--days", "0")
    assert status == 2 and "--days must be above 0" in err


@pytest.mark.parametrize("argv,message", [
    (["action", "add", "--platform", "instagram", "--hashtag", "été"], "use `ete`"),
    (["action", "add", "--platform", "myspace", "--hashtag", "x1"], "unknown platform"),
    (["member", "link", "ana", "instagram", "bad..dots"], "not a valid instagram handle"),
    (["mission", "add", "--title", "T", "--action", "7", "--posts", "1", "--points", "1"],
     "no action 7"),
    (["mission", "show", "42"], "no mission 42"),
    (["why", "ghost", "1"], "no member"),
    (["report", "--since", "yesterday"], "not an ISO 8601 date"),
])
def test_bad_input_is_one_line(config: str, capsys: pytest.CaptureFixture[str],
                               argv: list[str], message: str) -> None:
    command, rest = argv[0], argv[1:]
    if command in ("action", "mission", "member"):
        full = [command, rest[0], "--config", config, *rest[1:]]
    else:
        full = [command, "--config", config, *rest]
    status, _, err = sm(capsys, *full)
    assert status == 2
    assert err.count("\n") == 1 and message in err


def test_demo(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = sm(capsys, "demo", "--lang", "en")
    assert status == 0
    assert "balance 100 point(s)" in out and "fix the hashtag typo" in out
