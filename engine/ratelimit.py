"""One request budget and one circuit breaker per platform and backend, shared by all workers.

**Budgets.** ``rate_limit = "N/Mm"`` allows at most N requests in any M minutes to one backend
of one platform (the key is ``platform/backend``), counted by ``limits``' moving window over a
storage every worker sees:

- the queue's Redis when ``[queue] url`` is ``redis://…`` (every process and every machine);
- else ``budget.sqlite3`` beside the engine's cache file (every process of this machine; see
  :mod:`engine.ratelimit_storage`);
- else, when the cache is ``:memory:``, ``limits``' ``MemoryStorage`` (this process only).

A request that does not fit waits (``sleep``) until the oldest one leaves the window.

**Pauses (the circuit breaker).** A backend answered with a 429, a login wall or a bot
challenge is paused for every worker for ``cool_off`` seconds (or the answer's
``Retry-After``): while paused, the director does not send to it and tries the next backend.
Pauses live in the same storage as the budgets.

A storage that fails (Redis down, a locked file) never fails a check: the budget lets the
request through and the pause is not recorded, with a warning in the log.

``limits`` and ``redis`` are imported on first use only.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote, urlsplit

from .cache import default_cache_path
from .config import Config, RateLimit
from .private_files import create_private_file

if TYPE_CHECKING:
    from limits.storage import Storage

log = logging.getLogger(__name__)
BUDGET_FILE_NAME = "budget.sqlite3"
KEY_PREFIX = "social-missions"
# The causes that pause a backend: the platform asked us, or everyone like us, to stop.
PAUSING_CAUSES = frozenset({"rate_limited", "login_wall", "bot_challenge"})
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS budget_hits (key TEXT NOT NULL, at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS budget_hits_key_at ON budget_hits (key, at)",
    "CREATE TABLE IF NOT EXISTS budget_counters "
    "(key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS budget_pauses "
    "(key TEXT PRIMARY KEY, until REAL NOT NULL, cause TEXT NOT NULL, detail TEXT NOT NULL)",
)


def sqlite_path(uri: str) -> str:
    """The file of ``sqlite:///relative`` or ``sqlite:////absolute`` (``:memory:`` allowed)."""
    parts = urlsplit(uri)
    if parts.scheme != "sqlite":
        raise ValueError(f"{uri!r} is not a sqlite:// URL")
    path = unquote(parts.path)
    return path[1:] if path.startswith("/") and path != "/" else path


class BudgetFile:
    """One SQLite connection to the budget file, safe across threads and forked processes.

    ``transaction()`` yields the connection inside ``BEGIN IMMEDIATE`` … ``COMMIT`` (the
    write lock of the file, waited for up to ``timeout`` seconds); errors are
    ``sqlite3.Error``.
    """

    def __init__(self, path: str, *, timeout: float = 10.0) -> None:
        self.path = path
        self._timeout = timeout
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pid = 0

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():
            if self.path != ":memory:":
                create_private_file(self.path)  # 0600, its folder created
            connection = sqlite3.connect(self.path, timeout=self._timeout,
                                         check_same_thread=False, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            for statement in _SCHEMA:
                connection.execute(statement)
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """The connection inside one write transaction, rolled back on error."""
        with self._lock:
            connection = self._connect()
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def read(self, sql: str, parameters: tuple[object, ...]) -> tuple[Any, ...] | None:
        """The first row of one ``SELECT`` (no transaction: WAL readers never wait)."""
        with self._lock:
            row = self._connect().execute(sql, parameters).fetchone()
        return tuple(row) if row is not None else None

    def close(self) -> None:
        """Close this process's connection (the next use opens a new one)."""
        with self._lock:
            if self._connection is not None and self._pid == os.getpid():
                self._connection.close()
            self._connection = None


@dataclass(frozen=True)
class Pause:
    """A backend paused until ``until`` (seconds since the epoch) because of ``cause``."""

    until: float
    cause: str
    detail: str

    @property
    def until_utc(self) -> datetime:
        """``until`` as an aware UTC datetime."""
        return datetime.fromtimestamp(self.until, UTC)

    def describe(self) -> str:
        """One line for an attempt: ``paused until 2025-06-01 12:15:00 UTC after …``."""
        text = f"paused until {self.until_utc:%Y-%m-%d %H:%M:%S} UTC after {self.cause}"
        return f"{text}: {self.detail}" if self.detail else text


class PauseStore(Protocol):
    """Where pauses are kept: ``set`` keeps the later of two pauses of one key."""

    def set(self, key: str, pause: Pause) -> Pause: ...

    def get(self, key: str, now: float) -> Pause | None: ...


class MemoryPauses:
    """Pauses of this process only."""

    def __init__(self) -> None:
        self._pauses: dict[str, Pause] = {}
        self._lock = threading.Lock()

    def set(self, key: str, pause: Pause) -> Pause:
        """Keep ``pause`` unless a later one is already kept; return the one kept."""
        with self._lock:
            current = self._pauses.get(key)
            if current is None or current.until < pause.until:
                self._pauses[key] = current = pause
            return current

    def get(self, key: str, now: float) -> Pause | None:
        """The pause of ``key`` still running at ``now``, or None."""
        with self._lock:
            pause = self._pauses.get(key)
        return pause if pause is not None and pause.until > now else None


class SQLitePauses:
    """Pauses in the budget file (table ``budget_pauses``): every process of this machine."""

    def __init__(self, file: BudgetFile) -> None:
        self.file = file

    def set(self, key: str, pause: Pause) -> Pause:
        """Keep ``pause`` unless a later one is already kept; return the one kept."""
        with self.file.transaction() as connection:
            connection.execute(
                "INSERT INTO budget_pauses (key, until, cause, detail) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET until = excluded.until, cause = excluded.cause, "
                "detail = excluded.detail WHERE excluded.until > budget_pauses.until",
                (key, pause.until, pause.cause, pause.detail))
            row = connection.execute("SELECT until, cause, detail FROM budget_pauses "
                                     "WHERE key = ?", (key,)).fetchone()
        return Pause(float(row[0]), str(row[1]), str(row[2]))

    def get(self, key: str, now: float) -> Pause | None:
        """The pause of ``key`` still running at ``now``, or None."""
        row = self.file.read("SELECT until, cause, detail FROM budget_pauses "
                             "WHERE key = ? AND until > ?", (key, now))
        return Pause(float(row[0]), str(row[1]), str(row[2])) if row else None


class RedisPauses:
    """Pauses in Redis (one key each, expiring with the pause): every process and machine."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def set(self, key: str, pause: Pause) -> Pause:
        """Keep ``pause`` unless a later one is already kept; return the one kept.

        Two workers pausing one backend at once may both write: the pauses they write differ
        by the time between their answers, which is fine for a cool-off.
        """
        current = self._decode(self.client.get(key))
        if current is not None and current.until >= pause.until:
            return current
        milliseconds = max(1, int((pause.until - time.time()) * 1000))
        self.client.set(key, json.dumps(pause.__dict__), px=milliseconds)
        return pause

    def get(self, key: str, now: float) -> Pause | None:
        """The pause of ``key`` still running at ``now``, or None."""
        pause = self._decode(self.client.get(key))
        return pause if pause is not None and pause.until > now else None

    @staticmethod
    def _decode(value: bytes | str | None) -> Pause | None:
        if value is None:
            return None
        try:
            fields = json.loads(value)
            return Pause(float(fields["until"]), str(fields["cause"]), str(fields["detail"]))
        except (ValueError, KeyError, TypeError):
            return None  # not ours, or damaged: no pause


class PlatformBudget:
    """The budgets and pauses of every platform and backend, over one shared storage.

    ``storage_url`` is a ``limits`` storage URL (``redis://…``, ``sqlite:////path``,
    ``memory://``); the ``limits`` storage is opened on the first request that has a rate
    limit. ``clock`` gives seconds since the epoch and must be the storage's own clock
    (``time.time`` for Redis and memory; the SQLite storage is given this one); ``sleep``
    waits (tests and replays give ones that do not). Keys start with ``key_prefix``.
    """

    def __init__(self, storage_url: str, pauses: PauseStore, *, key_prefix: str = KEY_PREFIX,
                 clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep, scope: str = "") -> None:
        self.storage_url = storage_url
        self.pauses = pauses
        self.key_prefix = key_prefix
        self.scope = scope
        self._clock = clock
        self._sleep = sleep
        self._storage: Storage | None = None
        self._limiter: Any = None
        self._open_lock = threading.Lock()
        self._warned_at = 0.0

    def describe(self) -> str:
        """Where the budgets are kept, with the secrets of the URL left out."""
        parts = urlsplit(self.storage_url)
        where = f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"
        where = where + parts.path if parts.scheme != "redis" else where
        return f"{where} ({self.scope})" if self.scope else where

    # -- budgets -------------------------------------------------------------------------------

    def acquire(self, platform: str, backend: str, limit: RateLimit) -> float:
        """Wait until one more request to ``platform``/``backend`` fits in ``limit`` and take
        it; return the seconds spent waiting. A failing storage lets the request through."""
        from limits import RateLimitItemPerSecond

        item = RateLimitItemPerSecond(limit.requests, max(1, round(limit.seconds)),
                                      namespace=self.key_prefix)
        waited = 0.0
        while True:
            try:
                limiter = self._moving_window()
                if limiter.hit(item, platform, backend):
                    return waited
                reset = limiter.get_window_stats(item, platform, backend).reset_time
            except Exception as error:  # the storage's own errors, of any kind
                self._warn(f"budget storage {self.describe()} failed ({error}); "
                           f"request to {platform}/{backend} sent without its budget")
                return waited
            # The oldest request leaves the window at ``reset``; a hair later, a slot is free.
            delay = min(max(reset - self._clock(), 0.0) + 0.002, float(limit.seconds))
            self._sleep(delay)
            waited += delay

    def _moving_window(self) -> Any:
        if self._limiter is None:
            with self._open_lock:
                if self._limiter is None:
                    from limits.strategies import MovingWindowRateLimiter

                    self._storage = open_storage(self.storage_url, self._clock)
                    self._limiter = MovingWindowRateLimiter(self._storage)
        return self._limiter

    # -- pauses --------------------------------------------------------------------------------

    def pause(self, platform: str, backend: str, seconds: float, cause: str,
              detail: str) -> Pause | None:
        """Pause ``platform``/``backend`` for ``seconds`` for every worker; return the pause
        now in force (a later one already set wins), or None when the storage failed."""
        pause = Pause(self._clock() + seconds, cause, detail[:300])
        try:
            kept = self.pauses.set(self._pause_key(platform, backend), pause)
        except Exception as error:
            self._warn(f"budget storage {self.describe()} failed ({error}); "
                       f"{platform}/{backend} not paused")
            return None
        log.warning("%s/%s paused for every worker until %s UTC (%s)", platform, backend,
                    f"{kept.until_utc:%Y-%m-%d %H:%M:%S}", cause)
        return kept

    def paused(self, platform: str, backend: str) -> Pause | None:
        """The pause of ``platform``/``backend`` in force now, or None (also when the storage
        cannot be read)."""
        try:
            pause = self.pauses.get(self._pause_key(platform, backend), self._clock())
        except Exception as error:
            self._warn(f"budget storage {self.describe()} failed ({error}); pauses not read")
            return None
        # A pause written by something else than this module is not obeyed.
        return pause if pause is not None and pause.cause in PAUSING_CAUSES else None

    def warm_up(self) -> None:
        """Open the pauses' storage now (for Redis: the client and a first connection), as
        a worker's first check would; a storage that fails is warned about, as
        :meth:`paused` does, and tried again by the checks."""
        self.paused("", "")

    def _pause_key(self, platform: str, backend: str) -> str:
        return f"{self.key_prefix}:pause:{platform}/{backend}"

    def _warn(self, message: str) -> None:
        now = time.monotonic()
        if now - self._warned_at > 60 or not self._warned_at:
            self._warned_at = now
            log.warning("%s", message)

    def close(self) -> None:
        """Close the storage's connections (the budget reopens them if used again)."""
        file = getattr(self._storage, "file", None)
        if isinstance(file, BudgetFile):
            file.close()
        if isinstance(self.pauses, SQLitePauses):
            self.pauses.file.close()


def open_storage(url: str, clock: Callable[[], float] = time.time) -> Storage:
    """The ``limits`` storage of ``url``: ``sqlite:`` (ours, given ``clock``), or any scheme
    ``limits`` knows (``redis://``, ``memory://``) with its errors wrapped as
    ``limits.errors.StorageError``."""
    from limits.storage import storage_from_string

    from . import ratelimit_storage  # noqa: F401 - registers the sqlite scheme

    if url.startswith("sqlite:"):
        return ratelimit_storage.SQLiteStorage(url, wrap_exceptions=True, clock=clock)
    if url.startswith("unix://"):
        url = "redis+unix://" + url.removeprefix("unix://")
    return storage_from_string(url, wrap_exceptions=True)  # type: ignore[return-value]


def budget_storage_url(config: Config) -> str:
    """Where ``config``'s budgets live: the queue's Redis URL when ``[queue] url`` is Redis,
    else ``sqlite:///`` + ``budget.sqlite3`` beside the cache, else ``memory://``."""
    queue_url = str(config.section("queue").get("url") or "")
    if queue_url.startswith(REDIS_SCHEMES):
        return queue_url
    cache = config.cache_path or default_cache_path()
    if str(cache) == ":memory:":
        return "memory://"
    return "sqlite:///" + str(Path(cache).expanduser().resolve().parent / BUDGET_FILE_NAME)


def budget_for(config: Config, *, key_prefix: str = KEY_PREFIX,
               clock: Callable[[], float] = time.time,
               sleep: Callable[[float], None] = time.sleep) -> PlatformBudget:
    """The :class:`PlatformBudget` of ``config`` (see :func:`budget_storage_url`); nothing is
    opened until a check uses it."""
    url = budget_storage_url(config)
    pauses: PauseStore
    if url.startswith(REDIS_SCHEMES):
        pauses = _LazyRedisPauses(url)
        scope = "every process and machine using this Redis"
    elif url.startswith("sqlite:"):
        pauses = SQLitePauses(BudgetFile(sqlite_path(url)))
        scope = "every process of this machine"
    else:
        pauses = MemoryPauses()
        scope = "this process only"
    return PlatformBudget(url, pauses, key_prefix=key_prefix, clock=clock, sleep=sleep,
                          scope=scope)


class _LazyRedisPauses:
    """:class:`RedisPauses` whose client (and ``redis`` import) waits for the first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._pauses: RedisPauses | None = None

    def _open(self) -> RedisPauses:
        if self._pauses is None:
            import redis

            self._pauses = RedisPauses(redis.Redis.from_url(self.url, socket_timeout=5))
        return self._pauses

    def set(self, key: str, pause: Pause) -> Pause:
        """See :meth:`RedisPauses.set`."""
        return self._open().set(key, pause)

    def get(self, key: str, now: float) -> Pause | None:
        """See :meth:`RedisPauses.get`."""
        return self._open().get(key, now)
