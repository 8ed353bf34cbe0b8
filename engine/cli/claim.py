"""``social-missions claim MEMBER MISSION PLATFORM [--post URL]``: press the button (R4)."""

from __future__ import annotations

import argparse
from typing import Any

from engine.dates import iso_utc
from engine.service.claims import create_claim

from .common import add_cassette_options, add_config_option, identifier, member_id
from .service_common import open_service, print_records


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "claim", help="claim a mission on a platform (queues the check)",
        description="Record a claim and queue its check; prints the claim id and when the "
        "button comes back. Refused (exit 2) during the cooldown.")
    parser.add_argument("member", type=member_id)
    parser.add_argument("mission", type=identifier)
    parser.add_argument("platform")
    parser.add_argument("--post", metavar="URL", help="judge only this post")
    add_cassette_options(parser)
    add_config_option(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with open_service(args, replay=True) as service:
        receipt = create_claim(service, args.member, args.mission, args.platform, args.post)
    queue = ""
    if receipt.expected_check_at is not None:
        queue = (f"; {receipt.queue_position} claim(s) ahead, check expected around "
                 f"{iso_utc(receipt.expected_check_at)}")
    print_records(receipt, args.json,
                  f"claim {receipt.claim_id} queued for {receipt.platform} @{receipt.handle}"
                  f"{queue}; the button comes back at {iso_utc(receipt.available_at)}")
    return 0
