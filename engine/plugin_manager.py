"""Building the plugin manager: built-ins listed here, third parties from entry points.

Operators can turn entry-point loading off (``SOCIAL_MISSIONS_DISABLE_PLUGIN_AUTOLOAD=1`` or
``[plugins] autoload = false``) and block plugins by name (``SOCIAL_MISSIONS_BLOCK_PLUGINS=a,b``
or ``[plugins] block = ["a"]``).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable

import pluggy

from . import hookspecs
from .errors import ConfigurationError
from .platforms import Platform

ENTRY_POINT_GROUP = "social_missions.plugins"
AUTOLOAD_OFF_ENV = "SOCIAL_MISSIONS_DISABLE_PLUGIN_AUTOLOAD"
BLOCK_ENV = "SOCIAL_MISSIONS_BLOCK_PLUGINS"

# (name, module): each module has a ``plugin`` object carrying the hook implementations.
DEFAULT_PLUGINS: tuple[tuple[str, str], ...] = (
    ("instagram", "plugins.instagram"),
    ("youtube", "plugins.youtube"),
    ("tiktok", "plugins.tiktok"),
)


def get_plugin_manager(
    *, autoload: bool = True, blocked: Iterable[str] = (), builtins: bool = True
) -> pluggy.PluginManager:
    """A new plugin manager with the built-ins and, unless switched off, installed plugins."""
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    blocked_names = set(blocked) | {
        name.strip() for name in os.environ.get(BLOCK_ENV, "").split(",") if name.strip()
    }
    for name in blocked_names:
        manager.set_blocked(name)
    if builtins:
        for name, module_name in DEFAULT_PLUGINS:
            if name in blocked_names:
                continue
            module = importlib.import_module(module_name)
            manager.register(module.plugin, name=name)
    if autoload and os.environ.get(AUTOLOAD_OFF_ENV, "").lower() not in ("1", "true", "yes"):
        manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    manager.check_pending()
    return manager


def collect_platforms(manager: pluggy.PluginManager) -> dict[str, Platform]:
    """Every platform the registered plugins declare, by name."""
    platforms: dict[str, Platform] = {}
    for declared in manager.hook.social_missions_platforms():
        for platform in declared:
            if platform.name in platforms:
                raise ConfigurationError(f"two plugins declare the platform {platform.name!r}")
            platforms[platform.name] = platform
    return platforms
