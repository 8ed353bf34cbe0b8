"""Opening the missions service for a command: configuration, database, queue, cassette."""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator, Sequence
from typing import Any

from engine.config import load_config
from engine.dates import parse_instant
from engine.service.context import Service
from engine.service.records import Record
from engine.service.runtime import attach_queue

from .common import open_engine


@contextlib.contextmanager
def open_service(args: argparse.Namespace, *, queue: bool = True,
                 replay: bool = False) -> Iterator[Service]:
    """The service of the configured database (migrated), with its queue attached.

    With ``replay``, the extraction engine honours ``--cassette`` as ``check`` does.
    """
    config = load_config(getattr(args, "config", None))
    with contextlib.ExitStack() as stack:
        service = Service.open(config)
        stack.callback(service.close)
        if replay:
            service.engine = stack.enter_context(open_engine(args, config))
        if queue:
            attach_queue(service)
        yield service


def print_records(records: Sequence[Record] | Record, as_json: bool,
                  text: Any = None) -> None:
    """``--json``: the records as JSON; otherwise ``text`` (a string) is printed."""
    if as_json:
        value = ([r.as_json() for r in records] if isinstance(records, Sequence)
                 else records.as_json())
        print(json.dumps(value, ensure_ascii=False, indent=2))
    elif text is not None:
        print(text)


def optional_instant(value: str | None, what: str) -> Any:
    return parse_instant(value, what=what) if value else None
