"""``--help`` and a ``web`` check load none of the heavy optional libraries; a check run as the
program skips httpx's command line and pauses the garbage collector for its start-up only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import contextlib, io, json, sys
from engine.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as stop:
        code = stop.code
heavy = ("instaloader", "yt_dlp", "playwright")
print(json.dumps({"code": code, "loaded": [m for m in heavy if m in sys.modules]}))
"""


def run(*args: str) -> dict[str, object]:
    finished = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                              text=True, check=True, cwd=ROOT)
    return dict(json.loads(finished.stdout.strip().splitlines()[-1]))


def test_help_loads_no_heavy_library() -> None:
    assert run("--help") == {"code": 0, "loaded": []}


def test_web_check_loads_no_heavy_library() -> None:
    result = run("check", "instagram", "lea.voyage", "--hashtag", "summer2025", "--cassette",
                 str(ROOT / "cassettes" / "instagram" / "web" / "public.yaml"))
    assert result == {"code": 0, "loaded": []}


SERVICE_LIBRARIES = ("sqlalchemy", "alembic", "huey", "redis", "psycopg", "fastapi",
                     "starlette", "uvicorn", "jinja2", "limits")


def imported_by(*args: str) -> set[str]:
    """The top-level packages that ``python -m engine ARGS`` (the program, in a fresh
    interpreter) imported, from ``-X importtime``; the command must succeed."""
    finished = subprocess.run([sys.executable, "-X", "importtime", "-m", "engine", *args],
                              capture_output=True, text=True, cwd=ROOT, check=False)
    assert finished.returncode == 0, finished.stderr[-2000:]
    imported = {line.split("|")[-1].strip().split(".")[0]
                for line in finished.stderr.splitlines() if line.startswith("import time:")}
    assert imported, "no -X importtime output"
    return imported


def test_check_imports_no_database_queue_or_web_library() -> None:
    """``check`` parses only its own command: ``-X importtime`` (every module the process
    imported, in a fresh interpreter) lists none of the service's libraries."""
    imported = imported_by("check", "instagram", "lea.voyage", "--hashtag", "summer2025",
                           "--cassette",
                           str(ROOT / "cassettes" / "instagram" / "web" / "public.yaml"))
    assert sorted(imported & set(SERVICE_LIBRARIES)) == []


def test_every_command_is_still_listed_by_help() -> None:
    """Loading one command's module at a time must not hide the others from ``--help``."""
    finished = subprocess.run([sys.executable, "-m", "engine", "--help"], capture_output=True,
                              text=True, cwd=ROOT, check=True)
    from engine.cli import COMMAND_MODULES

    for module in COMMAND_MODULES:
        assert module.rsplit(".", 1)[1] in finished.stdout


# httpx's own command line (httpx._main) and what it loads: never run by social-missions.
HTTPX_COMMAND_LINE = ("click", "rich", "pygments")


def test_check_skips_httpx_command_line() -> None:
    """Run as the program, ``check`` keeps httpx from importing its command line (and the
    click, rich and pygments it loads)."""
    imported = imported_by("check", "youtube", "terra.trails", "--hashtag", "summer2025",
                           "--cassette", str(ROOT / "cassettes" / "youtube" / "rss" / "public.yaml"))
    assert "httpx" in imported
    assert sorted(imported & set(HTTPX_COMMAND_LINE)) == []


GC_PROBE = """
import contextlib, gc, io, json, sys
from engine.cli import main
sys.argv = ["social-missions", *sys.argv[1:]]
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main()
print(json.dumps({"code": code, "enabled": gc.isenabled(), "frozen": gc.get_freeze_count(),
                  "threshold": gc.get_threshold()}))
"""


def gc_after(*args: str) -> dict[str, object]:
    """The collector's state after ``social-missions ARGS`` ran as the program (main())."""
    finished = subprocess.run([sys.executable, "-c", GC_PROBE, *args], capture_output=True,
                              text=True, check=True, cwd=ROOT)
    return dict(json.loads(finished.stdout.strip().splitlines()[-1]))


def test_brief_check_freezes_its_start_up_and_collects_again() -> None:
    """A ``check`` process collects again after start-up, its start-up objects frozen and a
    larger first generation; another command keeps Python's defaults."""
    from engine.cli import BRIEF_GC_THRESHOLD

    after = gc_after("check", "instagram", "lea.voyage", "--hashtag", "summer2025",
                     "--cassette", str(ROOT / "cassettes" / "instagram" / "web" / "public.yaml"))
    assert after["code"] == 0
    assert after["enabled"] is True
    assert after["threshold"] == list(BRIEF_GC_THRESHOLD)
    assert isinstance(after["frozen"], int) and after["frozen"] > 10_000
    other = gc_after("backends")
    assert other["enabled"] is True and other["frozen"] == 0
    assert other["threshold"] == [700, 10, 10]


def test_main_with_arguments_leaves_the_collector_alone() -> None:
    """A caller passing ``argv`` (a test) keeps its own collector settings."""
    import gc

    from engine.cli import main

    before = (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count())
    main(["check", "instagram", "lea.voyage", "--hashtag", "summer2025", "--cassette",
          str(ROOT / "cassettes" / "instagram" / "web" / "public.yaml")])
    assert (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()) == before


ALONE = """
import importlib, json, pkgutil, sys
import engine, plugins
names = sorted(info.name for package in (engine, plugins)
               for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
               if not info.name.endswith(".__main__"))  # the program itself: it runs
failures = {}
for name in names:
    for loaded in [m for m in sys.modules if m.split(".")[0] in ("engine", "plugins")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as error:
        failures[name] = f"{type(error).__name__}: {error}"
print(json.dumps({"modules": len(names), "failures": failures}))
"""


def test_every_module_imports_on_its_own() -> None:
    """Each module of ``engine`` and ``plugins`` imports first, in a process where no other
    module of theirs is loaded (a tool, a test or a plugin may import any one first): no
    import cycle that only the usual order hides (``engine.web.console`` alone once failed)."""
    finished = subprocess.run([sys.executable, "-c", ALONE], capture_output=True, text=True,
                              check=True, cwd=ROOT)
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    assert result["modules"] > 100
    assert result["failures"] == {}
