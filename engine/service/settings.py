"""The service's sections of the configuration file: ``[database]``, ``[queue]``,
``[missions]``, ``[members]`` and ``[webhooks]``.

Durations are numbers of seconds or strings like ``"5m"``, ``"24h"``, ``"1d"``. The default
data folder is ``./data`` (relative to the configuration file when there is one); every default
path lives under it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.config import Config
from engine.errors import ConfigurationError

DATA_ENV = "SOCIAL_MISSIONS_DATA"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}
OWNERSHIP_POLICIES = ("off", "on_conflict", "always")


def parse_duration(value: object, where: str) -> float:
    """Seconds from a number or a string like ``"90s"``, ``"5m"``, ``"1h"``, ``"1d"``."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    if isinstance(value, str):
        found = _DURATION.match(value)
        if found:
            return float(found.group(1)) * _UNIT[found.group(2)]
    raise ConfigurationError(f"{where}: {value!r} is not a duration; write 300, \"5m\" or \"1h\"")


@dataclass(frozen=True)
class ServiceSettings:
    """Everything the service reads from the configuration, with the defaults of the SPEC."""

    database_url: str
    queue_url: str
    workers: int = 4
    cooldown: float = 24 * 3600.0
    recheck_delays: tuple[float, ...] = (300.0, 3600.0)
    retry_first_delay: float = 60.0
    retry_max_delay: float = 3600.0
    retry_period: float = 24 * 3600.0
    exclusive_posts: bool = False
    share_fetch: float = 60.0  # a fetch of one account serves the claims of the next minute
    lease: float = 120.0  # how long a worker owns a claim before another may take it over
    poll_interval: float = 1.0
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_timeout: float = 10.0
    webhook_max_attempts: int = 8
    webhook_first_delay: float = 30.0
    # R11: "off", "on_conflict" (default) or "always"; see engine.service.ownership.
    ownership: str = "on_conflict"
    # The community's time zone (an IANA name): console dates, default windows, caps.
    timezone: str = "UTC"


def data_folder(config: Config) -> Path:
    """``$SOCIAL_MISSIONS_DATA``, else ``[service] data`` of the file, else ``./data``."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]).expanduser()
    configured = config.section("service").get("data")
    return config.resolve_path(configured) if configured else config.resolve_path("data")


def load_settings(config: Config, **overrides: Any) -> ServiceSettings:
    """Read the service's sections of ``config``; ``overrides`` win (tests, the demo)."""
    data = data_folder(config)
    database = config.section("database")
    queue = config.section("queue")
    missions = config.section("missions")
    hooks = config.section("webhooks")
    where = str(config.path) if config.path else "configuration"
    values: dict[str, Any] = {
        "database_url": str(database.get("url") or f"sqlite:///{(data / 'missions.sqlite3')}"),
        "queue_url": str(queue.get("url") or f"sqlite:///{(data / 'queue.sqlite3')}"),
    }
    if "workers" in queue:
        values["workers"] = _positive_int(queue["workers"], f"{where} [queue] workers")
    durations = {"cooldown": "cooldown", "retry_first_delay": "retry_first_delay",
                 "retry_max_delay": "retry_max_delay", "retry_period": "retry_period",
                 "share_fetch": "share_fetch", "lease": "lease"}
    for key, field_name in durations.items():
        if key in missions:
            values[field_name] = parse_duration(missions[key], f"{where} [missions] {key}")
    if "recheck_delays" in missions:
        delays = missions["recheck_delays"]
        if not isinstance(delays, list):
            raise ConfigurationError(f"{where} [missions] recheck_delays must be a list, "
                                     "like [\"5m\", \"1h\"]")
        values["recheck_delays"] = tuple(
            parse_duration(d, f"{where} [missions] recheck_delays") for d in delays)
    if "exclusive_posts" in missions:
        values["exclusive_posts"] = bool(missions["exclusive_posts"])
    zone = config.section("service").get("timezone")
    if zone is not None:
        values["timezone"] = _timezone(str(zone), where)
    members = config.section("members")
    if "ownership" in members:
        policy = str(members["ownership"])
        if policy not in OWNERSHIP_POLICIES:
            raise ConfigurationError(
                f"{where} [members] ownership: {policy!r} is not a policy; write one of "
                + ", ".join(f'"{name}"' for name in OWNERSHIP_POLICIES))
        values["ownership"] = policy
    if hooks.get("url"):
        values["webhook_url"] = str(hooks["url"])
        values["webhook_secret"] = _secret(hooks, where)
        if not values["webhook_secret"]:
            raise ConfigurationError(
                f"{where} [webhooks]: a url needs a secret (secret_env names the variable)")
    if "max_attempts" in hooks:
        values["webhook_max_attempts"] = _positive_int(hooks["max_attempts"],
                                                       f"{where} [webhooks] max_attempts")
    values.update(overrides)
    return ServiceSettings(**values)


def _timezone(name: str, where: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(f"{where} [service] timezone: {name!r} is not an IANA time "
                                 "zone; write one like \"Europe/Paris\" or \"UTC\"") from None
    return name


def _secret(hooks: Mapping[str, Any], where: str) -> str | None:
    if hooks.get("secret"):
        return str(hooks["secret"])
    name = hooks.get("secret_env")
    if name:
        value = os.environ.get(str(name))
        if not value:
            raise ConfigurationError(f"{where} [webhooks] secret_env: ${name} is not set")
        return value
    return None


def _positive_int(value: object, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise ConfigurationError(f"{where} must be a whole number, at least 1")
