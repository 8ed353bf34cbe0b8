"""Engine time, CPU and HTTP requests per check, for every platform and backend, cold and warm.

Run: ``.venv/bin/python -m benchmarks.bench_checks [--repeat N]``. Each case replays a cassette;
the timed part is the engine's own work (parse plus verdicts) with the HTTP answer already in
hand, so process start and cassette loading are not counted. CPU per check is this process's
CPU time plus that of its finished child processes (a browser backend's Chromium and
Playwright driver). Browser cases (``via="har"``) replay a HAR file in the system Chromium,
browser start included, at most :data:`BROWSER_RUNS` checks. Cases come from
``benchmarks/cases_<platform>.py`` modules, each defining ``CASES``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import pkgutil
import resource
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from engine.cache import MemoryCache
from engine.config import config_from_mapping
from engine.core import Engine
from engine.replay import cassette

ROOT = Path(__file__).resolve().parents[1]
# A browser check launches Chromium: a few are enough for a median.
BROWSER_RUNS = 10


@dataclass(frozen=True)
class Case:
    """One benchmarked check: a cassette replayed for one handle through one backend.

    ``warm`` runs the check once before measuring so the persistent cache is filled (the
    warm-cache request count); cold runs start each check with an empty cache.
    ``via`` says how the answers are served: ``transport`` (in memory to the engine's HTTP
    layer), ``vcr`` (replayed by VCR, for libraries with their own HTTP stack) or ``har``
    (``cassette`` is a HAR file replayed by the browser backend; wall time is reported).
    """

    label: str
    platform: str
    backend: str
    handle: str
    cassette: Path
    hashtag: str
    warm: bool = False
    settings: dict[str, Any] = field(default_factory=dict)
    via: str = "transport"

    @property
    def wall_clock(self) -> bool:
        """True when the time reported is wall time per check (a browser), not engine time."""
        return self.via == "har"


def _engine(case: Case, cache: MemoryCache) -> Engine:
    table: dict[str, Any] = {"backends": [case.backend], **case.settings}
    if case.via == "har":
        table[case.backend] = {**table.get(case.backend, {}), "har": str(case.cassette)}
        engine = Engine(config_from_mapping({"platforms": {case.platform: table}}), cache=cache)
        reason = engine.platform(case.platform).backend(case.backend).unavailable_reason(
            engine.config.platform(case.platform))
        if reason:
            raise SystemExit(f"{case.label}: {reason}")
        return engine
    transport = cassette_transport(case.cassette) if case.via == "transport" else None
    return Engine(config_from_mapping({"platforms": {case.platform: table}}), cache=cache,
                  replaying=True, transport=transport)


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (seconds)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def cassette_transport(path: Path) -> httpx.MockTransport:
    """Serve a cassette's answers from memory, matched on method, host, path and query."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    answers: dict[tuple[str, str, str, tuple[tuple[str, str], ...]], dict[str, Any]] = {}
    for interaction in document["interactions"]:
        request = interaction["request"]
        url = httpx.URL(request["uri"])
        key = (request["method"], url.host, url.path, tuple(sorted(url.params.multi_items())))
        answers.setdefault(key, interaction["response"])

    def handler(request: httpx.Request) -> httpx.Response:
        key = (request.method, request.url.host, request.url.path,
               tuple(sorted(request.url.params.multi_items())))
        answer = answers.get(key) or next(
            (value for (method, host, path_, _), value in answers.items()
             if (method, host, path_) == key[:3]), None)
        if answer is None:
            return httpx.Response(599, text=f"not in cassette: {request.url}")
        body = answer["body"]["string"]
        headers = [(name, value) for name, values in answer.get("headers", {}).items()
                   for value in values if name.lower() != "content-encoding"]
        return httpx.Response(answer["status"]["code"], headers=headers,
                              content=body.encode() if isinstance(body, str) else body)

    return httpx.MockTransport(handler)


def run_case(case: Case, repeat: int) -> tuple[float, float, float, int]:
    """Median seconds per check, mean CPU seconds per check, mean requests per check, posts
    judged."""
    if case.via == "har":
        repeat = min(repeat, BROWSER_RUNS)
    cache = MemoryCache()
    engine = _engine(case, cache)
    account = engine.account(case.platform, case.handle)
    volatile = engine.platform(case.platform).volatile_query_params
    timings: list[float] = []
    cpu: list[float] = []
    requests: list[int] = []
    posts = 0
    def replay() -> contextlib.AbstractContextManager[Any]:
        # A fresh cassette per check: libraries that repeat one URL (instaloader's per-post
        # queries) are answered in recorded order from the start each time.
        if case.via == "vcr":
            return cassette(case.cassette, record=False, volatile=volatile)
        return contextlib.nullcontext()

    if case.warm:
        with replay():
            engine.check(account, case.hashtag)
    for _ in range(repeat):
        if not case.warm:
            cache = MemoryCache()
            engine.cache = cache
        with replay():
            started, cpu_started = time.perf_counter(), cpu_seconds()
            outcome = engine.check(account, case.hashtag)
            elapsed = time.perf_counter() - started
            cpu.append(cpu_seconds() - cpu_started)
        timings.append(elapsed)
        requests.append(outcome.snapshot.requests)
        posts = len(outcome.posts)
    engine.close()
    return statistics.median(timings), statistics.mean(cpu), statistics.mean(requests), posts


def load_cases() -> list[Case]:
    cases: list[Case] = []
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]),
                         key=lambda m: m.name):
        if module.name.startswith("cases_"):
            cases.extend(importlib.import_module(f"benchmarks.{module.name}").CASES)
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200, help="checks per case")
    parser.add_argument("--platform", help="only this platform")
    args = parser.parse_args()
    print(f"{'case':<48} {'ms/check':>9} {'CPU ms':>8} {'requests':>9} {'posts':>6}")
    for case in load_cases():
        if args.platform and case.platform != args.platform:
            continue
        seconds, cpu, requests, posts = run_case(case, args.repeat)
        kind = "wall" if case.wall_clock else "engine"
        print(f"{case.label:<48} {seconds * 1000:>9.2f} {cpu * 1000:>8.2f} {requests:>9.1f} "
              f"{posts:>6}  ({kind})")


if __name__ == "__main__":
    main()
