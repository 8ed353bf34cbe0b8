"""Reading and writing instants: ISO 8601 (or a feed's RFC 2822) in, aware UTC datetimes
inside, ISO 8601 UTC out."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from .errors import InvalidDate

# Years an instant may have: far from datetime's limits, so that adding a window or an offset
# never overflows (the API's schemas use the same bounds).
FIRST_YEAR, LAST_YEAR = 1970, 2999


def parse_instant(text: str, *, what: str = "date") -> datetime:
    """Parse an ISO 8601 date or date-time into an aware UTC datetime; a value without offset
    is taken as UTC.

    ``what`` names the value in the error (``what="posts[3].created_at"`` gives ``posts[3].
    created_at 'yesterday' is not an ISO 8601 date: …``), so a backend can re-raise the message
    as ``LayoutChanged``. Raises :class:`InvalidDate` for text that is not ISO 8601 or a year
    outside :data:`FIRST_YEAR`–:data:`LAST_YEAR`."""
    raw = text.strip()
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    except ValueError:
        raise InvalidDate(
            f"{what} {text!r} is not an ISO 8601 date: write it like 2024-06-01 or "
            "2024-06-01T09:30:00+02:00"
        ) from None
    return _in_range_utc(value, text, what)


def parse_feed_date(text: str, *, what: str = "date") -> datetime:
    """Parse an RSS ``pubDate`` or an e-mail style date (RFC 822 / RFC 2822, such as ``Sun, 01
    Jun 2025 09:30:00 +0200``) into an aware UTC datetime.

    A date written ``-0000`` (RFC 2822: "UTC, the source's zone unknown"), ``GMT``, ``UT`` or
    without any zone is taken as UTC. ``what`` names the value in the error, as for
    :func:`parse_instant`. Raises :class:`InvalidDate` for text that is not such a date or a
    year outside :data:`FIRST_YEAR`–:data:`LAST_YEAR`."""
    raw = text.strip() if isinstance(text, str) else ""
    try:
        value = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        raise InvalidDate(f"{what} {str(text)[:60]!r} is not an RFC 2822 date: feeds write it like "
                          "Sun, 01 Jun 2025 09:30:00 +0000") from None
    return _in_range_utc(value, raw, what)


def _in_range_utc(value: datetime, text: str, what: str) -> datetime:
    """``value`` in UTC (a naive one taken as UTC); :class:`InvalidDate` naming ``what`` and
    ``text`` when its year is outside :data:`FIRST_YEAR`–:data:`LAST_YEAR`."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InvalidDate(f"{what} {text[:40]!r} is out of range: the year must be between "
                          f"{FIRST_YEAR} and {LAST_YEAR}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def from_epoch(seconds: int | float | str) -> datetime:
    """An aware UTC datetime from epoch seconds (platforms send ints or numeric strings)."""
    return datetime.fromtimestamp(int(float(seconds)), tz=UTC)


def iso_utc(value: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, to the second: ``2024-06-01T07:30:00Z``."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
