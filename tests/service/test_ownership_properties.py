"""R8 and R11 for every sequence: whatever members link, contest, prove and claim, the ledger
pays each member exactly for the posts that count for them, and no post is paid to two members.

Each example runs the real service (SQLite, the embedded queue) and the real engine and
Instagram parser; the platform's answers are built with the cassette builder's ``profile`` and
served in-process, the bio saying whatever code a member last put there.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from engine.cache import MemoryCache
from engine.config import Config
from engine.core import Engine
from engine.errors import InvalidInput
from engine.service.claims import create_claim
from engine.service.context import Service
from engine.service.members import get_member, link_account, unlink_account
from engine.service.ownership import mark_verified, verification_code
from engine.service.runtime import attach_queue, work
from engine.service.settings import load_settings
from engine.storage.database import open_database
from engine.storage.migrate import upgrade
from engine.storage.models import CreditRow, LedgerRow, LinkedAccountRow
from scripts.cassettes.build_instagram import node, profile

from .conftest import Clock
from .helpers import mission

MEMBERS = ("ana", "bob", "cid")
HANDLES = ("h.one", "h.two")
POINTS = 10
NOW = 1_750_000_000  # 2025-06-15T15:06:40Z: the posts are in the June window
DAY = 86_400
POSTS = {handle: [node(f"{handle[2:].title()}Post{i}", "GraphImage", NOW - i * DAY,
                       f"Post {i} #summer2025") for i in range(1, 4)]
         for handle in HANDLES}

ACTIONS = st.one_of(
    st.tuples(st.just("link"), st.sampled_from(MEMBERS), st.sampled_from(HANDLES)),
    st.tuples(st.just("prove"), st.sampled_from(MEMBERS)),
    st.tuples(st.just("claim"), st.sampled_from(MEMBERS)),
    st.tuples(st.just("unlink"), st.sampled_from(MEMBERS)),
    st.tuples(st.just("admin"), st.sampled_from(MEMBERS)),
)


class World:
    """The platform as the members leave it: each handle's bio."""

    def __init__(self) -> None:
        self.bio: dict[str, str] = dict.fromkeys(HANDLES, "")

    def answer(self, request: httpx.Request) -> httpx.Response:
        handle = request.url.params["username"]
        return httpx.Response(200, json=profile(handle, POSTS[handle],
                                                biography=self.bio[handle]))


def open_service(folder: Path, world: World, clock: Clock, policy: str) -> Service:
    config = load_settings(Config(), database_url=f"sqlite:///{folder / 'm.sqlite3'}",
                           queue_url=f"sqlite:///{folder / 'q.sqlite3'}", ownership=policy)
    database = open_database(config.database_url)
    upgrade(database)
    engine = Engine(Config(), replaying=True, cache=MemoryCache(),
                    transport=httpx.MockTransport(world.answer))
    service = Service(database, config, engine=engine, clock=clock)
    attach_queue(service, name="properties")
    return service


def step(service: Service, world: World, clock: Clock, mission_id: int,
         action: tuple[Any, ...]) -> None:
    kind, member_id = action[0], action[1]
    try:
        if kind == "link":
            link_account(service, member_id, "instagram", action[2])
        elif kind == "prove":
            account = verification_code(service, member_id, "instagram")
            world.bio[account.handle] = f"Hello! {account.verification_code}"
        elif kind == "claim":
            create_claim(service, member_id, mission_id, "instagram")
        elif kind == "unlink":
            unlink_account(service, member_id, "instagram")
        else:
            mark_verified(service, member_id, "instagram", "checked by the admins")
    except InvalidInput:
        pass  # refused (no link, cooldown, a proved handle): nothing changes
    clock.advance(hours=25)  # past the cooldown; re-checks become due
    work(service, once=True, threads=1)


def check_invariants(service: Service) -> None:
    with service.db.sessions() as session:
        ledger = list(session.scalars(select(LedgerRow)))
        live = list(session.scalars(select(CreditRow).where(CreditRow.revoked_at.is_(None))))
        links = list(session.scalars(select(LinkedAccountRow)))
    # The ledger pays each member exactly for the posts that count for them now.
    balance: dict[str, int] = defaultdict(int)
    for row in ledger:
        balance[row.member_id] += row.points
    counted: dict[str, int] = defaultdict(int)
    for credit in live:
        counted[credit.member_id] += 1
    for member_id in MEMBERS:
        assert balance[member_id] == POINTS * counted[member_id], (member_id, balance, counted)
    # No post is paid to two members: net pay per post is POINTS for one member at most.
    net: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in ledger:
        for post in row.posts:
            net[post][row.member_id] += row.points
    for post, paid in net.items():
        assert sum(1 for total in paid.values() if total > 0) <= 1, (post, dict(paid))
        assert all(total in (0, POINTS) for total in paid.values()), (post, dict(paid))
    # A handle proved by one member credits nobody else.
    verified = {(link.platform, link.handle): link.member_id for link in links
                if link.verified_at is not None}
    for credit in live:
        owner = verified.get((credit.platform, credit.handle or ""))
        assert owner in (None, credit.member_id), (credit.post_id, credit.member_id, owner)
    # A verified handle has one link; every reversal reverses one award of the same member.
    for key in verified:
        assert sum(1 for link in links if (link.platform, link.handle) == key) == 1
    awards = {row.id: row for row in ledger}
    for row in ledger:
        if row.reverses_id is not None:
            original = awards[row.reverses_id]
            assert (row.member_id, row.points) == (original.member_id, -original.points)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy=st.sampled_from(["on_conflict", "always"]),
       actions=st.lists(ACTIONS, min_size=1, max_size=12))
def test_ledger_pays_the_proved_posts_and_no_post_twice(policy: str,
                                                        actions: list[tuple[Any, ...]]) -> None:
    world = World()
    clock = Clock(datetime(2025, 6, 16, 9, 0, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as folder:
        service = open_service(Path(folder), world, clock, policy)
        try:
            goal = mission(service, recurring=True, points=POINTS,
                           end=datetime(2025, 6, 16, tzinfo=UTC) + timedelta(days=30))
            for action in actions:
                step(service, world, clock, goal.id, action)
                check_invariants(service)
            for member_id in MEMBERS:  # the balance the API shows is the ledger's sum
                try:
                    shown = get_member(service, member_id).balance
                except InvalidInput:
                    continue
                with service.db.sessions() as session:
                    total = sum(session.scalars(select(LedgerRow.points).where(
                        LedgerRow.member_id == member_id)))
                assert shown == total
        finally:
            service.engine.close()
            service.close()
