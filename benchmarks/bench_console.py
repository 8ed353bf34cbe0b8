"""Milliseconds per console report page on a SQLite database with 100,000 verdict rows.

Run: ``python -m benchmarks.bench_console [--rows 100000] [--repeat 5] [--zone Europe/Paris]``.

:func:`fill` writes the rows with bulk inserts (3 missions on three platforms, 2,000 members,
one check per claim, ten posts seen per check, about one in ten credited with its ledger row,
claims spread over 60 days); the schema comes from the migrations, indexes included. Then the
app (FastAPI's TestClient, in this process, signed in as an admin) answers each page
``--repeat`` times; printed per page: the median milliseconds, the milliseconds of the same
page's SQL run directly on a raw ``sqlite3`` connection (the statements the page sent,
captured while it answered), and their ratio. The CSV export of the whole set and of a
filtered set is timed too (streamed; milliseconds and rows). The target is under 300 ms per
page (issue 11).
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select

from engine.cache import MemoryCache
from engine.config import Config
from engine.core import Engine
from engine.service.context import Service
from engine.service.report import REJECTIONS
from engine.service.settings import load_settings
from engine.storage.database import open_database
from engine.storage.migrate import upgrade
from engine.storage.models import (
    ActionRow,
    CheckRow,
    ClaimRow,
    CreditRow,
    LedgerRow,
    MemberRow,
    MissionActionRow,
    MissionRow,
    SeenPostRow,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
PLATFORMS = ("instagram", "youtube", "tiktok")
POSTS_PER_CHECK = 10
BATCH = 10_000


def fill(service: Service, rows: int, *, members: int = 2000, days: int = 60,
         seed: int = 7) -> dict[str, int]:
    """Write ``rows`` verdict rows (posts seen) with their claims, checks, credits and ledger
    rows, by bulk inserts; returns how many rows of each table were written."""
    rng = random.Random(seed)
    checks_count = max(1, rows // POSTS_PER_CHECK)
    written: dict[str, int] = {}
    with service.db.transaction() as session:
        # Ids follow whatever the database already holds (a test's world, say).
        first = {table: int(session.scalar(select(func.max(table.id))) or 0) for table in (
            ActionRow, MissionRow, ClaimRow, CheckRow, SeenPostRow)}
        action_ids = [first[ActionRow] + i + 1 for i in range(len(PLATFORMS))]
        mission_ids = [first[MissionRow] + i + 1 for i in range(3)]
        session.execute(insert(ActionRow), [
            {"id": action_ids[i], "platform": p, "hashtag": f"bench{p}", "created_at": NOW}
            for i, p in enumerate(PLATFORMS)])
        session.execute(insert(MissionRow), [
            {"id": mission_ids[i], "title": title, "description": "", "label": "Go", "goal_kind": "recurring",
             "points": 10, "start_at": NOW - timedelta(days=days + 1), "end_at": None,
             "status": "published", "created_at": NOW - timedelta(days=days + 1)}
            for i, title in enumerate(("Été 2026", "Carnet de voyage", "Recettes d'hiver"))])
        session.execute(insert(MissionActionRow), [
            {"mission_id": m, "action_id": a, "platform": PLATFORMS[i]}
            for m in mission_ids for i, a in enumerate(action_ids)])
        session.execute(insert(MemberRow), [
            {"id": f"member-{i:05d}", "created_at": NOW - timedelta(days=days + 1)}
            for i in range(members)])
        claims, checks, seen, credits, ledger = [], [], [], [], []
        seen_id = first[SeenPostRow]
        for claim_id in range(first[ClaimRow] + 1, first[ClaimRow] + checks_count + 1):
            check_id = claim_id - first[ClaimRow] + first[CheckRow]
            member = f"member-{rng.randrange(members):05d}"
            mission = rng.choice((mission_ids[0], *mission_ids))
            platform = rng.choice(PLATFORMS)
            created = NOW - timedelta(seconds=rng.randrange(days * 86400))
            unavailable = rng.random() < 0.01
            claims.append({
                "id": claim_id, "member_id": member, "mission_id": mission, "platform": platform,
                "state": "unavailable" if unavailable else "done", "created_at": created,
                "counted": 0, "failures": 0, "rechecks_done": 0, "last_detail": "",
                "last_status": "unavailable" if unavailable else "ok",
                "last_cause": "network" if unavailable else None,
                "finished_at": created + timedelta(seconds=30)})
            finished = created + timedelta(seconds=30)
            checks.append({
                "id": check_id, "claim_id": claim_id, "kind": "first", "platform": platform,
                "handle": f"h{member[-5:]}", "status": "ok", "backend": "web", "requests": 1,
                "seconds": 0.4, "detail": "", "attempts": [], "posts": [],
                "fetched_at": finished, "finished_at": finished})
            for index in range(POSTS_PER_CHECK):
                seen_id += 1
                counted = rng.random() < 0.1
                verdict = "counted" if counted else rng.choice(REJECTIONS)
                post_id = f"P{claim_id}x{index}"
                published = finished - timedelta(hours=index * 7 + 1)
                seen.append({
                    "id": seen_id, "check_id": check_id, "mission_id": mission,
                    "member_id": member, "platform": platform, "post_id": post_id,
                    "url": f"https://example.test/{platform}/{post_id}/",
                    "published_at": published, "kind": "post", "hashtags": ["bench", "summer"],
                    "pinned": False, "verdict": verdict,
                    "detail": "#bench found" if counted else f"{verdict} (benchmark row)",
                    "failures": [] if counted else [verdict], "points": 10 if counted else 0})
                if counted:
                    key = f"{mission}:{platform}:{post_id}"
                    credits.append({
                        "mission_id": mission, "member_id": member, "platform": platform,
                        "post_id": post_id, "published_at": published, "check_id": check_id,
                        "created_at": finished, "active_key": key, "handle": None})
                    ledger.append({
                        "member_id": member, "mission_id": mission, "points": 10,
                        "reason": "recurring_post", "posts": [f"{platform}:{post_id}"],
                        "check_id": check_id, "idempotency_key": "bench:" + key,
                        "created_at": finished})
        for table, values in ((ClaimRow, claims), (CheckRow, checks), (SeenPostRow, seen),
                              (CreditRow, credits), (LedgerRow, ledger)):
            for start in range(0, len(values), BATCH):
                session.execute(insert(table), values[start:start + BATCH])
            written[table.__tablename__] = len(values)
    return written


def filled_service(folder: Path, rows: int, **overrides: Any) -> Service:
    """A service on ``folder/bench.sqlite3`` (migrated) holding ``rows`` verdict rows written
    by :func:`fill`, analysed for the query planner; prints how long the filling took.
    ``overrides`` go to the settings (``timezone=…``)."""
    path = folder / "bench.sqlite3"
    settings = load_settings(Config(), database_url=f"sqlite:///{path}",
                             queue_url=f"sqlite:///{folder / 'queue.sqlite3'}", **overrides)
    database = open_database(settings.database_url)
    upgrade(database)
    service = Service(database, settings, engine=Engine(Config(), replaying=True,
                                                        cache=MemoryCache()),
                      clock=lambda: NOW)
    start = time.perf_counter()
    written = fill(service, rows)
    print(f"filled in {time.perf_counter() - start:.1f} s: "
          + ", ".join(f"{name} {count:,}" for name, count in written.items()))
    with database.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    return service


@contextmanager
def captured(service: Service) -> Iterator[list[tuple[str, Any]]]:
    """The SQL statements (and parameters) the service sends while the block runs."""
    statements: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
             executemany: bool) -> None:
        statements.append((statement, parameters))

    event.listen(service.db.engine, "before_cursor_execute", keep)
    try:
        yield statements
    finally:
        event.remove(service.db.engine, "before_cursor_execute", keep)


def raw_sql_ms(path: Path, statements: list[tuple[str, Any]], repeat: int) -> float:
    """Median milliseconds of ``statements`` run directly with ``sqlite3`` (all rows fetched)."""
    connection = sqlite3.connect(path)
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        for statement, parameters in statements:
            connection.execute(statement, parameters).fetchall()
        timings.append((time.perf_counter() - start) * 1000)
    connection.close()
    return statistics.median(timings)


PAGES = (
    ("first page", "/admin"),
    ("first page, English", "/admin?lang=en"),
    ("platform=youtube", "/admin?platform=youtube"),
    ("verdict=counted", "/admin?verdict=counted"),
    ("mission + period", "/admin?mission=1&since={since}&until={until}"),
    ("one member", "/admin?member=member-00042"),
    ("page 500 of 1000", "/admin?page=500"),
    ("last page", "/admin?page=1000000"),
)


def main(argv: list[str] | None = None) -> int:
    """Fill a database, time the report's pages and CSV exports, print the figures."""
    from fastapi.testclient import TestClient

    from engine.web.app import create_app
    from engine.web.pages.session import COOKIE, log_in
    from engine.web.tokens import create_token

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--zone", default="Europe/Paris")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        service = filled_service(Path(folder), args.rows, timezone=args.zone)
        database = service.db
        _, raw = create_token(service, "admin", "bench")
        cookie = log_in(service, raw)
        assert cookie is not None
        since = (NOW - timedelta(days=20)).date().isoformat()
        until = (NOW - timedelta(days=10)).date().isoformat()
        worst = 0.0
        with TestClient(create_app(service), follow_redirects=False) as client:
            client.cookies.set(COOKIE, cookie, path="/admin")
            print(f"{'page':<22} {'ms (median)':>11} {'raw SQL ms':>10} {'ratio':>6}  rows shown")
            for name, template in PAGES:
                url = template.format(since=since, until=until)
                client.get(url)  # warm the templates and the page cache
                timings = []
                for _ in range(args.repeat):
                    begin = time.perf_counter()
                    answer = client.get(url)
                    timings.append((time.perf_counter() - begin) * 1000)
                    assert answer.status_code == 200, (url, answer.status_code)
                with captured(service) as statements:
                    client.get(url)
                page_sql = [(s, p) for s, p in statements if s.lstrip().upper().startswith(
                    "SELECT")]
                raw_ms = raw_sql_ms(path, page_sql, args.repeat)
                ms = statistics.median(timings)
                worst = max(worst, ms)
                shown = len(re.findall(r'data-verdict="', answer.text))
                print(f"{name:<22} {ms:>11.1f} {raw_ms:>10.1f} {ms / raw_ms:>6.2f}  {shown}")
            for name, url in (("CSV, whole set", "/admin/report.csv"),
                              ("CSV, youtube+counted",
                               "/admin/report.csv?platform=youtube&verdict=counted")):
                begin = time.perf_counter()
                lines = 0
                with client.stream("GET", url) as answer:
                    for chunk in answer.iter_lines():
                        lines += bool(chunk)
                ms = (time.perf_counter() - begin) * 1000
                print(f"{name:<22} {ms:>11.1f} ms for {lines - 1:,} rows "
                      f"({ms / max(lines - 1, 1) * 1000:.1f} µs per row)")
        print(f"slowest page: {worst:.1f} ms (target: under 300 ms)")
        service.engine.close()
        database.dispose()
    return 0 if worst < 300 else 1


if __name__ == "__main__":
    raise SystemExit(main())
