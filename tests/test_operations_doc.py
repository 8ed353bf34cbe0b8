"""docs/operations.md shows only what exists: every ``social-missions`` command of its code
blocks (shell and systemd units) parses with the real command line, every TOML example loads
with the real configuration checks, and the README links the page."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from engine.cli import build_parser
from engine.config import load_config
from engine.service.settings import load_settings
from engine.web.settings import load_web_settings

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "operations.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
# The program as a shell line or a unit's Exec line names it: bare or from a virtualenv.
PROGRAM = re.compile(r"(?:^|=)(?:\S*/bin/)?social-missions\s+(.*)$")


def blocks(language: str) -> list[str]:
    text = PAGE.read_text(encoding="utf-8")
    return [m.group(2) for m in FENCE.finditer(text) if m.group(1) == language]


def commands() -> list[list[str]]:
    found = []
    for body in blocks("sh") + blocks("ini"):
        for line in body.splitlines():
            code = line.split(" #")[0].strip()
            match = PROGRAM.search(code)
            if match:
                found.append(shlex.split(match.group(1)))
    return found


def inline_commands() -> list[list[str]]:
    """The ``social-missions …`` spans of the prose (``why MEMBER MISSION``: placeholders)."""
    text = FENCE.sub("", PAGE.read_text(encoding="utf-8"))
    spans = re.findall(r"`social-missions ([^`]+)`", text.replace("\n", " "))
    return [shlex.split(span) for span in spans]


COMMANDS = commands()
INLINE = inline_commands()


def test_the_page_shows_the_commands_an_operator_needs() -> None:
    names = {argv[0] for argv in COMMANDS}
    assert {"init", "serve", "worker", "secret", "backends", "check", "token"} <= names
    assert len(blocks("toml")) >= 1 and len(blocks("ini")) == 2 and blocks("nginx")


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_every_command_shown_exists(argv: list[str]) -> None:
    parser = build_parser(argv)
    try:
        parser.parse_args(argv)
    except SystemExit as stop:  # --version exits 0; a refusal (status 2) is not a real command
        if stop.code != 0:
            raise AssertionError(f"`social-missions {' '.join(argv)}` does not parse") from stop


@pytest.mark.parametrize("argv", INLINE, ids=" ".join)
def test_every_command_named_in_the_text_exists(argv: list[str]) -> None:
    """The command and subcommand exist (``--help`` answers 0; an unknown one is refused)."""
    words = ["1" if w.isupper() else w for w in argv]  # MEMBER, PLATFORM… stand for values
    with pytest.raises(SystemExit) as stop:
        build_parser(words).parse_args([*words, "--help"])
    assert stop.value.code == 0, f"`social-missions {' '.join(argv)}` is not a command"


@pytest.mark.parametrize("index", range(len(blocks("toml"))))
def test_every_configuration_example_loads(index: int, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISSIONS_HOOK_SECRET", "x" * 40)
    path = tmp_path / "social-missions.toml"
    path.write_text(blocks("toml")[index], encoding="utf-8")
    config = load_config(path)  # unknown tables and keys stop here
    load_settings(config)
    load_web_settings(config)


def test_the_readme_links_the_operators_guide() -> None:
    assert "(docs/operations.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
