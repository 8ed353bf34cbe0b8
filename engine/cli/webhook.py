"""``social-missions webhook show|set|deliveries|resend``: where award events go, and the
deliveries that failed.

``set URL`` changes the URL as ``PUT /api/v1/webhook`` does (checked: http(s), a host, a
public address unless ``[webhooks] allow_private``; ``""`` removes it; a first secret is
printed once). URLs are always shown with any credentials replaced by ``***``. ``resend ID``
sends a failed delivery again, as the console's button and ``POST
/api/v1/webhook/deliveries/{id}/resend`` do.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from .common import add_command_group, add_config_option, identifier, whole_number
from .service_common import open_service

STATES = ("pending", "delivered", "failed")


def register(subparsers: Any) -> None:
    """Add ``webhook show|set|deliveries|resend`` to the command line."""
    commands = add_command_group(subparsers, "webhook", "the webhook URL and its deliveries",
                                 metavar="ACTION")
    show = commands.add_parser("show", help="the URL (credentials hidden) and whether a "
                               "secret is set")
    show.set_defaults(handler=run_show)
    change = commands.add_parser("set", help='set the URL ("" removes it)')
    change.add_argument("url", help="https://host/path, or \"\" for no webhook")
    change.set_defaults(handler=run_set)
    listing = commands.add_parser("deliveries", help="deliveries, newest first")
    listing.add_argument("--state", choices=STATES, help="only deliveries in this state")
    listing.add_argument("--limit", type=whole_number(1, 1000, "--limit"), default=20,
                         metavar="N", help="how many (1–1000, default 20)")
    listing.set_defaults(handler=run_deliveries)
    again = commands.add_parser("resend", help="send a failed delivery again")
    again.add_argument("id", type=identifier, help="the delivery's id (see `deliveries`)")
    again.set_defaults(handler=run_resend)
    for sub in (show, change, listing, again):
        add_config_option(sub)
        sub.add_argument("--json", action="store_true", help="print JSON")


def _describe(service: Any) -> dict[str, Any]:
    from engine.service.webhook_targets import redact_url

    settings = service.settings
    return {"url": redact_url(settings.webhook_url), "secret_set": bool(settings.webhook_secret),
            "max_attempts": settings.webhook_max_attempts,
            "allow_private": settings.webhook_allow_private}


def _print(value: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(value, ensure_ascii=False, indent=2))
    else:
        print(f"webhook: {value['url'] or '(none)'}; secret "
              f"{'set' if value['secret_set'] else 'not set'}; up to {value['max_attempts']} "
              "attempts per delivery")


def run_show(args: argparse.Namespace) -> int:
    """Print the URL (credentials as ``***``), whether a secret is set, the attempts."""
    from engine.service.stored_settings import apply_stored_settings

    with open_service(args, queue=False) as service:
        apply_stored_settings(service)
        _print(_describe(service), args.json)
    return 0


def run_set(args: argparse.Namespace) -> int:
    """Set the URL (checked; ``""`` removes it); a first secret is printed once. Raises
    ``WebhookTargetRefused`` (exit 2) for a malformed or private target."""
    from engine.service.stored_settings import apply_stored_settings, update_webhook

    with open_service(args, queue=False) as service:
        apply_stored_settings(service)
        secret = update_webhook(service, url=args.url or None)
        described = _describe(service)
    if secret:
        described["secret"] = secret
    _print(described, args.json)
    if secret and not args.json:
        print(f"secret (shown only now): {secret}")
    return 0


def run_deliveries(args: argparse.Namespace) -> int:
    """List deliveries, newest first: id, state, event, member, attempts, last outcome."""
    from engine.dates import iso_utc
    from engine.service.webhooks import delivery_page

    with open_service(args, queue=False) as service:
        page, _more = delivery_page(service, limit=args.limit, state=args.state)
    rows: list[dict[str, Any]] = [{"id": d.id, "state": d.state, "event": d.event, "member": d.member_id,
             "points": d.points, "url": d.url, "created_at": iso_utc(d.created_at),
             "attempts": [{"at": iso_utc(a.attempted_at), "status_code": a.status_code,
                           "error": a.error} for a in d.attempts]} for d in page]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        last = row["attempts"][-1] if row["attempts"] else None
        outcome = (f"HTTP {last['status_code']}" if last and not last["error"]
                   else (last["error"] if last else "not tried yet"))
        print(f"{row['id']}\t{row['state']}\t{row['event']}\t{row['member']}\t"
              f"{len(row['attempts'])} attempt(s)\t{outcome}")
    if not rows:
        print("(no delivery)")
    return 0


def run_resend(args: argparse.Namespace) -> int:
    """Queue a failed delivery again; ``NotFound`` / ``Conflict`` (exit 2) otherwise."""
    from engine.service.stored_settings import apply_stored_settings
    from engine.service.webhook_targets import redact_url
    from engine.service.webhooks import resend

    with open_service(args) as service:
        apply_stored_settings(service)
        resend(service, args.id)
        url = redact_url(service.settings.webhook_url)
    if args.json:
        print(json.dumps({"id": args.id, "state": "pending", "url": url}))
    else:
        print(f"delivery {args.id} queued again, to {url}")
    return 0
