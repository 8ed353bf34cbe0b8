"""An engine for a test or a try-out, configured in one call (no pytest needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import pluggy

from engine.cache import MemoryCache
from engine.config import config_from_mapping
from engine.core import Engine


def build_engine(
    platform: str,
    backends: Sequence[str] | None = None,
    *,
    settings: Mapping[str, Any] | None = None,
    plugin_manager: pluggy.PluginManager | None = None,
    transport: httpx.BaseTransport | None = None,
    replaying: bool = True,
) -> Engine:
    """An :class:`~engine.core.Engine` whose configuration is ``[platforms.<platform>]`` alone.

    ``backends`` is that table's ``backends`` list (the order a check tries them in; None:
    the platform's ``default_order``); ``settings`` the rest of the table, as
    ``social-missions.toml`` would hold it: ``{"limit": 5, "api": {"base_url": "…"}}`` sets
    the limit and the ``[platforms.<platform>.api]`` table. The cache is a fresh in-memory one;
    ``plugin_manager`` (default: the installed and built-in plugins) and ``transport`` (an
    ``httpx.MockTransport`` standing in for the site; default: the network, or the cassette a
    test replays) are handed to the engine; ``replaying`` (default True) skips the waits
    between requests, as a replayed check does.

    Raises what :class:`~engine.core.Engine` raises for a bad configuration:
    ``UnknownPlatform``, ``UnknownBackend``, ``ConfigurationError`` (a key a backend does not
    declare in its ``config_options``, or a value that does not fit its type).
    """
    table: dict[str, Any] = dict(settings or {})
    if backends is not None:
        table["backends"] = list(backends)
    return Engine(config_from_mapping({"platforms": {platform: table}}),
                  plugin_manager=plugin_manager, cache=MemoryCache(), replaying=replaying,
                  transport=transport)
