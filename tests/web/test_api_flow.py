"""A claim through the API, checked by the embedded worker on a replayed cassette, then the
report (JSON and CSV), the diagnosis in French and English, balances and ledger."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

import pytest

from engine.replay import cassette
from engine.service.webhooks import verify
from tests.service.helpers import Receiver

from .api_helpers import PUBLIC, Api, Clock, api_for, build_service, database_setup, seed_mission


def wait_for_check(api: Api, claim_id: int, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        claim = api.get(f"/api/v1/claims/{claim_id}", as_admin=False).json()
        if claim["state"] != "queued":
            return dict(claim)
        time.sleep(0.1)
    raise AssertionError(f"claim {claim_id} was not checked within {timeout} s")


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_claim_checked_by_the_worker_counts_the_post(kind: str, tmp_path: Path) -> None:
    with database_setup(kind, tmp_path) as urls:
        # The test's webhook receiver listens on 127.0.0.1: a private address, allowed here.
        service = build_service(urls, Clock(), workers=1, poll_interval=0.1,
                                webhook_allow_private=True)
        try:
            # The client talks to "localhost", which the cassette lets through; Instagram
            # requests of the worker thread are replayed.
            with cassette(PUBLIC, record=False, ignore_localhost=True), \
                    api_for(service, run_worker=True) as api:
                flow(api)
        finally:
            service.engine.close()
            service.close()


def flow(api: Api) -> None:
    receiver = Receiver(failures=0)
    secret = api.put("/api/v1/webhook", json={"url": receiver.url}).json()["secret"]
    mission = seed_mission(api)
    linked = api.put("/api/v1/members/lea/accounts/instagram", as_admin=False,
                     json={"handle": "lea.voyage"})
    assert linked.status_code == 200
    accepted = api.post("/api/v1/claims", as_admin=False, json={
        "member_id": "lea", "mission_id": mission["id"], "platform": "instagram"})
    assert accepted.status_code == 202
    claim = wait_for_check(api, accepted.json()["claim_id"])
    assert claim["state"] == "done" and claim["counted"] >= 1, claim
    counted = claim["counted"]

    member = api.get("/api/v1/members/lea", as_admin=False).json()
    assert member["balance"] == 10 * counted
    assert {entry["reason"] for entry in member["ledger"]} == {"recurring_post"}
    ledger = api.get("/api/v1/members/lea/ledger", as_admin=False).json()
    assert len(ledger["entries"]) == counted and ledger["balance"] == 10 * counted
    assert api.get("/api/v1/balances", as_admin=False).json() == [
        {"member_id": "lea", "balance": 10 * counted}]

    deadline = time.monotonic() + 30
    while len(receiver.received) < counted and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(receiver.received) == counted
    assert all(verify(body, secret, signature) for body, signature in receiver.received)
    receiver.server.shutdown()
    states = {d["state"] for d in api.get("/api/v1/webhook/deliveries").json()}
    assert states <= {"delivered", "pending"}  # the answer may still be being recorded

    report = api.get("/api/v1/report", params={"mission": mission["id"]}).json()
    credited = [row for row in report["rows"] if row["verdict"] == "counted"]
    assert len(credited) == counted and credited[0]["handle"] == "lea.voyage"
    assert report["summary"][0]["credited_posts"] == counted
    only = api.get("/api/v1/report", params={"verdict": "counted", "platform": "instagram",
                                             "member": "lea", "since": "2025-06-16T00:00:00Z",
                                             "until": "2025-06-17T00:00:00Z"}).json()
    assert len(only["rows"]) == counted
    assert api.get("/api/v1/report", params={"member": "sam"}).json()["rows"] == []
    assert api.get("/api/v1/report", params={"until": "2025-06-16"}).json()["rows"] == []
    exported = api.get("/api/v1/report", params={"mission": mission["id"], "format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == len(report["rows"])
    assert sum(1 for row in rows if row["verdict"] == "counted") == counted
    assert api.get("/api/v1/report", as_admin=False).status_code == 403

    french = api.get(f"/api/v1/members/lea/missions/{mission['id']}/diagnosis",
                     as_admin=False).json()
    english = api.get(f"/api/v1/members/lea/missions/{mission['id']}/diagnosis",
                      params={"lang": "en"}, as_admin=False).json()
    assert french["lang"] == "fr" and english["lang"] == "en"
    assert french["rewarded"] and english["points"] == 10 * counted
    assert [line["code"] for line in french["lines"]] == [line["code"] for line in english["lines"]]
    assert french["lines"][0]["text"] != english["lines"][0]["text"]
    assert api.get(f"/api/v1/members/lea/missions/{mission['id']}/diagnosis",
                   params={"lang": "de"}).status_code == 422
