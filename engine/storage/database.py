"""Opening the database: SQLite by default (WAL, foreign keys, busy timeout), PostgreSQL by URL.

SQLite write transactions start with ``BEGIN IMMEDIATE`` so that two workers never both read
and then both try to upgrade to a write lock (which SQLite resolves by failing one of them);
the busy timeout makes the second wait instead. On PostgreSQL, rows are locked with
``SELECT … FOR UPDATE`` and the unique constraints catch whatever slips through.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import select
import sqlite3
import time
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, create_engine, event, literal_column
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import QueryableAttribute, Session, sessionmaker
from sqlalchemy.pool import NullPool, QueuePool

from engine.errors import ConfigurationError
from engine.private_files import create_private_file

BUSY_TIMEOUT_SECONDS = 30
SQLITE_POOL_SIZE = 8  # connections kept open per process (threads hold one only inside a transaction)

# JSON columns written without the spaces of json.dumps' default separators (smaller rows:
# a check's posts, seen posts' hashtags and failures); read back by json.loads as before.
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))

# What constant_in writes into SQL as it is: a word of lower-case letters and underscores.
_CONSTANT = re.compile(r"[a-z_]+")

# Every engine of this process, so that a forked child never shares a parent's connection.
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def _forget_pools_after_fork() -> None:
    """In a forked child: drop the inherited pooled connections without closing them (they
    belong to the parent); the child opens its own (SQLAlchemy's documented recipe)."""
    for engine in list(_ENGINES):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_pools_after_fork)


@dataclass
class Database:
    """A SQLAlchemy engine and its session factory."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed at the end, rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def connection_transaction(self) -> Iterator[tuple[Connection, Session]]:
        """A transaction on a plain connection (committed at the end, rolled back on error)
        and a session joined to it for ORM work, as ``(connection, session)``. Core
        statements run on the connection directly: cheaper than :meth:`transaction` when
        the session is seldom used (it then costs its construction only). The session never
        commits or rolls back the transaction itself (``join_transaction_mode=
        "rollback_only"``: its ``rollback()`` would); it is closed at the end."""
        with self.engine.begin() as connection, Session(
                bind=connection, join_transaction_mode="rollback_only",
                expire_on_commit=False) as session:
            yield connection, session

    @contextlib.contextmanager
    def statements(self) -> Iterator[Connection]:
        """A connection for work that is one statement, or several each of which stands on
        its own: on PostgreSQL in autocommit (each statement commits by itself, which spares
        the ``BEGIN`` and ``COMMIT`` round trips of a transaction); on SQLite a transaction
        committed at the end, as :meth:`transaction` (its ``BEGIN IMMEDIATE`` is what makes a
        second writer wait). An error rolls back only what is not committed yet."""
        if self.is_sqlite:
            with self.engine.begin() as connection:
                yield connection
            return
        with self._autocommit.connect() as connection:
            yield connection

    @functools.cached_property
    def _autocommit(self) -> Engine:
        """The engine with ``isolation_level="AUTOCOMMIT"`` (the same pool: a connection goes
        back to the pool with its usual isolation level)."""
        return self.engine.execution_options(isolation_level="AUTOCOMMIT")

    def dispose(self) -> None:
        self.engine.dispose()


def constant_in(column: ColumnElement[Any] | QueryableAttribute[Any],
                values: Iterable[str]) -> ColumnElement[bool]:
    """``column IN ('a', 'b')`` with the constants ``values`` written into the statement.

    ``column.in_(values)`` makes an "expanding" parameter that SQLAlchemy renders again at
    every execution of a cached statement (a measurable cost on the hot path); constants
    known when the module loads need none. Raises ``ValueError`` for a value that is not a
    word of lower-case letters and underscores (nothing here is ever quoted)."""
    words = [str(value) for value in values]
    bad = [word for word in words if not _CONSTANT.fullmatch(word)]
    if bad or not words:
        raise ValueError(f"constant_in takes lower-case words, not {bad or words!r}")
    return column.in_([literal_column(f"'{word}'") for word in words])


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path).expanduser().resolve()}"


def open_database(url: str, *, echo: bool = False) -> Database:
    """Create the engine for ``url``; a missing SQLite file is created with mode 0600 (and its
    folder); raises :class:`ConfigurationError` for a URL that is not SQLite or PostgreSQL."""
    try:
        parsed = make_url(url)
    except Exception as error:  # sqlalchemy raises ArgumentError with a long message
        raise ConfigurationError(f"database url {url!r} is not a database URL: {error}") from None
    kwargs: dict[str, Any] = {"echo": echo, "future": True,
                              "json_serializer": _COMPACT_JSON.encode}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            # Created 0600 before SQLite opens it: members' data is for the owner only.
            create_private_file(database)
        kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False}
        if database and database != ":memory:":
            # Pooled: opening a connection runs five PRAGMAs, and closing the last one of a
            # WAL database checkpoints it (milliseconds per claim). A forked process drops
            # the pool it inherited (see _forget_pools_after_fork).
            kwargs["poolclass"] = QueuePool
            kwargs["pool_size"] = SQLITE_POOL_SIZE
            kwargs["max_overflow"] = SQLITE_POOL_SIZE
        else:
            kwargs["poolclass"] = NullPool
    elif parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        # No pool_pre_ping: its SELECT 1 through a cursor is a round trip and more Python on
        # every checkout; _check_postgresql_on_checkout detects the same restarts without one
        # for a connection used in the last PING_AFTER_IDLE_SECONDS.
        kwargs["pool_size"] = 10
    else:
        raise ConfigurationError(
            f"database url {url!r}: only sqlite:/// and postgresql:// are supported"
        )
    engine = create_engine(parsed, **kwargs)
    _ENGINES.add(engine)
    if parsed.get_backend_name() == "sqlite":
        _configure_sqlite(engine)
    else:
        event.listen(engine, "checkout", _check_postgresql_on_checkout)
        event.listen(engine, "checkin", _note_postgresql_checkin)
    return Database(url=url, engine=engine,
                    sessions=sessionmaker(engine, expire_on_commit=False))


# Seconds a pooled PostgreSQL connection may rest unused before its checkout sends it an
# empty query; a connection used more recently is only looked at (see _check_postgresql).
PING_AFTER_IDLE_SECONDS = 30.0


def _note_postgresql_checkin(_dbapi_connection: Any, record: Any) -> None:
    """When a PostgreSQL connection goes back to the pool: note the time (``time.monotonic``
    seconds) for :func:`_check_postgresql_on_checkout`."""
    if record is not None:
        record.info["returned_at"] = time.monotonic()


def _check_postgresql_on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Before a pooled PostgreSQL connection is handed out, make sure the server still holds
    it; raise :class:`DisconnectionError` otherwise, on which the pool discards it and checks
    out another, opening a new one when needed (SQLAlchemy's documented "pessimistic"
    disconnect handling; up to three attempts before the error reaches the caller).

    An idle connection's socket has nothing to read: a server that ends it (a restart, an
    administrator, an idle timeout) sends a last error message and closes it, which makes the
    socket readable. So a connection that came back to the pool less than
    :data:`PING_AFTER_IDLE_SECONDS` ago is only polled (one system call, no round trip: a
    claim checks out two connections); an older one is also sent an empty query straight
    through libpq (no cursor, no result rows), for a peer that vanished without a word."""
    from psycopg import Error as PsycopgError  # only PostgreSQL databases need psycopg
    from psycopg.pq import ExecStatus

    try:
        if dbapi_connection.closed or _readable(dbapi_connection.pgconn.socket):
            answered = False
        else:
            returned = record.info.get("returned_at") if record is not None else None
            recent = (returned is not None
                      and time.monotonic() - returned < PING_AFTER_IDLE_SECONDS)
            answered = recent or (dbapi_connection.pgconn.exec_(b"").status
                                  == ExecStatus.EMPTY_QUERY)
    except (PsycopgError, OSError, ValueError):  # libpq could not even send it; a closed fd
        answered = False
    if not answered:
        raise DisconnectionError("the PostgreSQL connection no longer answers")


def _readable(fd: int) -> bool:
    """Whether the socket ``fd`` has something to read now (no wait). Raises ``OSError`` or
    ``ValueError`` for a descriptor that is not open."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted and overwritten values are zeroed in the file, not left in free space:
        # a member's erasure (issue 12) leaves nothing to read back with a hex editor.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # On the driver's connection: through exec_driver_sql, the BEGIN costs as much
        # Python as a claim's statements do. Its failure (the busy timeout spent) is raised
        # as SQLAlchemy's OperationalError, as exec_driver_sql would.
        try:
            connection.connection.driver_connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise OperationalError("BEGIN IMMEDIATE", None, error) from error
