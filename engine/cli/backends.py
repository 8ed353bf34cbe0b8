"""``social-missions backends``: every platform's backends, availability and configured order."""

from __future__ import annotations

import argparse
import json
from typing import Any

from engine.config import load_config
from engine.core import Engine

from .common import add_config_option


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("backends", help="list platforms, backends and their order")
    add_config_option(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    engine = Engine(load_config(args.config))
    rows = engine.backend_statuses()
    if args.json:
        print(json.dumps([row.__dict__ for row in rows], indent=2))
        return 0
    for platform in sorted({row.platform for row in rows}):
        order = " → ".join(engine.backend_order(platform))
        print(f"{platform} (limit {engine.limit(platform)}; order: {order})")
        for row in (r for r in rows if r.platform == platform):
            place = f"#{row.position}" if row.position else "  -"
            state = "available" if row.available else f"not available: {row.reason}"
            print(f"  {place:>3} {row.backend:<12} {state}  — {row.description}")
    return 0
