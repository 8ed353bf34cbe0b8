"""The reference tables of ``docs/plugins.md`` match the classes they describe.

Each table under ``## Reference`` is read back and compared, in both directions, with the class
of its heading: a dataclass's fields (name, type as annotated, default), a ``Backend``'s class
attributes and methods, a ``CheckSession``'s members (a method by its signature), the members
of ``PostKind``. A field added to the code and not to the page, or a default changed in one
place only, fails here.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.backends import Backend, CheckSession
from engine.config_schema import NO_DEFAULT, Option
from engine.models import Post, PostKind, Profile
from engine.platforms import HandleRule, Platform

DOC = Path(__file__).resolve().parents[1] / "docs" / "plugins.md"
CELL_SPLIT = re.compile(r"(?<!\\)\|")
REQUIRED = "(required)"
# ``self.name = …`` or ``self.name: type = …`` in an ``__init__``: an instance attribute.
ASSIGNED = re.compile(r"self\.(\w+)\s*(?::[^=\n]+)?=[^=]")


def reference_tables(text: str) -> dict[str, list[list[str]]]:
    """The tables under ``## Reference``, by the class their ``### `Name``` heading names:
    each row's cells, stripped, with ``\\|`` read as ``|`` (the header and rule rows left
    out)."""
    section = text.split("\n## Reference\n", 1)[1].split("\n## ", 1)[0]
    tables: dict[str, list[list[str]]] = {}
    current = ""
    for line in section.splitlines():
        heading = re.fullmatch(r"### `(\w+)`", line.strip())
        if heading:
            current = heading.group(1)
            tables[current] = []
        elif line.startswith("|") and current:
            cells = [cell.strip().replace("\\|", "|") for cell in CELL_SPLIT.split(line)[1:-1]]
            tables[current].append(cells)
    for name, rows in tables.items():
        assert len(rows) >= 2 and set(rows[1][0]) <= {"-", " "}, f"{name}: no table"
        tables[name] = rows[2:]
    return tables


def unquote(cell: str) -> str:
    """A cell without its code span backticks."""
    return cell[1:-1] if cell.startswith("`") and cell.endswith("`") else cell


def shown(value: Any) -> str:
    """A default as the tables write it: strings in double quotes, the rest as ``repr``."""
    if value is NO_DEFAULT:
        return "(none)"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def signature_text(name: str, function: Callable[..., Any]) -> str:
    """``name(a, *, b=None)``: the parameters after ``self``/``cls``, defaults as shown."""
    parts: list[str] = []
    star = False
    for parameter in list(inspect.signature(function).parameters.values()):
        if parameter.name in ("self", "cls"):
            continue
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        default = parameter.default
        parts.append(parameter.name if default is inspect.Parameter.empty
                     else f"{parameter.name}={shown(default)}")
    return f"{name}({', '.join(parts)})"


TABLES = reference_tables(DOC.read_text(encoding="utf-8"))


@pytest.mark.parametrize("cls", [Platform, HandleRule, Post, Profile, Option],
                         ids=lambda cls: cls.__name__)
def test_a_dataclass_table_lists_every_field_with_its_type_and_default(cls: type) -> None:
    rows = {unquote(row[0]): row for row in TABLES[cls.__name__]}
    fields = dataclasses.fields(cls)
    assert list(rows) == [field.name for field in fields], (
        f"docs/plugins.md's {cls.__name__} table must list the fields in the class's order")
    for field in fields:
        _name, written_type, written_default, meaning = rows[field.name]
        assert unquote(written_type) == field.type, f"{cls.__name__}.{field.name}: type"
        expected = REQUIRED if field.default is dataclasses.MISSING else shown(field.default)
        assert unquote(written_default) == expected, f"{cls.__name__}.{field.name}: default"
        assert meaning, f"{cls.__name__}.{field.name}: no meaning"


def test_the_backend_table_lists_every_class_attribute_and_method() -> None:
    rows = {unquote(row[0]): row for row in TABLES["Backend"]}
    annotations = Backend.__annotations__
    for name, annotation in annotations.items():
        assert name in rows, f"Backend.{name} is not in the reference"
        _name, written_type, written_default, _meaning = rows[name]
        assert unquote(written_type) == annotation.removeprefix("ClassVar[")[:-1]
        expected = shown(getattr(Backend, name)) if hasattr(Backend, name) else REQUIRED
        assert unquote(written_default) == expected, f"Backend.{name}: default"
    methods = {signature_text(name, getattr(Backend, name)) for name, member
               in vars(Backend).items() if not name.startswith("_")
               and (inspect.isfunction(member) or isinstance(member, classmethod))}
    properties = {name for name, member in vars(Backend).items() if isinstance(member, property)}
    in_init = set(ASSIGNED.findall(inspect.getsource(Backend.__init__)))
    assert set(rows) == set(annotations) | methods | properties | in_init


def test_the_check_session_table_lists_every_public_member() -> None:
    rows = [unquote(row[0]) for row in TABLES["CheckSession"]]
    methods = {signature_text(name, member) for name, member in vars(CheckSession).items()
               if not name.startswith("_") and inspect.isfunction(member)}
    properties = {name for name, member in vars(CheckSession).items()
                  if isinstance(member, property)}
    attributes = {name for name in ASSIGNED.findall(inspect.getsource(CheckSession.__init__))
                  if not name.startswith("_")}
    assert len(rows) == len(set(rows))
    assert set(rows) == methods | properties | attributes


def test_the_post_kind_table_lists_every_member() -> None:
    rows = [(unquote(row[0]), unquote(row[1])) for row in TABLES["PostKind"]]
    assert rows == [(kind.name, kind.value) for kind in PostKind]


def test_every_reference_table_is_checked() -> None:
    assert set(TABLES) == {"Platform", "HandleRule", "Backend", "Option", "CheckSession",
                           "Post", "Profile", "PostKind"}
