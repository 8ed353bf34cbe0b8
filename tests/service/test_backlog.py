"""Issue 13: a claim answer tells when its check is expected; a growing backlog is logged."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from engine.service import backlog
from engine.service.backlog import DEFAULT_CHECK_SECONDS, WINDOW, estimate, watch_backlog
from engine.service.claims import create_claim
from engine.service.context import Service

from .helpers import member, mission, run


@pytest.fixture(autouse=True)
def fresh_measure() -> None:
    """Each test measures the throughput itself (no value cached by an earlier test)."""
    backlog._RECENT.clear()


def claims_from(service: Service, mission_id: int, count: int, first: int = 0) -> list[Any]:
    receipts = []
    for index in range(first, first + count):
        member(service, f"m{index}", f"ana.summer{index}")
        receipts.append(create_claim(service, f"m{index}", mission_id, "instagram"))
    return receipts


def test_an_empty_queue_expects_the_check_about_now(service: Service, clock: Any) -> None:
    recurring = mission(service, recurring=True)
    [receipt] = claims_from(service, recurring.id, 1)
    assert receipt.queue_position == 0
    assert receipt.expected_check_at == clock.now


def test_a_long_queue_expects_a_later_check(service: Service, clock: Any) -> None:
    service.settings = replace(service.settings, workers=4)
    recurring = mission(service, recurring=True)
    receipts = claims_from(service, recurring.id, 30)
    assert [r.queue_position for r in receipts] == list(range(30))
    expected = [r.expected_check_at for r in receipts]
    assert expected == sorted(expected) and expected[0] == clock.now
    # No check ran yet: 4 threads at the default check time, 2 checks/s.
    rate = 4 / DEFAULT_CHECK_SECONDS
    assert expected[-1] == clock.now + timedelta(seconds=29 / rate)
    # More threads, sooner; the estimate of a claim is the same when asked again later.
    service.settings = replace(service.settings, workers=8)
    again = estimate(service, receipts[-1].claim_id)
    assert again is not None and again.position == 29
    assert again.expected_at == clock.now + timedelta(seconds=29 / (8 / DEFAULT_CHECK_SECONDS))


def test_a_saturated_queue_goes_by_the_checks_it_finished(service: Service, clock: Any,
                                                          replay: Any) -> None:
    recurring = mission(service, recurring=True)
    member(service)  # ana.summer, whose profile the cassette holds
    create_claim(service, "ana", recurring.id, "instagram")
    run(service)  # one check finished now
    receipts = claims_from(service, recurring.id, 10)
    # Five minutes on, the oldest due claim has waited the whole window: the workers are
    # saturated, so the throughput is the one check finished in the window (1 per 300 s).
    clock.advance(seconds=WINDOW)
    backlog._RECENT.clear()
    last = estimate(service, receipts[-1].claim_id)
    assert last is not None and last.throughput.basis == "recent"
    assert last.position == 9
    assert last.expected_at == clock.now + timedelta(seconds=9 * WINDOW)
    # A finished claim is not waiting for anything.
    assert estimate(service, receipts[0].claim_id - 1) is None


def test_the_worker_warns_when_the_oldest_due_claim_waits_too_long(
        service: Service, clock: Any, caplog: pytest.LogCaptureFixture) -> None:
    service.settings = replace(service.settings, backlog_warning=120.0)
    recurring = mission(service, recurring=True)
    claims_from(service, recurring.id, 3)
    with caplog.at_level(logging.WARNING, logger="engine.service.backlog"):
        clock.advance(seconds=60)
        found = watch_backlog(service)
        assert found is not None and found.due == 3 and found.oldest_wait == 60.0
        assert not caplog.records
        clock.advance(seconds=61)
        watch_backlog(service)
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "3 due, the oldest waiting for 121 s" in record.getMessage()
    assert "raise [queue] workers" in record.getMessage()
    service.settings = replace(service.settings, backlog_warning=0.0)
    assert watch_backlog(service) is None
