"""``social-missions member link|show|code|verify|link-url|links revoke|export|erase``: handles (R3), their
proof (R11), balance and ledger (R8), the signed link to a member's page for a mission, and the
member's data: export and erasure (issue 12, docs/privacy.md)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from engine.dates import iso_utc
from engine.service.members import get_member, link_account
from engine.service.ownership import CODE_PLACES, mark_verified, verification_code
from engine.service.records import LinkedAccount, Member

from .common import add_command_group, add_config_option, identifier, member_id, whole_number
from .member_links import register_links
from .service_common import open_service, print_records

LINK_DAYS = 7
MAX_LINK_DAYS = 366
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def register(subparsers: Any) -> None:
    """Add ``member`` and its sub-commands to the command line."""
    commands = add_command_group(subparsers, "member", "members: linked handles, balance, ledger")
    link = _member_command(commands, "link", run_link, platform=True,
                           help="link a member's handle on a platform")
    link.add_argument("handle", help="handle, @handle or profile URL")
    _member_command(commands, "show", run_show, help="a member's handles, balance and ledger")
    code = _member_command(
        commands, "code", run_code, platform=True,
        help="the code that proves a linked handle is the member's (R11)",
        description="Print the member's verification code for a platform, and where to put "
        "it (the account's bio or a recent caption). JSON: {\"code\": …}.")
    code.add_argument("--lang", choices=("fr", "en"), default="en")
    verify = _member_command(
        commands, "verify", run_verify, platform=True,
        help="mark a member's linked handle verified (an admin's decision)",
        description="Mark the member's handle on the platform as theirs, with the reason; a "
        "contest over the handle ends as if the member had shown the code.")
    verify.add_argument("--reason", default="", help="why (required; recorded with the decision)")
    link_url = _member_command(
        commands, "link-url", run_link_url,
        help="print a signed link to the member's page for a mission",
        description="Print the URL of the member page of MEMBER for MISSION, signed and "
        "valid for --days days (7 by default, 366 at most), as the console and the API's "
        "POST /member-links make it. The member need not exist yet: the page lets them link "
        "a handle. The URL starts with --base-url, else [web] base_url of the "
        "configuration, else http://127.0.0.1:8000.")
    link_url.add_argument("mission", type=identifier, help="the mission's id")
    link_url.add_argument("--days", type=whole_number(1, MAX_LINK_DAYS, "--days"), default=LINK_DAYS,
                          help=f"how many days the link works (1 to {MAX_LINK_DAYS}; default "
                          f"{LINK_DAYS})")
    link_url.add_argument("--base-url", default=None,
                          help="the public address of the server (e.g. https://missions.example)")
    _member_command(
        commands, "export", run_export, help="everything held about a member (JSON with --json)",
        description="Print everything the service holds about MEMBER: linked accounts, "
        "verification codes, claims, checks and the posts they kept, verdicts, credits, ledger "
        "rows and webhook events. --json prints the whole machine-readable document (as GET "
        "/api/v1/members/{id}/export); without it, a summary.")
    erase = _member_command(
        commands, "erase", run_erase, help="erase a member's data (asks for --yes)",
        description="Erase MEMBER: handles, post texts and snapshots, report rows' personal "
        "fields and webhook bodies are removed; ledger amounts stay under a pseudonym so "
        "mission totals do not move; a member.erased event goes to the host platform. "
        "Without --yes, says what would be erased and changes nothing. Erasing twice is "
        "harmless. See docs/privacy.md.")
    erase.add_argument("--yes", action="store_true", help="really erase")
    register_links(commands)


def _member_command(commands: Any, name: str, handler: Callable[[argparse.Namespace], int], *,
                    help: str, description: str | None = None,
                    platform: bool = False) -> argparse.ArgumentParser:
    """Add the sub-command ``name`` about one member, run by ``handler``: ``MEMBER`` first
    (and ``PLATFORM``, one of their linked accounts, with ``platform``), ``--config`` and
    ``--json``."""
    parser: argparse.ArgumentParser = commands.add_parser(name, help=help, description=description)
    parser.add_argument("member", type=member_id, help="the member's id on the host platform")
    if platform:
        parser.add_argument("platform")
    add_config_option(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=handler)
    return parser


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


def member_link(service: Any, member_id: str, mission_id: int, days: int,
                base_url: str) -> dict[str, Any]:
    """A signed member page link (as the API's ``POST /member-links`` makes it): ``url``,
    ``path``, ``member_id``, ``mission_id``, ``expires_at`` (UTC), ``link_id``.

    Raises ``InvalidInput`` for an empty or too long member id or days outside 1–366, and
    ``NotFound`` for an unknown mission.
    """
    from datetime import timedelta

    from engine.errors import InvalidInput
    from engine.service.member_ids import check_member_id
    from engine.service.missions import get_mission
    from engine.web.member_links import create_member_link

    member = check_member_id(member_id)  # refused, never trimmed
    if not 1 <= days <= MAX_LINK_DAYS:
        raise InvalidInput(f"--days must be between 1 and {MAX_LINK_DAYS}, not {days}")
    get_mission(service, mission_id)  # NotFound for a mission that does not exist
    expires_at = (service.now() + timedelta(days=days)).replace(microsecond=0)
    created = create_member_link(service, member, mission_id, expires_at=expires_at)
    path = "/m/" + created.token
    return {"url": base_url.rstrip("/") + path, "path": path, "member_id": member,
            "mission_id": mission_id, "expires_at": expires_at,
            "link_id": created.link.link_id}


def run_link_url(args: argparse.Namespace) -> int:
    with open_service(args, queue=False) as service:
        base = args.base_url or str(service.config.section("web").get("base_url") or
                                    DEFAULT_BASE_URL)
        if not base.startswith(("http://", "https://")):
            from engine.errors import InvalidInput

            raise InvalidInput(f"the base URL {base!r} must start with http:// or https://")
        link = member_link(service, args.member, args.mission, args.days, base)
    if args.json:
        print(json.dumps({**link, "expires_at": iso_utc(link["expires_at"])},
                         ensure_ascii=False, indent=2))
        return 0
    print(link["url"])
    print(f"member {link['member_id']}, mission {link['mission_id']}; valid until "
          f"{iso_utc(link['expires_at'])}; link id {link['link_id']} (to revoke it: "
          f"member links revoke {link['member_id']} --link {link['link_id']})", flush=True)
    return 0


def run_export(args: argparse.Namespace) -> int:
    from engine.service.privacy import describe_export, export_member

    with open_service(args, queue=False) as service:
        document = export_member(service, args.member)
    if args.json:
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        print(describe_export(document))
    return 0


def run_erase(args: argparse.Namespace) -> int:
    from engine.errors import InvalidInput
    from engine.service.privacy import Erasure, erase_member, erasure_plan
    from engine.service.stored_settings import apply_stored_settings

    with open_service(args) as service:
        apply_stored_settings(service)  # the webhook set through the API gets the event
        if not args.yes:
            plan = erasure_plan(service, args.member)
            if plan.already_erased:
                result: Erasure = plan
            else:
                raise InvalidInput(f"not erased: add --yes to erase member {args.member!r}: "
                                   f"{_erasure_counts(plan)}")
        else:
            result = erase_member(service, args.member)
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    elif result.already_erased:
        print(f"member {args.member} was already erased on {iso_utc(result.erased_at)}"
              if result.erased_at else f"member {args.member} was already erased")
    else:
        print(f"member {args.member} erased: {_erasure_counts(result)}"
              + ("; member.erased event queued for the host" if result.event_queued else ""))
    return 0


def _erasure_counts(erasure: Any) -> str:
    return (f"{erasure.linked_accounts} linked handle(s), {erasure.claims} claim(s) "
            f"({erasure.cancelled_claims} still waiting, cancelled), {erasure.checks} check(s) "
            f"with their post texts, {erasure.seen_posts} report row(s), {erasure.credits} "
            f"credit(s) and {erasure.ledger_rows} ledger row(s) kept under a pseudonym, "
            f"{erasure.webhook_events} webhook body(ies)")
