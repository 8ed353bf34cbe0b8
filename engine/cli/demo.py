"""``social-missions demo``: the whole flow on a fresh temporary database, from bundled cassettes.

Runs the real commands (init, action add, mission add, member link, claim, worker --once, a
second claim refused by the cooldown, report, why) against a temporary folder with the embedded
defaults: SQLite database, SQLite queue, Instagram answers replayed from
``cassettes/instagram/web/public.yaml``. Nothing touches the network.
"""

from __future__ import annotations

import argparse
import shlex
import tempfile
from pathlib import Path
from typing import Any

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
PUBLIC = CASSETTES / "instagram" / "web" / "public.yaml"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo", help="scripted demonstration on a temporary database (no network)")
    parser.add_argument("--keep", metavar="DIR",
                        help="run in DIR and keep the database there (default: a temporary "
                        "folder, removed afterwards)")
    parser.add_argument("--lang", choices=("fr", "en"), default="fr")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.keep:
        folder = Path(args.keep).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        return _demo(folder, args.lang)
    with tempfile.TemporaryDirectory(prefix="social-missions-demo-") as temporary:
        return _demo(Path(temporary), args.lang)


def _demo(folder: Path, lang: str) -> int:
    from . import main  # the real command line, command by command

    if not PUBLIC.is_file():
        print(f"demo: the bundled cassette {PUBLIC} is missing")
        return 2
    config = folder / "social-missions.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{folder / "missions.sqlite3"}"\n'
        f'[queue]\nurl = "sqlite:///{folder / "queue.sqlite3"}"\nworkers = 1\n'
        f'[cache]\npath = "{folder / "cache.sqlite3"}"\n', encoding="utf-8")
    cassette = str(PUBLIC)
    steps: list[tuple[str, list[str], int]] = [
        ("Create the database", ["init"], 0),
        ("An external action: Instagram, #summer2025",
         ["action", "add", "--platform", "instagram", "--hashtag", "#summer2025"], 0),
        ("A mission: 3 posts with #summer2025 in June 2025 earn 100 points",
         ["mission", "add", "--title", "Été 2025", "--action", "1", "--posts", "3",
          "--points", "100", "--start", "2025-06-01", "--end", "2025-07-01", "--publish"], 0),
        ("A member links her Instagram handle (profile URL accepted)",
         ["member", "link", "lea", "instagram", "https://www.instagram.com/Lea.Voyage/"], 0),
        ("She presses the button", ["claim", "lea", "1", "instagram", "--cassette", cassette], 0),
        ("A worker runs the check (answers replayed from the cassette)",
         ["worker", "--once", "--threads", "1", "--cassette", cassette], 0),
        ("Pressing again during the cooldown is refused",
         ["claim", "lea", "1", "instagram", "--cassette", cassette], 2),
        ("Her balance and ledger", ["member", "show", "lea"], 0),
        ("The Social campaigns report", ["report", "--mission", "1"], 0),
        ("Why was each post (not) counted?", ["why", "lea", "1", "--lang", lang], 0),
    ]
    for title, argv, expected in steps:
        print(f"\n# {title}\n$ social-missions {' '.join(shlex.quote(a) for a in argv)}",
              flush=True)
        status = main([*argv[:1], *_with_config(argv[1:], argv[0], config)])
        if status != expected:
            print(f"demo: step failed with exit status {status}")
            return 1
    print(f"\nDone. The demo ran in {folder}.")
    return 0


def _with_config(rest: list[str], command: str, config: Path) -> list[str]:
    # Sub-commands take --config after their own name.
    if command in ("action", "mission", "member"):
        return [rest[0], "--config", str(config), *rest[1:]]
    return ["--config", str(config), *rest]
