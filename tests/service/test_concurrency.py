"""At-least-once jobs, idempotent: duplicates, two worker processes, a worker killed mid-check."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from engine.service.claim_checks import process_claim
from engine.service.claims import create_claim, get_claim
from engine.service.context import Service, utc_now
from engine.service.members import get_member
from engine.service.runtime import work

from .conftest import ROOT
from .helpers import check_count, ledger_rows, member, mission, run


def _spawn(mode: str, service: Service, claim_id: int, marker: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.service.worker_process", mode, service.db.url,
         str(claim_id), str(marker)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_job_delivered_twice(service: Service, replay: Any) -> None:
    goal = mission(service, recurring=True)
    member(service)
    receipt = create_claim(service, "ana", goal.id, "instagram")
    assert service.queue is not None
    service.queue.enqueue_claim(receipt.claim_id)  # the same job again
    run(service)
    before = ledger_rows(service)
    assert check_count(service) == 1 and len(before) == 4
    for _ in range(3):  # replaying every job after the fact changes nothing
        service.queue.enqueue_claim(receipt.claim_id)
    run(service)
    assert process_claim(service, receipt.claim_id) is None
    assert ledger_rows(service) == before and check_count(service) == 1


def test_two_worker_processes_on_one_claim(service: Service, tmp_path: Path) -> None:
    service.clock = utc_now
    goal = mission(service, recurring=True)
    member(service)
    receipt = create_claim(service, "ana", goal.id, "instagram")
    marker = tmp_path / "go"
    workers = [_spawn("run", service, receipt.claim_id, marker) for _ in range(2)]
    time.sleep(1.0)  # both processes loaded and waiting
    marker.write_text("go")
    outputs = sorted(w.communicate(timeout=60)[0].strip() for w in workers)
    assert outputs == ["checked", "skipped"], outputs
    assert check_count(service) == 1
    assert len(ledger_rows(service)) == 4
    assert get_member(service, "ana").balance == 40


def test_threads_racing_on_claims_of_one_member(service: Service, replay: Any) -> None:
    service.clock = utc_now
    missions = [mission(service, recurring=True) for _ in range(3)]
    member(service)
    claims = [create_claim(service, "ana", m.id, "instagram").claim_id for m in missions]
    threads = [threading.Thread(target=process_claim, args=(service, claim_id))
               for claim_id in claims * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(2.1)  # claims that found the fetch in progress wait a moment, then share it
    work(service, once=True, threads=2)
    assert check_count(service) == 3
    assert len(ledger_rows(service)) == 12
    assert get_member(service, "ana").balance == 120


def test_worker_killed_mid_check(service: Service, replay: Any, tmp_path: Path) -> None:
    service.clock = utc_now
    goal = mission(service, goal_posts=2, points=30)
    member(service)
    receipt = create_claim(service, "ana", goal.id, "instagram")
    marker = tmp_path / "fetching"
    doomed = _spawn("hang", service, receipt.claim_id, marker)
    deadline = time.monotonic() + 30
    while not marker.exists():
        assert doomed.poll() is None, doomed.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    # The dead worker's lease blocks the claim for a moment, then the next worker finishes it.
    assert process_claim(service, receipt.claim_id) is None
    time.sleep(2.2)
    run(service)
    claim = get_claim(service, receipt.claim_id)
    assert claim.state == "done" and claim.counted == 2
    assert check_count(service) == 1
    assert [points for _, _, points, _ in ledger_rows(service)] == [30]
    run(service)
    assert [points for _, _, points, _ in ledger_rows(service)] == [30]


def test_a_check_whose_lease_was_taken_over_writes_nothing(
        service: Service, replay: Any, monkeypatch: Any) -> None:
    # The lease expired during the platform call and another worker took the claim: the
    # late worker's outcome is rolled back whole (no check, credit or award; the account's
    # fetch lease released), and the new holder's check pays once.
    from sqlalchemy import update

    from engine.service import claim_checks
    from engine.storage.models import ClaimRow, LinkedAccountRow

    goal = mission(service, recurring=True)
    member(service)
    receipt = create_claim(service, "ana", goal.id, "instagram")
    fetch = claim_checks.fetch_account

    def slow_fetch(*args: Any) -> Any:
        snapshot = fetch(*args)
        with service.db.transaction() as session:
            session.execute(update(ClaimRow).where(ClaimRow.id == receipt.claim_id)
                            .values(lease_owner="another-worker"))
        return snapshot

    monkeypatch.setattr(claim_checks, "fetch_account", slow_fetch)
    assert process_claim(service, receipt.claim_id, owner="late-worker") is None
    assert check_count(service) == 0 and ledger_rows(service) == []
    with service.db.sessions() as session:
        assert session.query(LinkedAccountRow.fetch_lease_until).all() == [(None,)]
        session.execute(update(ClaimRow).values(lease_owner=None, lease_until=None))
        session.commit()
    monkeypatch.setattr(claim_checks, "fetch_account", fetch)
    result = process_claim(service, receipt.claim_id)
    assert result is not None and result.counted == 4
    assert check_count(service) == 1 and len(ledger_rows(service)) == 4


def _one_claim(service: Service) -> int:
    """A recurring mission, ana linked, and her claim's id."""
    goal = mission(service, recurring=True)
    member(service)
    return create_claim(service, "ana", goal.id, "instagram").claim_id


def _dropped_once(real: Any, calls: list[int], *, answered: bool) -> Any:
    """``real`` whose first call fails as on a connection the server ended; ``answered``:
    after ``real`` ran (its work committed, its answer lost), else before it runs. Each call
    is counted in ``calls``."""
    from sqlalchemy.exc import OperationalError

    def dropped(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        done = real(*args, **kwargs) if answered or len(calls) > 1 else None
        if len(calls) == 1:
            if answered:
                assert done is not None  # committed
            raise OperationalError("statement …", {}, Exception("server closed the "
                                   "connection"), connection_invalidated=True)
        return done

    return dropped


def test_an_outcome_whose_connection_was_lost_is_written_again(
        service: Service, replay: Any, monkeypatch: Any) -> None:
    # The server ended the connection while the outcome was being written (a restart, an
    # administrator): nothing of that transaction was kept, and the platform's answer is
    # written again on a new connection, not recorded as the engine's own error.
    from engine.service import claim_checks

    claim_id = _one_claim(service)
    calls: list[int] = []
    monkeypatch.setattr(claim_checks, "count_posts",
                        _dropped_once(claim_checks.count_posts, calls, answered=False))
    result = process_claim(service, claim_id)
    assert result is not None and result.status == "ok" and result.counted == 4
    assert len(calls) == 2 and check_count(service) == 1 and len(ledger_rows(service)) == 4
    assert get_claim(service, claim_id).state == "done"


def test_a_lease_whose_answer_was_lost_is_taken_again(
        service: Service, replay: Any, monkeypatch: Any) -> None:
    # The lease's statement committed, then the connection dropped before its answer came
    # back (a restart, an administrator): the worker takes the lease again on a new
    # connection (it is its own) instead of failing the job and leaving the claim to wait
    # for the lease to expire.
    from engine.service import leases

    claim_id = _one_claim(service)
    lease_once = leases.lease_once
    calls: list[int] = []
    monkeypatch.setattr(leases, "lease_once", _dropped_once(lease_once, calls, answered=True))
    result = process_claim(service, claim_id)
    assert result is not None and result.status == "ok" and result.counted == 4
    assert len(calls) == 2 and check_count(service) == 1 and len(ledger_rows(service)) == 4
    # Another worker still cannot take a lease it does not hold.
    other = create_claim(service, "ana", mission(service, recurring=True).id, "instagram")
    monkeypatch.setattr(leases, "lease_once", lease_once)
    assert leases.take_lease(service, other.claim_id, "worker-a") is not None
    assert leases.take_lease(service, other.claim_id, "worker-b") is None
    assert leases.take_lease(service, other.claim_id, "worker-a") is not None


def test_a_lease_error_that_is_not_a_lost_connection_is_raised_at_once(
        service: Service, replay: Any, monkeypatch: Any) -> None:
    from sqlalchemy.exc import OperationalError

    from engine.service import leases

    claim_id = _one_claim(service)
    calls = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        raise OperationalError("UPDATE claims …", {}, Exception("disk full"))

    monkeypatch.setattr(leases, "lease_once", failing)
    try:
        process_claim(service, claim_id)
    except OperationalError:
        pass
    else:
        raise AssertionError("the error was swallowed")
    assert len(calls) == 1
