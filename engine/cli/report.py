"""``social-missions report``: the Social campaigns report (R10) as a table, CSV or JSON."""

from __future__ import annotations

import argparse
from typing import Any

from engine.service.report import (
    ReportFilter,
    as_csv,
    as_json,
    as_table,
    report_rows,
    summaries,
)

from .common import add_config_option
from .service_common import open_service, optional_instant


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("report", help="every post each check saw, with verdicts")
    parser.add_argument("--mission", type=int)
    parser.add_argument("--platform")
    parser.add_argument("--member")
    parser.add_argument("--verdict")
    parser.add_argument("--since", metavar="ISO", help="checks from this instant")
    parser.add_argument("--until", metavar="ISO", help="checks before this instant")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.add_argument("--json", action="store_true", help="same as --format json")
    add_config_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    where = ReportFilter(mission_id=args.mission, platform=args.platform,
                         member_id=args.member, verdict=args.verdict,
                         since=optional_instant(args.since, "--since"),
                         until=optional_instant(args.until, "--until"))
    with open_service(args, queue=False) as service:
        rows = report_rows(service, where)
        summary = summaries(service, args.mission)
    fmt = "json" if args.json else args.format
    if fmt == "csv":
        print(as_csv(rows), end="")
    elif fmt == "json":
        print(as_json(rows, summary))
    else:
        print(as_table(rows, summary))
    return 0
