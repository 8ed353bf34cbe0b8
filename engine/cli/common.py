"""Options and helpers shared by several commands (configuration, cassette replay)."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

from engine.cache import MemoryCache
from engine.config import Config, load_config
from engine.core import Engine
from engine.replay import cassette


def add_config_option(parser: argparse.ArgumentParser) -> None:
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
    a fresh in-memory cache, never the persistent one)."""
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
        yield engine


def raise_usage(message: str) -> None:
    from engine.errors import InvalidInput

    raise InvalidInput(message)
