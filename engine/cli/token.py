"""``social-missions token create|list|revoke``: API bearer tokens (stored hashed)."""

from __future__ import annotations

import argparse
from typing import Any

from .common import add_command_group, add_config_option, identifier
from .service_common import open_service, print_records


def register(subparsers: Any) -> None:
    commands = add_command_group(subparsers, "token", "create, list and revoke API tokens", metavar="ACTION")
    create = commands.add_parser("create", help="create a token and print it (once)")
    create.add_argument("--scope", choices=("admin", "integrator"), required=True,
                        help="admin: every route; integrator: members, claims, links, diagnosis")
    create.add_argument("--label", default="", help="a note to recognise the token by")
    add_config_option(create)
    create.set_defaults(handler=run_create)
    listing = commands.add_parser("list", help="list tokens (never their values)")
    listing.add_argument("--json", action="store_true")
    add_config_option(listing)
    listing.set_defaults(handler=run_list)
    revoke = commands.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("id", type=identifier)
    add_config_option(revoke)
    revoke.set_defaults(handler=run_revoke)


def run_create(args: argparse.Namespace) -> int:
    from engine.web.tokens import create_token

    with open_service(args, queue=False) as service:
        token, raw = create_token(service, args.scope, args.label)
    # The raw token goes to stdout alone on its line so that scripts can capture it.
    print(raw)
    print(f"token {token.id} ({token.scope}) created; it is shown only now", flush=True)
    return 0


def run_list(args: argparse.Namespace) -> int:
    from engine.web.tokens import list_tokens

    with open_service(args, queue=False) as service:
        tokens = list_tokens(service)
    lines = [f"{t.id}\t{t.scope}\t{'revoked' if t.revoked_at else 'active'}\t{t.label}"
             for t in tokens]
    print_records(tokens, args.json, "\n".join(lines) or "(no token)")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    from engine.web.tokens import revoke_token

    with open_service(args, queue=False) as service:
        token = revoke_token(service, args.id)
    print(f"token {token.id} revoked")
    return 0
