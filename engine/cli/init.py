"""``social-missions init``: create or upgrade the database (Alembic migrations)."""

from __future__ import annotations

import argparse
from typing import Any

from .common import add_config_option
from .service_common import open_service


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("init", help="create or upgrade the missions database")
    add_config_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with open_service(args, queue=False) as service:
        print(f"database ready: {service.settings.database_url}")
        print(f"queue: {service.settings.queue_url}")
    return 0
