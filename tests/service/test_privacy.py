"""Members' data (issue 12): what checks keep of posts, export, erasure (no trace left in
either database or the queue, totals unchanged, links refused, the host told), retention."""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url

from engine.config import Config
from engine.errors import ConfigurationError
from engine.service.claims import create_claim
from engine.service.diagnosis import diagnose
from engine.service.errors import NotFound
from engine.service.ledger import award
from engine.service.members import get_member, link_account, list_balances
from engine.service.privacy import (
    ERASED_EVENT,
    erase_member,
    erasure_plan,
    export_member,
    maybe_purge,
    member_ref,
    purge_post_texts,
)
from engine.service.report import summaries
from engine.service.settings import load_settings
from engine.service.webhooks import verify
from engine.storage.models import (
    CheckRow,
    ClaimRow,
    MemberRow,
    SeenPostRow,
    WebhookDeliveryRow,
)
from engine.web.errors import LinkRejected
from engine.web.member_links import sign_member_link, verify_member_link

from .conftest import REDIS_URL, Clock
from .helpers import Receiver, member, mission, run

SECRET = "privacy-webhook-secret"
ANA, BOB = "ana-member-42", "bob-member-7"
# What the cassette's ana.summer account shows: captions and post shortcodes.
ANA_CAPTIONS = ("Plage #summer2025", "Encore #summer2025 !", "Carrousel #Summer2025",
                "Presque #sumer2025", "Ski #winter", "Reel #summer2025", "Vieux #summer2025")
ANA_SHORTCODES = ("AnaMatch01", "AnaMatch02", "AnaMatch03", "AnaNear004", "AnaNone005",
                  "AnaMatch06", "AnaOld0007")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(failures=10_000)  # the host is down until a test says otherwise
    yield server
    server.server.shutdown()


def _posts_of(service: Any, check_id: int) -> list[dict[str, Any]]:
    with service.db.sessions() as session:
        row = session.get(CheckRow, check_id)
        assert row is not None
        return list(row.posts or [])


def test_a_check_keeps_captions_only_of_posts_that_matter(service: Any, replay: Any) -> None:
    goal = mission(service)
    member(service, ANA, "ana.summer")
    create_claim(service, ANA, goal.id, "instagram")
    run(service)
    with service.db.sessions() as session:
        check_id = session.scalar(select(CheckRow.id))
    stored = {post["url"].rstrip("/").rsplit("/", 1)[-1]: post
              for post in _posts_of(service, check_id)}
    assert set(stored) == set(ANA_SHORTCODES)
    # Related posts (the hashtag, or its near miss the diagnosis explains) keep their caption.
    assert stored["AnaMatch01"]["text"] == "Plage #summer2025"
    assert stored["AnaNear004"]["text"] == "Presque #sumer2025"
    assert stored["AnaOld0007"]["text"] == "Vieux #summer2025"  # carries the tag, too early
    # The unrelated post: what the rules and the diagnosis read, never its caption.
    unrelated = stored["AnaNone005"]
    assert "text" not in unrelated and unrelated["verdict"] == "unrelated"
    assert unrelated["hashtags"] == ["winter"] and unrelated["published_at"]
    assert {"id", "url", "kind", "pinned"} <= set(unrelated)
    # The diagnosis still explains that post from what was kept.
    lines = diagnose(service, ANA, goal.id, "en").lines
    missing = [line for line in lines if line.post_url and "AnaNone005" in line.post_url]
    assert missing and "#winter" in missing[0].text


def test_export_holds_everything_about_the_member(make_service: Any, replay: Any,
                                                  receiver: Receiver) -> None:
    service = make_service(webhook_url=receiver.url, webhook_secret=SECRET,
                           webhook_allow_private=True)
    goal = mission(service, goal_posts=2, points=25)
    member(service, ANA, "ana.summer")
    member(service, BOB, "bob.summer")
    create_claim(service, ANA, goal.id, "instagram")
    create_claim(service, BOB, goal.id, "instagram")
    run(service)
    document = export_member(service, ANA)
    assert document["member_id"] == ANA and document["balance"] == 25
    [account] = document["accounts"]
    assert account["handle"] == "ana.summer" and account["verification_code"].startswith("SM-")
    assert account["ownership"] == "unverified"
    [claim] = document["claims"]
    [check] = claim["checks"]
    assert check["handle"] == "ana.summer" and check["status"] == "ok"
    assert {post.get("text") for post in check["posts"]} >= {"Plage #summer2025"}
    verdicts = {post["url"].rstrip("/").rsplit("/", 1)[-1]: post["verdict"]
                for post in check["seen_posts"]}
    assert verdicts["AnaNone005"] == "hashtag_missing" and verdicts["AnaMatch06"] == "counted"
    assert len(document["credits"]) == 2
    [entry] = document["ledger"]
    assert entry["points"] == 25 and entry["reason"] == "mission_completed"
    [event] = document["webhook_events"]
    assert event["body"]["member"] == ANA and event["body"]["event"] == "points.awarded"
    assert event["attempts"] and event["attempts"][0]["error"]
    text_of_document = json.dumps(document, ensure_ascii=False)
    assert BOB not in text_of_document and "bob.summer" not in text_of_document
    json.dumps(document)  # machine-readable: plain JSON values only
    with pytest.raises(NotFound):
        export_member(service, "nobody")


# -- erasure ------------------------------------------------------------------------------------


def _database_dump(service: Any) -> str:
    """Every row of every table of the service database, as text."""
    out: list[str] = []
    with service.db.engine.connect() as connection:
        names = inspect(connection).get_table_names()
        assert {"members", "ledger", "checks", "webhook_deliveries"} <= set(names)
        for name in names:
            for row in connection.execute(text(f'SELECT * FROM "{name}"')):
                out.append(f"{name}: " + json.dumps(list(row), ensure_ascii=False, default=str))
    return "\n".join(out)


def _queue_dump(setup: dict[str, str]) -> bytes:
    """Every job the queue holds: the SQLite queue file's tables, or every Redis key."""
    chunks: list[bytes] = []
    if setup["queue_url"].startswith("sqlite"):
        path = make_url(setup["queue_url"]).database
        assert path is not None
        with sqlite3.connect(path) as connection:
            tables = [row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                for row in connection.execute(f'SELECT * FROM "{table}"'):
                    chunks += [value if isinstance(value, bytes) else str(value).encode()
                               for value in row]
        return b"\n".join(chunks)
    from redis import Redis

    client: Any = Redis.from_url(REDIS_URL)
    for key in client.scan_iter("*"):
        kind = client.type(key)
        chunks.append(key)
        if kind == b"list":
            chunks += client.lrange(key, 0, -1)
        elif kind == b"zset":
            chunks += [member for member, _ in client.zrange(key, 0, -1, withscores=True)]
        elif kind == b"hash":
            for field, value in client.hgetall(key).items():
                chunks += [field, value]
        elif kind == b"set":
            chunks += list(client.smembers(key))
        elif kind == b"string":
            chunks.append(client.get(key) or b"")
    return b"\n".join(chunks)


def _sqlite_files(service: Any) -> bytes:
    path = Path(make_url(service.settings.database_url).database or "")
    return b"".join(file.read_bytes() for file in (path, path.with_name(path.name + "-wal"))
                    if file.exists())


def test_erase_leaves_no_trace_and_keeps_the_totals(
        make_service: Any, setup: dict[str, str], replay: Any, clock: Clock,
        receiver: Receiver) -> None:
    service = make_service(webhook_url=receiver.url, webhook_secret=SECRET,
                           webhook_allow_private=True, webhook_first_delay=30.0)
    goal = mission(service, goal_posts=2, points=25)
    recurring = mission(service, hashtag="summer2025", recurring=True, points=3)
    member(service, ANA, "ana.summer")
    member(service, BOB, "bob.summer")
    for who in (ANA, BOB):
        create_claim(service, who, goal.id, "instagram")
    run(service)
    token = sign_member_link(service, ANA, goal.id)
    assert verify_member_link(service, token).member_id == ANA
    # A claim still waiting for its check: its job sits in the queue (scheduled later).
    clock.advance(hours=1)
    create_claim(service, ANA, recurring.id, "instagram")
    with service.db.transaction() as session:
        waiting = session.scalar(select(ClaimRow).where(ClaimRow.mission_id == recurring.id))
        assert waiting is not None and waiting.state == "queued"
        waiting.due_at = clock.now + timedelta(hours=2)
        waiting_id = waiting.id
    service.queue.enqueue_claim(waiting_id, 7200)
    before = [item.as_json() for item in summaries(service)]
    bob_before = get_member(service, BOB).balance
    total_before = sum(total for _, total in list_balances(service))
    with service.db.sessions() as session:
        pending = session.scalar(select(WebhookDeliveryRow).where(
            WebhookDeliveryRow.state == "pending"))
        assert pending is not None and ANA in pending.body  # the host never took it

    plan = erasure_plan(service, ANA)
    assert (plan.erased, plan.linked_accounts, plan.claims, plan.cancelled_claims) == (
        False, 1, 2, 1)
    assert get_member(service, ANA).balance == 25  # the preview changed nothing
    erased = erase_member(service, ANA)
    assert erased.erased and not erased.already_erased and erased.event_queued
    assert (erased.ledger_rows, erased.credits, erased.webhook_events) == (1, 2, 1)

    # No table of the service database, nor the queue, names the member, a handle or a post.
    dump = _database_dump(service)
    queue = _queue_dump(setup)
    assert b"check_claim" in queue  # the dump does see the waiting claim's job
    needles = (ANA, "ana.summer", *ANA_CAPTIONS, *ANA_SHORTCODES)
    for needle in needles:
        assert needle not in dump, needle
        assert needle.encode() not in queue, needle
    if setup["kind"] == "sqlite":  # not even in the file's free space or its WAL
        raw = _sqlite_files(service)
        for needle in needles:
            assert needle.encode() not in raw, needle
    assert "bob.summer" in dump and BOB in dump  # the other member is untouched

    # Mission totals and the other balances are unchanged; the amounts sit under a pseudonym.
    assert [item.as_json() for item in summaries(service)] == before
    assert get_member(service, BOB).balance == bob_before
    balances = dict(list_balances(service))
    assert ANA not in balances and sum(balances.values()) == total_before
    [pseudonym] = [who for who in balances if who.startswith("erased-")]
    assert balances[pseudonym] == 25

    # The member's links are refused; the member is unknown to the API's routes.
    with pytest.raises(LinkRejected):
        verify_member_link(service, token)
    with pytest.raises(NotFound):
        get_member(service, ANA)
    with pytest.raises(NotFound):
        create_claim(service, ANA, goal.id, "instagram")

    # The host hears of it: member.erased with the keyed reference, never the id.
    with service.db.sessions() as session:
        rows = list(session.scalars(select(WebhookDeliveryRow).order_by(WebhookDeliveryRow.id)))
    event = json.loads(rows[-1].body)
    expected = hmac.new(SECRET.encode(), ANA.encode(), hashlib.sha256).hexdigest()
    assert event["event"] == ERASED_EVENT and event["member_ref"] == expected
    assert member_ref(ANA, SECRET) == expected and rows[-1].ledger_id is None
    assert [row.state for row in rows if json.loads(row.body).get("erased")] == ["cancelled"]
    receiver.failures = 0
    clock.advance(hours=3)
    run(service)
    received = [json.loads(body) for body, _ in receiver.received]
    erased_events = [item for item in received if item.get("event") == ERASED_EVENT]
    assert erased_events == [event]
    body, signature = receiver.received[-1]
    assert verify(body, SECRET, signature)
    # The waiting claim's job ran and did nothing: no check was made for it.
    with service.db.sessions() as session:
        assert session.scalar(select(CheckRow.id).where(CheckRow.claim_id == waiting_id)) is None
        waited = session.get(ClaimRow, waiting_id)
        assert waited is not None and waited.state == "done"

    # Idempotent; a member who never existed is a clear error.
    again = erase_member(service, ANA)
    assert again.already_erased and again.erased_at == erased.erased_at
    assert erasure_plan(service, ANA).already_erased
    with pytest.raises(NotFound, match="no member 'nobody'"):
        erase_member(service, "nobody")
    with service.db.sessions() as session:  # no second event
        bodies = session.scalars(select(WebhookDeliveryRow.body))
        assert sum(json.loads(body)["event"] == ERASED_EVENT for body in bodies) == 1


def test_erase_ends_a_contest_in_favour_of_the_other_member(service: Any) -> None:
    link_account(service, ANA, "instagram", "shared.handle")
    link_account(service, BOB, "instagram", "shared.handle")
    assert get_member(service, BOB).accounts[0].ownership == "contested"
    erase_member(service, ANA)
    assert get_member(service, BOB).accounts[0].ownership == "unverified"
    assert "shared.handle" in _database_dump(service)  # still Bob's


def test_erased_posts_are_never_credited_again(service: Any, replay: Any) -> None:
    """An erased member's posts stay credited (as digests): linking the same handle to
    another member and claiming again pays nothing twice, on a recurring mission."""
    recurring = mission(service, hashtag="summer2025", recurring=True, points=3)
    member(service, ANA, "ana.summer")
    create_claim(service, ANA, recurring.id, "instagram")
    run(service)
    paid = dict(list_balances(service))[ANA]
    assert paid > 0
    totals = {item.mission_id: (item.points, item.credited_posts) for item in summaries(service)}
    erase_member(service, ANA)
    member(service, BOB, "ana.summer")  # the handle is free again
    create_claim(service, BOB, recurring.id, "instagram")
    run(service)
    assert dict(list_balances(service)).get(BOB, 0) == 0
    assert {item.mission_id: (item.points, item.credited_posts)
            for item in summaries(service)} == totals


def test_a_member_created_again_after_an_erasure_can_be_erased_again(service: Any) -> None:
    link_account(service, ANA, "instagram", "ana.summer")
    assert erase_member(service, ANA).erased
    link_account(service, ANA, "instagram", "ana.summer")  # the host re-creates the id
    again = erase_member(service, ANA)
    assert again.erased and not again.already_erased
    with pytest.raises(NotFound):
        get_member(service, ANA)
    assert erase_member(service, ANA).already_erased


def test_an_erased_members_pseudonym_cannot_link_an_account(service: Any) -> None:
    from engine.errors import InvalidInput

    link_account(service, ANA, "instagram", "ana.summer")
    erase_member(service, ANA)
    [pseudonym] = [who for who, _ in list_balances(service) if who.startswith("erased-")]
    with pytest.raises(InvalidInput, match="erased"):
        link_account(service, pseudonym, "instagram", "takeover.h")


# -- retention ----------------------------------------------------------------------------------


def test_retention_clears_old_post_texts_and_keeps_verdicts(make_service: Any, replay: Any,
                                                            clock: Clock) -> None:
    service = make_service(keep_post_text_days=30)
    goal = mission(service)
    member(service, ANA, "ana.summer")
    create_claim(service, ANA, goal.id, "instagram")
    run(service)  # the worker's first pass also ran the retention (nothing old yet)
    with service.db.sessions() as session:
        check_id = session.scalar(select(CheckRow.id))
        verdicts = sorted(session.scalars(select(SeenPostRow.verdict)))
    assert any("text" in post for post in _posts_of(service, check_id))
    ledger_before = get_member(service, ANA).ledger
    clock.advance(days=29, hours=23)
    assert purge_post_texts(service) == 0
    assert _posts_of(service, check_id)
    clock.advance(hours=2)
    assert maybe_purge(service) == 1  # the worker's hourly pass: 30 days have gone by
    with service.db.sessions() as session:
        row = session.get(CheckRow, check_id)
        assert row is not None and row.posts is None
        assert sorted(session.scalars(select(SeenPostRow.verdict))) == verdicts
    assert get_member(service, ANA).ledger == ledger_before
    assert diagnose(service, ANA, goal.id, "en").rewarded
    assert maybe_purge(service) == 0  # within the hour: not again
    assert purge_post_texts(service) == 0  # idempotent
    dump = _database_dump(service)
    for caption in ANA_CAPTIONS:
        assert caption not in dump


@pytest.mark.parametrize("value", [0, -3, "90", True, 1.5, 10**6])
def test_keep_post_text_days_is_validated(value: object) -> None:
    config = Config(raw={"privacy": {"keep_post_text_days": value}})
    with pytest.raises(ConfigurationError, match=r"\[privacy\] keep_post_text_days: .* whole"):
        load_settings(config)


def test_keep_post_text_days_defaults_to_90() -> None:
    assert load_settings(Config()).keep_post_text_days == 90
    config = Config(raw={"privacy": {"keep_post_text_days": 7}})
    assert load_settings(config).keep_post_text_days == 7


# -- property: an erasure moves no other balance -------------------------------------------------


def _seed_awards(service: Any, mission_id: int, awards: list[tuple[int, int]],
                 prefix: str) -> list[str]:
    """Members ``<prefix>-0…3``, each award ``(member index, points)`` a ledger row on its own
    claim and check."""
    members = [f"{prefix}-{index}" for index in range(4)]
    now = service.now()
    with service.db.transaction() as session:
        for who in members:
            session.add(MemberRow(id=who, created_at=now))
        session.flush()
        for number, (index, points) in enumerate(awards):
            claim = ClaimRow(member_id=members[index], mission_id=mission_id,
                             platform="instagram", state="done", created_at=now)
            session.add(claim)
            session.flush()
            check = CheckRow(claim_id=claim.id, kind="first", platform="instagram",
                             handle=f"{members[index]}.handle", status="ok", fetched_at=now,
                             finished_at=now, posts=[{"id": f"p{number}", "text": "caption"}])
            session.add(check)
            session.flush()
            award(session, key=f"mission:{mission_id}:member:{members[index]}:post:{number}",
                  member_id=members[index], mission_id=mission_id, points=points,
                  reason="recurring_post", posts=[f"instagram:p{number}"], check_id=check.id,
                  now=now)
    return members


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(awards=st.lists(st.tuples(st.integers(0, 3), st.integers(-50, 500)), max_size=12),
       victim=st.integers(0, 3))
def test_erasure_leaves_every_other_balance_unchanged(service: Any,
                                                      awards: list[tuple[int, int]],
                                                      victim: int) -> None:
    # One service for every example (hence the health check): fresh member ids each time.
    goal = mission(service)
    members = _seed_awards(service, goal.id, awards, f"m{uuid.uuid4().hex[:8]}")
    before = dict(list_balances(service))
    totals = {item.mission_id: item.points for item in summaries(service)}
    erase_member(service, members[victim])
    after = dict(list_balances(service))
    assert members[victim] not in after
    for who, balance in before.items():
        if who != members[victim]:
            assert after[who] == balance
    assert sum(after.values()) == sum(before.values())
    assert {item.mission_id: item.points for item in summaries(service)} == totals
    assert members[victim] not in _database_dump(service)


# -- the command line ---------------------------------------------------------------------------


def test_cli_export_erase_and_purge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from engine.cli import main

    from .conftest import ACCOUNTS

    config = tmp_path / "social-missions.toml"
    config.write_text('[database]\nurl = "sqlite:///missions.sqlite3"\n'
                      '[queue]\nurl = "sqlite:///queue.sqlite3"\nworkers = 1\n'
                      '[privacy]\nkeep_post_text_days = 30\n', encoding="utf-8")

    def sm(*argv: str) -> tuple[int, str, str]:
        status = main([*argv[:2], "--config", str(config), *argv[2:]])
        out, err = capsys.readouterr()
        return status, out, err

    assert sm("action", "add", "--platform", "instagram", "--hashtag", "summer2025")[0] == 0
    assert sm("mission", "add", "--title", "Été", "--action", "1", "--posts", "3", "--points",
              "100", "--start", "2025-06-01", "--end", "2025-07-01", "--publish")[0] == 0
    assert sm("member", "link", ANA, "instagram", "ana.summer")[0] == 0
    assert sm("claim", ANA, "1", "instagram", "--cassette", str(ACCOUNTS))[0] == 0
    assert sm("worker", "--once", "--cassette", str(ACCOUNTS))[0] == 0

    status, out, _ = sm("member", "export", ANA, "--json")
    assert status == 0 and json.loads(out)["accounts"][0]["handle"] == "ana.summer"
    status, out, _ = sm("member", "export", ANA)
    assert status == 0 and "@ana.summer" in out and "1 claim(s)" in out
    assert "ledger row(s)" in out and not out.lstrip().startswith("{")

    status, out, err = sm("member", "erase", ANA)  # no --yes: refused, says what would go
    assert status == 2 and err.count("\n") == 1 and "--yes" in err
    assert "1 linked handle(s)" in err and "1 claim(s)" in err and "1 ledger row(s)" in err
    assert sm("member", "show", ANA)[0] == 0  # nothing changed
    status, out, _ = sm("member", "erase", ANA, "--yes")
    assert status == 0 and "erased" in out
    status, out, _ = sm("member", "erase", ANA, "--yes")
    assert status == 0 and "already erased" in out
    status, _, err = sm("member", "erase", "nobody", "--yes")
    assert status == 2 and "no member 'nobody'" in err and err.count("\n") == 1
    status, _, err = sm("member", "show", ANA)
    assert status == 2 and "no member" in err

    status, out, _ = sm("privacy", "purge", "--json")
    assert status == 0 and json.loads(out) == {"cleared_checks": 0, "days": 30}
    status, _, err = sm("privacy", "purge", "--days", "0")
    assert status == 2 and "whole number from 1 to 36600" in err
