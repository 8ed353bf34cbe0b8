"""``docs/plugins.md`` runs: a wrong snippet fails here, not in a plugin author's hands.

Every ```python block of the page is executed, in order, in one namespace (a module of its own)
with an empty temporary folder as the working directory, as a reader who pastes the blocks one
after the other would. A block preceded by ``<!-- not run: reason -->`` is left out and reported
as skipped with its reason. Then the tests the page writes (``test_*`` functions, the
``pytest-recording`` one through the page's own ``conftest.py`` hooks) are run against the page's
own plugin, registered as if it were installed, and its contract suite is run on the cases it has
cassettes for. ```toml blocks must parse.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
import tomllib
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import vcr

import engine.plugin_manager
from engine.plugin_api import LayoutChanged

DOC = Path(__file__).resolve().parents[1] / "docs" / "plugins.md"
FENCE = re.compile(r"^```(?P<info>[\w+-]*)\s*$")
NOT_RUN = re.compile(r"^<!--\s*not run:\s*(?P<reason>.*?)\s*-->$")


@dataclass(frozen=True)
class Block:
    """One fenced code block: ``line`` is the fence's line number (1-based), ``not_run`` the
    reason of a ``<!-- not run: reason -->`` comment right before it (None when it runs)."""

    line: int
    language: str
    code: str
    not_run: str | None = None


def code_blocks(text: str) -> list[Block]:
    """The fenced blocks of a Markdown ``text``, in order (a fence left open is an error)."""
    blocks: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opened = FENCE.match(lines[index])
        if opened is None:
            index += 1
            continue
        start = index
        index += 1
        body: list[str] = []
        while index < len(lines) and lines[index].rstrip() != "```":
            body.append(lines[index])
            index += 1
        if index == len(lines):
            raise ValueError(f"the code block opened at line {start + 1} is never closed")
        previous = next((line.strip() for line in reversed(lines[:start]) if line.strip()), "")
        marker = NOT_RUN.match(previous)
        blocks.append(Block(line=start + 1, language=opened["info"].lower(),
                            code="\n".join(body) + "\n",
                            not_run=marker["reason"] if marker else None))
        index += 1
    return blocks


def python_blocks(path: Path = DOC) -> list[Block]:
    return [block for block in code_blocks(path.read_text(encoding="utf-8"))
            if block.language in ("python", "py")]


def run_blocks(blocks: list[Block], module: types.ModuleType) -> None:
    """Execute ``blocks`` in ``module``'s namespace, their line numbers those of the page (a
    traceback points at the page's line); a failing block fails the test naming its line."""
    for block in blocks:
        if block.not_run is not None:
            continue
        tree = ast.parse(block.code, filename=str(DOC))
        ast.increment_lineno(tree, block.line)
        try:
            exec(compile(tree, str(DOC), "exec"), module.__dict__)  # noqa: S102  (the docs' own code)
        except Exception as error:
            pytest.fail(f"the python block at docs/plugins.md:{block.line} fails: "
                        f"{type(error).__name__}: {error}")


@pytest.fixture
def page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """The page's blocks run in a fresh module, from an empty working directory."""
    monkeypatch.chdir(tmp_path)
    module = types.ModuleType("docs_plugins_md")
    module.__file__ = str(tmp_path / "docs_plugins_md.py")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    run_blocks(python_blocks(), module)
    return module


@pytest.fixture
def installed(page: types.ModuleType, monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """The page's ``plugin`` loaded by every new plugin manager, as ``pip install`` would."""
    monkeypatch.setattr(engine.plugin_manager, "DEFAULT_PLUGINS",
                        (*engine.plugin_manager.DEFAULT_PLUGINS, ("example", page.__name__)))
    return page


def run_documented_test(test: Callable[[], Any], page: types.ModuleType) -> None:
    """Call one of the page's tests; one marked ``vcr`` runs inside its cassette, through a VCR
    the page's ``pytest_recording_configure`` configured and its ``vcr_config`` settings."""
    cassettes = [mark.args[0] for mark in getattr(test, "pytestmark", []) if mark.name == "vcr"]
    if not cassettes:
        test()
        return
    path = Path(cassettes[0])
    assert path.is_file(), f"{test.__name__} names a cassette the page never writes: {path}"
    recorder = vcr.VCR()
    page.pytest_recording_configure(None, recorder)
    settings = page.vcr_config.__wrapped__()
    with recorder.use_cassette(str(path), **settings):
        test()


def test_the_collector_reads_fences_and_not_run_markers() -> None:
    text = ("intro\n```python\nx = 1\n```\n\n<!-- not run: needs a browser -->\n\n"
            "```python\nopen_browser()\n```\n```toml\n[a]\n```\n```\nplain\n```\n")
    assert code_blocks(text) == [
        Block(line=2, language="python", code="x = 1\n"),
        Block(line=8, language="python", code="open_browser()\n", not_run="needs a browser"),
        Block(line=11, language="toml", code="[a]\n"),
        Block(line=14, language="", code="plain\n"),
    ]
    with pytest.raises(ValueError, match="line 1 is never closed"):
        code_blocks("```python\nx = 1\n")


def test_a_failing_block_fails_naming_its_line(tmp_path: Path) -> None:
    module = types.ModuleType("broken_page")
    blocks = [Block(line=10, language="python", code="x = 1\n"),
              Block(line=20, language="python", code="\nundefined_name()\n")]
    with pytest.raises(pytest.fail.Exception, match=r"plugins\.md:20 fails: NameError"):
        run_blocks(blocks, module)


def test_the_page_has_python_blocks() -> None:
    # Guards the tests below against passing on a page whose blocks were all removed.
    assert len([block for block in python_blocks() if block.not_run is None]) >= 8


def test_every_python_block_runs(
        # capsys first: it must capture what the page's blocks print
        capsys: pytest.CaptureFixture[str], page: types.ModuleType) -> None:
    # The "try it" block checked the page's plugin through its stand-in transport and printed
    # the outcome: one request, one post carrying the hashtag.
    assert page.outcome.snapshot.requests == 1
    assert page.outcome.matched == 1
    assert "'status': 'ok'" in capsys.readouterr().out


def test_the_tests_the_page_writes_pass(installed: types.ModuleType) -> None:
    tests = {name: value for name, value in vars(installed).items()
             if name.startswith("test_") and inspect.isfunction(value)
             and not inspect.signature(value).parameters}
    assert {"test_public_account", "test_unknown_handle",
            "test_public_account_with_pytest_recording"} <= set(tests)
    for test in tests.values():
        run_documented_test(test, installed)


def test_the_page_contract_suite_passes_the_cases_it_has_cassettes_for(
        installed: types.ModuleType) -> None:
    contract = installed.TestExampleContract()
    contract.test_public_account_gives_posts("api")
    contract.test_unknown_handle_is_not_found("api")


@pytest.mark.parametrize("item, named", [
    ({"id": "7", "created_at": "yesterday"}, "posts[3].created_at 'yesterday'"),
    ({"id": "7"}, "posts[3].created_at"),
    ({"created_at": "2025-06-01T09:30:00Z"}, "posts[3].id"),
    ({"id": 7, "created_at": "2025-06-01T09:30:00Z"}, "posts[3].id"),
    (["not", "an", "object"], "posts[3] is not an object"),
])
def test_the_page_backend_reads_a_bad_item_as_layout_changed(
        page: types.ModuleType, item: Any, named: str) -> None:
    # The page's backend guards each field it reads: a bad item is the platform's change of
    # shape naming the field, never an InvalidDate, KeyError or TypeError (a bug).
    with pytest.raises(LayoutChanged) as raised:
        page.read_post(item, "posts[3]")
    assert named in str(raised.value)


def test_every_toml_block_parses() -> None:
    blocks = [block for block in code_blocks(DOC.read_text(encoding="utf-8"))
              if block.language == "toml"]
    assert blocks
    for block in blocks:
        try:
            tomllib.loads(block.code)
        except tomllib.TOMLDecodeError as error:
            pytest.fail(f"the toml block at docs/plugins.md:{block.line} does not parse: {error}")


def test_blocks_left_out_say_why() -> None:
    """A block marked ``<!-- not run: reason -->`` must give its reason (none is marked today:
    every Python block of the page runs)."""
    left_out = [block for block in python_blocks() if block.not_run is not None]
    assert all(block.not_run for block in left_out), [
        f"docs/plugins.md:{block.line} is marked not run without a reason"
        for block in left_out if not block.not_run]
    assert len(left_out) < len(python_blocks())
