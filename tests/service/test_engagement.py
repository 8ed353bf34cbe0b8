"""Engagement numbers stored with the verdict and refreshed by later checks (issue 17 items 1, 4).

The first check replays the service cassette (``ana.summer``: 1834 followers, AnaMatch01 with
250 likes and 12 comments); the second, a day later, an answer built by the same builder with
new numbers: every row of a post then carries the latest numbers and when they were read.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine.replay import cassette
from engine.service.claims import create_claim
from engine.service.context import Service
from engine.service.engagement import PostNumbers, latest_numbers
from engine.service.report import (
    COLUMNS,
    ReportFilter,
    report_rows,
    stream_csv,
    stream_report_csv,
    stream_report_json,
)
from engine.storage.models import SeenPostRow
from engine.testing.cassettes import Exchange, write_cassette
from scripts.cassettes.build_instagram import URL, node, profile
from scripts.cassettes.build_service import ANA

from .conftest import Clock
from .helpers import member, mission, run

MATCH = "AnaMatch01"


def _seen(service: Service, post_id: str) -> list[tuple[Any, ...]]:
    with service.db.sessions() as session:
        return [tuple(row) for row in session.execute(
            select(SeenPostRow.check_id, SeenPostRow.verdict, SeenPostRow.likes,
                   SeenPostRow.comments, SeenPostRow.views, SeenPostRow.shares,
                   SeenPostRow.followers, SeenPostRow.measured_at)
            .where(SeenPostRow.post_id == post_id).order_by(SeenPostRow.id))]


def _grown_answer(folder: Path) -> Path:
    """``ana.summer`` a day later: AnaMatch01 has 300 likes and 15 comments, 1900 followers."""
    grown = [node(MATCH, "GraphImage", item["taken_at_timestamp"], "Plage #summer2025",
                  likes=300, comments=15) if item["shortcode"] == MATCH else item for item in ANA]
    body = profile("ana.summer", grown)
    body["data"]["user"]["edge_followed_by"]["count"] = 1900
    return write_cassette(folder / "grown.yaml", [Exchange(URL.format("ana.summer"), body=body)])


def test_numbers_are_stored_then_refreshed(service: Service, clock: Clock,
                                           tmp_path: Path) -> None:
    goal = mission(service, recurring=True)
    member(service)
    first_at = clock.now
    with cassette(Path(__file__).resolve().parents[2] / "cassettes" / "service" / "accounts.yaml",
                  record=False):
        create_claim(service, "ana", goal.id, "instagram")
        run(service)
    [(first_check, verdict, *numbers)] = _seen(service, MATCH)
    assert (verdict, numbers) == ("counted", [250, 12, None, None, 1834, first_at])
    [reel] = _seen(service, "AnaMatch06")
    assert reel[2:7] == (120, 3, 9800, None, 1834)

    later = clock.advance(days=1, hours=1)  # past the claim cooldown
    with cassette(_grown_answer(tmp_path), record=False):
        create_claim(service, "ana", goal.id, "instagram")
        run(service)
    rows = _seen(service, MATCH)
    assert [(row[0] == first_check, row[1]) for row in rows] == [
        (True, "counted"), (False, "already_counted")]
    # Both rows hold the latest numbers and the time of the re-check, the first one included.
    assert {row[2:] for row in rows} == {(300, 15, None, None, 1900, later)}
    # A post whose numbers did not move still gets the new reading time and followers.
    assert {row[6:] for row in _seen(service, "AnaMatch06")} == {(1900, later)}

    with service.db.sessions() as session:
        credited = latest_numbers(session, goal.id, verdicts={"counted"})
    assert credited[("instagram", MATCH)] == PostNumbers(
        platform="instagram", post_id=MATCH, member_id="ana", likes=300, comments=15,
        followers=1900, measured_at=later)
    assert ("instagram", "AnaNear004") not in credited  # a near miss is not credited


def test_report_rows_csv_and_json_carry_the_numbers(service: Service, replay: Any,
                                                    clock: Clock) -> None:
    goal = mission(service, recurring=True)
    member(service)
    create_claim(service, "ana", goal.id, "instagram")
    run(service)
    when = clock.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    [row] = [r for r in report_rows(service) if r.post_url.endswith(f"/{MATCH}/")]
    assert (row.likes, row.comments, row.views, row.shares, row.followers) == (
        250, 12, None, None, 1834)
    assert row.measured_at == clock.now
    assert row.as_json()["measured_at"] == when

    assert COLUMNS[-6:] == ("likes", "comments", "views", "shares", "followers", "measured_at")
    exported = {line["post_url"]: line for line in csv.DictReader(io.StringIO(
        "".join(stream_report_csv(service, ReportFilter()))))}
    cells = exported[row.post_url]
    assert [cells[name] for name in COLUMNS[-6:]] == ["250", "12", "", "", "1834", when]
    console = {line["post_url"]: line for line in csv.DictReader(io.StringIO(
        "".join(stream_csv(service, ReportFilter()))))}
    assert (console[row.post_url]["likes"], console[row.post_url]["measured_at_utc"]) == (
        "250", when)

    document = json.loads("".join(stream_report_json(service, ReportFilter())))
    [item] = [r for r in document["rows"] if r["post_url"] == row.post_url]
    assert {name: item[name] for name in COLUMNS[-6:]} == {
        "likes": 250, "comments": 12, "views": None, "shares": None, "followers": 1834,
        "measured_at": when}
    assert item == row.as_json()


def test_a_shared_fetch_keeps_the_numbers_and_followers(service: Service, replay: Any) -> None:
    """Simultaneous claims share one fetch (R9): the second check's rows get its numbers."""
    missions = [mission(service, recurring=True) for _ in range(2)]
    member(service)
    for item in missions:
        create_claim(service, "ana", item.id, "instagram")
    run(service)
    rows = _seen(service, MATCH)
    assert len(rows) == 2 and rows[0][0] != rows[1][0]
    assert {row[2:7] for row in rows} == {(250, 12, None, None, 1834)}
    assert rows[0][7] == rows[1][7]  # read once, at the shared fetch's time
