"""``social-missions report``: the Social campaigns report as a table (the newest rows), or
every row as CSV or JSON, streamed in constant memory; ``report --results MISSION [--json]``:
one mission's results (participants, reach, engagement; :mod:`engine.service.results`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from engine.service import report as campaign
from engine.service.results import as_text, mission_results
from engine.verdicts import Window

from .common import add_config_option, identifier, member_id
from .service_common import open_service, optional_instant, print_records


def register(subparsers: Any) -> None:
    """Add ``report`` (its filters, formats and ``--results``) to the command line."""
    parser = subparsers.add_parser("report", help="every post each check saw, with verdicts")
    parser.add_argument("--mission", type=identifier)
    parser.add_argument("--platform")
    parser.add_argument("--member", type=member_id)
    parser.add_argument("--verdict")
    parser.add_argument("--since", metavar="ISO", help="checks from this instant")
    parser.add_argument("--until", metavar="ISO", help="checks before this instant")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.add_argument("--json", action="store_true", help="same as --format json")
    parser.add_argument("--results", type=identifier, metavar="MISSION",
                        help="the mission's results instead: reach, likes, comments, views, "
                             "engagement rate, per platform and day, top posts")
    add_config_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    where = campaign.ReportFilter(mission_id=args.mission, platform=args.platform,
                         member_id=args.member, verdict=args.verdict,
                         period=Window(start=optional_instant(args.since, "--since"),
                                       end=optional_instant(args.until, "--until")))
    fmt = "json" if args.json else args.format
    with open_service(args, queue=False) as service:
        if args.results is not None:
            results = mission_results(service, args.results)
            print_records(results, fmt == "json", as_text(results))
            return 0
        summary = campaign.summaries(service, args.mission)
        if fmt == "csv":
            sys.stdout.writelines(campaign.stream_report_csv(service, where))
        elif fmt == "json":
            sys.stdout.writelines(campaign.stream_report_json(service, where, summary))
        else:
            rows, more = campaign.report_slice(service, where, limit=campaign.TABLE_ROWS)
            print(campaign.as_table(rows, summary))
            if more is not None:
                print(f"(the newest {campaign.TABLE_ROWS} rows are shown; --format csv or --json "
                      "gives every row)")
    return 0
