"""The configuration file: ``social-missions.toml``, ``--config FILE`` or ``SOCIAL_MISSIONS_CONFIG``.

Settings cascade from ``[http]`` (every platform) to ``[platforms.<name>]`` to
``[platforms.<name>.<backend>]``. The reference of every key is ``docs/configuration.md``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config_schema import HTTP_KEYS, PLATFORM_KEYS, check_known_sections, unknown_key_error
from .errors import ConfigurationError

CONFIG_ENV = "SOCIAL_MISSIONS_CONFIG"
DEFAULT_CONFIG_NAME = "social-missions.toml"
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|m|h)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$")
DEFAULT_COOL_OFF = 900.0  # seconds a backend stays paused after a 429 or a login wall


def parse_cool_off(value: object, where: str) -> float:
    """Seconds from a number or a string like ``"90s"``, ``"15m"``, ``"1h"``; raises
    ``ConfigurationError`` naming ``where`` otherwise."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    if isinstance(value, str):
        found = _DURATION.match(value)
        if found:
            return float(found.group(1)) * _UNIT_SECONDS[found.group(2) or "s"]
    raise ConfigurationError(
        f"{where}: cool_off {value!r} is not a duration; write it like \"15m\", \"90s\" or a "
        "number of seconds")


@dataclass(frozen=True)
class RateLimit:
    """At most ``requests`` requests in any ``seconds`` seconds."""

    requests: int
    seconds: float

    @classmethod
    def parse(cls, value: object, where: str) -> RateLimit:
        """Read ``"75/11m"``, ``"1/2s"`` or a number of requests per minute."""
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return cls(requests=int(value), seconds=60.0)
        if isinstance(value, str):
            found = _RATE.match(value)
            if found and int(found.group(1)) > 0:
                count = int(found.group(2) or 1)
                return cls(requests=int(found.group(1)),
                           seconds=float(count * _UNIT_SECONDS[found.group(3)]))
        raise ConfigurationError(
            f"{where}: rate_limit {value!r} is not a rate; write it like \"75/11m\" "
            "(75 requests per 11 minutes) or a number of requests per minute"
        )


@dataclass(frozen=True)
class HttpSettings:
    """How the shared HTTP layer behaves (``[http]``, overridable per platform)."""

    timeout: float = 20.0
    retries: int = 2
    backoff: float = 1.0
    max_retry_wait: float = 30.0
    # How long a backend answered with a 429, a login wall or a bot challenge stays paused
    # for every worker, when the answer gives no Retry-After (seconds).
    cool_off: float = DEFAULT_COOL_OFF
    user_agent: str = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36"
    )


@dataclass(frozen=True)
class PlatformSettings:
    """One platform's settings: backend order, post limit, rate limit, proxy, cookies."""

    name: str
    backends: tuple[str, ...] | None = None
    limit: int | None = None
    rate_limit: RateLimit | None = None
    proxy: str | None = None
    cookies_file: Path | None = None
    http: HttpSettings = field(default_factory=HttpSettings)
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def backend_options(self, backend: str) -> Mapping[str, Any]:
        """The ``[platforms.<name>.<backend>]`` table (empty when absent)."""
        return self.options.get(backend, {})

    def backend_rate_limit(self, backend: str) -> RateLimit | None:
        """``rate_limit`` of ``[platforms.<name>.<backend>]``, else of the platform (None: no
        budget). Each backend has its own budget of that size."""
        value = self.backend_options(backend).get("rate_limit")
        if value is None:
            return self.rate_limit
        return RateLimit.parse(value, f"[platforms.{self.name}.{backend}]")

    def backend_cool_off(self, backend: str) -> float:
        """``cool_off`` (seconds) of ``[platforms.<name>.<backend>]``, else of the platform."""
        value = self.backend_options(backend).get("cool_off")
        if value is None:
            return self.http.cool_off
        return parse_cool_off(value, f"[platforms.{self.name}.{backend}]")

    def secret(self, backend: str, key: str) -> str | None:
        """A secret from ``key`` or from the environment variable named by ``key_env``."""
        opts = self.backend_options(backend)
        if opts.get(key):
            return str(opts[key])
        env_name = opts.get(f"{key}_env")
        return os.environ.get(str(env_name)) if env_name else None


@dataclass(frozen=True)
class Config:
    """The whole configuration; ``raw`` keeps sections read by other parts (database, queue)."""

    path: Path | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)
    http: HttpSettings = field(default_factory=HttpSettings)
    platforms: Mapping[str, PlatformSettings] = field(default_factory=dict)
    autoload_plugins: bool = True
    blocked_plugins: tuple[str, ...] = ()
    cache_path: Path | None = None

    def platform(self, name: str) -> PlatformSettings:
        return self.platforms.get(name) or PlatformSettings(name=name, http=self.http)

    def section(self, name: str) -> Mapping[str, Any]:
        value = self.raw.get(name, {})
        if not isinstance(value, Mapping):
            raise ConfigurationError(f"{self._where()}: [{name}] must be a table")
        return value

    def resolve_path(self, value: str | Path) -> Path:
        """A path from the file, relative to the file's own folder."""
        path = Path(value).expanduser()
        if not path.is_absolute() and self.path is not None:
            path = self.path.parent / path
        return path

    def _where(self) -> str:
        return str(self.path) if self.path else "configuration"


_HTTP_KEYS = set(HTTP_KEYS)
_PLATFORM_KEYS = set(PLATFORM_KEYS) | _HTTP_KEYS


def find_config_file(explicit: str | Path | None = None) -> Path | None:
    """``explicit``, else ``$SOCIAL_MISSIONS_CONFIG``, else ``./social-missions.toml`` if present."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigurationError(f"configuration file {str(path)!r} does not exist")
        return path
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        path = Path(from_env).expanduser()
        if not path.is_file():
            raise ConfigurationError(f"{CONFIG_ENV}={from_env!r}: that file does not exist")
        return path
    local = Path(DEFAULT_CONFIG_NAME)
    return local if local.is_file() else None


def load_config(explicit: str | Path | None = None) -> Config:
    """Read the configuration file that applies (see :func:`find_config_file`)."""
    path = find_config_file(explicit)
    if path is None:
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{path}: not valid TOML: {error}") from None
    return config_from_mapping(raw, path=path)


def config_from_mapping(raw: Mapping[str, Any], *, path: Path | None = None) -> Config:
    """Build a :class:`Config` from parsed TOML (also used by tests and the API).

    Raises :class:`ConfigurationError` for a table or key :mod:`engine.config_schema` does not
    declare (a backend's table is checked by :class:`engine.core.Engine`, which knows the
    plugins) and for a wrong value of the keys read here.
    """
    where = str(path) if path else "configuration"
    check_known_sections(raw, where)
    http = _http_settings(raw.get("http", {}), HttpSettings(), f"{where} [http]")
    plugins = raw.get("plugins", {})
    blocked = plugins.get("block", [])
    if not isinstance(blocked, list) or not all(isinstance(b, str) for b in blocked):
        raise ConfigurationError(f"{where} [plugins] block must be a list of plugin names")
    config = Config(path=path, raw=raw, http=http,
                    autoload_plugins=bool(plugins.get("autoload", True)),
                    blocked_plugins=tuple(blocked))
    platforms = {
        name: _platform_settings(name, table, config, f"{where} [platforms.{name}]")
        for name, table in raw.get("platforms", {}).items()
    }
    cache = raw.get("cache", {})
    cache_path = config.resolve_path(cache["path"]) if cache.get("path") else None
    return Config(path=path, raw=raw, http=http, platforms=platforms,
                  autoload_plugins=config.autoload_plugins,
                  blocked_plugins=config.blocked_plugins, cache_path=cache_path)


def _http_settings(table: Mapping[str, Any], base: HttpSettings, where: str) -> HttpSettings:
    values: dict[str, Any] = {}
    for key in _HTTP_KEYS & table.keys():
        value: Any = table[key]
        if key == "cool_off":
            values[key] = parse_cool_off(value, where)
            continue
        expected: type = str if key == "user_agent" else (int if key == "retries" else float)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        negative = isinstance(value, int | float) and value < 0
        if not isinstance(value, expected) or negative:
            raise ConfigurationError(f"{where}: {key} must be a non-negative {expected.__name__}")
        values[key] = value
    return HttpSettings(**{**base.__dict__, **values})


def _platform_settings(
    name: str, table: Mapping[str, Any], config: Config, where: str
) -> PlatformSettings:
    if not isinstance(table, Mapping):
        raise ConfigurationError(f"{where} must be a table")
    backends = table.get("backends")
    if backends is not None and (
        not isinstance(backends, list) or not all(isinstance(b, str) for b in backends)
    ):
        raise ConfigurationError(f"{where}: backends must be a list of names, like [\"web\"]")
    limit = table.get("limit")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise ConfigurationError(f"{where}: limit must be a whole number of posts, at least 1")
    rate = table.get("rate_limit")
    cookies = table.get("cookies")
    options = {key: value for key, value in table.items()
               if key not in _PLATFORM_KEYS and isinstance(value, Mapping)}
    for backend, backend_table in options.items():  # a backend's own budget and cool-off
        inner = f"{where.removesuffix(']')}.{backend}]"
        if backend_table.get("rate_limit") is not None:
            RateLimit.parse(backend_table["rate_limit"], inner)
        if backend_table.get("cool_off") is not None:
            parse_cool_off(backend_table["cool_off"], inner)
    unknown = sorted(k for k in table if k not in _PLATFORM_KEYS and k not in options)
    if unknown:
        file, _, table_name = where.rpartition(" ")
        raise unknown_key_error(unknown[0], _PLATFORM_KEYS, file, table_name)
    return PlatformSettings(
        name=name,
        backends=tuple(backends) if backends is not None else None,
        limit=limit,
        rate_limit=RateLimit.parse(rate, where) if rate is not None else None,
        proxy=table.get("proxy"),
        cookies_file=config.resolve_path(cookies) if cookies else None,
        http=_http_settings(table, config.http, where),
        options=options,
    )
