"""Issue 13: a claim that credits posts costs two transactions and batched counting.

What is counted: the ``begin``, ``commit`` and ``rollback`` events of the service database's
SQLAlchemy engine, and every statement it sends (``before_cursor_execute``), from the start of
one :func:`process_claim` to its end. The huey queue's own storage (a separate SQLite file or
Redis) is not the service database and is not counted. The two transactions are the lease
(the claim's lease and the account's fetch lease, before the platform call) and the outcome
(check row, seen posts, credits, ledger rows, the claim's next state, the fetch lease
released). On PostgreSQL the lease is one statement in autocommit (no ``BEGIN`` or ``COMMIT``
round trip): SQLAlchemy still reports a begin and, as the connection is given back, a
``rollback`` that sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import event

from engine.service.claims import create_claim
from engine.service.context import Service

from .helpers import ledger_rows, member, mission, run


@dataclass
class Traffic:
    """The statements of each finished transaction, in order, and how each ended."""

    transactions: list[list[str]] = field(default_factory=list)
    endings: list[str] = field(default_factory=list)
    begins: int = 0
    current: list[str] = field(default_factory=list)
    # Per finished transaction: whether its statements ran in autocommit (PostgreSQL).
    autocommit: list[bool] = field(default_factory=list)
    current_autocommit: bool = False


@contextmanager
def traffic(service: Service) -> Iterator[Traffic]:
    seen = Traffic()
    engine = service.db.engine

    def on_begin(*_: Any) -> None:
        seen.begins += 1

    def on_statement(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.current.append(" ".join(statement.split()))
        seen.current_autocommit = bool(getattr(conn.connection.dbapi_connection,
                                               "autocommit", False))

    def ending(kind: str) -> Any:
        def on_end(*_: Any) -> None:
            seen.transactions.append(seen.current)
            seen.endings.append(kind)
            seen.autocommit.append(seen.current_autocommit)
            seen.current, seen.current_autocommit = [], False
        return on_end

    listeners = [("begin", on_begin), ("before_cursor_execute", on_statement),
                 ("commit", ending("commit")), ("rollback", ending("rollback"))]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield seen
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)


def two_transactions(service: Service, seen: Traffic) -> bool:
    """The lease and the outcome, each committed: on PostgreSQL the lease in autocommit (its
    ``rollback`` sends nothing), on SQLite a transaction of its own."""
    if service.db.is_sqlite:
        return seen.endings == ["commit", "commit"] and seen.autocommit == [False, False]
    return seen.endings == ["rollback", "commit"] and seen.autocommit == [True, False]


def starting(statements: list[str], prefix: str) -> int:
    return sum(statement.startswith(prefix) for statement in statements)


@pytest.mark.parametrize("kind", ["recurring", "goal"])
def test_a_crediting_claim_costs_the_lease_and_one_transaction(
        service: Service, replay: Any, kind: str) -> None:
    from engine.service.claim_checks import process_claim

    chosen = (mission(service, recurring=True, points=5) if kind == "recurring"
              else mission(service, goal_posts=3, points=50))
    member(service)
    receipt = create_claim(service, "ana", chosen.id, "instagram")
    with traffic(service) as seen:
        result = process_claim(service, receipt.claim_id)
    assert result is not None and result.counted >= 3  # it credits several posts
    assert result.points == (5 * result.counted if kind == "recurring" else 50)
    assert seen.begins == 2 and two_transactions(service, seen), seen
    lease, outcome = seen.transactions
    body = [s for s in lease if s != "BEGIN IMMEDIATE"]  # SQLite's explicit BEGIN
    # On PostgreSQL the lease and its reads are one statement (a data-modifying CTE).
    postgres = not service.db.is_sqlite
    assert body[0].startswith("WITH leased AS (UPDATE claims SET lease_owner" if postgres
                              else "UPDATE claims SET lease_owner"), body[0][:60]
    # The account's fetch lease: on PostgreSQL taken by the same statement (a second CTE),
    # on SQLite by a statement of its own; either reads when the account was last fetched:
    # never, so no look for a recent fetch to share follows (a statement after the take).
    assert not any(s.startswith("SELECT checks.id") for s in body)
    if postgres:
        assert "taken AS (UPDATE linked_accounts SET fetch_lease_until" in body[0]
        assert starting(lease, "UPDATE linked_accounts") == 0
        assert not any(s.startswith("SELECT checks.id") for s in body)
    else:
        assert starting(lease, "UPDATE linked_accounts SET fetch_lease_until") == 1
    assert not any(s.startswith("INSERT") for s in lease)
    # The outcome: every row it leads to, in one transaction, none of them read back. On
    # PostgreSQL the check's row is written by the member's lock (a CTE), and the fetch lease
    # is released by the claim's update (a CTE): two round trips fewer.
    # Credits, awards and seen posts: on PostgreSQL one statement (a data-modifying CTE per
    # table) unless the check completes an N-post goal; else one multi-row insert each.
    at_once = [s for s in outcome if s.startswith("WITH document AS")]
    if postgres and kind == "recurring":
        assert len(at_once) == 1
        for table in ("credits", "ledger", "seen_posts"):
            assert f"INSERT INTO {table} " in at_once[0], table
            assert starting(outcome, f"INSERT INTO {table} ") == 0, table
    else:
        assert not at_once
        for table in ("credits", "ledger", "seen_posts"):
            assert starting(outcome, f"INSERT INTO {table} ") == 1, table
    if postgres:
        assert starting(outcome, "WITH inserted_check AS (INSERT INTO checks ") == 1
        assert " FOR UPDATE OF members" in outcome[0]
        # The fetch lease's release and the claim's next state: with the credits' inserts
        # when the check credits a recurring mission's posts (one round trip), else one
        # statement of their own (a data-modifying CTE).
        last = outcome[-1]
        assert starting(outcome, "WITH released_fetch AS (UPDATE linked_accounts SET "
                                 "fetch_lease_until") == (0 if kind == "recurring" else 1)
        if kind == "recurring":
            assert last.startswith("WITH document AS") and (
                "released_fetch AS (UPDATE linked_accounts SET fetch_lease_until" in last)
            assert "claim_written AS (UPDATE claims SET state" in last
        else:
            assert last.startswith("WITH released_fetch") and " UPDATE claims SET" in last
    else:
        assert starting(outcome, "INSERT INTO checks ") == 1
        assert starting(outcome, "UPDATE claims SET") == 1
        assert starting(outcome, "UPDATE linked_accounts SET fetch_lease_until") == 1
    assert not any(s.startswith(("SELECT checks", "SELECT seen_posts")) for s in outcome)
    # Counting is batched: one statement for what the database holds about the posts (already
    # credited, credited elsewhere, the progress), and for an N-post goal that is reached one
    # for the posts its award names.
    credit_reads = sum(s.startswith("SELECT") and " FROM credits" in s for s in outcome)
    assert credit_reads == (1 if kind == "recurring" else 2)
    # Nothing the lease transaction read is read again (the claim, the mission), no award key
    # is looked up before it is inserted, and the lease's reads are one statement.
    assert not any(s.startswith(("SELECT claims", "SELECT missions", "SELECT ledger"))
                   for s in outcome)
    assert len(body) == (1 if postgres else 3), body
    assert len(outcome) <= (10 if postgres else 12)
    if postgres and kind == "recurring":  # lock and check, what is known, everything else
        assert len(outcome) == 3, outcome
    assert len(ledger_rows(service)) == (result.counted if kind == "recurring" else 1)


def test_a_claim_checked_again_credits_nothing_twice(service: Service, replay: Any,
                                                     clock: Any) -> None:
    # The batched look-up still sees earlier credits: a second claim of the same posts (after
    # the cooldown) finds them all counted, pays nothing more, in the same two transactions.
    recurring = mission(service, recurring=True, points=5)
    member(service)
    create_claim(service, "ana", recurring.id, "instagram")
    run(service)
    paid = ledger_rows(service)
    clock.advance(days=2)
    receipt = create_claim(service, "ana", recurring.id, "instagram")
    from engine.service.claim_checks import process_claim

    with traffic(service) as seen:
        result = process_claim(service, receipt.claim_id)
    assert result is not None and result.counted == 0 and result.points == 0
    assert [post.verdict for post in result.posts
            if post.verdict in ("counted", "already_counted")] == ["already_counted"] * len(paid)
    assert ledger_rows(service) == paid
    assert two_transactions(service, seen), seen


def test_a_claim_that_cannot_be_checked_takes_no_fetch_lease(service: Service,
                                                             replay: Any) -> None:
    # The fetch lease is taken with the claim's lease (one statement on PostgreSQL) only when
    # the check will read the platform: an archived mission's claim ends without a check and
    # leaves the account free for the claims of other missions.
    from sqlalchemy import select

    from engine.service.claim_checks import process_claim
    from engine.service.missions import set_status
    from engine.storage.models import ClaimRow, LinkedAccountRow

    chosen = mission(service, recurring=True, points=5)
    member(service)
    receipt = create_claim(service, "ana", chosen.id, "instagram")
    set_status(service, chosen.id, "archived")
    assert process_claim(service, receipt.claim_id) is None
    with service.db.sessions() as session:
        assert session.scalars(select(LinkedAccountRow.fetch_lease_until)).all() == [None]
        claim = session.get(ClaimRow, receipt.claim_id)
        assert claim is not None and claim.state == "done" and claim.lease_owner is None
        assert claim.last_detail == "the mission is no longer published"
