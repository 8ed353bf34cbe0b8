"""Column types shared by the tables: instants stored as UTC whatever the database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def stored_instant(value: Any) -> datetime:
    """An aware datetime as the columns store it: naive, in UTC, so that SQLite and
    PostgreSQL compare the same way (an instant already in UTC, as the service's clock
    gives, needs no conversion). Raises ``ValueError`` for a naive datetime or a value that
    is not a datetime."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError(f"only timezone-aware datetimes are stored, not {value!r}")
    if value.tzinfo is UTC:
        return value.replace(tzinfo=None)
    return value.astimezone(UTC).replace(tzinfo=None)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime in, an aware UTC datetime out (SQLite keeps no offset)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else stored_instant(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
