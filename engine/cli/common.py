"""Options and helpers shared by several commands (configuration, cassette replay)."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from engine.cache import MemoryCache
from engine.cli import startup_done
from engine.config import Config, load_config
from engine.core import Engine
from engine.replay import cassette


def add_command_group(subparsers: Any, name: str, help: str, *,
                      metavar: str = "SUBCOMMAND") -> Any:
    """Add the command ``name`` made of sub-commands (``member link``, ``secret rotate``) to
    ``subparsers``; returns the sub-parsers to add those to. The one chosen is in
    ``args.<name>_command``; one is required (argparse exits with 2 naming them when absent)."""
    parser = subparsers.add_parser(name, help=help)
    return parser.add_subparsers(dest=f"{name}_command", metavar=metavar, required=True)


def add_config_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--config FILE``, the configuration file to read."""
    parser.add_argument("--config", metavar="FILE",
                        help="configuration file (default: $SOCIAL_MISSIONS_CONFIG or "
                        "./social-missions.toml)")


def add_cassette_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cassette", metavar="FILE",
                        help="replay HTTP from this VCR cassette; a request missing from it is "
                        "an error")
    parser.add_argument("--record", action="store_true",
                        help="with --cassette: record real traffic into it instead (needs network;"
                        " cookies and authorisation headers are stripped)")


@contextlib.contextmanager
def open_engine(args: argparse.Namespace, config: Config | None = None) -> Iterator[Engine]:
    """The engine for a command, replaying or recording ``--cassette`` when given (then with
    a fresh in-memory cache, never the persistent one). Once the engine is built and the
    cassette loaded, the command's start-up is over (:func:`engine.cli.startup_done`)."""
    config = config or load_config(getattr(args, "config", None))
    path = getattr(args, "cassette", None)
    if getattr(args, "record", False) and not path:
        raise_usage("--record needs --cassette FILE")
    with contextlib.ExitStack() as stack:
        replaying = bool(path) and not args.record
        # With a cassette, a fresh in-memory cache: one cassette always gives the same
        # requests (a cached channel id or secUid would skip a recorded request), and a
        # recording holds the cold path a replay needs.
        engine = Engine(config, replaying=replaying, cache=MemoryCache() if path else None)
        stack.callback(engine.close)
        if path:
            volatile = {p for platform in engine.platforms.values()
                        for p in platform.volatile_query_params}
            stack.enter_context(cassette(path, record=args.record, volatile=volatile))
        startup_done()
        yield engine


def raise_usage(message: str) -> None:
    from engine.errors import InvalidInput

    raise InvalidInput(message)


MAX_ID = 2**31 - 1  # ids are 32-bit in both databases


def whole_number(low: int, high: int, what: str = "value") -> Callable[[str], int]:
    """An argparse ``type``: ASCII digits only (no sign, spaces, ``_``, ``²`` nor other
    scripts' digits), between ``low`` and ``high``; else a one-line usage error."""

    def parse(text: str) -> int:
        if not (text.isascii() and text.isdigit()) or len(text) > 12 \
                or not low <= int(text) <= high:
            shown = text if len(text) <= 40 else text[:40] + "…"
            raise argparse.ArgumentTypeError(
                f"{what} must be a whole number from {low} to {high} in ASCII digits, "
                f"not {shown!r}")
        return int(text)

    parse.__name__ = what  # argparse names the type in some messages
    return parse


identifier = whole_number(1, MAX_ID, "id")

_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(high: int, what: str = "duration") -> Callable[[str], str]:
    """An argparse ``type`` for a duration: ASCII digits (a decimal point allowed) and an
    optional unit ``s``, ``m``, ``h`` or ``d`` (``90``, ``30m``, ``1.5h``, ``7d``), from 0 to
    ``high`` seconds; the text is returned unchanged (to be read by
    :func:`engine.service.settings.parse_duration`). Else a one-line usage error: no
    ``²`` nor other scripts' digits, no value that would overflow a date."""
    import re

    shape = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,6})?[smhd]?", re.ASCII)

    def parse(text: str) -> str:
        if text.isascii() and shape.fullmatch(text):
            unit = _DURATION_UNITS.get(text[-1], 1)
            number = text[:-1] if text[-1] in _DURATION_UNITS else text
            if float(number) * unit <= high:
                return text
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise argparse.ArgumentTypeError(
            f"{what} must be a duration from 0 to {high // 86400} days, in ASCII digits with "
            f"an optional unit (90, 30m, 12h, 7d), not {shown!r}")

    parse.__name__ = what
    return parse


def member_id(text: str) -> str:
    """An argparse ``type`` for a member id: refused (never trimmed) when it has surrounding
    spaces or control characters (:mod:`engine.service.member_ids`)."""
    from engine.service.member_ids import member_id_problem

    problem = member_id_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return text
