"""The README's ``social-missions check`` examples run offline as written and print what the
README says.

Every ``check`` line of the README's ``sh`` blocks runs as ``python -m engine`` in a folder
holding only a link to the bundled ``cassettes/`` (no configuration of the developer's), with
the network blocked by construction: a request missing from a cassette is an error. The exit
status is 0 unless the line ends with ``# exit N``; a ``text`` block right after an ``sh`` block
of one command is the beginning of what that command prints.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
COMMAND = re.compile(r"^(?:\.venv/bin/)?social-missions (check .*?)\s*(?:#\s*(.*))?$")


@dataclass
class Example:
    argv: list[str]
    status: int
    prints: list[str]

    def __str__(self) -> str:
        return " ".join(self.argv)


def readme_examples(text: str) -> list[Example]:
    """The ``check`` commands of ``text``'s ``sh`` blocks, their expected status and output."""
    examples: list[Example] = []
    blocks = [(m.group(1), m.group(2), m.start(), m.end()) for m in FENCE.finditer(text)]
    for index, (language, body, _start, end) in enumerate(blocks):
        if language != "sh":
            continue
        found = []
        for line in body.splitlines():
            match = COMMAND.match(line.strip())
            if match:
                comment = match.group(2) or ""
                status = re.search(r"\bexit (\d+)", comment)
                found.append(Example(shlex.split(match.group(1)),
                                     int(status.group(1)) if status else 0, []))
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        between = text[end:following[2]].strip() if following else ""
        if len(found) == 1 and following and following[0] == "text" and "\n\n" not in between:
            found[0].prints = following[1].rstrip("\n").splitlines()
        examples.extend(found)
    return examples


EXAMPLES = readme_examples(README.read_text(encoding="utf-8"))


def test_the_readme_has_offline_check_examples() -> None:
    assert len(EXAMPLES) >= 4
    assert {e.argv[1] for e in EXAMPLES} >= {"instagram", "youtube", "tiktok"}
    assert all("--cassette" in e.argv for e in EXAMPLES), [str(e) for e in EXAMPLES]
    assert any(e.prints for e in EXAMPLES)  # at least one shows what it prints


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_readme_check_example_runs_offline(example: Example, tmp_path: Path) -> None:
    (tmp_path / "cassettes").symlink_to(ROOT / "cassettes")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SOCIAL_MISSIONS_CONFIG", "HTTP_PROXY", "HTTPS_PROXY"))}
    done = subprocess.run([sys.executable, "-m", "engine", *example.argv], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == example.status, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stdout.strip(), "the example printed nothing"
    if example.prints:
        assert done.stdout.splitlines()[:len(example.prints)] == example.prints
