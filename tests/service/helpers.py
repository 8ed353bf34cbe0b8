"""Small builders shared by the service tests."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from sqlalchemy import func, select

from engine.models import Post
from engine.service.actions import add_action
from engine.service.context import Service
from engine.service.counting import CountOutcome, count_posts
from engine.service.members import link_account
from engine.service.missions import add_mission
from engine.service.records import Mission
from engine.service.runtime import work
from engine.service.webhooks import SIGNATURE_HEADER
from engine.storage.models import CheckRow, ClaimRow, LedgerRow, MemberRow, MissionRow

JUNE: dict[str, datetime | None] = {"start": datetime(2025, 6, 1, tzinfo=UTC),
                                    "end": datetime(2025, 7, 1, tzinfo=UTC)}


def mission(service: Service, *, hashtag: str = "summer2025", points: int = 10,
            **options: Any) -> Mission:
    action = add_action(service, "instagram", hashtag)
    chosen: dict[str, datetime | None] = {k: options.pop(k) for k in ("start", "end")
                                          if k in options}
    window = {**JUNE, **chosen}
    if "goal_posts" not in options and not options.get("recurring"):
        options["goal_posts"] = 3
    return add_mission(service, title="Été", action_ids=[action.id], points=points,
                       publish=True, start=window["start"], end=window["end"],
                       **options)


def member(service: Service, member_id: str = "ana", handle: str = "ana.summer") -> str:
    link_account(service, member_id, "instagram", handle)
    return member_id


def count_in_fresh_check(service: Service, mission_id: int, hashtag: str, posts: list[Post],
                         now: datetime, member_id: str = "zoe") -> CountOutcome:
    """:func:`count_posts` of ``posts`` for the mission in a new claim and check of
    ``member_id`` (created when missing), in one transaction, as a worker's check would."""
    with service.db.transaction() as session:
        if session.get(MemberRow, member_id) is None:
            session.add(MemberRow(id=member_id, created_at=now))
            session.flush()
        claim = ClaimRow(member_id=member_id, mission_id=mission_id, platform="instagram",
                         created_at=now)
        session.add(claim)
        session.flush()
        check = CheckRow(claim_id=claim.id, kind="first", platform="instagram", handle=member_id,
                         status="ok", fetched_at=now, finished_at=now)
        session.add(check)
        session.flush()
        row = session.get(MissionRow, mission_id)
        assert row is not None
        return count_posts(service, session, mission=row, hashtag=hashtag, member_id=member_id,
                           posts=posts, check_id=check.id, now=now)


def run(service: Service) -> None:
    """Process everything due now (jobs and sweep), like ``worker --once``."""
    work(service, once=True, threads=1)


def ledger_rows(service: Service) -> list[tuple[str, int, int, str]]:
    with service.db.sessions() as session:
        return [(r.member_id, r.mission_id, r.points, r.idempotency_key)
                for r in session.scalars(select(LedgerRow).order_by(LedgerRow.id))]


def check_count(service: Service) -> int:
    with service.db.sessions() as session:
        return int(session.scalar(select(func.count(CheckRow.id))) or 0)


def requests_made(service: Service) -> int:
    with service.db.sessions() as session:
        return int(session.scalar(select(func.coalesce(func.sum(CheckRow.requests), 0))) or 0)


class Receiver:
    """A host platform on 127.0.0.1 that fails its first ``failures`` answers."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.received: list[tuple[bytes, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.received.append((body, self.headers[SIGNATURE_HEADER]))
                code = 500 if len(receiver.received) <= receiver.failures else 204
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
