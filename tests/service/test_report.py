"""R10: the report (rows, filters, CSV/JSON, summaries) and the diagnosis in French and English."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from engine.service.claims import create_claim
from engine.service.context import Service
from engine.service.diagnosis import diagnose
from engine.service.report import (
    ReportFilter,
    _hashtag_text,
    report_rows,
    report_slice,
    stream_csv,
    stream_report_csv,
    stream_report_json,
    stream_report_jsonl,
    summaries,
)

from .helpers import member, mission, run


def test_report_rows_filters_and_formats(service: Service, replay: Any) -> None:
    goal = mission(service, goal_posts=3, points=50)
    member(service)
    member(service, "bob", "bob.summer")
    create_claim(service, "ana", goal.id, "instagram")
    create_claim(service, "bob", goal.id, "instagram")
    run(service)
    rows = report_rows(service)
    assert len(rows) == 8
    assert {r.backend for r in rows} == {"web"}
    assert len(report_rows(service, ReportFilter(member_id="bob"))) == 1
    near = report_rows(service, ReportFilter(verdict="hashtag_near_miss"))
    assert [r.handle for r in near] == ["ana.summer"]
    assert report_rows(service, ReportFilter(platform="tiktok")) == []
    parsed = list(csv.DictReader(io.StringIO("".join(stream_report_csv(service,
                                                                      ReportFilter())))))
    assert parsed[0].keys() >= {"post_url", "verdict", "points", "backend", "hashtags"}
    assert sorted(r["post_url"] for r in parsed) == sorted(r.post_url for r in rows)
    assert {(r["verdict"], r["points"]) for r in parsed} == {(r.verdict, str(r.points))
                                                            for r in rows}
    # Hashtags come out as ``#a #b`` in both CSVs.
    by_url = {r.post_url: " ".join(f"#{tag}" for tag in r.hashtags) for r in rows}
    assert {r["post_url"]: r["hashtags"] for r in parsed} == by_url
    console = list(csv.DictReader(io.StringIO("".join(stream_csv(service, ReportFilter())))))
    assert {r["post_url"]: r["hashtags"] for r in console} == by_url
    [summary] = summaries(service)
    assert (summary.claims, summary.participants, summary.credited_posts, summary.points) == (
        2, 2, 4, 50)
    assert dict(summary.top_rejections)["hashtag_near_miss"] == 1
    assert summary.per_platform["instagram"] == {"claims": 2, "credited_posts": 4}
    document = json.loads("".join(stream_report_json(service, ReportFilter(), [summary])))
    assert len(document["rows"]) == 8 and document["summary"][0]["points"] == 50
    assert sorted(document["rows"], key=lambda r: r["check_id"] * 100 + len(r["post_url"])) \
        == sorted((r.as_json() for r in rows), key=lambda r: r["check_id"] * 100
                  + len(r["post_url"]))
    lines = "".join(stream_report_jsonl(service, ReportFilter())).splitlines()
    assert [json.loads(line) for line in lines] == document["rows"]


def test_report_slices_cover_every_row_once(service: Service, replay: Any) -> None:
    goal = mission(service, goal_posts=3, points=50)
    member(service)
    member(service, "bob", "bob.summer")
    create_claim(service, "ana", goal.id, "instagram")
    create_claim(service, "bob", goal.id, "instagram")
    run(service)
    seen, after, pages = [], None, 0
    while True:
        rows, after = report_slice(service, ReportFilter(), limit=3, after=after)
        seen.extend(rows)
        pages += 1
        if after is None:
            break
    assert pages == 3 and len(seen) == 8
    assert sorted(map(repr, seen)) == sorted(map(repr, report_rows(service)))


def test_diagnosis_in_both_languages(service: Service, replay: Any) -> None:
    goal = mission(service, goal_posts=10)
    member(service)
    member(service, "carla", "carla.private")
    create_claim(service, "ana", goal.id, "instagram")
    create_claim(service, "carla", goal.id, "instagram")
    run(service)
    french = diagnose(service, "ana", goal.id)
    codes = [line.code for line in french.lines]
    assert codes[0] == "progress"
    assert "hashtag_near_miss" in codes and "before_window" in codes
    near = next(line for line in french.lines if line.code == "hashtag_near_miss")
    assert "corrigez la faute de frappe" in near.text and "#sumer2025" in near.text
    english = diagnose(service, "ana", goal.id, "en")
    assert any("fix the hashtag typo" in line.text for line in english.lines)
    private = diagnose(service, "carla", goal.id)
    assert any("passez-le en public" in line.text for line in private.lines)
    assert any(line.code == "recheck_scheduled" for line in private.lines)
    nobody = mission(service, hashtag="autre")
    assert [line.code for line in diagnose(service, "ana", nobody.id, "en").lines] == [
        "progress", "no_claim"]


def test_csv_hashtags_read_what_the_database_stored(service: Service) -> None:
    """The CSVs read SQLite's JSON text without decoding it: whatever separators the engine's
    JSON serialiser writes, several tags come out as ``#a #b`` (and escapes are decoded)."""
    serialise = service.db.engine.dialect._json_serializer or json.dumps  # type: ignore[attr-defined]
    for tags in (["summer", "plage"], ["summer", "plage", "été"], ["solo"], [], ["a\\b"]):
        stored = serialise(tags)
        assert _hashtag_text(stored) == " ".join(f"#{tag}" for tag in tags)
        assert _hashtag_text(json.dumps(tags)) == _hashtag_text(stored)
