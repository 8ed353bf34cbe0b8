"""R8: a signed webhook per award, retried with backoff, every attempt recorded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from engine.service.claims import create_claim
from engine.service.webhooks import deliveries, verify

from .helpers import Receiver, member, mission, run

SECRET = "s3cret-for-tests"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(failures=2)
    yield server
    server.server.shutdown()


def test_award_event_signed_and_retried(make_service: Any, replay: Any, clock: Any,
                                        receiver: Receiver) -> None:
    service = make_service(webhook_url=receiver.url, webhook_secret=SECRET,
                           webhook_first_delay=30.0)
    goal = mission(service, goal_posts=2, points=25)
    member(service)
    create_claim(service, "ana", goal.id, "instagram")
    run(service)
    assert len(receiver.received) == 1  # first attempt: HTTP 500
    clock.advance(seconds=30)
    run(service)
    clock.advance(seconds=59)
    run(service)
    assert len(receiver.received) == 2  # backoff doubled: not yet
    clock.advance(seconds=1)
    run(service)
    assert len(receiver.received) == 3
    bodies = {body for body, _ in receiver.received}
    assert len(bodies) == 1  # every retry sends the same bytes
    body, signature = receiver.received[-1]
    assert verify(body, SECRET, signature)
    event = json.loads(body)
    assert (event["event"], event["points"], event["member"], event["progress"]) == (
        "points.awarded", 25, "ana", 2)
    [delivery] = deliveries(service)
    assert delivery["state"] == "delivered"
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 500, 204]  # type: ignore[attr-defined]
    run(service)
    assert len(receiver.received) == 3
