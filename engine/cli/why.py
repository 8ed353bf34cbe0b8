"""``social-missions why MEMBER MISSION [--lang fr|en]``: the diagnosis of R10."""

from __future__ import annotations

import argparse
from typing import Any

from engine.service.diagnosis import diagnose

from .common import add_config_option, identifier, member_id
from .service_common import open_service, print_records


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("why", help="why was a member (not) rewarded for a mission")
    parser.add_argument("member", type=member_id)
    parser.add_argument("mission", type=identifier)
    parser.add_argument("--lang", choices=("fr", "en"), default="fr")
    add_config_option(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with open_service(args, queue=False) as service:
        diagnosis = diagnose(service, args.member, args.mission, args.lang)
    print_records(diagnosis, args.json, "\n".join(f"- {line.text}" for line in diagnosis.lines))
    return 0
