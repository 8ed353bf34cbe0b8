"""``--help`` and a ``web`` check load none of the heavy optional libraries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import contextlib, io, json, sys
from engine.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as stop:
        code = stop.code
heavy = ("instaloader", "yt_dlp", "playwright")
print(json.dumps({"code": code, "loaded": [m for m in heavy if m in sys.modules]}))
"""


def run(*args: str) -> dict[str, object]:
    finished = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                              text=True, check=True, cwd=ROOT)
    return dict(json.loads(finished.stdout.strip().splitlines()[-1]))


def test_help_loads_no_heavy_library() -> None:
    assert run("--help") == {"code": 0, "loaded": []}


def test_web_check_loads_no_heavy_library() -> None:
    result = run("check", "instagram", "lea.voyage", "--hashtag", "summer2025", "--cassette",
                 str(ROOT / "cassettes" / "instagram" / "web" / "public.yaml"))
    assert result == {"code": 0, "loaded": []}


SERVICE_LIBRARIES = ("sqlalchemy", "alembic", "huey", "redis", "psycopg", "fastapi",
                     "starlette", "uvicorn", "jinja2", "limits")


def test_check_imports_no_database_queue_or_web_library() -> None:
    """``check`` parses only its own command: ``-X importtime`` (every module the process
    imported, in a fresh interpreter) lists none of the service's libraries."""
    finished = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "engine", "check", "instagram", "lea.voyage",
         "--hashtag", "summer2025", "--cassette",
         str(ROOT / "cassettes" / "instagram" / "web" / "public.yaml")],
        capture_output=True, text=True, cwd=ROOT, check=False)
    assert finished.returncode == 0, finished.stderr[-2000:]
    imported = {line.split("|")[-1].strip().split(".")[0]
                for line in finished.stderr.splitlines() if line.startswith("import time:")}
    assert imported, "no -X importtime output"
    assert sorted(imported & set(SERVICE_LIBRARIES)) == []


def test_every_command_is_still_listed_by_help() -> None:
    """Loading one command's module at a time must not hide the others from ``--help``."""
    finished = subprocess.run([sys.executable, "-m", "engine", "--help"], capture_output=True,
                              text=True, cwd=ROOT, check=True)
    from engine.cli import COMMAND_MODULES

    for module in COMMAND_MODULES:
        assert module.rsplit(".", 1)[1] in finished.stdout
