"""``social-missions member links revoke MEMBER [--link ID]``: revoke a member's page links.

Without ``--link``, every link of MEMBER issued so far stops working (links made afterwards
work); with it, only that link (its id is printed by ``member link-url`` and returned as
``link_id`` by ``POST /api/v1/member-links``).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from engine.dates import iso_utc

from .common import add_command_group, add_config_option, member_id
from .service_common import open_service


def register_links(commands: Any) -> None:
    """Add ``links revoke`` under ``member``'s sub-commands."""
    actions = add_command_group(commands, "links", "revoke a member's page links", metavar="ACTION")
    revoke = actions.add_parser(
        "revoke", help="revoke all of a member's page links, or one",
        description="Revoke every page link of MEMBER issued until now (links made afterwards "
        "work), or with --link only that link. A revoked link answers 403 link_rejected.")
    revoke.add_argument("member", type=member_id, help="the member's id on the host platform")
    revoke.add_argument("--link", metavar="ID", default=None,
                        help="the link's id (16 characters, printed when it was created; "
                        "an id that starts with '-', made before 2026-12, is written "
                        "--link=ID)")
    revoke.add_argument("--json", action="store_true", help="print JSON")
    add_config_option(revoke)
    revoke.set_defaults(handler=run_revoke)


def run_revoke(args: argparse.Namespace) -> int:
    """Store the revocation and say what it covers."""
    from engine.service.link_revocations import revoke_link, revoke_member_links

    with open_service(args, queue=False) as service:
        if args.link is not None:
            done = revoke_link(service, args.member, args.link)
        else:
            done = revoke_member_links(service, args.member)
    if args.json:
        print(json.dumps({"member_id": done.member_id, "link_id": done.link_id,
                          "issued_until": iso_utc(done.issued_until) if done.issued_until
                          else None, "revoked_at": iso_utc(done.revoked_at)},
                         ensure_ascii=False, indent=2))
    elif done.link_id:
        print(f"link {done.link_id} of member {done.member_id} revoked")
    else:
        print(f"every link of member {done.member_id} issued until "
              f"{iso_utc(done.revoked_at)} revoked")
    return 0
