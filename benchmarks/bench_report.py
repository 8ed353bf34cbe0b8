"""The report over 100,000 verdict rows: exports, first pages and the diagnosis against a raw-SQL floor.

Run: ``python -m benchmarks.bench_report [--rows 100000] [--repeat 3]``.

A SQLite database is filled by :func:`benchmarks.bench_console.fill` (3 missions, 2,000
members, 10 posts seen per check, one in ten credited). Then, each printed as the median
milliseconds of ``--repeat`` runs and its ratio to a floor measured in the same run:

- **floor**: the report's join (seen posts and their checks, the CSV's columns) run on a raw
  ``sqlite3`` connection and written by ``csv.writer``, with no conversion at all;
- the CSV exports: the API's ``/api/v1/report?format=csv``, the console's
  ``/admin/report.csv`` and ``social-missions report --format csv`` (a fresh process), the
  JSON export of the command line; for the processes, their peak memory (``ru_maxrss``, MB);
- the first page of ``/api/v1/report`` (JSON, 100 rows, with its summary), the console's
  pages (report, members, missions, a member) and the diagnosis of one member's mission;
- mission results (issue 17; engagement numbers written on every row first, see
  :func:`add_numbers`) for the biggest mission: the service, the API route and the console
  page, each against its own floor, the same SQL statements run on a raw ``sqlite3``
  connection (``x floor`` of these lines).

The targets (issue 13): exports within 3x the floor and under 200 MB; first pages and console
pages (the results page too) under 300 ms; the diagnosis under 20 ms. The exit status is 1
when one is missed.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.bench_console import captured, filled_service, raw_sql_ms
from engine.service.diagnosis import diagnose
from engine.service.results import mission_results

FLOOR_SQL = """
SELECT s.mission_id, s.member_id, s.platform, c.handle, s.url, s.published_at, s.hashtags,
       s.verdict, s.points, c.finished_at, c.backend, s.detail,
       s.likes, s.comments, s.views, s.shares, s.followers, s.measured_at
FROM seen_posts s JOIN checks c ON s.check_id = c.id ORDER BY s.id DESC
"""

# Runs one command of the command line in a fresh process and prints its peak memory (MB) to
# stderr; stdout goes to /dev/null (a terminal or a pipe would time the reader, not us). The
# peak is VmHWM of /proc/self/status: ru_maxrss survives execve, so it would report this
# benchmark's own peak (the 100,000 rows it wrote) instead of the command's.
CHILD = """
import sys
from engine.cli import main
code = main(sys.argv[1:])
with open("/proc/self/status") as status:
    peak = next(line for line in status if line.startswith("VmHWM:"))
print(int(peak.split()[1]) / 1024, file=sys.stderr)
raise SystemExit(code)
"""


def median_ms(run: Callable[[], object], repeat: int) -> float:
    """Median wall-clock milliseconds of ``repeat`` calls of ``run``."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def floor_csv(path: Path) -> int:
    """The raw floor: the join, fetched in batches and written as CSV to memory; rows."""
    connection = sqlite3.connect(path)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    rows = 0
    cursor = connection.execute(FLOOR_SQL)
    while batch := cursor.fetchmany(2000):
        writer.writerows(batch)
        rows += len(batch)
        buffer.seek(0)
        buffer.truncate()
    connection.close()
    return rows


# Engagement numbers for every row (the benchmark's fill writes none): likes and comments
# everywhere (comments missing on one row in seven), views except on Instagram, the account's
# followers from its member number.
NUMBERS_SQL = """
UPDATE seen_posts SET likes = (id * 37) % 900,
  comments = CASE WHEN id % 7 = 0 THEN NULL ELSE (id * 11) % 60 END,
  views = CASE WHEN platform = 'instagram' THEN NULL ELSE (id * 97) % 20000 END,
  followers = 300 + (CAST(substr(member_id, 8) AS INTEGER) * 131) % 40000,
  measured_at = published_at
"""


def add_numbers(path: Path) -> None:
    """Write engagement numbers on every seen post of the database at ``path``."""
    connection = sqlite3.connect(path)
    connection.execute(NUMBERS_SQL)
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()


def cli_run(config: Path, *args: str) -> tuple[float, float]:
    """Milliseconds and peak MB of ``social-missions ARGS --config CONFIG`` in a new process."""
    start = time.perf_counter()
    finished = subprocess.run([sys.executable, "-c", CHILD, *args, "--config", str(config)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              check=False, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if finished.returncode != 0:
        raise SystemExit(f"social-missions {' '.join(args)} failed: {finished.stderr[-2000:]}")
    elapsed = (time.perf_counter() - start) * 1000
    return elapsed, float(finished.stderr.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Fill a database, time the exports, pages and diagnosis, print the figures."""
    from fastapi.testclient import TestClient

    from engine.web.app import create_app
    from engine.web.pages.session import COOKIE, log_in
    from engine.web.tokens import create_token

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        config_path = Path(folder) / "social-missions.toml"
        config_path.write_text(f'[database]\nurl = "sqlite:///{path}"\n[queue]\n'
                               f'url = "sqlite:///{Path(folder) / "queue.sqlite3"}"\n'
                               f'[service]\ndata = "{folder}"\n')
        service = filled_service(Path(folder), args.rows)
        add_numbers(path)
        database = service.db
        floor = median_ms(lambda: floor_csv(path), args.repeat)
        print(f"{'measure':<34} {'ms':>9} {'x floor':>8} {'peak MB':>8}")
        print(f"{'floor: raw SQL join to CSV':<34} {floor:>9.1f} {1:>8.2f}")

        def line(name: str, ms: float, mb: float | None = None, *, target_ms: float | None = None,
                 ratio_max: float | None = None, own_floor: float | None = None) -> None:
            ratio = ms / (own_floor or floor)
            shown = f"{mb:>8.0f}" if mb is not None else f"{'':>8}"
            print(f"{name:<34} {ms:>9.1f} {ratio:>8.2f} {shown}")
            if ratio_max is not None and ratio > ratio_max:
                failures.append(f"{name}: {ratio:.2f}x the floor (target {ratio_max}x)")
            if target_ms is not None and ms > target_ms:
                failures.append(f"{name}: {ms:.0f} ms (target {target_ms:.0f} ms)")
            if mb is not None and mb > 200:
                failures.append(f"{name}: {mb:.0f} MB (target 200 MB)")

        _, raw = create_token(service, "admin", "bench")
        cookie = log_in(service, raw)
        assert cookie is not None
        with TestClient(create_app(service), follow_redirects=False) as client:
            client.cookies.set(COOKIE, cookie, path="/admin")
            bearer = {"Authorization": f"Bearer {raw}"}

            def download(url: str, headers: dict[str, str] | None = None) -> int:
                size = 0
                with client.stream("GET", url, headers=headers) as answer:
                    assert answer.status_code == 200, (url, answer.status_code)
                    for chunk in answer.iter_bytes():
                        size += len(chunk)
                return size

            line("API CSV export (whole set)", median_ms(
                lambda: download("/api/v1/report?format=csv", bearer), args.repeat),
                ratio_max=3)
            line("console CSV export (whole set)", median_ms(
                lambda: download("/admin/report.csv"), args.repeat), ratio_max=3)
            for name, url, headers in (
                    ("API /report first page (JSON)", "/api/v1/report", bearer),
                    ("API /claims first page", "/api/v1/claims", bearer),
                    ("API /balances first page", "/api/v1/balances", bearer),
                    ("console /admin", "/admin", None),
                    ("console /admin/members", "/admin/members", None),
                    ("console /admin/missions", "/admin/missions", None),
                    ("console /admin/members/member-00042", "/admin/members/member-00042",
                     None)):
                client.get(url, headers=headers)
                answer = client.get(url, headers=headers)
                assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
                line(name, median_ms(lambda u=url, h=headers: client.get(u, headers=h),
                                     args.repeat), target_ms=300)
            if "rows" in (body := client.get("/api/v1/report", headers=bearer).json()):
                print(f"{'':<34} (first page: {len(body['rows'])} rows, "
                      f"next: {'yes' if body.get('next') else 'no'})")
            results_lines(client, bearer, service, path, args.repeat, line)
        diagnose(service, "member-00042", 2)
        line("diagnosis of one member's mission", median_ms(
            lambda: diagnose(service, "member-00042", 2), max(args.repeat, 5)), target_ms=20)
        for name, command in (("CLI report --format csv", ("report", "--format", "csv")),
                              ("CLI report --json", ("report", "--json"))):
            runs = [cli_run(config_path, *command) for _ in range(args.repeat)]
            line(name, statistics.median(r[0] for r in runs), max(r[1] for r in runs),
                 ratio_max=None)
        service.engine.close()
        database.dispose()
    print(json.dumps({"failures": failures}, ensure_ascii=False))
    return 1 if failures else 0


def results_lines(client: Any, bearer: dict[str, str], service: Any, path: Path, repeat: int,
                  line: Callable[..., None]) -> None:
    """Time the results of the mission with the most credits: its SQL on a raw ``sqlite3``
    connection (the floor of these lines), the service, the API route and the console page
    (target 300 ms each)."""
    mission = 1  # the fill gives the first mission half of the rows
    with captured(service) as statements:
        results = mission_results(service, mission)
    queries = [(sql, parameters) for sql, parameters in statements
               if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    sql_floor = raw_sql_ms(path, queries, repeat)
    print(f"{'results: raw SQL floor':<34} {sql_floor:>9.1f} {1:>8.2f}   "
          f"({len(queries)} statements; {results.credited_posts:,} credited posts)")
    line("results: service", median_ms(lambda: mission_results(service, mission), repeat),
         own_floor=sql_floor, target_ms=300)
    for name, url, headers in (
            ("results: API /missions/1/results", f"/api/v1/missions/{mission}/results", bearer),
            ("results: console page", f"/admin/missions/{mission}/results", None)):
        def fetch(url: str = url, headers: dict[str, str] | None = headers) -> Any:
            return client.get(url, headers=headers)

        answer = fetch()
        assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
        line(name, median_ms(fetch, repeat), own_floor=sql_floor, target_ms=300)


if __name__ == "__main__":
    raise SystemExit(main())
