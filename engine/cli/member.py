"""``social-missions member link|show|code|verify``: handles (R3), their proof (R11), balance
and ledger (R8)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from engine.dates import iso_utc
from engine.service.members import get_member, link_account
from engine.service.ownership import CODE_PLACES, mark_verified, verification_code
from engine.service.records import LinkedAccount, Member

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
    code = commands.add_parser(
        "code", help="the code that proves a linked handle is the member's (R11)",
        description="Print the member's verification code for a platform, and where to put "
        "it (the account's bio or a recent caption). JSON: {\"code\": …}.")
    code.add_argument("member")
    code.add_argument("platform")
    code.add_argument("--lang", choices=("fr", "en"), default="en")
    code.set_defaults(handler=run_code)
    verify = commands.add_parser(
        "verify", help="mark a member's linked handle verified (an admin's decision)",
        description="Mark the member's handle on the platform as theirs, with the reason; a "
        "contest over the handle ends as if the member had shown the code.")
    verify.add_argument("member")
    verify.add_argument("platform")
    verify.add_argument("--reason", default="", help="why (required; recorded with the decision)")
    verify.set_defaults(handler=run_verify)
    for sub in (link, show, code, verify):
        add_config_option(sub)
        sub.add_argument("--json", action="store_true", help="print JSON")


def describe(member: Member) -> str:
    lines = [f"member {member.id}: balance {member.balance} point(s)"]
    lines += [f"  {a.platform:<10} @{a.handle}  {_ownership(a)}" for a in member.accounts]
    for entry in member.ledger:
        lines.append(f"  {iso_utc(entry.created_at)}  {entry.points:+d}  mission "
                     f"{entry.mission_id}  {entry.reason}  {', '.join(entry.posts)}")
    return "\n".join(lines)


def _ownership(account: LinkedAccount) -> str:
    if account.ownership == "verified":
        return f"verified {iso_utc(account.verified_at)}" if account.verified_at else "verified"
    state = "contested" if account.ownership == "contested" else "not verified"
    return f"{state} (code {account.verification_code})"


def run_code(args: argparse.Namespace) -> int:
    with open_service(args, queue=False) as service:
        account = verification_code(service, args.member, args.platform)
    place = CODE_PLACES.get(account.platform, {}).get(args.lang, "the account's bio")
    if args.json:
        print(json.dumps({"code": account.verification_code, "platform": account.platform,
                          "handle": account.handle, "ownership": account.ownership,
                          "where": place}, ensure_ascii=False, indent=2))
        return 0
    print(f"{account.verification_code}\n  put it in {place} of @{account.handle}; "
          f"{_ownership(account)}")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    with open_service(args) as service:
        mark_verified(service, args.member, args.platform, args.reason)
        member = get_member(service, args.member)
    print_records(member, args.json, describe(member))
    return 0


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
