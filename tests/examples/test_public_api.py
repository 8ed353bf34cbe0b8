"""The example plugin imports from the engine only through ``engine.plugin_api``.

A plugin written against inner modules breaks when they move; the example is what authors
copy, so it must show the one public module. Every Python file of ``examples/*/`` is parsed
with :mod:`ast` (not imported: a bad import must fail here, not in some other test).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import engine.plugin_api

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PUBLIC_MODULE = "engine.plugin_api"


def engine_imports(source: str) -> list[tuple[int, str]]:
    """``(line, module)`` of every import of an ``engine`` module other than the public one
    (``import engine.x``, ``from engine.x import y``, ``from engine import x``)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        for module in modules:
            if (module == "engine" or module.startswith("engine.")) and module != PUBLIC_MODULE:
                found.append((node.lineno, module))
    return found


def example_sources() -> list[Path]:
    return sorted(path for path in EXAMPLES.rglob("*.py")
                  if not any(part.endswith(".egg-info") or part == "build" for part in path.parts))


def test_the_examples_have_python_sources() -> None:
    # Guards the test below against passing on an empty or moved folder.
    names = {path.name for path in example_sources()}
    assert {"__init__.py", "api.py", "parsing.py", "build_cassettes.py"} <= names


@pytest.mark.parametrize("path", example_sources(), ids=lambda path: str(path.relative_to(EXAMPLES)))
def test_example_imports_only_the_public_module(path: Path) -> None:
    bad = engine_imports(path.read_text(encoding="utf-8"))
    assert not bad, "\n".join(
        f"{path.relative_to(EXAMPLES)}:{line} imports {module}; import it from {PUBLIC_MODULE}"
        for line, module in bad)


def test_every_name_the_example_imports_is_public() -> None:
    # ``from engine.plugin_api import X`` must name something in ``__all__``, not a name the
    # module merely happens to import.
    public = set(engine.plugin_api.__all__)
    for path in example_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == PUBLIC_MODULE:
                for alias in node.names:
                    assert alias.name in public, f"{path.name} imports {alias.name}, not public"


@pytest.mark.parametrize("source, expected", [
    ("from engine.plugin_api import Post", []),
    ("from engine.models import Post", [(1, "engine.models")]),
    ("import engine.errors as e", [(1, "engine.errors")]),
    ("from engine import models", [(1, "engine")]),
    ("def f():\n    from engine.dates import parse_instant", [(2, "engine.dates")]),
    ("from .engine import x\nimport enginex", []),
])
def test_the_checker_finds_engine_imports(source: str, expected: list[tuple[int, str]]) -> None:
    assert engine_imports(source) == expected


def test_every_public_name_resolves() -> None:
    # The lazily loaded names too: a typo in the re-export list fails here.
    for name in engine.plugin_api.__all__:
        assert getattr(engine.plugin_api, name) is not None, name
