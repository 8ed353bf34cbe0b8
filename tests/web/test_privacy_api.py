"""``GET /members/{id}/export`` and ``DELETE /members/{id}`` (issue 12): scopes, contents,
idempotence, the report and the member page after an erasure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.replay import cassette
from engine.service.runtime import work

from .api_helpers import PUBLIC, Api, Clock, api_for, build_service, database_setup, seed_mission

MEMBER = "lea-4711"


def _claimed(api: Api) -> dict[str, object]:
    mission = seed_mission(api)
    linked = api.put(f"/api/v1/members/{MEMBER}/accounts/instagram", as_admin=False,
                     json={"handle": "lea.voyage"})
    assert linked.status_code == 200, linked.text
    accepted = api.post("/api/v1/claims", as_admin=False, json={
        "member_id": MEMBER, "mission_id": mission["id"], "platform": "instagram"})
    assert accepted.status_code == 202, accepted.text
    work(api.service, once=True, threads=1)
    return mission


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_export_then_erase_through_the_api(kind: str, tmp_path: Path) -> None:
    with database_setup(kind, tmp_path) as urls:
        service = build_service(urls, Clock())
        try:
            with cassette(PUBLIC, record=False, ignore_localhost=True), \
                    api_for(service) as api:
                flow(api)
        finally:
            service.engine.close()
            service.close()


def flow(api: Api) -> None:
    mission = _claimed(api)
    link = api.post("/api/v1/member-links", as_admin=False,
                    json={"member_id": MEMBER, "mission_id": mission["id"]})
    assert link.status_code == 201, link.text
    page = link.json()["path"]
    assert api.client.get(page).status_code == 200

    exported = api.get(f"/api/v1/members/{MEMBER}/export", as_admin=False)
    assert exported.status_code == 200, exported.text
    document = exported.json()
    assert document["member_id"] == MEMBER and document["balance"] > 0
    assert document["accounts"][0]["handle"] == "lea.voyage"
    [claim] = document["claims"]
    assert claim["checks"][0]["seen_posts"] and document["ledger"]
    missing = api.get("/api/v1/members/nobody/export", as_admin=False)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"

    report_before = api.get("/api/v1/report", params={"mission": mission["id"]}).json()
    forbidden = api.delete(f"/api/v1/members/{MEMBER}", as_admin=False)
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"

    erased = api.delete(f"/api/v1/members/{MEMBER}")
    assert erased.status_code == 200, erased.text
    body = erased.json()
    assert body["erased"] and not body["already_erased"] and body["linked_accounts"] == 1
    assert body["ledger_rows"] == len(document["ledger"])

    again = api.delete(f"/api/v1/members/{MEMBER}")
    assert again.status_code == 200 and again.json()["already_erased"]
    assert again.json()["erased_at"] == body["erased_at"]
    unknown = api.delete("/api/v1/members/nobody")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"

    # Gone from every member route; the member page refuses the old link.
    assert api.get(f"/api/v1/members/{MEMBER}", as_admin=False).status_code == 404
    assert api.get(f"/api/v1/members/{MEMBER}/export", as_admin=False).status_code == 404
    assert api.client.get(page).status_code == 403
    # The report keeps its rows and totals, without the member's personal fields.
    report = api.get("/api/v1/report", params={"mission": mission["id"]}).json()
    assert report["summary"] == report_before["summary"]
    assert len(report["rows"]) == len(report_before["rows"])
    shown = json.dumps(report, ensure_ascii=False)
    assert MEMBER not in shown and "lea.voyage" not in shown
    assert {row["verdict"] for row in report["rows"]} == {
        row["verdict"] for row in report_before["rows"]}
    csv_report = api.get("/api/v1/report", params={"mission": mission["id"], "format": "csv"})
    assert csv_report.status_code == 200 and "lea.voyage" not in csv_report.text
    # The host may link the same id again later: a new member, from scratch.
    relinked = api.put(f"/api/v1/members/{MEMBER}/accounts/instagram", as_admin=False,
                       json={"handle": "lea.voyage"})
    assert relinked.status_code == 200 and relinked.json()["balance"] == 0
