"""A check from a cold start against ``yt-dlp --flat-playlist -J``, replaying the same cassette.

Run: ``.venv/bin/python -m benchmarks.bench_cli [--runs N] [--hyperfine] [--importtime]``.

Each case times two commands, each in a new process (a cold start), ``--runs`` times, after
one untimed run that must succeed (a case whose commands cannot read its cassette is skipped
with the reason):

- ``social-missions check <platform> <handle> --hashtag X --backend B --cassette FILE``;
- ``yt-dlp --flat-playlist -J <url>`` under a small wrapper that installs the project's replay
  (:func:`engine.replay.cassette`, VCR with the platform's volatile query parameters) around
  ``yt_dlp.main``: yt-dlp cannot read cassettes by itself, and both commands pay the same
  replay layer.

A third case compares YouTube's default backend (``rss``: the channel page and its feed, 2
requests) with yt-dlp's flat listing of the same channel (1 request), from one cassette holding
both sets of answers (built in the run's folder from the two bundled cassettes).

It prints each command's median and best (lowest) wall time and CPU time (user + system of
the child, steadier than wall time on a busy machine), and the ratios check / yt-dlp of each:
below 1, ``check`` is the faster. The two commands' runs alternate, so that a busy spell of a
shared machine weighs on both alike. The requests column says how much each command read: yt-dlp's flat
listing reads the channel's list only, while a YouTube check through ``yt-dlp`` also reads
each video's page (its exact time and description).

``--hyperfine`` also runs each pair under ``hyperfine`` when it is installed;
``--importtime`` prints the modules that cost ``check`` the most to import
(``python -X importtime``, cumulative microseconds).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASSETTES = ROOT / "cassettes"
PYTHON = sys.executable
BIN = Path(PYTHON).parent
# The replay wrapper around yt-dlp's own command line: argv = cassette, volatile, yt-dlp args.
YTDLP_UNDER_REPLAY = (
    "import sys\n"
    "from engine.replay import cassette\n"
    "import yt_dlp\n"
    "with cassette(sys.argv[1], record=False, volatile=[v for v in sys.argv[2].split(',') if v]):\n"
    "    yt_dlp.main(sys.argv[3:])\n"
)


@dataclass(frozen=True)
class Case:
    """One cassette both commands read: ``handle`` of ``platform`` through ``backend`` for
    ``check``, ``url`` for yt-dlp."""

    label: str
    platform: str
    handle: str
    hashtag: str
    backend: str
    cassette: Path
    url: str
    check_requests: int
    ytdlp_requests: int
    # When set, the case's cassette is these files' interactions in one file (written in the
    # run's folder): each command reads its own answers for the same account from it.
    sources: tuple[Path, ...] = ()


CASES = (
    Case("tiktok mila.moves", "tiktok", "mila.moves", "summer", "yt-dlp",
         CASSETTES / "tiktok" / "yt-dlp" / "public.yaml", "https://www.tiktok.com/@mila.moves",
         check_requests=2, ytdlp_requests=2),
    Case("youtube terra.trails", "youtube", "terra.trails", "summer2025", "yt-dlp",
         CASSETTES / "youtube" / "yt-dlp" / "public.yaml",
         "https://www.youtube.com/@terra.trails/videos", check_requests=17, ytdlp_requests=1),
    # The default YouTube backend (the channel's feed: 2 requests) against yt-dlp's flat
    # listing of the same channel (1 request): both list the account's recent videos.
    Case("youtube terra.trails (rss)", "youtube", "terra.trails", "summer2025", "rss",
         Path("youtube-terra-trails.yaml"), "https://www.youtube.com/@terra.trails/videos",
         check_requests=2, ytdlp_requests=1,
         sources=(CASSETTES / "youtube" / "rss" / "public.yaml",
                  CASSETTES / "youtube" / "yt-dlp" / "public.yaml")),
)


def prepared(case: Case, folder: Path) -> Case:
    """``case`` with its cassette written in ``folder`` when it is made of ``sources``."""
    if not case.sources:
        return case
    import yaml

    interactions = []
    for source in case.sources:
        interactions += yaml.safe_load(source.read_text(encoding="utf-8"))["interactions"]
    target = folder / case.cassette.name
    target.write_text(yaml.safe_dump({"interactions": interactions, "version": 1},
                                     allow_unicode=True), encoding="utf-8")
    return replace(case, cassette=target)


def volatile_params(platform: str) -> list[str]:
    """The query parameters ``platform``'s plugin declares as changing on every request."""
    from engine.core import Engine

    return list(Engine().platform(platform).volatile_query_params)


def check_command(case: Case) -> list[str]:
    """``social-missions check …`` for ``case``."""
    return [str(BIN / "social-missions"), "check", case.platform, case.handle, "--hashtag",
            case.hashtag, "--backend", case.backend, "--cassette", str(case.cassette)]


def ytdlp_command(case: Case) -> list[str]:
    """``yt-dlp --flat-playlist -J <url>`` under the project's replay, for ``case``."""
    return [PYTHON, "-c", YTDLP_UNDER_REPLAY, str(case.cassette),
            ",".join(volatile_params(case.platform)), "--flat-playlist", "-J", "--no-warnings",
            case.url]


def environment(folder: Path) -> dict[str, str]:
    """A clean environment: no configuration file, the cache in ``folder``, the checkout on
    the path."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("SOCIAL_MISSIONS_")}
    env.update(SOCIAL_MISSIONS_CACHE=str(folder / "cache.sqlite3"),
               PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="0")
    return env


def run_once(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the child, the reason it failed or "")."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    failure = "" if done.returncode == 0 else (done.stderr.strip().splitlines() or ["?"])[-1]
    return wall, cpu, failure


@dataclass(frozen=True)
class Timing:
    """Seconds over a command's cold starts: median and best (lowest) of wall and CPU time."""

    wall: float
    cpu: float
    best_wall: float
    best_cpu: float


def measure(commands: list[list[str]], runs: int, env: dict[str, str],
            cwd: Path) -> list[Timing] | str:
    """Each of ``commands`` timed over ``runs`` cold starts, their runs taken in turn, or why
    one failed."""
    for command in commands:
        _, _, failure = run_once(command, env, cwd)  # untimed: it must work, warms the disk
        if failure:
            return f"{' '.join(command[:2])} …: {failure}"
    samples: list[list[tuple[float, float]]] = [[] for _ in commands]
    for _ in range(runs):
        for command, sample in zip(commands, samples, strict=True):
            wall, cpu, failure = run_once(command, env, cwd)
            if failure:
                return failure
            sample.append((wall, cpu))
    return [Timing(wall=statistics.median(w for w, _ in sample),
                   cpu=statistics.median(c for _, c in sample),
                   best_wall=min(w for w, _ in sample), best_cpu=min(c for _, c in sample))
            for sample in samples]


def hyperfine(case: Case, runs: int, env: dict[str, str], cwd: Path) -> None:
    """Both commands of ``case`` under hyperfine, its summary printed as it comes."""
    def quoted(command: list[str]) -> str:
        return " ".join("'" + part.replace("'", "'\"'\"'") + "'" for part in command)

    subprocess.run(["hyperfine", "--warmup", "1", "--runs", str(runs), "--shell", "sh",
                    "--command-name", f"check {case.label}", quoted(check_command(case)),
                    "--command-name", f"yt-dlp {case.label}", quoted(ytdlp_command(case))],
                   env=env, cwd=cwd, check=False)


def importtime(case: Case, env: dict[str, str], cwd: Path, top: int = 15) -> None:
    """The ``top`` modules by cumulative import time of ``check`` (``-X importtime``)."""
    command = [PYTHON, "-X", "importtime", *check_command(case)]
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    rows = []
    for line in done.stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if found:
            rows.append((int(found.group(2)), len(found.group(3)) // 2, found.group(4)))
    total = len(rows)
    print(f"\n-X importtime of check ({case.label}): {total} modules imported")
    print(f"{'cumulative ms':>14}  module (top-level packages first)")
    top_level = sorted((row for row in rows if row[1] == 0), reverse=True)[:top]
    for cumulative, _, name in top_level:
        print(f"{cumulative / 1000:>14.1f}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="timed cold starts per command")
    parser.add_argument("--platform", help="only this platform")
    parser.add_argument("--hyperfine", action="store_true",
                        help="also time each pair with hyperfine (when installed)")
    parser.add_argument("--importtime", action="store_true",
                        help="also print check's most expensive imports")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as folder:
        cwd = Path(folder)
        cases = [prepared(case, cwd) for case in CASES
                 if not args.platform or case.platform == args.platform]
        env = environment(cwd)
        print(f"{args.runs} cold starts per command, median and best; ratio = check / yt-dlp "
              "(below 1: check is faster)")
        print(f"{'case':<28} {'command':<8} {'requests':>8} {'wall ms':>9} {'CPU ms':>9} "
              f"{'best wall':>10} {'best CPU':>9}")
        for case in cases:
            timings = measure([check_command(case), ytdlp_command(case)], args.runs, env, cwd)
            if isinstance(timings, str):
                print(f"{case.label:<28} skipped: {timings}")
                continue
            check, ytdlp = timings
            for name, timing, requests in (("check", check, case.check_requests),
                                           ("yt-dlp", ytdlp, case.ytdlp_requests)):
                print(f"{case.label:<28} {name:<8} {requests:>8} {timing.wall * 1000:>9.0f} "
                      f"{timing.cpu * 1000:>9.0f} {timing.best_wall * 1000:>10.0f} "
                      f"{timing.best_cpu * 1000:>9.0f}")
            print(f"{case.label:<28} {'ratio':<8} {'':>8} {check.wall / ytdlp.wall:>9.2f} "
                  f"{check.cpu / ytdlp.cpu:>9.2f} {check.best_wall / ytdlp.best_wall:>10.2f} "
                  f"{check.best_cpu / ytdlp.best_cpu:>9.2f}")
        if args.hyperfine:
            if shutil.which("hyperfine") is None:
                print("\nhyperfine is not installed (apt-get install hyperfine); skipped")
            else:
                for case in cases:
                    hyperfine(case, args.runs, env, cwd)
        if args.importtime and cases:
            importtime(cases[0], env, cwd)


if __name__ == "__main__":
    main()
