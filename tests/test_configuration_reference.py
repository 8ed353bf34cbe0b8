"""docs/configuration.md against the code: every key the code declares has its row (key, type,
default, example, meaning) and every row a key; examples load; defaults are the code's; keys
the code reads are declared; unknown keys and tables stop start-up naming the key."""

from __future__ import annotations

import ast
import dataclasses
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from engine.backends import Backend
from engine.cache import MemoryCache
from engine.config import HttpSettings, config_from_mapping, parse_cool_off
from engine.config_schema import (
    BACKEND_KEYS,
    NO_DEFAULT,
    PLATFORM_KEYS,
    SECTIONS,
    Option,
)
from engine.core import Engine
from engine.errors import ConfigurationError
from engine.plugin_manager import collect_platforms, get_plugin_manager
from engine.service.settings import ServiceSettings, load_settings, parse_duration
from engine.web.settings import WebSettings, load_web_settings

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "configuration.md"
HEADING = re.compile(r"^## `\[(?P<table>[^\]]+)\]`\s*$")
COLUMNS = ["key", "type", "default", "example", "meaning"]


@dataclasses.dataclass
class Row:
    """One row of the reference: the five cells as written."""

    key: str
    type: str
    default: str
    example: str
    meaning: str
    line: int


def parse_reference(text: str) -> dict[str, dict[str, Row]]:
    """Table name (``web``, ``platforms.<name>``, ``platforms.tiktok.browser``) → key → row.

    Raises AssertionError for a table whose header is not the five fixed columns, a row
    with another number of cells, or a key written twice."""
    tables: dict[str, dict[str, Row]] = {}
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        heading = HEADING.match(line)
        if heading:
            current = heading["table"]
            assert current not in tables, f"line {number}: [{current}] written twice"
            tables[current] = {}
            continue
        if line.startswith("## "):
            current = None
        if current is None or not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if cells == COLUMNS or set("".join(cells)) <= set("-: "):
            assert cells == COLUMNS or len(cells) == 5, f"line {number}: bad header {cells}"
            continue
        assert len(cells) == 5, f"line {number}: {len(cells)} cells, not {COLUMNS}"
        key = cells[0].strip("`")
        assert cells[0] == f"`{key}`", f"line {number}: write the key as `{key}`"
        assert key not in tables[current], f"line {number}: {key} written twice"
        tables[current][key] = Row(key, cells[1], cells[2], cells[3], cells[4], line=number)
    return tables


def builtin_backends() -> dict[str, dict[str, type[Backend]]]:
    """Built-in platform → backend name → class."""
    platforms = collect_platforms(get_plugin_manager(autoload=False))
    return {name: {backend.name: backend for backend in platform.backends}
            for name, platform in platforms.items()}


def expected_tables() -> dict[str, Mapping[str, Option]]:
    """Every table the reference must document, with the keys the code declares."""
    expected: dict[str, Mapping[str, Option]] = {
        name: keys for name, keys in SECTIONS.items() if name != "platforms"}
    expected["platforms.<name>"] = PLATFORM_KEYS
    expected["platforms.<name>.<backend>"] = BACKEND_KEYS
    for platform, backends in builtin_backends().items():
        for name, backend in backends.items():
            expected[f"platforms.{platform}.{name}"] = backend.config_options
    return expected


def drift(tables: dict[str, dict[str, Row]],
          expected: Mapping[str, Mapping[str, Option]]) -> list[str]:
    """What differs between the reference's ``tables`` and the code's ``expected`` keys."""
    problems = []
    for table, keys in expected.items():
        if table not in tables:
            problems.append(f"[{table}] has no section `## [{table}]` in the reference")
            continue
        rows = tables[table]
        for key in sorted(set(keys) - set(rows)):
            problems.append(f"[{table}] {key}: in the code, no row in the reference")
        for key in sorted(set(rows) - set(keys)):
            problems.append(f"[{table}] {key}: a row (line {rows[key].line}) for a key the "
                            "code does not declare")
        for key in sorted(set(keys) & set(rows)):
            row, option = rows[key], keys[key]
            if row.type != option.type:
                problems.append(f"[{table}] {key}: type {row.type!r} in the reference, "
                                f"{option.type!r} in the code")
            if row.default != option.rendered_default():
                problems.append(f"[{table}] {key}: default {row.default!r} in the reference, "
                                f"{option.rendered_default()!r} in the code")
            if not row.meaning:
                problems.append(f"[{table}] {key}: no meaning")
    for table in sorted(set(tables) - set(expected)):
        problems.append(f"[{table}]: a section of the reference for no table of the code")
    return problems


@pytest.fixture(scope="module")
def reference() -> dict[str, dict[str, Row]]:
    return parse_reference(REFERENCE.read_text(encoding="utf-8"))


def test_every_key_of_the_code_has_its_row_and_every_row_a_key(
        reference: dict[str, dict[str, Row]]) -> None:
    assert drift(reference, expected_tables()) == []


def test_a_key_added_to_the_code_without_its_row_is_caught(
        reference: dict[str, dict[str, Row]]) -> None:
    with_new_key = expected_tables()
    with_new_key["queue"] = {**with_new_key["queue"], "prefetch": Option("integer", 4)}
    with_new_key["platforms.tiktok.browser"] = {
        **with_new_key["platforms.tiktok.browser"], "headless": Option("boolean", True)}
    assert drift(reference, with_new_key) == [
        "[queue] prefetch: in the code, no row in the reference",
        "[platforms.tiktok.browser] headless: in the code, no row in the reference"]
    changed = expected_tables()
    changed["queue"] = {**changed["queue"], "workers": Option("integer", 8)}
    assert drift(reference, changed) == [
        "[queue] workers: default '`16`' in the reference, '`8`' in the code"]


def _example(table: str, row: Row) -> dict[str, Any]:
    assert row.example.startswith("`") and row.example.endswith("`"), \
        f"[{table}] {row.key}: write the example as `{row.key} = value`"
    parsed = tomllib.loads(row.example.strip("`").replace("…", "x"))
    assert list(parsed) == [row.key], f"[{table}] {row.key}: the example sets {list(parsed)}"
    return parsed


def test_every_example_is_toml_setting_its_key_and_loads(
        reference: dict[str, dict[str, Row]], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.setenv("MISSIONS_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("MISSIONS_HOOK_SECRET", "s" * 40)
    backends = builtin_backends()
    for table, rows in reference.items():
        for row in rows.values():
            value = _example(table, row)
            if table.startswith("platforms."):
                _, platform, *backend = table.split(".")
                platform = "instagram" if platform == "<name>" else platform
                if backend == ["<backend>"]:
                    backend = ["web"]
                body: dict[str, Any] = {backend[0]: value} if backend else value
                if "backends" in body:
                    body["backends"] = [name for name in body["backends"]
                                        if name in backends[platform]]
                Engine(config_from_mapping({"platforms": {platform: body}}),
                       cache=MemoryCache())
                continue
            if table == "webhooks" and row.key == "url":
                value = {**value, "secret": "s" * 40}
            config = config_from_mapping({table: value}, path=tmp_path / "c.toml")
            load_settings(config)
            load_web_settings(config)


def test_defaults_of_the_reference_are_the_codes() -> None:
    http = HttpSettings()
    for key, option in SECTIONS["http"].items():
        if option.default is NO_DEFAULT:
            continue
        wanted = parse_cool_off(option.default, key) if key == "cool_off" else option.default
        assert getattr(http, key) == wanted, key
    service = ServiceSettings(database_url="", queue_url="")
    fields = {("queue", "workers"): "workers", ("queue", "backlog_warning"): "backlog_warning",
              ("members", "ownership"): "ownership", ("service", "timezone"): "timezone",
              ("privacy", "keep_post_text_days"): "keep_post_text_days",
              ("webhooks", "max_attempts"): "webhook_max_attempts",
              ("webhooks", "allow_private"): "webhook_allow_private",
              ("web", "max_body"): "max_body",
              **{("missions", key): key for key in SECTIONS["missions"]}}
    for (section, key), name in fields.items():
        declared = SECTIONS[section][key]
        value = declared.default
        if declared.type == "duration":
            value = parse_duration(value, key)
        elif declared.type == "list of durations":
            value = tuple(parse_duration(item, key) for item in value)
        assert getattr(service, name) == value, f"[{section}] {key}"
    web = WebSettings()
    for key in ("secure_cookies", "api_docs", "embed_origins"):
        assert getattr(web, key) == type(getattr(web, key))(SECTIONS["web"][key].default), key
    from engine.service.alerts import KEYS, AlertSettings

    assert set(KEYS) == set(SECTIONS["alerts"])
    alerts = AlertSettings()
    for key, option in SECTIONS["alerts"].items():
        wanted = parse_duration(option.default, key) if option.type == "duration" \
            else option.default
        assert getattr(alerts, key) == wanted, f"[alerts] {key}"


# -- keys the code reads are declared -------------------------------------------------------

def _read_keys(tree: ast.AST) -> set[tuple[str, str]]:
    """(section, key) pairs read from ``….section("s")`` tables: ``t.get("k")``, ``t["k"]``,
    ``"k" in t``, with ``t`` a name bound to the section in the same function, or the call
    itself."""
    found: set[tuple[str, str]] = set()

    def section_of(node: ast.AST, names: dict[str, str]) -> str | None:
        if isinstance(node, ast.Name):
            return names.get(node.id)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "section" and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)):
            return node.args[0].value
        return None

    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        names: dict[str, str] = {}
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                section = section_of(node.value, {})
                if section:
                    names[node.targets[0].id] = section
        for node in ast.walk(function):
            key: Any = None
            section = None
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "get" and node.args:
                section, key = section_of(node.func.value, names), node.args[0]
            elif isinstance(node, ast.Subscript):
                section, key = section_of(node.value, names), node.slice
            elif isinstance(node, ast.Compare) and len(node.ops) == 1 \
                    and isinstance(node.ops[0], ast.In | ast.NotIn):
                section, key = section_of(node.comparators[0], names), node.left
            if section and isinstance(key, ast.Constant) and isinstance(key.value, str):
                found.add((section, key.value))
    return found


def test_every_key_the_code_reads_is_declared() -> None:
    read: set[tuple[str, str]] = set()
    for path in sorted((ROOT / "engine").rglob("*.py")):
        read |= _read_keys(ast.parse(path.read_text(encoding="utf-8")))
    assert ("database", "url") in read and ("web", "secret_key_file") in read  # the scan works
    undeclared = sorted(f"[{section}] {key}" for section, key in read
                        if key not in SECTIONS.get(section, {}) and (section, key) != ("web",
                                                                                       "secret"))
    assert undeclared == []


def test_every_option_a_backend_reads_is_declared() -> None:
    pattern = re.compile(r"options(?:\([^)]*\))?\s*(?:\.get\(|\[)\s*\"([a-z_]+)\"")
    for backends in builtin_backends().values():
        for backend in backends.values():
            module = Path(__import__(backend.__module__, fromlist=["_"]).__file__ or "")
            read = set(pattern.findall(module.read_text(encoding="utf-8")))
            declared = set(backend.config_options) | set(BACKEND_KEYS)
            assert read <= declared, f"{backend.__module__} reads {sorted(read - declared)}"


# -- unknown keys and tables stop start-up ------------------------------------------------------

@pytest.mark.parametrize(("raw", "named", "suggested"), [
    ({"nosuch": {"a": 1}}, "unknown table [nosuch]", None),
    ({"web": {"secrte_key_file": "k"}}, "unknown setting 'secrte_key_file' in [web]",
     "secret_key_file"),
    ({"queue": {"worker": 4}}, "unknown setting 'worker' in [queue]", "workers"),
    ({"platforms": {"instagram": {"limt": 3}}},
     "unknown setting 'limt' in [platforms.instagram]", "limit"),
    ({"databse": {"url": "sqlite://"}}, "unknown table [databse]", "[database]"),
])
def test_an_unknown_key_or_table_stops_loading_naming_it(
        raw: dict[str, Any], named: str, suggested: str | None, tmp_path: Path) -> None:
    path = tmp_path / "social-missions.toml"
    with pytest.raises(ConfigurationError) as caught:
        config_from_mapping(raw, path=path)
    message = str(caught.value)
    assert message.startswith(str(path)) and named in message
    assert "known:" in message
    if suggested:
        assert f"did you mean {suggested!r}" in message or f"did you mean {suggested}" in message


def test_an_unknown_backend_table_or_option_stops_the_engine(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Engine(config_from_mapping({"platforms": {"instagram": {"nosuch": {"a": 1}}}}),
               cache=MemoryCache())
    message = str(caught.value)
    assert "unknown table [platforms.instagram.nosuch]" in message
    assert "[platforms.instagram.instaloader]" in message and "[platforms.instagram.web]" \
        in message
    with pytest.raises(ConfigurationError) as caught:
        Engine(config_from_mapping({"platforms": {"tiktok": {"browser": {"timeout": 3}}}}),
               cache=MemoryCache())
    message = str(caught.value)
    assert "unknown setting 'timeout' in [platforms.tiktok.browser]" in message
    assert "executable_path" in message and "navigation_timeout" in message
    with pytest.raises(ConfigurationError, match="did you mean 'base_url'"):
        Engine(config_from_mapping({"platforms": {"youtube": {"rss": {"base_ur": "x"}}}}),
               cache=MemoryCache())


def test_a_configuration_file_with_an_unknown_key_does_not_load(tmp_path: Path) -> None:
    from engine.config import load_config

    path = tmp_path / "social-missions.toml"
    path.write_text("[web]\nsecrte_key_file = \"k\"\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="did you mean 'secret_key_file'"):
        load_config(path)
