"""Keep the hooks honest: every hook is documented and every hook has a test."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from engine import hookspecs

ROOT = Path(__file__).resolve().parents[1]
HOOKS = [name for name, value in vars(hookspecs).items()
         if inspect.isfunction(value) and hasattr(value, "social_missions_spec")]


def test_there_are_hooks() -> None:
    assert {"fetch_recent_posts", "is_public", "social_missions_platforms"} <= set(HOOKS)


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_typed_contract_in_its_docstring(hook: str) -> None:
    function = getattr(hookspecs, hook)
    doc = inspect.getdoc(function) or ""
    assert len(doc) > 200, f"{hook} needs a docstring that states its contract"
    assert ":return:" in doc
    signature = inspect.signature(function)
    assert signature.return_annotation is not inspect.Signature.empty
    assert all(p.annotation is not inspect.Parameter.empty for p in signature.parameters.values())


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented_for_plugin_authors(hook: str) -> None:
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    assert re.search(rf"\b{hook}\b", guide), f"docs/plugins.md does not describe {hook}"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_test(hook: str) -> None:
    tests = [path for path in (ROOT / "tests").rglob("test_*.py")
             if path.name != Path(__file__).name]
    callers = [path for path in tests
               if re.search(rf"hook\.{hook}\b", path.read_text(encoding="utf-8"))]
    assert callers, f"no test calls the hook {hook} directly"
