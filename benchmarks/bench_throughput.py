"""Claims per second of the missions service, against a local HTTP server playing Instagram.

Run: ``python -m benchmarks.bench_throughput [--claims 300] [--latency 0.1] [--threads 8]
[--processes 2] [--setups embedded,postgres]``.

A server on 127.0.0.1 answers ``web_profile_info`` with the body recorded in
``cassettes/service/accounts.yaml`` (the handle rewritten per member) after ``--latency``
seconds; ``[platforms.instagram.web] base_url`` points the web backend at it. N members each
claim a recurring mission once (claims are created first), then the workers process the queue
until nothing is due. Printed per set-up: claims per second (processing), HTTP requests per
claim, CPU time per claim (all worker processes), peak memory (largest process).

Set-ups: ``embedded`` (SQLite database, SQLite huey queue, one worker process with
``--threads`` threads) and ``postgres`` (PostgreSQL on 127.0.0.1:5432 database ``test``, Redis
on 127.0.0.1:6379, ``--processes`` worker processes with ``--threads`` threads each), skipped
with a reason when the servers do not answer. Bounded: at most 5,000 claims, 300 s per run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml
from sqlalchemy import func, select

from engine.cache import MemoryCache
from engine.config import config_from_mapping
from engine.core import Engine
from engine.queue import build_huey
from engine.service.actions import add_action
from engine.service.claims import create_claim
from engine.service.context import Service
from engine.service.members import link_account
from engine.service.missions import add_mission
from engine.service.runtime import attach_queue, work
from engine.service.settings import load_settings
from engine.storage.database import open_database
from engine.storage.migrate import upgrade
from engine.storage.models import CheckRow, ClaimRow

ROOT = Path(__file__).resolve().parents[1]
CASSETTE = ROOT / "cassettes" / "service" / "accounts.yaml"
MAX_CLAIMS = 5000
TIME_LIMIT = 300.0


def profile_body() -> str:
    document = yaml.safe_load(CASSETTE.read_text(encoding="utf-8"))
    for interaction in document["interactions"]:
        if "username=ana.summer" in interaction["request"]["uri"]:
            return str(interaction["response"]["body"]["string"])
    raise SystemExit(f"{CASSETTE}: no answer for ana.summer")


class PlatformServer:
    """Instagram's web_profile_info on 127.0.0.1, with a fixed latency per answer."""

    def __init__(self, latency: float) -> None:
        body = profile_body()
        self.requests = 0
        lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                with lock:
                    server.requests += 1
                handle = parse_qs(urlsplit(self.path).query).get("username", ["x"])[0]
                time.sleep(latency)
                payload = body.replace("ana.summer", handle).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json; charset=utf-8")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.daemon_threads = True
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()


@dataclass
class Setup:
    name: str
    database_url: str
    queue_url: str
    queue_name: str
    processes: int
    threads: int


def _service(setup: Setup, base_url: str) -> Service:
    config = config_from_mapping({"platforms": {"instagram": {"web": {"base_url": base_url}}}})
    settings = load_settings(config, database_url=setup.database_url,
                             queue_url=setup.queue_url, workers=setup.threads,
                             recheck_delays=(), poll_interval=0.2)
    service = Service(open_database(settings.database_url), settings, config=config,
                      engine=Engine(config, cache=MemoryCache()))
    attach_queue(service, name=setup.queue_name)
    return service


def _worker(setup: Setup, base_url: str, results: Any) -> None:
    service = _service(setup, base_url)
    work(service, once=True, threads=setup.threads)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    results.put((usage.ru_utime + usage.ru_stime, usage.ru_maxrss))
    service.close()


def run_setup(setup: Setup, claims: int, server: PlatformServer) -> dict[str, Any]:
    service = _service(setup, server.url)
    upgrade(service.db)
    action = add_action(service, "instagram", "summer2025")
    mission = add_mission(service, title="Bench", action_ids=[action.id], points=1,
                          recurring=True, start=None, end=None, publish=True)
    started = time.perf_counter()
    for index in range(claims):
        member = f"m{index}"
        link_account(service, member, "instagram", f"bench.user{index}")
        create_claim(service, member, mission.id, "instagram")
    claiming = time.perf_counter() - started
    requests_before = server.requests
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=_worker, args=(setup, server.url, results))
               for _ in range(setup.processes)]
    started = time.perf_counter()
    for process in workers:
        process.start()
    for process in workers:
        process.join(TIME_LIMIT)
        if process.is_alive():
            process.kill()
    elapsed = time.perf_counter() - started
    usages = [results.get(timeout=10) for _ in workers]
    with service.db.sessions() as session:
        done = session.scalar(select(func.count(ClaimRow.id)).where(ClaimRow.state == "done"))
        checks = session.scalar(select(func.count(CheckRow.id)))
    service.close()
    cpu = sum(u[0] for u in usages)
    return {
        "setup": setup.name, "claims": claims, "done": int(done or 0), "checks": int(checks or 0),
        "processes": setup.processes, "threads": setup.threads,
        "claims_per_second": round(claims / elapsed, 1),
        "claim_creation_per_second": round(claims / claiming, 1),
        "requests_per_claim": round((server.requests - requests_before) / claims, 2),
        "cpu_ms_per_claim": round(cpu * 1000 / claims, 1),
        "peak_memory_mb": round(max(u[1] for u in usages) / 1024, 1),
        "seconds": round(elapsed, 2),
    }


def postgres_setup(args: argparse.Namespace) -> tuple[Setup | None, str, Any]:
    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    for base in ("postgresql+psycopg://postgres@127.0.0.1:5432/test",
                 "postgresql+psycopg://root@127.0.0.1:5432/test"):
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
        except Exception:
            admin.dispose()
            continue
        try:
            build_huey("redis://127.0.0.1:6379/14", "probe").storage.conn.ping()
        except Exception as error:
            return None, f"Redis does not answer on 127.0.0.1:6379 ({error})", None

        def cleanup(admin: Any = admin) -> None:
            with admin.connect() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()

        return Setup("postgres+redis", f"{base}?options=-csearch_path%3D{schema}",
                     "redis://127.0.0.1:6379/14", f"bench-{schema}", args.processes,
                     args.threads), "", cleanup
    return None, "PostgreSQL does not answer on 127.0.0.1:5432 (database test)", None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, nargs="+", default=[300])
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--setups", default="embedded,postgres")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    server = PlatformServer(args.latency)
    rows: list[dict[str, Any]] = []
    try:
        for claims in args.claims:
            claims = min(claims, MAX_CLAIMS)
            if "embedded" in args.setups:
                with tempfile.TemporaryDirectory() as folder:
                    setup = Setup("embedded", f"sqlite:///{folder}/missions.sqlite3",
                                  f"sqlite:///{folder}/queue.sqlite3", "bench", 1, args.threads)
                    rows.append(run_setup(setup, claims, server))
            if "postgres" in args.setups:
                pg, reason, cleanup = postgres_setup(args)
                if pg is None:
                    rows.append({"setup": "postgres+redis", "skipped": reason})
                    continue
                try:
                    rows.append(run_setup(pg, claims, server))
                finally:
                    build_huey(pg.queue_url, pg.queue_name).flush()
                    cleanup()
    finally:
        server.close()
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"latency {args.latency * 1000:.0f} ms per answer")
    for row in rows:
        if "skipped" in row:
            print(f"{row['setup']:<15} skipped: {row['skipped']}")
            continue
        print(f"{row['setup']:<15} {row['processes']}×{row['threads']} workers  "
              f"{row['claims']:>5} claims ({row['done']} done)  "
              f"{row['claims_per_second']:>6} claims/s  "
              f"{row['requests_per_claim']} req/claim  {row['cpu_ms_per_claim']} ms CPU/claim  "
              f"peak {row['peak_memory_mb']} MB  (claims created at "
              f"{row['claim_creation_per_second']}/s)")


if __name__ == "__main__":
    main()
