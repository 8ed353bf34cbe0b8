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
