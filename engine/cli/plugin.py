"""``social-missions plugin new NAME [--dir DIR]``: start a packaged platform plugin.

The command writes, under ``DIR/social-missions-NAME`` (``DIR`` defaults to the current
folder), a package whose tests pass as generated: ``pyproject.toml`` with the entry point of
the group ``social_missions.plugins``, the platform declaration, one backend reading a JSON
answer with the platform's status signals mapped to the engine's errors, a cassette builder,
the engine's contract suite run on those cassettes, and a README. Everything it imports from
the engine comes from :mod:`engine.plugin_api`. The files come from the templates in
``engine/plugin_template/`` (package data), where ``{{key}}`` stands for a value of
:func:`template_values`.
"""

from __future__ import annotations

import argparse
import re
from importlib import resources
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from engine.errors import InvalidInput
from engine.plugin_manager import DEFAULT_PLUGINS, ENTRY_POINT_GROUP

# A platform name: what configuration tables, the command line and stored checks use. At most
# 24 characters, so that the generated files keep their lines within 100 characters.
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,23}")

# (template in engine/plugin_template, file written; None: an empty file)
FILES: tuple[tuple[str | None, str], ...] = (
    ("pyproject.toml.tmpl", "pyproject.toml"),
    ("README.md.tmpl", "README.md"),
    ("package_init.py.tmpl", "{{package}}/__init__.py"),
    ("package_api.py.tmpl", "{{package}}/api.py"),
    (None, "{{package}}/py.typed"),
    ("conftest.py.tmpl", "tests/conftest.py"),
    ("build_cassettes.py.tmpl", "tests/build_cassettes.py"),
    ("test_contract.py.tmpl", "tests/test_contract.py"),
    ("test_platform.py.tmpl", "tests/test_platform.py"),
)
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def register(subparsers: Any) -> None:
    """Add ``plugin new``."""
    parser = subparsers.add_parser("plugin", help="write a new platform plugin to start from")
    commands = parser.add_subparsers(dest="plugin_command", metavar="SUBCOMMAND", required=True)
    new = commands.add_parser(
        "new", help="write a packaged plugin (entry point, platform, backend, cassettes, tests)")
    new.add_argument("name", metavar="NAME",
                     help="the platform's name: lowercase letters, digits and '_', "
                     "starting with a letter")
    new.add_argument("--dir", default=".", metavar="DIR",
                     help="the folder to write social-missions-NAME in (default: the current "
                     "folder)")
    new.set_defaults(handler=run_new)


def check_name(name: str) -> str:
    """``name`` when it can name a new platform; :class:`InvalidInput` saying why not."""
    if not NAME_PATTERN.fullmatch(name):
        raise InvalidInput(
            f"{name!r} is not a platform name: use 1 to 24 lowercase letters, digits and '_', "
            "starting with a letter (such as mastodon or my_site)")
    taken = {plugin for plugin, _ in DEFAULT_PLUGINS}
    taken |= {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}
    if name in taken:
        raise InvalidInput(f"a plugin named {name!r} is already installed or built in; choose "
                           "another name")
    return name


def template_values(name: str) -> dict[str, str]:
    """What the templates' ``{{key}}`` placeholders stand for, for the platform ``name``:
    ``name``, ``title`` (``my_site`` → ``My Site``), ``class`` (``MySite``), ``package``
    (``social_missions_my_site``), ``dist`` (``social-missions-my-site``), ``host``
    (``my-site.example``, a reserved domain standing for the platform's) and ``host_re``
    (the host as a regular expression)."""
    words = name.split("_")
    host = "-".join(word for word in words if word) + ".example"
    return {
        "name": name,
        "title": " ".join(word.capitalize() for word in words if word),
        "class": "".join(word.capitalize() for word in words if word),
        "package": f"social_missions_{name}",
        "dist": "social-missions-" + name.replace("_", "-"),
        "host": host,
        "host_re": host.replace(".", r"\."),
    }


def render(text: str, values: dict[str, str]) -> str:
    """``text`` with each ``{{key}}`` replaced by ``values[key]`` (a ``KeyError`` for a key
    the templates should not hold)."""
    return PLACEHOLDER.sub(lambda found: values[found.group(1)], text)


def write_plugin(name: str, parent: Path) -> Path:
    """Write the plugin for the platform ``name`` under ``parent``; returns its folder.

    Raises :class:`InvalidInput` for a bad or taken name, or when the folder already exists
    (nothing is overwritten).
    """
    values = template_values(check_name(name))
    target = parent / values["dist"]
    if target.exists():
        raise InvalidInput(f"{target} already exists: remove it or choose another --dir")
    templates = resources.files("engine") / "plugin_template"
    for template, destination in FILES:
        text = "" if template is None else render(
            (templates / template).read_text(encoding="utf-8"), values)
        path = target / render(destination, values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return target


def run_new(args: argparse.Namespace) -> int:
    """Write the plugin and say what to do next."""
    parent = Path(args.dir)
    if not parent.is_dir():
        raise InvalidInput(f"--dir {args.dir!r} is not a folder: create it first")
    target = write_plugin(args.name, parent)
    print(f"wrote {target}")
    print(f"next, in the engine's environment: cd {target} && "
          "pip install --no-build-isolation -e . && python -m pytest")
    return 0
