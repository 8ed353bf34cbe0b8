"""The API's lists come a page at a time: following ``Link: rel="next"`` gives every item once,
whatever the page size; the report's exports stream every row (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.bench_console import fill
from engine.service.report import ReportFilter, count_rows

from .api_helpers import Api, Clock, api_for, build_service, database_setup

NEXT = re.compile(r'^<([^>]+)>; rel="next"$')


@pytest.fixture(params=["sqlite", "postgres"])
def api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    with database_setup(request.param, tmp_path) as urls:
        service = build_service(urls, Clock())
        fill(service, 230, members=40, days=5)
        try:
            with api_for(service) as client:
                yield client
        finally:
            service.close()


def pages(api: Api, url: str) -> Iterator[Any]:
    """Every page of ``url``, following the ``Link`` header; checks the header's shape."""
    seen_urls = set()
    while url:
        assert url not in seen_urls, "a next link points back"
        seen_urls.add(url)
        answer = api.get(url)
        assert answer.status_code == 200, answer.text
        yield answer
        link = answer.headers.get("link")
        if link is None:
            return
        match = NEXT.match(link)
        assert match, link
        url = match.group(1)


def test_report_pages_cover_every_row_once(api: Api) -> None:
    total = count_rows(api.service, ReportFilter())
    rows, bodies = [], []
    for answer in pages(api, "/api/v1/report?limit=70"):
        body = answer.json()
        bodies.append(body)
        assert body["next"] == (NEXT.match(answer.headers["link"]).group(1)  # type: ignore[union-attr]
                                if "link" in answer.headers else None)
        rows.extend(body["rows"])
    assert len(bodies) == -(-total // 70) and len(rows) == total
    assert len({(r["check_id"], r["post_url"]) for r in rows}) == total
    assert "summary" in bodies[0] and all("summary" not in body for body in bodies[1:])
    assert all(len(body["rows"]) == 70 for body in bodies[:-1])


def test_report_pages_keep_their_filters(api: Api) -> None:
    expected = count_rows(api.service, ReportFilter(platform="youtube", verdict="counted"))
    rows = [row for answer in pages(api, "/api/v1/report?platform=youtube&verdict=counted&limit=5")
            for row in answer.json()["rows"]]
    assert len(rows) == expected > 0
    assert {(r["platform"], r["verdict"]) for r in rows} == {("youtube", "counted")}


def test_report_exports_stream_every_row(api: Api) -> None:
    total = count_rows(api.service, ReportFilter())
    text = api.get("/api/v1/report?format=csv&limit=1").text  # limit does not cut an export
    assert len(list(csv.DictReader(io.StringIO(text)))) == total
    lines = api.get("/api/v1/report?format=jsonl").text.splitlines()
    rows = [json.loads(line) for line in lines]
    first_page = api.get(f"/api/v1/report?limit={min(total, 1000)}").json()["rows"]
    assert len(rows) == total and rows[:len(first_page)] == first_page


@pytest.mark.parametrize("limit", [1, 7, 1000])
def test_claims_and_balances_pages(api: Api, limit: int) -> None:
    claims = [claim["id"] for answer in pages(api, f"/api/v1/claims?limit={limit}")
              for claim in answer.json()]
    assert claims == sorted(claims) and len(set(claims)) == len(claims) == 23
    members = [row["member_id"] for answer in pages(api, f"/api/v1/balances?limit={limit}")
               for row in answer.json()]
    assert members == sorted(members) and len(set(members)) == len(members) == 40
    one = [c["id"] for answer in pages(api, f"/api/v1/claims?member=member-00001&limit={limit}")
           for c in answer.json()]
    assert all(api.get(f"/api/v1/claims/{c}").json()["member_id"] == "member-00001" for c in one)


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "limit=x", "cursor=abc", "cursor=-1",
                                   "cursor=١٢", "cursor=" + "9" * 19])
def test_wrong_page_parameters_are_422(api: Api, query: str) -> None:
    for route in ("/api/v1/report", "/api/v1/claims"):
        answer = api.get(f"{route}?{query}")
        assert answer.status_code == 422, (route, query, answer.text)
        assert answer.json()["code"] == "validation_error"


def test_every_list_route_is_paginated(api: Api) -> None:
    """Each list route of the API takes ``limit`` and gives a ``Link`` to what follows."""
    for _ in range(3):
        api.post("/api/v1/tokens", json={"scope": "integrator", "label": "x"})
    for route, count in (("/api/v1/actions", 3), ("/api/v1/missions", 3), ("/api/v1/tokens", 5),
                         ("/api/v1/webhook/deliveries", 0)):
        items = [item["id"] for answer in pages(api, f"{route}?limit=2") for item in answer.json()]
        assert len(items) == len(set(items)) == count, route
        assert items == sorted(items), route
        assert api.get(f"{route}?limit=1001").status_code == 422, route
