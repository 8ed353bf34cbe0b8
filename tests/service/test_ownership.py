"""R11: proof of handle ownership, contests and the compensating ledger rows, on SQLite and on
PostgreSQL + Redis (the ``service`` fixtures), with the webhook event of every ledger row."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine.replay import cassette
from engine.service.claims import create_claim, get_claim, list_claims
from engine.service.context import Service
from engine.service.diagnosis import diagnose
from engine.service.errors import Conflict, GoalMet, HandleVerified
from engine.service.members import get_member, link_account, unlink_account
from engine.service.ownership import CODE_PATTERN, mark_verified, verification_code
from engine.service.report import report_rows
from engine.service.webhooks import verify
from engine.storage.models import CreditRow, LedgerRow
from engine.testing.cassettes import Exchange, write_cassette
from scripts.cassettes.build_instagram import URL, profile
from scripts.cassettes.build_service import ANA

from .helpers import Receiver, mission, run

SECRET = "ownership-webhook-secret"
HANDLE = "ana.summer"
MATCHING = {"AnaMatch01", "AnaMatch02", "AnaMatch03", "AnaMatch06"}  # in June, tagged


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(failures=0)
    yield server
    server.server.shutdown()


def account_answer(tmp_path: Path, name: str, *, bio: str = "Voyages & cafés ☕",
                   caption_code: str | None = None) -> Path:
    """ana.summer's profile (the service cassette's posts), with ``bio``; with
    ``caption_code``, the newest post's caption carries it."""
    nodes = [dict(node) for node in ANA]
    if caption_code:
        first = nodes[0]
        text = first["edge_media_to_caption"]["edges"][0]["node"]["text"]
        first["edge_media_to_caption"] = {"edges": [{"node": {"text": f"{text} {caption_code}"}}]}
    return write_cassette(tmp_path / f"{name}.yaml", [
        Exchange(URL.format(HANDLE), body=profile(HANDLE, nodes, biography=bio))])


def ledger(service: Service) -> list[LedgerRow]:
    with service.db.sessions() as session:
        return list(session.scalars(select(LedgerRow).order_by(LedgerRow.id)))


def live_credits(service: Service, member_id: str) -> set[str]:
    with service.db.sessions() as session:
        return set(session.scalars(select(CreditRow.post_id).where(
            CreditRow.member_id == member_id, CreditRow.revoked_at.is_(None))))


def drain_webhooks(service: Service) -> None:
    from engine.service.webhooks import deliver, deliveries

    for delivery in deliveries(service):
        if delivery["state"] == "pending":
            deliver(service, int(str(delivery["id"])))


def test_the_prover_is_paid_and_the_other_members_points_are_reversed(
        make_service: Any, clock: Any, tmp_path: Path, receiver: Receiver) -> None:
    service = make_service(webhook_url=receiver.url, webhook_secret=SECRET)
    goal = mission(service, recurring=True, points=10)
    before = account_answer(tmp_path, "before")
    # B links A's handle and is paid for A's posts.
    link_account(service, "bob", "instagram", HANDLE)
    create_claim(service, "bob", goal.id, "instagram")
    with cassette(before, record=False):
        run(service)
    assert get_member(service, "bob").balance == 40 and live_credits(service, "bob") == MATCHING
    # A links the same handle: a contest, both shown their code; nobody is credited meanwhile.
    link_account(service, "ana", "instagram", f"@{HANDLE}")
    ana_code = verification_code(service, "ana", "instagram").verification_code
    bob_code = verification_code(service, "bob", "instagram").verification_code
    assert CODE_PATTERN.fullmatch(ana_code) and ana_code != bob_code
    assert [a.ownership for a in get_member(service, "ana").accounts] == ["contested"]
    assert [a.ownership for a in get_member(service, "bob").accounts] == ["contested"]
    # A puts the code in the bio (lower-cased, among other words); both claim.
    clock.advance(hours=25)
    create_claim(service, "ana", goal.id, "instagram")
    create_claim(service, "bob", goal.id, "instagram")
    with cassette(account_answer(tmp_path, "after", bio=f"Voyages ☕ {ana_code.lower()}"),
                  record=False):
        run(service)
    [account] = get_member(service, "ana").accounts
    assert (account.ownership, account.credited) == ("verified", True)
    assert account.verified_by is not None and account.verified_by.startswith("check:")
    # A is paid for her posts; each of B's awards is reversed by one compensating row.
    assert get_member(service, "ana").balance == 40 and live_credits(service, "ana") == MATCHING
    assert get_member(service, "bob").balance == 0 and live_credits(service, "bob") == set()
    rows = ledger(service)
    bob_awards = [r for r in rows if r.member_id == "bob" and r.points > 0]
    reversals = [r for r in rows if r.reason == "ownership_transferred"]
    assert len(bob_awards) == 4 and len(reversals) == 4
    assert sorted(r.reverses_id for r in reversals) == sorted(r.id for r in bob_awards)  # type: ignore[type-var]
    assert all(r.points == -10 and r.member_id == "bob" for r in reversals)
    # B's link ended, and B is told why: B cannot claim with it, nor link it again.
    assert get_member(service, "bob").accounts == ()
    lost = [line.text for line in diagnose(service, "bob", goal.id, "en").lines
            if line.code == "ownership_lost"]
    assert lost and "@ana.summer" in lost[0] and "40 points" in lost[0]
    bob_claims = list_claims(service, member_id="bob")
    assert bob_claims[-1].state == "done"
    clock.advance(hours=25)
    with pytest.raises(Conflict, match="no linked Instagram handle"):
        create_claim(service, "bob", goal.id, "instagram")
    with pytest.raises(HandleVerified, match="proved it is theirs"):
        link_account(service, "bob", "instagram", HANDLE)
    # Every ledger row has its signed webhook event.
    drain_webhooks(service)
    events = [json.loads(body) for body, _ in receiver.received]
    assert all(verify(body, SECRET, signature) for body, signature in receiver.received)
    assert sorted(e["id"] for e in events) == sorted(r.idempotency_key for r in rows)
    reversed_events = [e for e in events if e["event"] == "points.reversed"]
    assert len(reversed_events) == 4
    assert {e["reverses"] for e in reversed_events} == {r.idempotency_key for r in bob_awards}
    assert all(e["points"] == -10 for e in reversed_events)


def test_the_first_holder_proving_it_ends_the_contest_without_reversal(
        service: Service, tmp_path: Path, clock: Any) -> None:
    goal = mission(service, recurring=True, points=10)
    link_account(service, "ana", "instagram", HANDLE)
    link_account(service, "mallory", "instagram", HANDLE)  # a contest
    code = verification_code(service, "ana", "instagram").verification_code
    create_claim(service, "mallory", goal.id, "instagram")
    with cassette(account_answer(tmp_path, "contested"), record=False):
        run(service)
    # Contested: nobody is credited, and the verdict says why.
    assert get_member(service, "mallory").balance == 0
    verdicts = {row.verdict for row in report_rows(service)}
    assert "ownership_unproven" in verdicts and "counted" not in verdicts
    # Ana proves it through a caption: Mallory's link ends, Mallory had nothing to reverse.
    clock.advance(minutes=2)  # past the minute a fetch is shared between claims
    create_claim(service, "ana", goal.id, "instagram")
    with cassette(account_answer(tmp_path, "caption", caption_code=code), record=False):
        run(service)
    assert get_member(service, "ana").balance == 40
    assert get_member(service, "mallory").accounts == ()
    assert all(r.reason != "ownership_transferred" for r in ledger(service))


def test_policy_always_credits_only_after_the_proof(make_service: Any, clock: Any,
                                                    tmp_path: Path) -> None:
    service = make_service(ownership="always")
    goal = mission(service, recurring=True, points=10)
    link_account(service, "ana", "instagram", HANDLE)
    [account] = get_member(service, "ana").accounts
    assert (account.ownership, account.credited) == ("unverified", False)
    receipt = create_claim(service, "ana", goal.id, "instagram")
    with cassette(account_answer(tmp_path, "unproven"), record=False):
        run(service)
    assert get_member(service, "ana").balance == 0
    unproven = [r for r in report_rows(service) if r.verdict == "ownership_unproven"]
    assert {r.post_url.rstrip("/").rsplit("/", 1)[-1] for r in unproven} == MATCHING
    assert account.verification_code in unproven[0].detail
    french = [line.text for line in diagnose(service, "ana", goal.id).lines
              if line.code == "ownership_pending"]
    english = [line.text for line in diagnose(service, "ana", goal.id, "en").lines
               if line.code.startswith("ownership_")]
    assert len(french) == 1 and account.verification_code in french[0] and "bio" in french[0]
    assert "Prove that the Instagram account @ana.summer is yours" in english[0]
    assert sum("counts once you prove" in text for text in english) == 4
    # The automatic re-check sees the code in the bio: the posts are credited then.
    claim = get_claim(service, receipt.claim_id)
    assert claim.state == "rechecking" and claim.due_at is not None
    clock.now = claim.due_at
    with cassette(account_answer(tmp_path, "proved", bio=account.verification_code),
                  record=False):
        run(service)
    assert get_member(service, "ana").balance == 40
    assert get_member(service, "ana").accounts[0].ownership == "verified"


def test_an_admin_marks_an_account_verified_with_a_reason(service: Service) -> None:
    link_account(service, "ana", "instagram", HANDLE)
    link_account(service, "bob", "instagram", HANDLE)
    with pytest.raises(Exception, match="a reason is required"):
        mark_verified(service, "ana", "instagram", "   ")
    account = mark_verified(service, "ana", "instagram", "checked by video call")
    assert account.ownership == "verified"
    assert account.verified_by == "admin: checked by video call"
    assert get_member(service, "bob").accounts == ()


def test_changing_ones_handle_is_a_new_link(make_service: Any, tmp_path: Path) -> None:
    service = make_service(ownership="always")
    link_account(service, "ana", "instagram", HANDLE)
    mark_verified(service, "ana", "instagram", "known member")
    link_account(service, "ana", "instagram", "ana.other")
    [account] = get_member(service, "ana").accounts
    assert (account.handle, account.ownership, account.credited) == ("ana.other", "unverified",
                                                                     False)
    # Leaving a contest ends it for the one left.
    link_account(service, "bob", "instagram", "ana.other")
    unlink_account(service, "ana", "instagram")
    assert get_member(service, "bob").accounts[0].ownership == "unverified"


def test_policy_off_refuses_a_held_handle(make_service: Any) -> None:
    service = make_service(ownership="off")
    link_account(service, "ana", "instagram", HANDLE)
    with pytest.raises(Conflict, match="already linked to another member"):
        link_account(service, "bob", "instagram", HANDLE)


def test_a_met_goal_takes_no_more_claims_nor_rechecks(service: Service, replay: Any,
                                                      clock: Any) -> None:
    goal = mission(service, goal_posts=2, points=30)
    link_account(service, "ana", "instagram", HANDLE)
    receipt = create_claim(service, "ana", goal.id, "instagram")
    run(service)
    claim = get_claim(service, receipt.claim_id)
    assert (claim.state, claim.due_at) == ("done", None)
    clock.advance(days=2)
    with pytest.raises(GoalMet) as refused:
        create_claim(service, "ana", goal.id, "instagram")
    assert refused.value.code == "goal_met"
