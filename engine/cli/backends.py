"""``social-missions backends``: every platform's backends, availability and configured order.

Per backend: whether it can run here (or why not), what it needs to run and what one check
costs in requests (the backend class's ``needs`` and ``cost``), and with ``--stats`` how its
recent attempts ended. The recommended fallback chains are in docs/configuration.md.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from engine.config import load_config
from engine.core import Engine
from engine.errors import InvalidInput

from .common import add_config_option


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("backends", help="list platforms, backends and their order")
    add_config_option(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--stats", action="store_true",
                        help="also count each backend's attempts in the service database: ok, "
                        "unavailable by cause, layout_changed, error")
    parser.add_argument("--days", type=float, default=7.0, metavar="N",
                        help="with --stats: the last N days (default 7)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    engine = Engine(load_config(args.config))
    rows = engine.backend_statuses()
    stats = _stats(args) if args.stats else {}
    declared = {(row.platform, row.backend): _declared(engine, row.platform, row.backend)
                for row in rows}
    if args.json:
        print(json.dumps([{**row.__dict__, **declared[(row.platform, row.backend)],
                           **({"stats": _stats_json(stats.get((row.platform, row.backend)))}
                              if args.stats else {})} for row in rows], indent=2))
        return 0
    for platform in sorted({row.platform for row in rows}):
        order = " → ".join(engine.backend_order(platform))
        print(f"{platform} (limit {engine.limit(platform)}; order: {order})")
        for row in (r for r in rows if r.platform == platform):
            place = f"#{row.position}" if row.position else "  -"
            state = "available" if row.available else f"not available: {row.reason}"
            print(f"  {place:>3} {row.backend:<12} {state}  — {row.description}")
            needs, cost = declared[(row.platform, row.backend)].values()
            print(f"        needs {needs or 'nothing'}; one check costs "
                  f"{cost or 'an undeclared number of requests'}")
            if args.stats:
                print(f"        {_stats_line(stats.get((row.platform, row.backend)), args.days)}")
    return 0


def _declared(engine: Engine, platform: str, backend: str) -> dict[str, str]:
    """What the backend declares it needs and costs (``needs``, ``requests_per_check``)."""
    backend_class = engine.platform(platform).backend(backend)
    return {"needs": backend_class.needs, "requests_per_check": backend_class.cost}


def _stats(args: argparse.Namespace) -> dict[tuple[str, str], Any]:
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from engine.service.backend_stats import backend_stats
    from engine.service.settings import load_settings

    from .service_common import open_service

    if args.days <= 0:
        raise InvalidInput(f"--days must be above 0, not {args.days:g}")
    settings = load_settings(load_config(args.config))
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        # No service database yet: nothing was checked, and none is created by reading.
        return {}
    with open_service(args, queue=False) as service:
        return {(item.platform, item.backend): item for item in backend_stats(service, args.days)}


def _stats_json(item: Any) -> dict[str, Any]:
    if item is None:
        return {"attempts": 0, "outcomes": {}, "causes": {}}
    return {"attempts": item.attempts, "outcomes": item.outcomes, "causes": item.causes}


def _stats_line(item: Any, days: float) -> str:
    if item is None or not item.attempts:
        return f"no attempt in the last {days:g} days"
    outcomes = ", ".join(f"{name} {count}" for name, count in item.outcomes.items())
    causes = ", ".join(f"{name} {count}" for name, count in item.causes.items())
    return (f"last {days:g} days: {item.attempts} attempt(s): {outcomes}"
            + (f" (causes: {causes})" if causes else ""))
