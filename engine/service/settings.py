"""The service's sections of the configuration file: ``[database]``, ``[queue]``,
``[missions]``, ``[members]`` and ``[webhooks]``, ``[privacy]``, and ``[web] max_body``.

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
# ``ServiceSettings.processes`` before it is resolved: ``[queue] processes = "auto"``.
AUTO_PROCESSES = 0
# The most worker processes one ``worker`` command starts: past a few per core they only
# compete for the CPU; more throughput comes from workers on more machines.
MAX_PROCESSES = 64


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
    """Everything the service reads from the configuration, with the defaults of docs/configuration.md."""

    database_url: str
    queue_url: str
    # Threads per worker process. A check mostly waits for the platform: at 100 ms per answer,
    # 16 threads check ~87 claims/s on SQLite (4: ~35/s; 32: ~100/s with twice the p99
    # latency), see benchmarks/bench_throughput.py and docs/service.md.
    workers: int = 16
    # ``[queue] processes``: how many processes ``social-missions worker`` starts, each with
    # ``workers`` threads (the threads of one process share one core: the GIL). Always a whole
    # number here: the default, ``"auto"`` (:data:`AUTO_PROCESSES`), becomes
    # :func:`auto_processes` of the database when the settings are built.
    processes: int = AUTO_PROCESSES
    cooldown: float = 24 * 3600.0
    recheck_delays: tuple[float, ...] = (300.0, 3600.0)
    # ``[missions] threshold_rechecks``: when a performance mission's post is re-checked while
    # below its threshold, in seconds after the claim (issue 17: a day, then a week).
    threshold_rechecks: tuple[float, ...] = (86400.0, 604800.0)
    retry_first_delay: float = 60.0
    retry_max_delay: float = 3600.0
    retry_period: float = 24 * 3600.0
    exclusive_posts: bool = False
    share_fetch: float = 60.0  # a fetch of one account serves the claims of the next minute
    lease: float = 120.0  # how long a worker owns a claim before another may take it over
    poll_interval: float = 1.0
    # ``[queue] backlog_warning``: a worker logs a warning when the oldest due claim has
    # waited longer than this (seconds; 0: never).
    backlog_warning: float = 300.0
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_timeout: float = 10.0
    webhook_max_attempts: int = 8
    webhook_first_delay: float = 30.0
    # ``[webhooks] allow_private``: let the webhook URL name a private, loopback or link-local
    # address (a receiver on the same machine or network); refused by default.
    webhook_allow_private: bool = False
    # ``[web] max_body``: the largest request body the web server reads, in bytes.
    max_body: int = 1_048_576
    # R11: "off", "on_conflict" (default) or "always"; see engine.service.ownership.
    ownership: str = "on_conflict"
    # The community's time zone (an IANA name): console dates, default windows, caps.
    timezone: str = "UTC"
    # ``[privacy] keep_post_text_days``: how many days checks keep the posts they read
    # (captions included); see docs/privacy.md.
    keep_post_text_days: int = 90

    def __post_init__(self) -> None:
        if self.processes == AUTO_PROCESSES:  # "auto": one process per core on PostgreSQL
            object.__setattr__(self, "processes", auto_processes(self.database_url))


def auto_processes(database_url: str) -> int:
    """What ``[queue] processes = "auto"`` means for ``database_url``: ``os.cpu_count()`` (at
    least 1, at most :data:`MAX_PROCESSES`) on PostgreSQL, whose server takes writes from many
    processes at once; 1 on SQLite (and anything else), whose database and embedded queue
    serialise writers, so that more processes mostly wait for each other's locks (an operator
    may still set more)."""
    scheme = database_url.split(":", 1)[0].split("+", 1)[0].lower()
    if scheme == "postgresql":
        return min(MAX_PROCESSES, max(1, os.cpu_count() or 1))
    return 1


def data_folder(config: Config) -> Path:
    """``$SOCIAL_MISSIONS_DATA``, else ``[service] data`` of the file, else ``./data``."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]).expanduser()
    configured = config.section("service").get("data")
    return config.resolve_path(configured) if configured else config.resolve_path("data")


def _beside_config(config: Config, url: object) -> str | None:
    """``url`` as configured, a relative SQLite file (``sqlite:///missions.sqlite3``) taken
    relative to the configuration file's folder, as every path of the file is (not to the
    folder the command happens to run in); None when no URL is configured."""
    if not url:
        return None
    text = str(url)
    prefix = "sqlite:///"
    if text.startswith(prefix):
        path = text[len(prefix):]
        if path and path != ":memory:" and not path.startswith(("/", "file:")):
            return prefix + str(config.resolve_path(path))
    return text


def load_settings(config: Config, **overrides: Any) -> ServiceSettings:
    """Read the service's sections of ``config``; ``overrides`` win (tests, the demo)."""
    data = data_folder(config)
    database = config.section("database")
    queue = config.section("queue")
    missions = config.section("missions")
    hooks = config.section("webhooks")
    where = str(config.path) if config.path else "configuration"
    values: dict[str, Any] = {
        "database_url": _beside_config(config, database.get("url"))
        or f"sqlite:///{(data / 'missions.sqlite3')}",
        "queue_url": _beside_config(config, queue.get("url"))
        or f"sqlite:///{(data / 'queue.sqlite3')}",
    }
    if "workers" in queue:
        values["workers"] = _positive_int(queue["workers"], f"{where} [queue] workers")
    if "processes" in queue:
        values["processes"] = _processes(queue["processes"], f"{where} [queue] processes")
    if "backlog_warning" in queue:
        values["backlog_warning"] = parse_duration(queue["backlog_warning"],
                                                   f"{where} [queue] backlog_warning")
    durations = {"cooldown": "cooldown", "retry_first_delay": "retry_first_delay",
                 "retry_max_delay": "retry_max_delay", "retry_period": "retry_period",
                 "share_fetch": "share_fetch", "lease": "lease"}
    for key, field_name in durations.items():
        if key in missions:
            values[field_name] = parse_duration(missions[key], f"{where} [missions] {key}")
    for key, example in (("recheck_delays", '["5m", "1h"]'),
                         ("threshold_rechecks", '["1d", "7d"]')):
        if key in missions:
            delays = missions[key]
            if not isinstance(delays, list):
                raise ConfigurationError(f"{where} [missions] {key} must be a list, "
                                         f"like {example}")
            values[key] = tuple(parse_duration(d, f"{where} [missions] {key}") for d in delays)
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
        _webhook_url(values["webhook_url"], hooks, where)
        values["webhook_secret"] = _secret(hooks, where)
        if not values["webhook_secret"]:
            raise ConfigurationError(
                f"{where} [webhooks]: a url needs a secret (secret_env names the variable)")
    if "max_attempts" in hooks:
        values["webhook_max_attempts"] = _positive_int(hooks["max_attempts"],
                                                       f"{where} [webhooks] max_attempts")
    if "allow_private" in hooks:
        if not isinstance(hooks["allow_private"], bool):
            raise ConfigurationError(f"{where} [webhooks] allow_private must be true or false")
        values["webhook_allow_private"] = hooks["allow_private"]
    web = config.section("web")
    if "max_body" in web:
        values["max_body"] = _max_body(web["max_body"], f"{where} [web] max_body")
    privacy = config.section("privacy")
    if "keep_post_text_days" in privacy:
        values["keep_post_text_days"] = _days(privacy["keep_post_text_days"],
                                              f"{where} [privacy] keep_post_text_days")
    values.update(overrides)
    return ServiceSettings(**values)


def _webhook_url(url: str, hooks: Mapping[str, Any], where: str) -> None:
    """``[webhooks] url`` well-formed, and not a private address written as such (names are
    resolved and checked at every delivery)."""
    from .webhook_targets import WebhookTargetRefused, check_webhook_url

    try:
        check_webhook_url(url, allow_private=hooks.get("allow_private") is True,
                          resolve_names=False)
    except WebhookTargetRefused as error:
        raise ConfigurationError(f"{where} [webhooks] url: {error}") from None


MAX_BODY_RANGE = (1024, 1024 ** 3)  # bytes: 1 KiB to 1 GiB


def _max_body(value: object, where: str) -> int:
    """``[web] max_body``: a whole number of bytes between 1 KiB and 1 GiB."""
    low, high = MAX_BODY_RANGE
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    raise ConfigurationError(f"{where}: {value!r} is not a size in bytes; write a whole number "
                             f"between {low} and {high}, like 1048576 (1 MiB)")


MAX_KEEP_DAYS = 36600  # a hundred years: more is a typo


def _days(value: object, where: str) -> int:
    """A whole number of days from 1 to 36600; ``ConfigurationError`` naming ``where`` else."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_KEEP_DAYS:
        return value
    raise ConfigurationError(f"{where}: {value!r} is not a number of days; write a whole "
                             f"number from 1 to {MAX_KEEP_DAYS}, like 90")


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


def _processes(value: object, where: str) -> int:
    """``[queue] processes``: a whole number from 1, or ``"auto"`` (returned as
    :data:`AUTO_PROCESSES`); ``ConfigurationError`` naming ``where`` else."""
    if value == "auto":
        return AUTO_PROCESSES
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        if value > MAX_PROCESSES:
            raise ConfigurationError(f"{where}: {value} processes is more than the "
                                     f"{MAX_PROCESSES} one machine runs; write at most "
                                     f"{MAX_PROCESSES} (\"auto\": one per core) and run "
                                     "workers on more machines for more")
        return value
    raise ConfigurationError(f"{where}: {value!r} is not a number of processes; write a whole "
                             "number, at least 1 (like 4), or \"auto\" (one per core on "
                             "PostgreSQL, 1 on SQLite)")


def _positive_int(value: object, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise ConfigurationError(f"{where} must be a whole number, at least 1")
