"""Instants and delays as a member reads them: localised by Babel, in the member's time zone.

Everything a member reads (the member page, the diagnosis) goes through these functions, so no
raw ISO instant reaches them: ``2026-11-30T08:15:00Z`` becomes ``30 nov. 2026 à 08:15`` in
French and ``Nov 30, 2026, 8:15 AM`` in English. Machines (the API's and the command line's JSON)
keep ISO 8601 UTC (:func:`engine.dates.iso_utc`).

The time zone is the member's browser's (the page's ``tz`` cookie, checked by
:func:`zone_from_name`); without one it is UTC, and then the text says so (``… 08:15 UTC``).
Languages are ``fr`` (the default) and ``en``; nothing here formats a date by hand.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.dates import format_date, format_time, format_timedelta, get_datetime_format

LOCALES = {"fr": "fr_FR", "en": "en_US"}
# The names a browser may give for UTC itself: the text then says "UTC" as for the fallback.
UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu",
                       "Etc/UCT", "UCT"})
# What an IANA zone name looks like ("Europe/Paris", "America/Argentina/Buenos_Aires",
# "Etc/GMT+5"); anything else is refused before zoneinfo reads the disk.
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,3}")
_ZONE_NAME_MAX = 64


def zone_from_name(name: str | None) -> tzinfo:
    """The IANA time zone called ``name`` (``"Europe/Paris"``), or UTC when it is missing or
    not one of the zones this machine lists (``zoneinfo.available_timezones``: tzdata's
    files that are not zones, such as ``posixrules``, ``localtime`` or ``right/UTC``, are not
    accepted). Never raises: the value comes from a cookie."""
    if not name or len(name) > _ZONE_NAME_MAX or not _ZONE_NAME.fullmatch(name) \
            or name not in _known_zones():
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return UTC


@functools.cache
def _known_zones() -> frozenset[str]:
    """The IANA zone names this machine knows (read once: it lists tzdata's folder), without
    the files that are not a place's time: ``localtime`` (this machine's own setting),
    ``posixrules``, ``Factory`` and the ``posix/`` and ``right/`` copies."""
    return frozenset(name for name in available_timezones()
                     if name not in ("localtime", "posixrules", "Factory")
                     and not name.startswith(("posix/", "right/")))


def zone_name(zone: tzinfo | None) -> str:
    """The IANA name of ``zone`` (``"Europe/Paris"``); ``"UTC"`` for UTC or None."""
    if zone is None or zone is UTC:
        return "UTC"
    key = getattr(zone, "key", None)
    return "UTC" if key is None or key in UTC_NAMES else str(key)


def is_utc(zone: tzinfo | None) -> bool:
    """True when times shown in ``zone`` are UTC (None means UTC)."""
    return zone_name(zone) == "UTC"


def babel_locale(lang: str) -> Locale:
    """Babel's locale for ``lang`` (``fr`` or ``en``; anything else: French, the default)."""
    return Locale.parse(LOCALES.get(lang, LOCALES["fr"]))


def plural_category(lang: str, count: int) -> str:
    """The CLDR plural category (``one``, ``other``…) of ``count`` in ``lang``, as Babel
    gives it: French counts 0 and 1 as ``one``, English only 1 (the sign is ignored)."""
    return str(babel_locale(lang).plural_form(abs(count)))


def _joining_pattern(locale: Locale) -> str:
    """The locale's pattern that joins a date ``{1}`` and a time ``{0}`` inside a sentence.

    CLDR's "at time" patterns (``{1} 'à' {0}``, ``{1}, {0}``) read best in prose; a locale
    without a medium one uses its long one, and a locale without either its standard medium
    pattern.
    """
    relative = locale.datetime_formats_relative
    pattern = relative.get("medium") or relative.get("long")
    return str(pattern or get_datetime_format("medium", locale=locale))


def human_instant(moment: datetime, lang: str = "fr", zone: tzinfo | None = None) -> str:
    """``moment`` as a member reads it: the medium date and the short time of ``lang``,
    joined as the locale joins them, in ``zone``.

    ``2026-11-30T08:15Z`` → ``"30 nov. 2026 à 08:15 UTC"`` (``fr``, no zone) or
    ``"Nov 30, 2026, 9:15 AM"`` (``en``, ``Europe/Paris``). A naive ``moment`` is taken as UTC.
    The zone is named only when it is UTC, the page's fallback without JavaScript.
    """
    locale = babel_locale(lang)
    shown = zone or UTC
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    local = aware.astimezone(shown)
    date_text = format_date(local, "medium", locale=locale)
    time_text = format_time(local, "short", tzinfo=shown, locale=locale)
    text = (_joining_pattern(locale).replace("'", "")
            .replace("{1}", date_text).replace("{0}", time_text))
    return f"{text} UTC" if is_utc(shown) else text


def human_date(moment: datetime, lang: str = "fr", zone: tzinfo | None = None) -> str:
    """The medium date of ``moment`` in ``zone``: ``"30 nov. 2026"``, ``"Nov 30, 2026"``."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return format_date(aware.astimezone(zone or UTC), "medium", locale=babel_locale(lang))


def human_delay(delay: timedelta | float, lang: str = "fr") -> str:
    """How far away a moment is, rounded as people say it, with its direction.

    ``delay`` is a :class:`~datetime.timedelta` or seconds, positive for the future:
    ``timedelta(days=14)`` → ``"dans 2 semaines"`` / ``"in 2 weeks"``; ``-3600`` →
    ``"il y a 1 heure"`` / ``"1 hour ago"``.
    """
    seconds = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
    return format_timedelta(timedelta(seconds=seconds), add_direction=True,
                            locale=babel_locale(lang))


def human_length(length: timedelta | float, lang: str = "fr") -> str:
    """A length of time without direction, rounded: ``"2 semaines"``, ``"3 hours"``."""
    seconds = length.total_seconds() if isinstance(length, timedelta) else float(length)
    return format_timedelta(timedelta(seconds=abs(seconds)), locale=babel_locale(lang))
