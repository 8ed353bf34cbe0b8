"""``social-missions check``: one check of one account, printed as a table or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from engine.dates import iso_utc, parse_instant
from engine.errors import InvalidInput
from engine.hashtags import validate_hashtag
from engine.models import AccountStatus, AttemptOutcome
from engine.verdicts import CheckOutcome, Window

from .common import add_cassette_options, add_config_option, open_engine


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check", help="check one account's recent posts for a hashtag",
        description="Read an account's most recent public posts and judge each against the "
        "hashtag. Exit status: 0 checked (ok, private, not_found), 2 invalid input, "
        "3 unavailable or layout_changed.",
    )
    parser.add_argument("platform", help="instagram, youtube, tiktok, or a plugin's platform")
    parser.add_argument("handle", help="the account's handle or profile URL")
    parser.add_argument("--hashtag", required=True, help="the required hashtag, without '#'")
    parser.add_argument("--since", metavar="ISO", help="window start (ISO 8601, inclusive)")
    parser.add_argument("--until", metavar="ISO", help="window end (ISO 8601, exclusive)")
    parser.add_argument("--backend", metavar="NAME",
                        help="use only this backend instead of the configured order")
    parser.add_argument("--limit", type=int, metavar="N", help="how many recent posts to read")
    add_cassette_options(parser)
    add_config_option(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    hashtag = validate_hashtag(args.hashtag)
    start = parse_instant(args.since, what="--since") if args.since else None
    end = parse_instant(args.until, what="--until") if args.until else None
    if start and end and end <= start:
        raise InvalidInput(f"--until {args.until} is not after --since {args.since}")
    if args.limit is not None and args.limit < 1:
        raise InvalidInput(f"--limit must be at least 1, not {args.limit}")
    window = Window(start=start, end=end) if (start or end) else None
    with open_engine(args) as engine:
        account = engine.account(args.platform, args.handle)
        outcome = engine.check(account, hashtag, window,
                               backends=[args.backend] if args.backend else None,
                               limit=args.limit)
        others = [row.backend for row in engine.backend_statuses()
                  if row.platform == account.platform and row.available]
    advice = operator_advice(outcome, others)
    if args.json:
        print(json.dumps(outcome.as_json(), ensure_ascii=False, indent=2))
        for line in advice:  # the JSON document keeps its shape; the advice is for a person
            print(f"social-missions: {line}", file=sys.stderr)
    else:
        print("\n".join([render_table(outcome), *(f"  {line}" for line in advice)]))
    return 0 if outcome.snapshot.status.completed else 3


# What an operator can do about each reason a check could not complete ({platform} is filled).
ADVICE: dict[str, str] = {
    "network": "{platform} was not reached: check this machine's network, DNS and proxy "
               "([http] proxy), then run the check again",
    "rate_limited": "{platform} asked to slow down: wait for the cool-off (the platform's "
                    "Retry-After, else cool_off of [http], [platforms.{platform}] or its backend's "
                    "table; "
                    "checks meanwhile skip the paused backend), lower [platforms.{platform}] "
                    "rate_limit, or use another backend",
    "login_wall": "{platform} wants a login: give the backend a cookies or session file "
                  "([platforms.{platform}] cookies, see docs/configuration.md), or use another "
                  "backend",
    "bot_challenge": "{platform} took the request for a robot's: wait for the cool-off, give "
                     "the backend a logged-in browser's cookies, or use another backend",
    "server_error": "{platform} is failing on its side: run the check again in a few minutes",
    "held_back": "{platform} said the account has posts but showed none: run the check again "
                 "later, or use another backend",
    "quota": "the official API's quota is spent: wait for it to reset, or use another backend",
    "backend_error": "no backend could read the account on this machine: `social-missions "
                     "backends` says what each one is missing; -v logs a backend's traceback",
    "layout_changed": "{platform} answered in a shape the backend does not know (the platform "
                      "changed): use another backend; when every backend fails, update the "
                      "plugin (see docs/operations.md)",
}


def operator_advice(outcome: CheckOutcome, available: list[str]) -> list[str]:
    """What the operator can do after a check that did not complete (``unavailable`` or
    ``layout_changed``): one line for the cause, one naming the other available backends of
    the platform to try with ``--backend`` (``available``: every available one, in order).
    Empty for a completed check. A single run of ``check`` is never retried by itself."""
    snapshot = outcome.snapshot
    if snapshot.status.completed:
        return []
    platform = snapshot.account.platform
    key = (snapshot.cause.value if snapshot.status is AccountStatus.UNAVAILABLE and snapshot.cause
           else snapshot.status.value)
    lines = []
    if key in ADVICE:
        lines.append("what to do: " + ADVICE[key].format(platform=platform))
    tried = {a.backend for a in snapshot.attempts if a.outcome != AttemptOutcome.SKIPPED}
    others = [name for name in available if name not in tried]
    if others:
        lines.append("other backends: " + ", ".join(f"--backend {name}" for name in others)
                     + " (`social-missions backends` lists them and their order)")
    else:
        lines.append("every available backend was tried (`social-missions backends` lists "
                     "them); run the check again once the cause is gone")
    return lines


def render_table(outcome: CheckOutcome) -> str:
    """The readable form of a check."""
    snapshot = outcome.snapshot
    lines = [
        f"{snapshot.account.platform} @{snapshot.account.handle}: {snapshot.status.value}"
        + (f" ({snapshot.cause.value})" if snapshot.cause else "")
        + f" via {snapshot.backend or 'no backend'}, {snapshot.requests} "
        + ("request" if snapshot.requests == 1 else "requests"),
    ]
    failed = [a for a in snapshot.attempts if a.outcome == "error"]
    for attempt in failed:
        lines.append(f"  backend {attempt.backend} failed with an error (a bug, logged with its "
                     f"traceback): {attempt.detail}")
    if snapshot.detail:
        lines.append(f"  {snapshot.detail}")
    if snapshot.status is not AccountStatus.OK:
        return "\n".join(lines)
    lines.append(f"#{outcome.hashtag}: {outcome.matched} of {len(outcome.posts)} posts match")
    if not outcome.posts:
        return "\n".join(lines + ["  (the account has no posts)"])
    rows = [("published", "kind", "verdict", "post", "detail")]
    for judged in outcome.posts:
        post = judged.post
        rows.append((iso_utc(post.published_at), post.kind.value if post.kind else "-",
                     judged.verdict.value, post.url, judged.detail))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4]))
                     + "  " + row[4])
    return "\n".join(lines)
