"""The report's CSV exports never hand a spreadsheet a formula (CSV injection): a member id
like ``=HYPERLINK("http://evil.example","x")`` is written as text."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from engine.service.records import ReportRow
from engine.service.report import as_csv, spreadsheet_safe

HOSTILE = '=HYPERLINK("http://evil.example","x")'


@pytest.mark.parametrize("cell", [HOSTILE, "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"])
def test_formula_starts_are_made_text(cell: str) -> None:
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["lea", "summer2025", "https://www.instagram.com/p/X/", ""])
def test_plain_text_is_unchanged(cell: str) -> None:
    assert spreadsheet_safe(cell) == cell


def test_the_report_csv_writes_a_hostile_member_id_as_text() -> None:
    moment = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)
    row = ReportRow(mission_id=3, member_id=HOSTILE, platform="instagram", handle="lea.voyage",
                    post_url="https://www.instagram.com/p/X/", published_at=moment,
                    hashtags=("summer2025",), verdict="counted", detail="-1 day", points=10,
                    checked_at=moment, backend="web", claim_id=1, check_id=1)
    [header, cells] = list(csv.reader(io.StringIO(as_csv([row]))))
    record = dict(zip(header, cells, strict=True))
    assert record["member_id"] == "'" + HOSTILE
    assert record["detail"] == "'-1 day"
    assert (record["mission_id"], record["points"]) == ("3", "10")  # numbers stay numbers
