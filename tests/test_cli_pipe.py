"""A reader that stops early (``social-missions check … | head -3``) gets no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import EXIT_BROKEN_PIPE

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ROOT / "cassettes" / "instagram" / "web" / "public.yaml"


@pytest.mark.parametrize("argv", [
    ["check", "instagram", "lea.voyage", "--hashtag", "summer2025", "--cassette", str(PUBLIC)],
    ["check", "instagram", "lea.voyage", "--hashtag", "summer2025", "--cassette", str(PUBLIC),
     "--json"],
    ["backends"],
], ids=["check", "check-json", "backends"])
def test_closed_pipe_ends_quietly(argv: list[str], tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "engine", *argv], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the command prints its first line
    stderr = process.stderr.read().decode()
    status = process.wait(timeout=60)
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
    assert "Exception ignored" not in stderr, stderr
    assert status == EXIT_BROKEN_PIPE, stderr
