"""Building the plugin manager: built-ins, entry points, autoload switch, block-list."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pluggy
import pytest

from engine.cli import main
from engine.errors import ConfigurationError
from engine.hookspecs import hookimpl
from engine.plugin_manager import (
    DEFAULT_PLUGINS,
    ENTRY_POINT_GROUP,
    _unknown_hook,
    collect_platforms,
    get_plugin_manager,
    hook_names,
)


def test_builtins_are_registered_by_name() -> None:
    manager = get_plugin_manager(autoload=False)
    for name, _module in DEFAULT_PLUGINS:
        assert manager.get_plugin(name) is not None
    assert "instagram" in collect_platforms(manager)


def test_block_list_by_name_from_argument_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "instagram" not in collect_platforms(get_plugin_manager(autoload=False,
                                                                   blocked=["instagram"]))
    monkeypatch.setenv("SOCIAL_MISSIONS_BLOCK_PLUGINS", " instagram ,other")
    assert "instagram" not in collect_platforms(get_plugin_manager(autoload=False))


def test_autoload_switch_skips_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded: list[str] = []
    monkeypatch.setattr(pluggy.PluginManager, "load_setuptools_entrypoints",
                        lambda self, group, name=None: loaded.append(group) or 0)
    get_plugin_manager()
    assert loaded == ["social_missions.plugins"]
    monkeypatch.setenv("SOCIAL_MISSIONS_DISABLE_PLUGIN_AUTOLOAD", "1")
    get_plugin_manager()
    assert loaded == ["social_missions.plugins"]


def install_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, source: str) -> None:
    """Install a one-module plugin package ``name`` as pip would: the module and a dist-info
    folder whose ``entry_points.txt`` declares ``name`` in the group ``social_missions.plugins``."""
    module = f"sm_test_{name}"
    (tmp_path / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = tmp_path / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{name} = {module}:plugin\n",
                                           encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, module, raising=False)


MISSPELLED = """
    from engine.plugin_api import hookimpl

    class Misspelled:
        @hookimpl
        def fetch_recent_post(self, account, limit, session):  # "posts" without its "s"
            return None

    plugin = Misspelled()
"""

WRONG_ARGUMENT = """
    from engine.plugin_api import hookimpl

    class Counting:
        @hookimpl
        def fetch_recent_posts(self, account, count, session):  # the hook passes "limit"
            return None

    plugin = Counting()
"""


def test_an_installed_plugin_with_a_misspelled_hook_is_refused_with_the_hook_it_meant(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_plugin(tmp_path, monkeypatch, "misspelled", MISSPELLED)
    with pytest.raises(ConfigurationError) as refused:
        get_plugin_manager()
    message = str(refused.value)
    assert message.startswith("plugin 'misspelled' implements fetch_recent_post, which is not a "
                              "hook of Social Missions; did you mean fetch_recent_posts?")
    assert "block = ['misspelled']" in message
    # Blocking it, as the message says, lets the engine start.
    assert "instagram" in collect_platforms(get_plugin_manager(blocked=["misspelled"]))


def test_an_installed_plugin_asking_for_an_argument_the_hook_lacks_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_plugin(tmp_path, monkeypatch, "counting", WRONG_ARGUMENT)
    with pytest.raises(ConfigurationError, match=r"^plugin 'counting': its fetch_recent_posts asks "
                       r"for count, which the hook does not pass; fetch_recent_posts passes "
                       r"account, limit, session \(engine/hookspecs.py\)"):
        get_plugin_manager()


def test_the_command_line_reports_a_broken_plugin_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    install_plugin(tmp_path, monkeypatch, "misspelled", MISSPELLED)
    assert main(["backends"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("social-missions: error: plugin 'misspelled' implements "
                            "fetch_recent_post")
    assert "Traceback" not in error


def test_a_plugin_marking_an_extra_hook_optional_is_accepted() -> None:
    class Extra:
        @hookimpl(optionalhook=True)
        def a_hook_of_a_later_version(self) -> None:
            return None

    manager = get_plugin_manager(autoload=False)
    manager.register(Extra(), name="extra")
    assert _unknown_hook(manager) is None
    assert hook_names() == ["fetch_recent_posts", "is_public", "social_missions_platforms"]


def test_the_manager_is_built_anew_each_time() -> None:
    assert get_plugin_manager(autoload=False) is not get_plugin_manager(autoload=False)
