"""Every ``unavailable`` check says why, from the check record to the claim, the report, the
diagnosis (French and English) and the backends' statistics; a DNS failure is never called
a rate limit."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from engine.cache import MemoryCache
from engine.config import config_from_mapping
from engine.core import Engine
from engine.service.backend_stats import backend_stats
from engine.service.claims import create_claim, get_claim
from engine.service.context import Service
from engine.service.diagnosis import diagnose
from engine.service.report import summaries
from engine.storage.models import CheckRow

from .helpers import member, mission, run


def last_check(service: Service) -> CheckRow:
    with service.db.sessions() as session:
        row = session.scalar(select(CheckRow).order_by(CheckRow.id.desc()).limit(1))
        assert row is not None
        return row


@pytest.mark.parametrize(("handle", "cause", "french", "english"), [
    ("dan.limited", "rate_limited", "limite le nombre de consultations", "limits how often"),
    ("fay.heldback", "held_back", "ne les a pas montrées", "did not show them"),
])
def test_the_cause_is_recorded_and_explained(service: Service, replay: Any, handle: str,
                                             cause: str, french: str, english: str) -> None:
    goal = mission(service)
    member(service, "dan", handle)
    receipt = create_claim(service, "dan", goal.id, "instagram")
    run(service)
    claim = get_claim(service, receipt.claim_id)
    assert (claim.state, claim.last_status, claim.last_cause) == ("retrying", "unavailable",
                                                                  cause)
    check = last_check(service)
    assert (check.status, check.cause) == ("unavailable", cause)
    assert check.attempts[0]["cause"] == cause
    line = next(line for line in diagnose(service, "dan", goal.id).lines
                if line.code == "platform_unavailable")
    assert french in line.text and "prochain essai" in line.text
    assert "connexion" not in line.text or cause != "rate_limited"
    line_en = next(line for line in diagnose(service, "dan", goal.id, "en").lines
                   if line.code == "platform_unavailable")
    assert english in line_en.text
    summary = summaries(service, goal.id)[0]
    assert summary.unavailable_causes == {cause: 1}


def test_a_dns_failure_is_told_as_a_network_failure(service: Service) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution")

    config = config_from_mapping({"http": {"retries": 0}})
    service.engine = Engine(config, cache=MemoryCache(), replaying=True,
                            transport=httpx.MockTransport(fail))
    goal = mission(service)
    member(service)
    receipt = create_claim(service, "ana", goal.id, "instagram")
    run(service)
    assert get_claim(service, receipt.claim_id).last_cause == "network"
    text = next(line.text for line in diagnose(service, "ana", goal.id).lines
                if line.code == "platform_unavailable")
    assert "n'a pas pu être joint" in text
    assert "limite" not in text and "connexion" not in text  # not "rate limit or login wall"


def test_layout_changed_has_words_of_its_own(service: Service, replay: Any) -> None:
    goal = mission(service)
    member(service, "eve", "eve.layout")
    create_claim(service, "eve", goal.id, "instagram")
    run(service)
    assert last_check(service).cause is None
    text = next(line.text for line in diagnose(service, "eve", goal.id, "en").lines
                if line.code == "platform_unavailable")
    assert "changed how its pages look" in text


def test_backend_statistics_count_outcomes_and_causes(service: Service, replay: Any) -> None:
    goal = mission(service)
    for member_id, handle in (("ana", "ana.summer"), ("dan", "dan.limited"),
                              ("eve", "eve.layout"), ("fay", "fay.heldback")):
        member(service, member_id, handle)
        create_claim(service, member_id, goal.id, "instagram")
    run(service)
    [web] = backend_stats(service)
    assert (web.platform, web.backend, web.attempts) == ("instagram", "web", 4)
    assert web.outcomes == {"layout_changed": 1, "ok": 1, "unavailable": 2}
    assert web.causes == {"held_back": 1, "rate_limited": 1}
