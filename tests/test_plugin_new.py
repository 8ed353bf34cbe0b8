"""``social-missions plugin new``: the plugin it writes installs and passes its own tests.

The generated package is installed (a wheel built by setuptools, without build isolation or
network) into a folder of its own, never into the shared environment; its tests then run in a
subprocess that finds the plugin only through that install's entry point.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from engine.cli import main
from engine.plugin_manager import ENTRY_POINT_GROUP

# The longest name allowed, with '_': the worst case for the generated lines' length.
NAME = "fediverse_photo_site_v2x"
FOLDER = "social-missions-fediverse-photo-site-v2x"
PACKAGE = "social_missions_fediverse_photo_site_v2x"


def generate(parent: Path, capsys: pytest.CaptureFixture[str], name: str = NAME) -> Path:
    code = main(["plugin", "new", name, "--dir", str(parent)])
    out = capsys.readouterr().out
    assert code == 0
    target = parent / FOLDER
    assert f"wrote {target}" in out
    return target


def run(*args: str, cwd: Path, pythonpath: str = "") -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_the_generated_plugin_installs_and_passes_its_tests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "work").mkdir()
    plugin = generate(tmp_path / "work", capsys)
    site = tmp_path / "site"
    installed = run("-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-index", "--disable-pip-version-check", "--target", str(site),
                    str(plugin), cwd=tmp_path)
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
    dist_info = list(site.glob("*.dist-info/entry_points.txt"))
    assert len(dist_info) == 1
    assert f'{NAME} = {PACKAGE}:plugin' in dist_info[0].read_text(encoding="utf-8")

    # From tmp_path, not the plugin's folder: the package is imported from the install.
    tests = run("-m", "pytest", "-q", "-p", "no:cacheprovider", str(plugin / "tests"),
                cwd=tmp_path, pythonpath=str(site))
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout and "failed" not in tests.stdout
    assert "skipped" not in tests.stdout  # every contract case has its cassette

    # The same tests fail when the backend stops reading the platform's not-found signal:
    # they exercise the generated backend, not only themselves.
    api = plugin / PACKAGE / "api.py"
    source = api.read_text(encoding="utf-8")
    broken = (source.replace("not_found_statuses=frozenset({404, 410}),",
                             "not_found_statuses=frozenset(),")
              .replace('"user_not_found": "not_found",', ""))
    assert broken != source
    api.write_text(broken, encoding="utf-8")
    failing = run("-m", "pytest", "-q", "-p", "no:cacheprovider", str(plugin / "tests"),
                  cwd=tmp_path, pythonpath=os.pathsep.join([str(plugin), str(site)]))
    assert failing.returncode == 1
    assert "test_unknown_handle_is_not_found" in failing.stdout


def test_the_generated_code_imports_only_the_public_plugin_module(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plugin = generate(tmp_path, capsys)
    written = {path.relative_to(plugin).as_posix() for path in plugin.rglob("*") if path.is_file()}
    assert written == {"README.md", f"{PACKAGE}/__init__.py", f"{PACKAGE}/api.py",
                       f"{PACKAGE}/py.typed", "pyproject.toml", "tests/build_cassettes.py",
                       "tests/conftest.py", "tests/test_contract.py", "tests/test_platform.py"}
    for path in plugin.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for module in names:
                if module == "engine" or module.startswith("engine."):
                    assert module == "engine.plugin_api", f"{path.name} imports {module}"
    for path in plugin.rglob("*"):
        if path.is_file():
            assert "{{" not in path.read_text(encoding="utf-8"), f"placeholder left in {path}"


def test_the_generated_code_passes_ruff(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    plugin = generate(tmp_path, capsys)
    # The plugin's own pyproject.toml holds its ruff settings (line length, rules).
    linted = run("-m", "ruff", "check", "--no-cache", ".", cwd=plugin)
    assert linted.returncode == 0, linted.stdout[-3000:] + linted.stderr[-1000:]


@pytest.mark.parametrize("name", ["Mastodon", "my-site", "9gag", "_x", "a" * 25, "café", ""])
def test_a_bad_name_is_refused_in_one_line(name: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["plugin", "new", name, "--dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "is not a platform name" in err and "lowercase letters" in err
    assert len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_name_already_taken_is_refused(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    taken = ["instagram", *(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))]
    for name in taken:
        assert main(["plugin", "new", name, "--dir", str(tmp_path)]) == 2
        assert "already installed or built in" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / FOLDER).mkdir()
    (tmp_path / FOLDER / "mine.txt").write_text("keep", encoding="utf-8")
    code = main(["plugin", "new", NAME, "--dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "already exists" in err and FOLDER in err
    assert [path.name for path in (tmp_path / FOLDER).iterdir()] == ["mine.txt"]


def test_a_missing_dir_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["plugin", "new", NAME, "--dir", str(tmp_path / "nowhere")])
    assert code == 2
    assert "is not a folder" in capsys.readouterr().err
    assert not (tmp_path / "nowhere").exists()
