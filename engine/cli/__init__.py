"""The ``social-missions`` command line.

Each command lives in its own module of this package with ``register(subparsers)``; the list
below decides which exist. Errors of :mod:`engine.errors` become one-line messages and exit
statuses: 2 for bad input or configuration, 3 for a check that could not complete.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from engine import __version__
from engine.errors import (
    CassetteMiss,
    ConfigurationError,
    ExtractionError,
    InvalidInput,
    SocialMissionsError,
)

EXIT_OK = 0
EXIT_INVALID = 2
EXIT_INCOMPLETE = 3

# Modules of this package that add commands, in the order ``--help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "engine.cli.check",
    "engine.cli.backends",
    "engine.cli.demo",
    "engine.cli.init",
    "engine.cli.action",
    "engine.cli.mission",
    "engine.cli.member",
    "engine.cli.claim",
    "engine.cli.worker",
    "engine.cli.report",
    "engine.cli.why",
    "engine.cli.token",
    "engine.cli.serve",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="social-missions",
        description="Reward members for publishing with a required hashtag on Instagram, "
        "YouTube and TikTok.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="log more (-v: requests, -vv: debug)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=[logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)],
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.handler(args) or 0)
    except (InvalidInput, ConfigurationError, CassetteMiss) as error:
        print(f"social-missions: error: {error}", file=sys.stderr)
        return EXIT_INVALID
    except ExtractionError as error:
        print(f"social-missions: {error.status}: {error.detail}", file=sys.stderr)
        return EXIT_INCOMPLETE
    except SocialMissionsError as error:
        print(f"social-missions: error: {error}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
