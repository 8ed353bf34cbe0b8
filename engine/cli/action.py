"""``social-missions action add|list``: external actions (R1)."""

from __future__ import annotations

import argparse
from typing import Any

from engine.dates import iso_utc
from engine.service.actions import add_action, list_actions

from .common import add_command_group, add_config_option
from .service_common import open_service, print_records


def register(subparsers: Any) -> None:
    commands = add_command_group(subparsers, "action", "external actions: a platform and a hashtag")
    add = commands.add_parser("add", help="create an action")
    add.add_argument("--platform", required=True)
    add.add_argument("--hashtag", required=True, help="the hashtag, without '#'")
    listing = commands.add_parser("list", help="list the actions")
    for sub in (add, listing):
        add_config_option(sub)
        sub.add_argument("--json", action="store_true", help="print JSON")
    add.set_defaults(handler=run_add)
    listing.set_defaults(handler=run_list)


def run_add(args: argparse.Namespace) -> int:
    with open_service(args, queue=False) as service:
        action = add_action(service, args.platform, args.hashtag)
    print_records(action, args.json, f"action {action.id}: {action.platform} #{action.hashtag}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    with open_service(args, queue=False) as service:
        actions = list_actions(service)
    text = "\n".join(f"{a.id:>4}  {a.platform:<10} #{a.hashtag}  (created {iso_utc(a.created_at)})"
                     for a in actions) or "(no action yet)"
    print_records(actions, args.json, text)
    return 0
