"""``social-missions mission add|publish|archive|list|show`` (R2)."""

from __future__ import annotations

import argparse
from typing import Any

from engine.dates import iso_utc
from engine.service.missions import (
    DEFAULT,
    THRESHOLD_MAX,
    add_mission,
    get_mission,
    list_missions,
    set_status,
)
from engine.service.records import Mission

from .common import add_config_option, identifier, whole_number
from .service_common import open_service, optional_instant, print_records


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("mission", help="missions: goal, points, window, status")
    commands = parser.add_subparsers(dest="mission_command", metavar="SUBCOMMAND", required=True)
    add = commands.add_parser("add", help="create a mission (draft unless --publish)")
    add.add_argument("--title", required=True)
    add.add_argument("--description", default="")
    add.add_argument("--action", type=identifier, action="append", required=True, metavar="ID",
                     dest="actions", help="an action id (repeat for several platforms)")
    goal = add.add_mutually_exclusive_group(required=True)
    goal.add_argument("--posts", type=whole_number(1, 10_000, "--posts"), metavar="N",
                      help="goal: N distinct posts")
    goal.add_argument("--recurring", action="store_true", help="reward every matching post")
    add.add_argument("--cap", metavar="N/day|N/week", help="recurring: at most N per period")
    add.add_argument("--points", type=whole_number(1, 1_000_000, "--points"),
                     required=True)
    start = add.add_mutually_exclusive_group()
    start.add_argument("--start", metavar="ISO", help="window start (default: now)")
    start.add_argument("--no-start", action="store_true", help="no start: open-ended")
    end = add.add_mutually_exclusive_group()
    end.add_argument("--end", metavar="ISO", help="window end (default: start + 1 month)")
    end.add_argument("--no-end", action="store_true", help="no end: open-ended")
    add.add_argument("--label", help="the button's label")
    threshold = add.add_mutually_exclusive_group()
    threshold.add_argument("--min-views", type=whole_number(1, THRESHOLD_MAX, "--min-views"),
                           metavar="N", help="performance: a post counts once it has N views "
                           "(re-checked after [missions] threshold_rechecks)")
    threshold.add_argument("--min-likes", type=whole_number(1, THRESHOLD_MAX, "--min-likes"),
                           metavar="N", help="performance: a post counts once it has N likes")
    add.add_argument("--publish", action="store_true", help="publish at once")
    add.set_defaults(handler=run_add)
    subs = [add]
    for name, handler in (("publish", run_publish), ("archive", run_archive),
                          ("show", run_show)):
        sub = commands.add_parser(name, help=f"{name} a mission")
        sub.add_argument("mission", type=identifier, metavar="MISSION")
        sub.set_defaults(handler=handler)
        subs.append(sub)
    listing = commands.add_parser("list", help="list missions")
    listing.add_argument("--status", choices=("draft", "published", "archived"))
    listing.set_defaults(handler=run_list)
    subs.append(listing)
    for sub in subs:
        add_config_option(sub)
        sub.add_argument("--json", action="store_true", help="print JSON")


def describe(mission: Mission) -> str:
    goal = (f"{mission.goal_posts} post(s)" if mission.goal == "posts" else
            "recurring" + (f", cap {mission.cap_count}/{mission.cap_period}"
                           if mission.cap_count else ""))
    start = iso_utc(mission.start_at) if mission.start_at else "open"
    end = iso_utc(mission.end_at) if mission.end_at else "open"
    if mission.min_views:
        goal += f", posts with {mission.min_views} views or more"
    elif mission.min_likes:
        goal += f", posts with {mission.min_likes} likes or more"
    actions = ", ".join(f"{a.platform} #{a.hashtag} (action {a.id})" for a in mission.actions)
    return (f"mission {mission.id} «{mission.title}» [{mission.status}]: {goal}, "
            f"{mission.points} point(s), window {start} → {end}\n  actions: {actions}\n"
            f"  button: {mission.label}")


def run_add(args: argparse.Namespace) -> int:
    start = None if args.no_start else (optional_instant(args.start, "--start") or DEFAULT)
    end = None if args.no_end else (optional_instant(args.end, "--end") or DEFAULT)
    with open_service(args, queue=False) as service:
        mission = add_mission(service, title=args.title, action_ids=args.actions,
                              points=args.points, goal_posts=args.posts,
                              recurring=args.recurring, cap=args.cap, start=start, end=end,
                              label=args.label, description=args.description,
                              publish=args.publish, min_views=args.min_views,
                              min_likes=args.min_likes)
    print_records(mission, args.json, describe(mission))
    return 0


def _status(args: argparse.Namespace, status: str) -> int:
    with open_service(args, queue=False) as service:
        mission = set_status(service, args.mission, status)
    print_records(mission, args.json, describe(mission))
    return 0


def run_publish(args: argparse.Namespace) -> int:
    return _status(args, "published")


def run_archive(args: argparse.Namespace) -> int:
    return _status(args, "archived")


def run_show(args: argparse.Namespace) -> int:
    with open_service(args, queue=False) as service:
        mission = get_mission(service, args.mission)
    print_records(mission, args.json, describe(mission))
    return 0


def run_list(args: argparse.Namespace) -> int:
    with open_service(args, queue=False) as service:
        missions = list_missions(service, args.status)
    text = "\n".join(describe(m) for m in missions) or "(no mission yet)"
    print_records(missions, args.json, text)
    return 0
