"""The report's CSV exports never hand a spreadsheet a formula (CSV injection): a member id
like ``=HYPERLINK("http://evil.example","x")`` is written as text."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from engine.service.claims import create_claim
from engine.service.context import Service
from engine.service.report import ReportFilter, spreadsheet_safe, stream_csv, stream_report_csv

from .helpers import member, mission, run

HOSTILE = '=HYPERLINK("evil.example","x")+cmd|\x27 -C calc\x27!A0'


@pytest.mark.parametrize("cell", [HOSTILE, "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"])
def test_formula_starts_are_made_text(cell: str) -> None:
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["lea", "summer2025", "https://www.instagram.com/p/X/", ""])
def test_plain_text_is_unchanged(cell: str) -> None:
    assert spreadsheet_safe(cell) == cell


def test_both_report_csvs_write_a_hostile_member_id_as_text(service: Service,
                                                             replay: Any) -> None:
    goal = mission(service, goal_posts=3, points=10)
    member(service, HOSTILE, "ana.summer")
    create_claim(service, HOSTILE, goal.id, "instagram")
    run(service)
    for text in ("".join(stream_report_csv(service, ReportFilter())),
                 "".join(stream_csv(service, ReportFilter()))):
        records = list(csv.DictReader(io.StringIO(text)))
        assert records and {r["member_id"] for r in records} == {"'" + HOSTILE}
        assert {r["mission_id"] for r in records} == {str(goal.id)}  # numbers stay numbers
        assert all(not r["detail"].startswith(("=", "+", "-", "@")) for r in records)
