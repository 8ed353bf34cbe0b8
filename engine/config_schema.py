"""Every key the configuration file may hold, in one place, and the check of unknown ones.

:data:`SECTIONS` maps each top-level table (``[service]``, ``[database]``…) to its keys;
:data:`PLATFORM_KEYS` are the keys of ``[platforms.<name>]`` (where the ``[http]`` keys may
also be set), :data:`BACKEND_KEYS` those every ``[platforms.<name>.<backend>]`` table
accepts, and each backend declares its own in ``Backend.config_options``. Each key is an
:class:`Option`: its type and default as ``docs/configuration.md`` writes them
(``tests/test_configuration_reference.py`` holds the two together).

A key or table not declared here stops start-up: :func:`check_known_sections` (run by
:func:`engine.config.config_from_mapping`) and :func:`unknown_key_error` (the platform and
backend tables, checked where the plugins are known) raise
:class:`~engine.errors.ConfigurationError` naming the key, where it is, a close match and the
known keys. This module imports nothing of the project but the errors.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ConfigurationError


class _NoDefault:
    """The default of a key that has none (the reference writes "none")."""

    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()


@dataclass(frozen=True)
class Option:
    """One key of the configuration file.

    ``type`` is the type as the reference writes it ("integer", "duration", "path"…);
    ``default`` the value used when the key is absent, as a TOML value (``NO_DEFAULT`` when
    there is none); ``default_text`` replaces the rendering of a default that is computed (a
    path under the data folder); ``summary`` is a one-line meaning for messages.
    """

    type: str
    default: Any = NO_DEFAULT
    default_text: str = ""
    summary: str = ""

    def problem(self, value: Any) -> str | None:
        """What is wrong with ``value`` for this key's ``type``, in words (``"a number of
        seconds"`` expected, what was found), or None when it fits. Types checked by their
        first word: ``URL`` (an http(s) address), ``string``, ``path``, ``boolean``,
        ``integer``, ``number`` (not negative), ``table``, ``list``; any other type (a rate, a
        duration) is checked where it is read."""
        kind = self.type.split(" ", 1)[0].lower()
        expected = _EXPECTED.get(kind)
        if expected is None:
            return None
        words, fits = expected
        if fits(value):
            return None
        return f"it must be {words} ({self.type}), not {type(value).__name__} {value!r}"

    def rendered_default(self) -> str:
        """The default as the reference's "default" column shows it: ``default_text``, else
        the TOML value in backquotes, else ``none``."""
        if self.default_text:
            return self.default_text
        if self.default is NO_DEFAULT:
            return "none"
        return f"`{toml_value(self.default)}`"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# The first word of an option's type → (what it must be, in words; the test of a value).
_EXPECTED: Mapping[str, tuple[str, Any]] = {
    "url": ("an http:// or https:// address in quotes",
            lambda value: isinstance(value, str) and value.lower().startswith(("http://",
                                                                               "https://"))),
    "string": ("text in quotes", lambda value: isinstance(value, str)),
    "path": ("a file path in quotes", lambda value: isinstance(value, str) and bool(value)),
    "boolean": ("true or false", lambda value: isinstance(value, bool)),
    "integer": ("a whole number", lambda value: isinstance(value, int)
                and not isinstance(value, bool)),
    "number": ("a number, 0 or more", lambda value: _is_number(value) and value >= 0),
    "table": ("a table ({ key = value, … })", lambda value: isinstance(value, Mapping)),
    "list": ("a list ([…])", lambda value: isinstance(value, list)),
}


def toml_value(value: object) -> str:
    """``value`` written as TOML (booleans, numbers, strings, lists of those)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


DURATION = "duration"  # seconds, or "90s", "5m", "1h", "1d"

HTTP_KEYS: Mapping[str, Option] = {
    "timeout": Option("number (seconds)", 20.0),
    "retries": Option("integer", 2),
    "backoff": Option("number (seconds)", 1.0),
    "max_retry_wait": Option("number (seconds)", 30.0),
    "cool_off": Option(DURATION, "15m"),
    "user_agent": Option("string", default_text="a current desktop Chrome"),
}

SECTIONS: Mapping[str, Mapping[str, Option]] = {
    "service": {
        "data": Option("path", default_text="`./data` (or `$SOCIAL_MISSIONS_DATA`)"),
        "timezone": Option("IANA time zone", "UTC"),
        "log_format": Option('"text" or "json"', "text"),
    },
    "database": {
        "url": Option("URL", default_text="`sqlite:///<data>/missions.sqlite3`"),
    },
    "queue": {
        "url": Option("URL", default_text="`sqlite:///<data>/queue.sqlite3`"),
        "workers": Option("integer", 16),
        "processes": Option('"auto" or integer', "auto"),
        "backlog_warning": Option(DURATION, "5m"),
    },
    "missions": {
        "cooldown": Option(DURATION, "24h"),
        "recheck_delays": Option("list of durations", ["5m", "1h"]),
        "threshold_rechecks": Option("list of durations", ["1d", "7d"]),
        "retry_first_delay": Option(DURATION, "1m"),
        "retry_max_delay": Option(DURATION, "1h"),
        "retry_period": Option(DURATION, "24h"),
        "exclusive_posts": Option("boolean", False),
        "share_fetch": Option(DURATION, "60s"),
        "lease": Option(DURATION, "2m"),
    },
    "members": {
        "ownership": Option('"off", "on_conflict" or "always"', "on_conflict"),
    },
    "privacy": {
        "keep_post_text_days": Option("integer (days)", 90),
    },
    "web": {
        "secret_key_file": Option("path", default_text="`secret.key` beside the database"),
        "secret_env": Option("string"),
        "previous_secret_key_files": Option("list of paths", []),
        "secure_cookies": Option("boolean", False),
        "embed_origins": Option("list of origins", []),
        "api_docs": Option("boolean", True),
        "max_body": Option("integer (bytes)", 1_048_576),
        "base_url": Option("URL", "http://127.0.0.1:8000"),
        "metrics_address": Option("host:port"),
    },
    "webhooks": {
        "url": Option("URL"),
        "secret": Option("string"),
        "secret_env": Option("string"),
        "max_attempts": Option("integer", 8),
        "allow_private": Option("boolean", False),
    },
    "alerts": {
        "window": Option(DURATION, "1h"),
        "threshold": Option("number (share)", 0.5),
        "min_attempts": Option("integer", 5),
        "interval": Option(DURATION, "60s"),
    },
    "plugins": {
        "autoload": Option("boolean", True),
        "block": Option("list of strings", []),
    },
    "http": HTTP_KEYS,
    "cache": {
        "path": Option("path", default_text="`$SOCIAL_MISSIONS_CACHE`, else "
                       "`$XDG_CACHE_HOME/social-missions/cache.sqlite3`"),
    },
    "platforms": {},  # one table per platform: PLATFORM_KEYS
}

# Keys of ``[platforms.<name>]`` besides the ``[http]`` ones.
PLATFORM_KEYS: Mapping[str, Option] = {
    "backends": Option("list of strings", default_text="the platform's default"),
    "limit": Option("integer", default_text="the platform's default"),
    "rate_limit": Option("rate", default_text="none (no budget)"),
    "proxy": Option("URL"),
    "cookies": Option("path"),
}

# Keys every ``[platforms.<name>.<backend>]`` table accepts (read by the engine).
BACKEND_KEYS: Mapping[str, Option] = {
    "rate_limit": Option("rate", default_text="the platform's `rate_limit`"),
    "cool_off": Option(DURATION, default_text="the platform's `cool_off`"),
}

# Keys once read and now refused with their own message (what to do instead).
RETIRED: Mapping[tuple[str, str], str] = {
    ("web", "secret"): "a key written in the configuration is no longer read; put it in a "
                       "file named by secret_key_file (mode 0600) or in an environment "
                       "variable named by secret_env",
}


# Settings renamed in a release: the old key is refused with the new key's name (same value,
# same unit). TikTok's ``secuid_ttl_days`` and YouTube's ``cache_days`` were one concept, the
# days a resolved account id stays cached: both became the backends' ``id_cache_days``.
RENAMED: Mapping[str, str] = {
    "secuid_ttl_days": "id_cache_days",
    "cache_days": "id_cache_days",
}


def unknown_key_error(key: str, known: Iterable[str], where: str, table: str,
                      what: str = "setting") -> ConfigurationError:
    """The error for ``key`` (a ``what``: setting or table) that ``table`` does not know:
    names it, where it is (``where``: the file), its new name when it was renamed
    (:data:`RENAMED`), else a close match when there is one, and the known ones."""
    names = sorted(known)
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    if RENAMED.get(key) in names:
        hint = f"; it is now called {RENAMED[key]!r} (same value)"
    listed = ", ".join(names) if names else "none"
    return ConfigurationError(f"{where}: unknown {what} {key!r} in {table}{hint} "
                              f"(known: {listed})")


def check_known_sections(raw: Mapping[str, Any], where: str) -> None:
    """Refuse a top-level table, or a key of one, that :data:`SECTIONS` does not declare
    (``[platforms.*]`` is checked by :mod:`engine.config` and the engine). Raises
    :class:`ConfigurationError`."""
    for section, table in raw.items():
        if section not in SECTIONS:
            known = [f"[{name}]" for name in SECTIONS]
            close = difflib.get_close_matches(f"[{section}]", known, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise ConfigurationError(f"{where}: unknown table [{section}]{hint} "
                                     f"(known: {', '.join(sorted(known))})")
        if not isinstance(table, Mapping):
            raise ConfigurationError(f"{where}: [{section}] must be a table, not "
                                     f"{type(table).__name__} (write [{section}] on its own "
                                     "line, then its keys)")
        if section == "platforms":
            continue
        for key in table:
            if (section, key) in RETIRED:
                raise ConfigurationError(f"{where} [{section}] {key}: "
                                         f"{RETIRED[(section, key)]}")
            if key not in SECTIONS[section]:
                raise unknown_key_error(key, SECTIONS[section], where, f"[{section}]")


def check_backend_table(platform: str, backend: str, table: Mapping[str, Any],
                        backends: Mapping[str, Mapping[str, Option]], where: str) -> None:
    """Refuse ``[platforms.<platform>.<backend>]`` when the platform has no such backend
    (``backends``: each backend's declared options), a key neither :data:`BACKEND_KEYS` nor
    the backend's options declare, or a value that does not fit its key's type
    (:meth:`Option.problem`). Raises :class:`ConfigurationError` naming the key and the
    table's keys with their types."""
    if backend not in backends:
        known = [f"[platforms.{platform}.{name}]" for name in backends]
        close = difflib.get_close_matches(backend, list(backends), n=1, cutoff=0.6)
        hint = f"; did you mean [platforms.{platform}.{close[0]}]?" if close else ""
        raise ConfigurationError(
            f"{where}: unknown table [platforms.{platform}.{backend}]: {platform} has no "
            f"backend {backend!r}{hint} (known: {', '.join(sorted(known)) or 'none'}; "
            f"`social-missions backends` lists them)")
    known_keys = {**BACKEND_KEYS, **backends[backend]}
    for key, value in table.items():
        if key not in known_keys:
            raise unknown_key_error(key, known_keys, where,
                                    f"[platforms.{platform}.{backend}]")
        problem = known_keys[key].problem(value)
        if problem is not None:
            listed = ", ".join(f"{name} ({option.type})"
                               for name, option in sorted(known_keys.items()))
            raise ConfigurationError(f"{where}: [platforms.{platform}.{backend}] {key}: "
                                     f"{problem} (keys of this table: {listed})")
