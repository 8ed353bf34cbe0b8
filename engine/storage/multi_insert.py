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
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, String, Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

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
        if value.tzinfo is None:
            raise ValueError(f"only timezone-aware datetimes are stored, not {value!r}")
        return value.astimezone(UTC).replace(tzinfo=None).isoformat()
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


@lru_cache(maxsize=64)
def _statement(shape: tuple[tuple[Table, tuple[str, ...], tuple[str, ...], tuple[str, ...]],
                            ...]) -> str:
    """The SQL for ``shape`` (per part: table, columns, conflict columns, returned columns);
    parameter ``%(rows)s`` is a JSON array with one array of rows per part."""
    parts, final = [], "SELECT 0"
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
            final = f"SELECT {', '.join(returning)} FROM part{index}"
        parts.append(sql + ")")
    return (f"WITH document AS (SELECT CAST(%(rows)s AS jsonb) AS document), "
            f"{', '.join(parts)} {final}")


def insert_into_tables(connection: Connection,
                       parts: Sequence[TableRows]) -> list[tuple[Any, ...]]:
    """Insert every part's rows in one statement on ``connection`` (PostgreSQL only); returns
    the rows of the part with ``returning`` (empty when none asks). Parts without rows are
    left out. Raises ``ValueError`` when more than one part asks for ``returning`` or a
    datetime is naive, ``TypeError`` for a value JSON cannot hold, and what the database
    raises (``IntegrityError`` on a unique key, ``DataError`` on a value too long)."""
    parts = [part for part in parts if part.rows]
    if not parts:
        return []
    if sum(1 for part in parts if part.returning) > 1:
        raise ValueError("at most one part returns columns")
    shape = tuple((part.table, tuple(part.rows[0]), part.conflict, part.returning)
                  for part in parts)
    document = _ENCODER.encode([list(part.rows) for part in parts])
    result = connection.exec_driver_sql(_statement(shape), {"rows": document})
    return [tuple(row) for row in result] if any(part.returning for part in parts) else []
