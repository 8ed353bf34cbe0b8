"""``social-missions privacy purge [--days N]``: apply the retention of post texts now.

The worker does the same once an hour; this is for operators (after lowering ``[privacy]
keep_post_text_days``, or on a database no worker runs on). See docs/privacy.md.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from .common import add_command_group, add_config_option, whole_number
from .service_common import open_service


def register(subparsers: Any) -> None:
    commands = add_command_group(subparsers, "privacy", "members' data: retention of post texts")
    purge = commands.add_parser(
        "purge", help="clear the post texts of checks older than the retention period",
        description="Clear the posts (captions and snapshots) kept by checks that finished "
        "more than N days ago: --days, else [privacy] keep_post_text_days (90 by default). "
        "Verdicts, report rows, credits and the ledger stay. Safe to run any time.")
    from engine.service.settings import MAX_KEEP_DAYS

    purge.add_argument("--days", type=whole_number(1, MAX_KEEP_DAYS, "--days"), default=None,
                       help="retention in days (default: [privacy] keep_post_text_days)")
    add_config_option(purge)
    purge.add_argument("--json", action="store_true", help="print JSON")
    purge.set_defaults(handler=run_purge)


def run_purge(args: argparse.Namespace) -> int:
    from engine.service.privacy import purge_post_texts

    with open_service(args, queue=False) as service:
        days = args.days if args.days is not None else service.settings.keep_post_text_days
        cleared = purge_post_texts(service, days=days)
    if args.json:
        print(json.dumps({"cleared_checks": cleared, "days": days}))
    else:
        print(f"cleared the post texts of {cleared} check(s) older than {days} day(s)")
    return 0
