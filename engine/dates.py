"""Reading and writing instants: ISO 8601 in, aware UTC datetimes inside, ISO 8601 UTC out."""

from __future__ import annotations

from datetime import UTC, datetime

from .errors import InvalidDate


def parse_instant(text: str, *, what: str = "date") -> datetime:
    """Parse an ISO 8601 date or date-time; a value without offset is taken as UTC."""
    raw = text.strip()
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    except ValueError:
        raise InvalidDate(
            f"{what} {text!r} is not an ISO 8601 date: write it like 2024-06-01 or "
            "2024-06-01T09:30:00+02:00"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def from_epoch(seconds: int | float | str) -> datetime:
    """An aware UTC datetime from epoch seconds (platforms send ints or numeric strings)."""
    return datetime.fromtimestamp(int(float(seconds)), tz=UTC)


def iso_utc(value: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, to the second: ``2024-06-01T07:30:00Z``."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
