"""A small persistent key-value cache with expiry, shared by every plugin.

Plugins keep what rarely changes here (a YouTube handle's channel id, a TikTok ``secUid``) so a
warm check costs one request. The default is one SQLite file per machine; a missing or broken
cache only costs an extra request, never a failed check.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Protocol

from engine.private_files import create_private_file

log = logging.getLogger(__name__)
CACHE_ENV = "SOCIAL_MISSIONS_CACHE"


class Cache(Protocol):
    """What plugins may rely on: JSON-serialisable values under string keys, with expiry."""

    def get(self, key: str) -> Any | None:
        """The value kept under ``key``, or None when it is absent or expired."""

    def set(self, key: str, value: Any, ttl_seconds: float) -> None:
        """Keep the JSON-serialisable ``value`` under ``key`` for ``ttl_seconds`` seconds
        (``7 * 24 * 3600`` keeps it a week); it replaces any earlier value."""

    def delete(self, key: str) -> None:
        """Drop ``key`` (nothing happens when it is absent)."""


def default_cache_path() -> Path:
    """``$SOCIAL_MISSIONS_CACHE``, else ``$XDG_CACHE_HOME/social-missions/cache.sqlite3``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "social-missions" / "cache.sqlite3"


class SQLiteCache:
    """The cache in one SQLite file; safe across threads and processes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            if str(self.path) != ":memory:":
                create_private_file(self.path)  # 0600, its folder created
            connection = sqlite3.connect(str(self.path), timeout=10, check_same_thread=False,
                                         isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS cache "
                "(key TEXT PRIMARY KEY, value TEXT NOT NULL, expires REAL NOT NULL)"
            )
            self._connection = connection
        return self._connection

    def get(self, key: str) -> Any | None:
        try:
            with self._lock:
                row = self._connect().execute(
                    "SELECT value, expires FROM cache WHERE key = ?", (key,)
                ).fetchone()
        except sqlite3.Error as error:
            log.warning("cache %s unreadable (%s); going without", self.path, error)
            return None
        if row is None or row[1] < time.time():
            return None
        return json.loads(row[0])

    def set(self, key: str, value: Any, ttl_seconds: float) -> None:
        """Keep ``value`` (as JSON) under ``key`` for ``ttl_seconds`` seconds."""
        try:
            with self._lock:
                self._connect().execute(
                    "INSERT OR REPLACE INTO cache (key, value, expires) VALUES (?, ?, ?)",
                    (key, json.dumps(value), time.time() + ttl_seconds),
                )
        except sqlite3.Error as error:
            log.warning("cache %s not writable (%s); going without", self.path, error)

    def delete(self, key: str) -> None:
        try:
            with self._lock:
                self._connect().execute("DELETE FROM cache WHERE key = ?", (key,))
        except sqlite3.Error as error:
            log.warning("cache %s not writable (%s)", self.path, error)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


class MemoryCache:
    """A cache that lives as long as the process (``cache.path = ":memory:"``, tests)."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[Any, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        with self._lock:
            item = self._items.get(key)
        if item is None or item[1] < time.time():
            return None
        return item[0]

    def set(self, key: str, value: Any, ttl_seconds: float) -> None:
        """Keep ``value`` under ``key`` for ``ttl_seconds`` seconds."""
        with self._lock:
            self._items[key] = (value, time.time() + ttl_seconds)

    def delete(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)
