"""Building the plugin manager: built-ins listed here, third parties from entry points.

Operators can turn entry-point loading off (``SOCIAL_MISSIONS_DISABLE_PLUGIN_AUTOLOAD=1`` or
``[plugins] autoload = false``) and block plugins by name (``SOCIAL_MISSIONS_BLOCK_PLUGINS=a,b``
or ``[plugins] block = ["a"]``).
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import os
import re
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
    """A new plugin manager with the built-ins and, unless switched off, installed plugins.

    Raises ``ConfigurationError`` naming the plugin when one implements a hook the contract does
    not have (a misspelling such as ``fetch_recent_post``: the message names the nearest hook)
    or asks a hook for an argument the hook does not pass.
    """
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    blocked_names = set(blocked) | {
        name.strip() for name in os.environ.get(BLOCK_ENV, "").split(",") if name.strip()
    }
    for name in blocked_names:
        manager.set_blocked(name)
    try:
        if builtins:
            for name, module_name in DEFAULT_PLUGINS:
                if name in blocked_names:
                    continue
                module = importlib.import_module(module_name)
                manager.register(module.plugin, name=name)
        if autoload and os.environ.get(AUTOLOAD_OFF_ENV, "").lower() not in ("1", "true", "yes"):
            manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    except pluggy.PluginValidationError as error:
        raise ConfigurationError(_wrong_arguments(error)) from error
    problem = _unknown_hook(manager)
    if problem is not None:
        raise ConfigurationError(problem)
    return manager


def hook_names() -> list[str]:
    """The hooks of the contract (:mod:`engine.hookspecs`), sorted."""
    marker = f"{hookspecs.PROJECT}_spec"
    return sorted(name for name, value in vars(hookspecs).items() if hasattr(value, marker))


def _remedy(plugin: str) -> str:
    return (f"update or fix the plugin, or block it: [plugins] block = [{plugin!r}] or "
            f"{BLOCK_ENV}={plugin}")


def _unknown_hook(manager: pluggy.PluginManager) -> str | None:
    """The refusal of a plugin that implements a hook the contract does not have, or None."""
    hooks = hook_names()
    for name, caller in sorted(vars(manager.hook).items()):
        if caller.has_spec():
            continue
        for impl in caller.get_hookimpls():
            if impl.optionalhook:
                continue
            near = difflib.get_close_matches(name, hooks, n=1)
            hint = f"did you mean {near[0]}? " if near else ""
            return (f"plugin {impl.plugin_name!r} implements {name}, which is not a hook of "
                    f"Social Missions; {hint}the hooks are {', '.join(hooks)} "
                    f"(engine/hookspecs.py); {_remedy(impl.plugin_name)}")
    return None


def _wrong_arguments(error: pluggy.PluginValidationError) -> str:
    """The refusal of a plugin whose hook implementation asks for arguments the hook does not
    pass (pluggy refused to register it)."""
    # pluggy drops the plugin before raising; its message starts "Plugin 'NAME' for hook …".
    named = re.match(r"Plugin '([^']+)'", str(error))
    plugin = named.group(1) if named else repr(error.plugin)
    for hook in hook_names():
        impl = getattr(error.plugin, hook, None)
        if impl is None or not hasattr(impl, f"{hookspecs.PROJECT}_impl"):
            continue
        passed = list(inspect.signature(getattr(hookspecs, hook)).parameters)
        extra = [name for name in inspect.signature(impl).parameters if name not in passed]
        if extra:
            return (f"plugin {plugin!r}: its {hook} asks for {', '.join(extra)}, which the hook "
                    f"does not pass; {hook} passes {', '.join(passed) or 'nothing'} "
                    f"(engine/hookspecs.py); {_remedy(plugin)}")
    return (f"plugin {plugin!r} does not fit the hook contract (engine/hookspecs.py): "
            f"{str(error).splitlines()[0]}; {_remedy(plugin)}")


def collect_platforms(manager: pluggy.PluginManager) -> dict[str, Platform]:
    """Every platform the registered plugins declare, by name."""
    platforms: dict[str, Platform] = {}
    for declared in manager.hook.social_missions_platforms():
        for platform in declared:
            if platform.name in platforms:
                raise ConfigurationError(f"two plugins declare the platform {platform.name!r}")
            platforms[platform.name] = platform
    return platforms
