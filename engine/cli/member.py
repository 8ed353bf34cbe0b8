"""``social-missions member link|show``: handles (R3), balance and ledger (R8)."""

from __future__ import annotations

import argparse
from typing import Any

from engine.dates import iso_utc
from engine.service.members import get_member, link_account
from engine.service.records import Member

from .common import add_config_option
from .service_common import open_service, print_records


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("member", help="members: linked handles, balance, ledger")
    commands = parser.add_subparsers(dest="member_command", metavar="SUBCOMMAND", required=True)
    link = commands.add_parser("link", help="link a member's handle on a platform")
    link.add_argument("member", help="the member's id on the host platform")
    link.add_argument("platform")
    link.add_argument("handle", help="handle, @handle or profile URL")
    link.set_defaults(handler=run_link)
    show = commands.add_parser("show", help="a member's handles, balance and ledger")
    show.add_argument("member")
    show.set_defaults(handler=run_show)
    for sub in (link, show):
        add_config_option(sub)
        sub.add_argument("--json", action="store_true", help="print JSON")


def describe(member: Member) -> str:
    lines = [f"member {member.id}: balance {member.balance} point(s)"]
    lines += [f"  {a.platform:<10} @{a.handle}" for a in member.accounts]
    for entry in member.ledger:
        lines.append(f"  {iso_utc(entry.created_at)}  +{entry.points}  mission {entry.mission_id}"
                     f"  {entry.reason}  {', '.join(entry.posts)}")
    return "\n".join(lines)


def run_link(args: argparse.Namespace) -> int:
    with open_service(args, queue=False) as service:
        member = link_account(service, args.member, args.platform, args.handle)
    print_records(member, args.json, describe(member))
    return 0


def run_show(args: argparse.Namespace) -> int:
    with open_service(args, queue=False) as service:
        member = get_member(service, args.member)
    print_records(member, args.json, describe(member))
    return 0
