"""A ``limits`` storage in one SQLite file, shared by every process of one machine.

Registered with ``limits`` under the ``sqlite`` scheme (``sqlite:////abs/path/budget.sqlite3``),
it supports the moving window strategy, the one the platform budgets use: each request granted
is one row (key, time), and granting the next one is a write transaction (``BEGIN IMMEDIATE``),
so two processes never both take the last slot. The fixed-window counters that ``Storage``
requires are kept in a second table. Times are seconds since the epoch from ``clock``
(``time.time`` unless a test gives its own).

This module imports ``limits``; :mod:`engine.ratelimit` imports it only when a budget is used.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from limits.storage import MovingWindowSupport, Storage

from .ratelimit import BudgetFile, sqlite_path


class SQLiteStorage(Storage, MovingWindowSupport):
    """``limits`` storage over a :class:`BudgetFile` (scheme ``sqlite``).

    ``clock`` gives seconds since the epoch; the moving window keeps, per key, the times of
    the entries granted during the last ``expiry`` seconds.
    """

    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 clock: Callable[[], float] = time.time, **options: float | str | bool) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.file = BudgetFile(sqlite_path(uri or "sqlite:///:memory:"))
        self.clock = clock

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    # -- the moving window -------------------------------------------------------------------

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Grant ``amount`` entries when at most ``limit - amount`` were granted in the last
        ``expiry`` seconds; False (nothing written) otherwise."""
        if amount > limit:
            return False
        now = self.clock()
        with self.file.transaction() as connection:
            connection.execute("DELETE FROM budget_hits WHERE key = ? AND at < ?",
                               (key, now - expiry))
            (count,) = connection.execute(
                "SELECT count(*) FROM budget_hits WHERE key = ? AND at >= ?",
                (key, now - expiry)).fetchone()
            if count + amount > limit:
                return False
            connection.executemany("INSERT INTO budget_hits (key, at) VALUES (?, ?)",
                                   [(key, now)] * amount)
        return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """(time of the oldest entry in the window, entries in the window); (now, 0) if none."""
        now = self.clock()
        row = self.file.read("SELECT min(at), count(*) FROM budget_hits WHERE key = ? AND at >= ?",
                             (key, now - expiry))
        if row is None or not row[1]:
            return now, 0
        return float(row[0]), int(row[1])

    # -- the counters every limits storage has -----------------------------------------------

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the counter ``key``, which expires ``expiry`` seconds after it
        started; return the new value."""
        now = self.clock()
        with self.file.transaction() as connection:
            connection.execute("DELETE FROM budget_counters WHERE key = ? AND expires <= ?",
                               (key, now))
            connection.execute(
                "INSERT INTO budget_counters (key, value, expires) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = value + excluded.value",
                (key, amount, now + expiry))
            (value,) = connection.execute("SELECT value FROM budget_counters WHERE key = ?",
                                          (key,)).fetchone()
        return int(value)

    def get(self, key: str) -> int:
        """The counter ``key`` (0 when absent or expired)."""
        row = self.file.read("SELECT value FROM budget_counters WHERE key = ? AND expires > ?",
                             (key, self.clock()))
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        """When the counter ``key`` expires (seconds since the epoch; now when absent)."""
        row = self.file.read("SELECT expires FROM budget_counters WHERE key = ?", (key,))
        return float(row[0]) if row else self.clock()

    def check(self) -> bool:
        """True when the file can be read."""
        try:
            self.file.read("SELECT 1", ())
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every entry, counter and pause; return how many rows went."""
        with self.file.transaction() as connection:
            removed = sum(connection.execute(f"DELETE FROM {table}").rowcount
                          for table in ("budget_hits", "budget_counters", "budget_pauses"))
        return removed

    def clear(self, key: str) -> None:
        """Forget the entries and the counter of ``key``."""
        with self.file.transaction() as connection:
            connection.execute("DELETE FROM budget_hits WHERE key = ?", (key,))
            connection.execute("DELETE FROM budget_counters WHERE key = ?", (key,))
