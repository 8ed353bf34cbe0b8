"""Human, localised times (issue 10): Babel's words in the member's zone, UTC said as such, and a
diagnosis that never shows a raw ISO instant."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from engine.service.claims import create_claim
from engine.service.context import Service
from engine.service.diagnosis import diagnose
from engine.service.human_dates import (
    human_date,
    human_delay,
    human_instant,
    human_length,
    is_utc,
    zone_from_name,
    zone_name,
)

from .helpers import member, mission, run

ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
MOMENT = datetime(2026, 11, 30, 8, 15, tzinfo=UTC)


def test_instants_in_french_and_english() -> None:
    assert human_instant(MOMENT, "fr") == "30 nov. 2026 à 08:15 UTC"
    assert human_instant(MOMENT, "en") == "Nov 30, 2026, 8:15\u202fAM UTC"
    paris = ZoneInfo("Europe/Paris")
    assert human_instant(MOMENT, "fr", paris) == "30 nov. 2026 à 09:15"
    assert human_instant(MOMENT, "en", ZoneInfo("America/New_York")) == \
        "Nov 30, 2026, 3:15\u202fAM"
    assert human_instant(MOMENT.replace(tzinfo=None), "fr", paris) == "30 nov. 2026 à 09:15"
    assert human_date(MOMENT + timedelta(hours=4), "fr", ZoneInfo("Pacific/Kiritimati")) == \
        "1 déc. 2026"
    assert human_date(MOMENT, "en") == "Nov 30, 2026"
    assert human_instant(MOMENT, "xx") == human_instant(MOMENT, "fr")


def test_delays() -> None:
    assert human_delay(timedelta(days=14), "fr") == "dans 2 semaines"
    assert human_delay(90, "en") == "in 2 minutes"
    assert human_delay(-3600, "fr") == "il y a 1 heure"
    assert human_length(-3 * 3600, "en") == "3 hours"


@pytest.mark.parametrize(("name", "expected"), [
    ("Europe/Paris", "Europe/Paris"), ("America/Argentina/Buenos_Aires",
                                       "America/Argentina/Buenos_Aires"),
    ("Etc/GMT+5", "Etc/GMT+5"), ("Etc/UTC", "UTC"), ("UTC", "UTC"), (None, "UTC"), ("", "UTC"),
    ("Mars/Olympus_Mons", "UTC"), ("../../etc/passwd", "UTC"), ("/etc/localtime", "UTC"),
    ("Europe/Paris\x00", "UTC"), ("a" * 65, "UTC"),
    # tzdata files that are not a place's time (a new-user session's cookie picked them).
    ("posixrules", "UTC"), ("localtime", "UTC"), ("Factory", "UTC"), ("right/UTC", "UTC"),
    ("posix/Europe/Paris", "UTC"),
])
def test_zone_names_from_a_cookie(name: str | None, expected: str) -> None:
    zone = zone_from_name(name)
    assert zone_name(zone) == expected
    assert is_utc(zone) == (expected == "UTC")


def test_the_diagnosis_says_times_humanly_in_the_members_zone(service: Service,
                                                              replay: Any) -> None:
    goal = mission(service)
    member(service, "dan", "dan.limited")
    member(service)
    create_claim(service, "dan", goal.id, "instagram")
    create_claim(service, "ana", goal.id, "instagram")
    run(service)
    retry = next(line.text for line in diagnose(service, "dan", goal.id).lines
                 if line.code == "platform_unavailable")
    assert retry.endswith("prochain essai vers le 16 juin 2025 à 09:01 UTC.")
    paris = next(line.text for line in diagnose(service, "dan", goal.id, "en",
                                                ZoneInfo("Europe/Paris")).lines
                 if line.code == "platform_unavailable")
    assert paris.endswith("next try around Jun 16, 2025, 11:01\u202fAM.")
    early = next(line.text for line in diagnose(service, "ana", goal.id).lines
                 if line.code == "before_window")
    assert "avant le début de la mission (1 juin 2025 à 00:00 UTC)" in early
    for member_id in ("ana", "dan"):
        for lang in ("fr", "en"):
            for line in diagnose(service, member_id, goal.id, lang).lines:
                assert not ISO_INSTANT.search(line.text), line.text
