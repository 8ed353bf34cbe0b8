"""Claims per second of the missions service, against a local HTTP server playing Instagram.

Run: ``python -m benchmarks.bench_throughput [--claims 300] [--latency 0.1] [--threads 8]
[--processes 2] [--setups embedded,postgres] [--repeat 5] [--profile PATH]``.

A server on 127.0.0.1 answers ``web_profile_info`` with the body recorded in
``cassettes/service/accounts.yaml`` (the handle rewritten per member) after ``--latency``
seconds; ``[platforms.instagram.web] base_url`` points the web backend at it. N members each
claim a recurring mission once (claims are created first), then the workers process the queue
until nothing is due. Printed per set-up: claims per second (processing), HTTP requests per
claim, CPU time (also as a multiple of :func:`reference_ms`, a fixed workload timed in the
parent before and after the run: machine speed moves it less), SQL statements (BEGIN and COMMIT
not counted, on either database) and transactions (commits) per claim (all worker processes),
peak memory (largest process), the share of the thread ceiling reached (processes × threads /
latency: what the threads would allow if a claim cost nothing but the platform's answer), and a
worker process's start-up CPU. The clock, the CPU, statements and transactions per claim count
from the moment every worker process has started (built its service and opened its connections)
to the last claim's verdict; the CPU until the workers exit (``--once`` noticing that nothing
is left) is printed apart;
then the claim-to-verdict latency (p50, p99) of claims arriving one by one at half the
measured rate while the workers run. Every member's posts have their own ids, so claims credit posts.

Set-ups: ``embedded`` (SQLite database, SQLite huey queue, one worker process with
``--threads`` threads) and ``postgres`` (PostgreSQL on 127.0.0.1:5432 database ``test``, Redis
on 127.0.0.1:6379, the same ``--threads`` spread over ``--processes`` worker processes, as
``[queue] processes = "auto"`` does on a machine with that many cores; default 2 × 4), skipped
with a reason when the servers do not answer. Both set-ups have the same thread ceiling. One
process's threads share one core (CPython's GIL): ``--processes 1`` shows what that costs.
Bounded: at most 5,000 claims, 300 s per run.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import multiprocessing
import os
import pstats
import re
import resource
import statistics
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
from sqlalchemy import event, func, select

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
from engine.storage.models import CheckRow, ClaimRow, CreditRow

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


POST_KEYS = re.compile(r'("(?:id|shortcode)"\s*:\s*")([^"]+)"')


def distinct_posts(body: str, handle: str) -> str:
    """The recorded answer as ``handle``'s: the handle replaced and every post id and
    shortcode made the member's own, so each member's matching posts credit (a claim costs
    what a real one does, not a no-op after the first member)."""
    suffix = "x" + "".join(ch for ch in handle if ch.isalnum())
    return POST_KEYS.sub(lambda m: f'{m.group(1)}{m.group(2)}{suffix}"',
                         body.replace("ana.summer", handle))


def reference_ms(body: str, rounds: int = 7) -> float:
    """CPU milliseconds of a fixed pure-Python workload (the recorded answer parsed by
    ``json.loads`` 20 times and a 200,000-step loop), the fastest of ``rounds``: this machine's
    speed at the moment of the run. Dividing a claim's CPU by it gives a figure that machine
    speed moves less (on this 2-core VM the same workload varies by ±25% between minutes)."""
    best = float("inf")
    for _ in range(rounds):
        started = time.thread_time()
        for _ in range(20):
            json.loads(body)
        total = 0
        for step in range(200_000):
            total += step
        best = min(best, time.thread_time() - started)
    return best * 1000


class PlatformServer:
    """Instagram's web_profile_info on 127.0.0.1, with a fixed latency per answer."""

    def __init__(self, latency: float) -> None:
        body = profile_body()
        self.body = body
        self.requests = 0
        lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body are two writes: with Nagle on, the body waits for the
            # client's delayed ACK (40 ms on Linux), which no real platform adds.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # noqa: N802
                with lock:
                    server.requests += 1
                handle = parse_qs(urlsplit(self.path).query).get("username", ["x"])[0]
                time.sleep(latency)
                payload = distinct_posts(body, handle).encode()
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
    profile: str | None = None  # a file for the cProfile statistics of one throughput worker


def _service(setup: Setup, base_url: str) -> Service:
    # As an operator's file would say: with a Redis queue, the platform budgets and pauses
    # live in Redis too (one look per check), not in a local file.
    config = config_from_mapping({"platforms": {"instagram": {"web": {"base_url": base_url}}},
                                  "database": {"url": setup.database_url},
                                  "queue": {"url": setup.queue_url}})
    settings = load_settings(config, database_url=setup.database_url,
                             queue_url=setup.queue_url, workers=setup.threads,
                             recheck_delays=(), poll_interval=0.2)
    service = Service(open_database(settings.database_url), settings, config=config,
                      engine=Engine(config, cache=MemoryCache()))
    attach_queue(service, name=setup.queue_name)
    return service


def _worker(setup: Setup, base_url: str, results: Any, stop: Any = None,
            ready: Any = None, go: Any = None, last_verdict: Any = None) -> None:
    """One worker process: until nothing is due (or until ``stop`` is set), then its CPU
    seconds, peak memory (KB), SQL statements, transactions (commits), start-up CPU seconds
    and CPU seconds until its exit go to ``results``.

    With ``ready``, ``go`` and ``last_verdict`` (the throughput run), the process builds its
    service (the configuration, the engine, its connections), counts itself ``ready`` and
    waits for ``go`` (set once every worker is ready); the figures per claim are counted
    from ``go`` to ``last_verdict`` (set by the parent once every claim has its verdict): the
    start-up is reported apart (a process starts once, not once per claim), and so is what
    ``worker --once`` spends after the last verdict noticing that nothing is left (its idle
    threads look again every 20 ms until all are idle)."""
    started = _cpu_seconds()
    service = _service(setup, base_url)
    counts = {"statements": 0, "commits": 0}

    def statement(*_: Any) -> None:
        counts["statements"] += 1

    def commit(*_: Any) -> None:
        counts["commits"] += 1

    event.listen(service.db.engine, "before_cursor_execute", statement)
    event.listen(service.db.engine, "commit", commit)
    at_last_verdict: dict[str, Any] = {}
    # What work() does first, done here so that it counts in the start-up (once per process).
    service.engine.warm_up()
    if ready is not None and go is not None:
        ready.release()
        go.wait()
    start_up = _cpu_seconds() - started
    if last_verdict is not None:
        def mark() -> None:
            last_verdict.wait()
            at_last_verdict.update(cpu=_cpu_seconds(), **counts)

        threading.Thread(target=mark, daemon=True).start()
    profilers = _profile_threads() if setup.profile and stop is None else None
    if stop is None:
        work(service, once=True, threads=setup.threads)
    else:
        work(service, threads=setup.threads, stop=stop)
    if profilers is not None:
        threading.setprofile(None)
        for profiler in profilers:
            profiler.disable()
        pstats.Stats(*profilers).dump_stats(f"{setup.profile}.{setup.name}.{os.getpid()}")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    until_exit = _cpu_seconds() - started - start_up
    if last_verdict is not None:
        last_verdict.wait(30)  # the parent sets it once every claim has its verdict
    window = at_last_verdict or {"cpu": started + start_up + until_exit, **counts}
    results.put((window["cpu"] - started - start_up, usage.ru_maxrss, window["statements"],
                 window["commits"], start_up, until_exit))
    service.close()


def _cpu_seconds() -> float:
    """This process's CPU seconds so far (user and system, all threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _profile_threads() -> list[cProfile.Profile]:
    """A cProfile profiler (timed in each thread's CPU seconds) in this thread and in every
    thread started from now on (the worker's threads); the caller disables them and merges
    their statistics."""
    profilers = [cProfile.Profile(time.thread_time)]

    def start(*_: Any) -> None:
        profiler = cProfile.Profile(time.thread_time)
        profilers.append(profiler)
        profiler.enable()  # replaces this hook in the new thread

    threading.setprofile(start)
    profilers[0].enable()
    return profilers


def latencies(setup: Setup, server: PlatformServer, mission_id: int, claims: int, rate: float,
              first: int) -> dict[str, Any]:
    """Claim-to-verdict seconds (p50, p99) with the workers running and ``claims`` new claims
    arriving at ``rate`` per second (members ``first`` onwards)."""
    service = _service(setup, server.url)
    context = multiprocessing.get_context("fork")
    results, stop = context.Queue(), context.Event()
    workers = [context.Process(target=_worker, args=(setup, server.url, results, stop))
               for _ in range(setup.processes)]
    for process in workers:
        process.start()
    ids = []
    started = time.perf_counter()
    for index in range(first, first + claims):
        link_account(service, f"m{index}", "instagram", f"bench.user{index}")
        ids.append(create_claim(service, f"m{index}", mission_id, "instagram").claim_id)
        time.sleep(max(0.0, started + (index - first + 1) / rate - time.perf_counter()))
    deadline = time.perf_counter() + TIME_LIMIT
    seconds: list[float] = []
    while time.perf_counter() < deadline:
        with service.db.sessions() as session:
            rows = session.execute(select(ClaimRow.created_at, ClaimRow.finished_at).where(
                ClaimRow.id.in_(ids), ClaimRow.finished_at.is_not(None))).all()
        if len(rows) == len(ids):
            seconds = sorted((done - made).total_seconds() for made, done in rows if done)
            break
        time.sleep(0.2)
    stop.set()
    for process in workers:
        process.join(30)
    service.close()
    if not seconds:
        return {"latency": "not every claim was checked in time"}
    return {"latency_rate": round(rate, 1),
            "latency_p50_ms": round(statistics.median(seconds) * 1000),
            "latency_p99_ms": round(seconds[min(len(seconds) - 1,
                                                int(len(seconds) * 0.99))] * 1000)}


def _until_every_verdict(service: Service, claims: int, started: float) -> float:
    """Seconds from ``started`` (``time.perf_counter``) until ``claims`` claims are done (the
    database is looked at every 20 ms), at most :data:`TIME_LIMIT`."""
    query = select(func.count(ClaimRow.id)).where(ClaimRow.state == "done")
    while time.perf_counter() - started < TIME_LIMIT:
        with service.db.sessions() as session:
            if (session.scalar(query) or 0) >= claims:
                break
        time.sleep(0.02)
    return time.perf_counter() - started


def run_setup(setup: Setup, claims: int, server: PlatformServer, latency: float,
              latency_claims: int) -> dict[str, Any]:
    """Claims per second with a backlog of ``claims``, then latencies at half that rate."""
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
    reference_before = reference_ms(server.body)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    ready, go, last_verdict = context.Semaphore(0), context.Event(), context.Event()
    workers = [context.Process(target=_worker, args=(setup, server.url, results, None, ready,
                                                     go, last_verdict))
               for _ in range(setup.processes)]
    for process in workers:
        process.start()
    for _ in workers:  # every worker has built its service and opened its connections
        if not ready.acquire(timeout=60):
            raise SystemExit("a worker process did not start within 60 s")
    started = time.perf_counter()
    go.set()
    elapsed = _until_every_verdict(service, claims, started)
    last_verdict.set()
    for process in workers:
        process.join(TIME_LIMIT)
        if process.is_alive():
            process.kill()
    usages = [results.get(timeout=10) for _ in workers]
    with service.db.sessions() as session:
        done = session.scalar(select(func.count(ClaimRow.id)).where(ClaimRow.state == "done"))
        checks = session.scalar(select(func.count(CheckRow.id)))
        credited = session.scalar(select(func.count(CreditRow.id)))
    service.close()
    cpu = sum(u[0] for u in usages)
    per_second = claims / elapsed
    reference = statistics.mean((reference_before, reference_ms(server.body)))
    ceiling = setup.processes * setup.threads / max(latency, 1e-3)
    return {
        "setup": setup.name, "claims": claims, "done": int(done or 0), "checks": int(checks or 0),
        "processes": setup.processes, "threads": setup.threads,
        "claims_per_second": round(per_second, 1),
        "thread_ceiling_per_second": round(ceiling, 1),
        "share_of_ceiling": round(per_second / ceiling, 2),
        "credited_posts": int(credited or 0),
        "statements_per_claim": round(sum(u[2] for u in usages) / claims, 1),
        "transactions_per_claim": round(sum(u[3] for u in usages) / claims, 2),
        "claim_creation_per_second": round(claims / claiming, 1),
        "requests_per_claim": round((server.requests - requests_before) / claims, 2),
        "cpu_ms_per_claim": round(cpu * 1000 / claims, 1),
        "reference_ms": round(reference, 2),
        "cpu_per_claim_in_references": round(cpu * 1000 / claims / reference, 2),
        "peak_memory_mb": round(max(u[1] for u in usages) / 1024, 1),
        "start_up_cpu_ms": round(max(u[4] for u in usages) * 1000),
        "cpu_ms_per_claim_to_exit": round(sum(u[5] for u in usages) * 1000 / claims, 1),
        "seconds": round(elapsed, 2),
        **latencies(setup, server, mission.id, latency_claims, per_second / 2, claims),
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

        if args.threads % args.processes:
            raise SystemExit(f"--threads {args.threads} must be a multiple of --processes "
                             f"{args.processes} (the threads are spread evenly)")
        return Setup("postgres+redis", f"{base}?options=-csearch_path%3D{schema}",
                     "redis://127.0.0.1:6379/14", f"bench-{schema}", args.processes,
                     args.threads // args.processes, args.profile), "", cleanup
    return None, "PostgreSQL does not answer on 127.0.0.1:5432 (database test)", None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, nargs="+", default=[300])
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--threads", type=int, default=8,
                        help="worker threads of a set-up in all (postgres: spread over the "
                             "processes)")
    parser.add_argument("--processes", type=int, default=2,
                        help="worker processes of the postgres set-up")
    parser.add_argument("--setups", default="embedded,postgres")
    parser.add_argument("--latency-claims", type=int, default=100,
                        help="claims arriving one by one for the latency figures")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each set-up (a fresh database each); with more than one, "
                             "a last line per set-up gives the medians and the ranges")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--profile", metavar="PATH",
                        help="write each throughput worker's cProfile statistics (all its "
                             "threads) to PATH.<setup>.<pid>, for python -m pstats")
    args = parser.parse_args()
    if not 1 <= args.repeat <= MAX_REPEAT:
        raise SystemExit(f"--repeat must be between 1 and {MAX_REPEAT}")
    server = PlatformServer(args.latency)
    rows: list[dict[str, Any]] = []
    try:
        for claims in args.claims:
            claims = min(claims, MAX_CLAIMS)
            for _ in range(args.repeat):
                _run_setups(args, claims, server, rows)
    finally:
        server.close()
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"latency {args.latency * 1000:.0f} ms per answer")
    for row in rows:
        _print_row(row)
    if args.repeat > 1:
        for name in dict.fromkeys(row["setup"] for row in rows if "skipped" not in row):
            _print_medians([row for row in rows if row["setup"] == name and "skipped" not in row])


MAX_REPEAT = 20


def _print_medians(rows: list[dict[str, Any]]) -> None:
    """One line: the medians of ``rows`` (runs of one set-up) and the range of each figure
    that machine noise moves (identical runs differ by about ±1 ms of CPU here)."""
    def figure(key: str, unit: str = "", percent: bool = False) -> str:
        values = sorted(row[key] for row in rows if isinstance(row.get(key), int | float))
        if not values:
            return "n/a"
        middle = statistics.median(values)
        if percent:
            return f"{middle:.0%} ({values[0]:.0%}–{values[-1]:.0%})"
        return f"{middle:g}{unit} ({values[0]:g}–{values[-1]:g})"

    first = rows[0]
    print(f"{first['setup']:<15} {first['processes']}×{first['threads']} workers, median of "
          f"{len(rows)} runs (range): {figure('share_of_ceiling', percent=True)} of the "
          f"thread ceiling, {figure('cpu_ms_per_claim', ' ms')} CPU/claim "
          f"({figure('cpu_per_claim_in_references', '×')} the reference workload, "
          f"{figure('reference_ms', ' ms')}), "
          f"{figure('statements_per_claim')} SQL/claim, "
          f"{figure('transactions_per_claim')} transactions/claim, "
          f"latency p50 {figure('latency_p50_ms', ' ms')} p99 {figure('latency_p99_ms', ' ms')}")


def _run_setups(args: argparse.Namespace, claims: int, server: PlatformServer,
                rows: list[dict[str, Any]]) -> None:
    """One run of each chosen set-up with ``claims`` claims; its row goes to ``rows``."""
    if "embedded" in args.setups:
        with tempfile.TemporaryDirectory() as folder:
            setup = Setup("embedded", f"sqlite:///{folder}/missions.sqlite3",
                          f"sqlite:///{folder}/queue.sqlite3", "bench", 1, args.threads,
                          args.profile)
            rows.append(run_setup(setup, claims, server, args.latency, args.latency_claims))
    if "postgres" in args.setups:
        pg, reason, cleanup = postgres_setup(args)
        if pg is None:
            rows.append({"setup": "postgres+redis", "skipped": reason})
            return
        try:
            rows.append(run_setup(pg, claims, server, args.latency, args.latency_claims))
        finally:
            build_huey(pg.queue_url, pg.queue_name).flush()
            cleanup()


def _print_row(row: dict[str, Any]) -> None:
    """One run's figures on one line."""
    if "skipped" in row:
        print(f"{row['setup']:<15} skipped: {row['skipped']}")
        return
    print(f"{row['setup']:<15} {row['processes']}×{row['threads']} workers  "
          f"{row['claims']:>5} claims ({row['done']} done)  "
          f"{row['claims_per_second']:>6} claims/s  "
          f"({row['share_of_ceiling']:.0%} of the {row['thread_ceiling_per_second']}/s "
          f"thread ceiling)  {row['credited_posts']} posts credited  "
          f"{row['requests_per_claim']} req/claim  {row['cpu_ms_per_claim']} ms CPU/claim "
          f"({row['cpu_per_claim_in_references']}× the reference workload's "
          f"{row['reference_ms']} ms)  "
          f"{row['statements_per_claim']} SQL/claim  "
          f"{row['transactions_per_claim']} transactions/claim  "
          f"latency p50 {row.get('latency_p50_ms')} ms p99 {row.get('latency_p99_ms')} ms "
          f"at {row.get('latency_rate')}/s  "
          f"peak {row['peak_memory_mb']} MB  start-up {row['start_up_cpu_ms']} ms CPU "
          f"per process  {row['cpu_ms_per_claim_to_exit']} ms CPU/claim to the workers' exit  "
          f"(claims created at "
          f"{row['claim_creation_per_second']}/s)")


if __name__ == "__main__":
    main()
