"""R9: claims of one account that are due together are answered from one fetch in the same
worker pass, whatever the number of worker threads: ``worker --once`` leaves none behind."""

from __future__ import annotations

from typing import Any

import pytest

from engine.service.claims import create_claim, get_claim
from engine.service.context import Service
from engine.service.runtime import work

from .helpers import member, mission, requests_made


@pytest.mark.parametrize("threads", [1, 4])
def test_one_pass_answers_every_claim_of_an_account(service: Service, replay: Any,
                                                    threads: int) -> None:
    missions = [mission(service, recurring=True) for _ in range(4)]
    member(service)
    receipts = [create_claim(service, "ana", item.id, "instagram") for item in missions]
    work(service, once=True, threads=threads)
    states = [get_claim(service, receipt.claim_id) for receipt in receipts]
    assert all(claim.state == "done" and claim.last_status == "ok" for claim in states), [
        (claim.state, claim.last_detail) for claim in states]
    assert requests_made(service) == 1  # one fetch served the four claims
