"""The ``social-missions`` command line.

Each command lives in its own module of this package with ``register(subparsers)``; the list
below decides which exist. Errors of :mod:`engine.errors` become one-line messages and exit
statuses: 2 for bad input or configuration, 3 for a check that could not complete.

Run as the program itself (:func:`main` without ``argv``), the command line also tunes its own
process for a short life: see :func:`_tune_process` (no effect on a caller that passes ``argv``,
such as the tests).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from engine import __version__
from engine.errors import (
    CassetteMiss,
    ConfigurationError,
    ExtractionError,
    InvalidInput,
    SocialMissionsError,
)
from engine.logs import configure_logging, restore_logging

EXIT_OK = 0
EXIT_INVALID = 2
EXIT_INCOMPLETE = 3
# What a shell reports for a program that SIGPIPE stopped (128 + 13): ``… | head`` as with cat.
EXIT_BROKEN_PIPE = 141

# Modules of this package that add commands, in the order ``--help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "engine.cli.check",
    "engine.cli.backends",
    "engine.cli.doctor",
    "engine.cli.demo",
    "engine.cli.init",
    "engine.cli.action",
    "engine.cli.mission",
    "engine.cli.member",
    "engine.cli.claim",
    "engine.cli.worker",
    "engine.cli.report",
    "engine.cli.why",
    "engine.cli.privacy",
    "engine.cli.token",
    "engine.cli.webhook",
    "engine.cli.secret",
    "engine.cli.serve",
    "engine.cli.plugin",
)

# Commands that run once and exit within a second or so (one check): their process starts
# without the cyclic garbage collector (see _tune_process).
BRIEF_COMMANDS: tuple[str, ...] = ("engine.cli.check",)
# The collector's thresholds for the rest of a brief command, once its start-up is over
# (Python's defaults: 700, 10, 10).
BRIEF_GC_THRESHOLD = (10_000, 10, 10)
_collector_paused = False


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose refusals are one line on stderr (exit status 2): the command,
    what is wrong, and where the help is; no usage block."""

    def error(self, message: str) -> NoReturn:
        """Print ``message`` on one line and exit with status 2."""
        text = " ".join(message.split())
        self.exit(EXIT_INVALID, f"{self.prog}: error: {text} (see {self.prog} --help)\n")


def _command_module(argv: Sequence[str]) -> str | None:
    """The module of the command ``argv`` names (its first word that is not a global
    option), or None (no command, ``--help``, an unknown word): then every module loads."""
    words = iter(argv)
    for word in words:
        if word in ("-v", "-vv", "-vvv", "--verbose") or word.startswith("--log-format="):
            continue
        if word == "--log-format":
            next(words, None)  # its value
            continue
        if word.startswith("-"):
            return None
        module = f"engine.cli.{word}"
        return module if module in COMMAND_MODULES else None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser of ``argv``'s command alone when it names one (so that a command imports
    only what it uses: ``check`` loads no database, queue or web library), else of every
    command (``--help`` lists them all)."""
    parser = OneLineParser(
        prog="social-missions",
        description="Reward members for publishing with a required hashtag on Instagram, "
        "YouTube and TikTok.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="log more (-v: requests, -vv: debug)")
    parser.add_argument("--log-format", choices=("text", "json"), default=None,
                        help="log lines as text (default) or one JSON object per line "
                        "(also [service] log_format)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    only = _command_module(argv) if argv is not None else None
    for module_name in (only,) if only else COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def argument_problem(argv: Sequence[str]) -> str | None:
    """What makes the command line unusable as text, or None: a lone surrogate (bytes that
    are not UTF-8, as Python decodes them) or a control character other than tab and line
    breaks, in any argument."""
    for index, argument in enumerate(argv, start=1):
        for char in argument:
            code = ord(char)
            if 0xD800 <= code <= 0xDFFF:
                return (f"argument {index} is not valid UTF-8 (U+{code:04X}); pass text in "
                        "UTF-8")
            if (code < 32 and char not in "\t\n\r") or code == 127:
                return (f"argument {index} holds the control character U+{code:04X}; remove "
                        "it")
    return None


def _tune_process(argv: Sequence[str]) -> None:
    """Settings for this process alone, made when :func:`main` runs as the program (never for
    a caller in the same process, which keeps its own).

    - httpx's own command line (``httpx._main``, which loads click, rich and pygments: some
      50 ms of CPU, half of ``import httpx``) is imported by ``import httpx`` whenever those
      libraries are installed, and this program never runs it: a ``None`` entry in
      ``sys.modules`` makes that import fail, and httpx then defines a stand-in ``httpx.main``
      (its documented fallback when they are missing). Nothing else changes in httpx.
    - A brief command (:data:`BRIEF_COMMANDS`) starts with the cyclic garbage collector off:
      start-up imports some 800 modules, whose objects all live until exit, and the collector
      would otherwise run about 240 times over them (some 50 ms of CPU, one full collection
      among them). :func:`startup_done` turns it back on. This is safe: reference counting
      still frees every object that is not in a cycle, and the cycles left by start-up are a
      few hundred small objects (about 0.1 MB), kept until exit. Long-lived commands
      (``serve``, ``worker``) keep Python's defaults.
    """
    global _collector_paused
    if "httpx" not in sys.modules:
        sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    if _command_module(argv) in BRIEF_COMMANDS and gc.isenabled():
        gc.disable()
        _collector_paused = True


def startup_done() -> None:
    """Called once a command's modules are imported and its engine built (by
    :func:`engine.cli.common.open_engine`). After a brief command's start-up
    (:func:`_tune_process`) it freezes the objects alive now (``gc.freeze``: modules, classes,
    plugins, the cassette; they live until exit, and later collections no longer walk them)
    and turns the collector back on with a larger first generation
    (:data:`BRIEF_GC_THRESHOLD`), so that the check itself still frees its cycles. Otherwise
    it does nothing."""
    global _collector_paused
    if not _collector_paused:
        return
    _collector_paused = False
    gc.freeze()
    gc.set_threshold(*BRIEF_GC_THRESHOLD)
    gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command of ``argv`` (default: ``sys.argv[1:]``) and return its exit status.

    A reader that stops early (``social-missions check … | head -3``) ends the command quietly
    with status 141, as a Unix tool stopped by ``SIGPIPE`` would, without a traceback.
    Without ``argv`` (the program itself) the process is tuned first (:func:`_tune_process`).
    """
    if argv is None:
        _tune_process(sys.argv[1:])
    try:
        status = _run(list(sys.argv[1:] if argv is None else argv))
        sys.stdout.flush()  # inside the try: a closed pipe shows here, not at interpreter exit
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    return status


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that Python's last flush at exit does not
    report the closed pipe again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no file descriptor (a captured stdout): nothing to flush
        pass


def _run(argv: list[str]) -> int:
    """Parse ``argv``, run its command and turn the project's errors into exit statuses."""
    parser = build_parser(argv)
    try:
        problem = argument_problem(argv)
        if problem is not None:
            parser.error(problem)
        args = parser.parse_args(argv)
    except SystemExit as stop:  # a refusal (one line already printed), --help, --version
        return stop.code if isinstance(stop.code, int) else EXIT_INVALID
    configure_logging(args.verbose, args.log_format)
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
    finally:
        restore_logging()  # a caller in the same process (a test) keeps its own logging


if __name__ == "__main__":
    sys.exit(main())
