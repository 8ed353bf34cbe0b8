"""Building the plugin manager: built-ins, entry points, autoload switch, block-list."""

from __future__ import annotations

import pluggy
import pytest

from engine.hookspecs import hookimpl
from engine.plugin_manager import DEFAULT_PLUGINS, collect_platforms, get_plugin_manager


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


def test_check_pending_catches_a_misspelled_hook() -> None:
    class Misspelled:
        @hookimpl
        def fetch_recent_post(self, account: object) -> None:  # missing "s"
            return None

    manager = get_plugin_manager(autoload=False)
    manager.register(Misspelled())
    with pytest.raises(pluggy.PluginValidationError):
        manager.check_pending()


def test_the_manager_is_built_anew_each_time() -> None:
    assert get_plugin_manager(autoload=False) is not get_plugin_manager(autoload=False)
