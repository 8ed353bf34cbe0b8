"""The rules cited by the code exist in ``docs/rules.md``, and nothing cites a file outside the repository.

Comments and docstrings name a product rule as ``rule R4 (docs/rules.md)``, or ``R4`` for short.
A reference to a rule the page does not define, a citation of the old specification ("SPEC R3",
a file that never was in the repository), or a code path the page names that is gone, fails
here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "docs" / "rules.md"
# Folders whose text is ours; the vendored Swagger UI bundle is not.
SCANNED = ("engine", "plugins", "tests", "benchmarks", "examples")
SUFFIXES = {".py", ".html", ".md", ".tmpl", ".mako", ".txt", ".toml", ".css", ".js"}
VENDORED = (ROOT / "engine" / "web" / "static" / "swagger-ui",)
# "SPEC" as a word: "SPEC R3", "SPEC.md", "the SPEC" (not HOOKSPEC, not hookspec).
SPEC_WORD = re.compile(r"\bSPEC\b")
# A rule reference: "R4" as a word, in "rule R4 (docs/rules.md)", "(R4)", "R6–R7", "R11's".
RULE_REF = re.compile(r"\bR(\d+)\b")
CITES_PAGE = "docs/rules.md"
RULE_HEADING = re.compile(r"^## R(\d+)\. \S", re.MULTILINE)
ANCHOR = re.compile(r'^<a id="r(\d+)"></a>$', re.MULTILINE)
CODE_PATH = re.compile(r"`((?:engine|plugins|docs)/[\w/.]+\.(?:py|md))`")


def _our_files() -> list[Path]:
    """Every text file of the scanned folders, this test excluded, sorted."""
    found = []
    for folder in SCANNED:
        for path in (ROOT / folder).rglob("*"):
            if (path.is_file() and path.suffix in SUFFIXES and path != Path(__file__).resolve()
                    and "__pycache__" not in path.parts
                    and not any(path.is_relative_to(v) for v in VENDORED)):
                found.append(path)
    return sorted(found)


def _rules() -> set[int]:
    """The rule numbers ``docs/rules.md`` defines (its ``## R<n>. Title`` headings)."""
    return {int(n) for n in RULE_HEADING.findall(RULES.read_text(encoding="utf-8"))}


def _where(path: Path, text: str, start: int) -> str:
    return f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, start) + 1}"


def test_rules_page_numbers_its_rules_one_to_thirteen_with_an_anchor_each() -> None:
    text = RULES.read_text(encoding="utf-8")
    assert sorted(_rules()) == list(range(1, 14))
    # Links such as docs/rules.md#r4 rely on the explicit anchors, one before each heading.
    assert sorted(int(n) for n in ANCHOR.findall(text)) == list(range(1, 14))


def test_every_code_path_the_rules_page_names_exists() -> None:
    named = set(CODE_PATH.findall(RULES.read_text(encoding="utf-8")))
    assert named, "docs/rules.md names no code path: the pattern of this test is out of date"
    missing = sorted(p for p in named if not (ROOT / p).is_file())
    assert not missing, f"docs/rules.md names files that are gone: {missing}; point it at the new ones"


def test_no_file_cites_the_old_specification() -> None:
    cited = []
    for path in _our_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        cited += [_where(path, text, m.start()) for m in SPEC_WORD.finditer(text)]
    assert not cited, ("these cite SPEC, which is not in the repository; cite the rule as "
                       f"`rule R<n> (docs/rules.md)` instead: {cited}")


def test_every_rule_reference_names_a_rule_of_the_page() -> None:
    rules = _rules()
    wrong = []
    pointing = 0
    for path in _our_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        pointing += text.count(CITES_PAGE)
        wrong += [f"{_where(path, text, m.start())}: R{m.group(1)}"
                  for m in RULE_REF.finditer(text) if int(m.group(1)) not in rules]
    assert pointing, f"nothing cites {CITES_PAGE}: the pattern of this test is out of date"
    assert not wrong, f"these name rules docs/rules.md does not define: {wrong}"


@pytest.mark.parametrize("text, found", [
    ("handles (rule R3 (docs/rules.md))", ["3"]),
    ("rule R5 and R9, docs/rules.md; R6–R7; R11's proof", ["5", "9", "6", "7", "11"]),
    ("R2D2, a 2R2 part, HR3", []),
])
def test_rule_reference_pattern(text: str, found: list[str]) -> None:
    assert RULE_REF.findall(text) == found


@pytest.mark.parametrize("text, cites", [
    ("(SPEC R3)", True), ("see SPEC.md", True), ("the SPEC.", True),
    ("HOOKSPEC", False), ("hookspecs", False), ("SPECIFIC", False),
])
def test_spec_pattern_finds_only_the_word(text: str, cites: bool) -> None:
    assert bool(SPEC_WORD.search(text)) is cites
