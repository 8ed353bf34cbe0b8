"""Rows for several tables inserted by one PostgreSQL statement.

A check that credits posts writes credits, ledger rows and seen posts: three multi-row inserts,
each a round trip and a pass through SQLAlchemy's and psycopg's execution machinery. On
PostgreSQL, :func:`insert_into_tables` sends them as one statement: the rows travel as one JSON
document, each table's rows are read back with ``jsonb_to_recordset`` in a data-modifying
``WITH`` part (PostgreSQL runs every such part exactly once, to completion, whether or not the
final ``SELECT`` reads it), and the one part that asks for it returns columns.

What the rows must hold: plain JSON values, plus aware :class:`~datetime.datetime` instants for
:class:`~engine.storage.types.UTCDateTime` columns (stored naive in UTC, as that type does; a
naive instant raises ``ValueError``). String columns are read as ``text`` and then assigned, so
a value too long for its ``VARCHAR(n)`` fails as a plain insert would (PostgreSQL's
``StringDataRightTruncation``), never truncated. Constraint violations raise SQLAlchemy's
``IntegrityError`` as the separate inserts did.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, String, Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from .types import stored_instant

_DIALECT = postgresql.dialect()


@dataclass(frozen=True)
class TableRows:
    """The rows to insert into one table.

    ``rows``: dicts with the same keys (column names). ``conflict``: the columns of a unique
    index whose conflicts skip the row (``ON CONFLICT (…) DO NOTHING``), or empty.
    ``returning``: the columns returned for the rows actually inserted (one part at most).
    """

    table: Table
    rows: Sequence[dict[str, Any]]
    conflict: tuple[str, ...] = ()
    returning: tuple[str, ...] = ()


def _instant(value: Any) -> str:
    """``json.dumps``' fallback: an aware datetime as naive UTC ISO 8601 text (``timestamp``)."""
    if isinstance(value, datetime):
        return stored_instant(value).isoformat()
    raise TypeError(f"a value of type {type(value).__name__} cannot be stored as JSON: {value!r}")


_ENCODER = json.JSONEncoder(default=_instant, separators=(",", ":"), ensure_ascii=False)


def _record_type(table: Table, column: str) -> str:
    """The type ``jsonb_to_recordset`` reads ``column`` of ``table`` as: ``text`` for strings
    (the insert then checks the length), ``json`` for JSON, else the column's own type."""
    kind = table.c[column].type
    if isinstance(kind, String):
        return "text"
    if isinstance(kind, JSON):
        return "json"
    return str(kind.compile(dialect=_DIALECT))


@dataclass(frozen=True)
class Tail:
    """More data-modifying statements for the same round trip as the inserts: ``parts`` are
    ``(name, sql)`` pairs, each an ``INSERT``, ``UPDATE`` or ``DELETE`` (no ``WITH`` of its
    own) with ``%(name)s`` parameters from ``parameters`` (which must not use ``rows``); the
    statement reports how many rows the part named ``counted`` returned (its ``RETURNING``).
    Values are bound by psycopg as they are: give naive UTC datetimes for ``timestamp``
    columns (as :class:`~engine.storage.types.UTCDateTime` stores them)."""

    parts: tuple[tuple[str, str], ...]
    parameters: dict[str, Any]
    counted: str


@lru_cache(maxsize=64)
def _statement(shape: tuple[tuple[Table, tuple[str, ...], tuple[str, ...], tuple[str, ...]],
                            ...], tail: tuple[tuple[str, str], ...] = (),
               counted: str = "") -> str:
    """The SQL for ``shape`` (per part: table, columns, conflict columns, returned columns);
    parameter ``%(rows)s`` is a JSON array with one array of rows per part. With ``tail``
    (:class:`Tail`'s parts), its parts follow and the final ``SELECT`` starts with the count
    of the rows the part ``counted`` returned, on every row (one row of NULLs after it when
    no part returns rows)."""
    parts, returned = [], ""
    for index, (table, columns, conflict, returning) in enumerate(shape):
        names = ", ".join(columns)
        record = ", ".join(f"{name} {_record_type(table, name)}" for name in columns)
        sql = (f"part{index} AS (INSERT INTO {table.name} ({names}) SELECT {names} "
               f"FROM jsonb_to_recordset((SELECT document -> {index} FROM document)) "
               f"AS x({record})")
        if conflict:
            sql += f" ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
        if returning:
            sql += f" RETURNING {', '.join(returning)}"
            returned = f"{', '.join(returning)} FROM part{index}"
        parts.append(sql + ")")
    parts += [f"{name} AS ({sql})" for name, sql in tail]
    if not tail:
        final = f"SELECT {returned}" if returned else "SELECT 0"
    elif returned:  # the count on every returned row, and on one row when none is returned
        final = (f"SELECT (SELECT count(*) FROM {counted}), returned.* FROM (SELECT 1) AS one "
                 f"LEFT JOIN (SELECT {returned}) AS returned ON true")
    else:
        final = f"SELECT (SELECT count(*) FROM {counted})"
    return (f"WITH document AS (SELECT CAST(%(rows)s AS jsonb) AS document), "
            f"{', '.join(parts)} {final}")


def insert_into_tables(connection: Connection,
                       parts: Sequence[TableRows]) -> list[tuple[Any, ...]]:
    """Insert every part's rows in one statement on ``connection`` (PostgreSQL only); returns
    the rows of the part with ``returning`` (empty when none asks). Parts without rows are
    left out. Raises ``ValueError`` when more than one part asks for ``returning`` or a
    datetime is naive, ``TypeError`` for a value JSON cannot hold, and what the database
    raises (``IntegrityError`` on a unique key, ``DataError`` on a value too long)."""
    return _insert(connection, parts, None)[0]


def insert_into_tables_then(connection: Connection, parts: Sequence[TableRows],
                            tail: Tail) -> tuple[list[tuple[Any, ...]], int]:
    """:func:`insert_into_tables` and ``tail``'s statements in the same statement (one round
    trip); returns the rows of the part with ``returning`` (its first column must never be
    NULL) and how many rows ``tail``'s part ``counted`` returned. Raises as
    :func:`insert_into_tables` does, and ``ValueError`` when ``tail`` uses the parameter
    ``rows``."""
    return _insert(connection, parts, tail)


def _insert(connection: Connection, parts: Sequence[TableRows],
            tail: Tail | None) -> tuple[list[tuple[Any, ...]], int]:
    parts = [part for part in parts if part.rows]
    if sum(1 for part in parts if part.returning) > 1:
        raise ValueError("at most one part returns columns")
    if tail is not None and "rows" in tail.parameters:
        raise ValueError("a tail's parameters cannot be named 'rows'")
    if not parts and tail is None:
        return [], 0
    shape = tuple((part.table, tuple(part.rows[0]), part.conflict, part.returning)
                  for part in parts)
    document = _ENCODER.encode([list(part.rows) for part in parts])
    returns = any(part.returning for part in parts)
    if tail is None:
        result = connection.exec_driver_sql(_statement(shape), {"rows": document})
        return ([tuple(row) for row in result] if returns else []), 0
    result = connection.exec_driver_sql(_statement(shape, tail.parts, tail.counted),
                                        {**tail.parameters, "rows": document})
    rows = [tuple(row) for row in result]
    count = int(rows[0][0]) if rows else 0
    return ([row[1:] for row in rows if returns and row[1] is not None]), count
