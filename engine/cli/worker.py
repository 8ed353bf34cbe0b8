"""``social-missions worker [--once] [--processes N]``: run checks, re-checks, retries and
webhook deliveries.

One process (the default on SQLite) works in this process itself. Several (``--processes``,
``[queue] processes``; the default on PostgreSQL is one per core) are child processes that
:mod:`engine.service.worker_processes` starts and supervises, each with its own service and
``[queue] workers`` threads: the threads of one process share one core (the GIL).
"""

from __future__ import annotations

import argparse
import functools
import threading
from dataclasses import dataclass
from typing import Any

from engine.errors import InvalidInput
from engine.queue import WorkerStats
from engine.service.metrics import metrics_address, metrics_served, parse_address
from engine.service.runtime import work
from engine.service.settings import MAX_PROCESSES

from .common import add_cassette_options, add_config_option
from .service_common import open_service


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("worker", help="process queued checks and webhooks")
    parser.add_argument("--once", action="store_true",
                        help="process what is due now, then exit")
    parser.add_argument("--threads", type=int, metavar="N",
                        help="worker threads per process (default: [queue] workers, 16)")
    parser.add_argument("--processes", type=int, metavar="N",
                        help="worker processes, each with its threads (default: [queue] "
                        "processes, \"auto\": one per core on PostgreSQL, 1 on SQLite)")
    parser.add_argument("--metrics-address", metavar="HOST:PORT",
                        help="serve /metrics without a token there (default: [web] "
                        "metrics_address; each process needs its own: with --processes N, "
                        "process i (from 0) serves on PORT+i)")
    add_cassette_options(parser)
    add_config_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Work until stopped (``--once``: until nothing is due) and print the counts; returns the
    exit status. Raises ``InvalidInput`` for a bad ``--threads`` or ``--processes``."""
    if args.threads is not None and args.threads < 1:
        raise InvalidInput(f"--threads must be at least 1, not {args.threads}")
    if args.processes is not None and args.processes < 1:
        raise InvalidInput(f"--processes must be at least 1, not {args.processes}")
    if args.processes is not None and args.processes > MAX_PROCESSES:
        raise InvalidInput(f"--processes {args.processes} is more than the {MAX_PROCESSES} one "
                           f"machine runs: use at most {MAX_PROCESSES}, and workers on more "
                           "machines for more")
    if args.record and (args.processes or 1) > 1:
        raise InvalidInput("--record writes one process's traffic to the cassette: use "
                           "--processes 1 (or leave --processes out)")
    processes = args.processes or (1 if args.record else _configured_processes(args))
    if processes > 1:
        return _run_processes(args, processes)
    with open_service(args, replay=True) as service:
        address = (parse_address(args.metrics_address, "--metrics-address")
                   if args.metrics_address else metrics_address(service))
        try:
            stats = _work_serving_metrics(service, address, once=args.once,
                                          threads=args.threads)
        except KeyboardInterrupt:
            return 0
    return _summary(stats, args.once, 0)


def _work_serving_metrics(service: Any, address: tuple[str, int] | None, *, once: bool,
                          threads: int | None,
                          stop: threading.Event | None = None) -> WorkerStats:
    """:func:`~engine.service.runtime.work` with ``/metrics`` served on ``address`` (none
    when None) while it runs."""
    with metrics_served(service, address):
        return work(service, once=once, threads=threads, stop=stop)


def _configured_processes(args: argparse.Namespace) -> int:
    """``[queue] processes`` of the configuration, resolved (``"auto"``: the database's)."""
    from engine.config import load_config
    from engine.service.settings import load_settings

    return load_settings(load_config(args.config)).processes


@dataclass(frozen=True)
class ChildOptions:
    """What a child process needs to open its service and work, sent to it by pickling:
    the command's options, and the base metrics address (child ``i`` serves on port + i)."""

    config: str | None
    cassette: str | None
    once: bool
    threads: int | None
    metrics: tuple[str, int] | None
    verbose: int
    log_format: str | None


def _run_processes(args: argparse.Namespace, processes: int) -> int:
    """Check the configuration and migrate the database here, once, then run ``processes``
    children (:func:`engine.service.worker_processes.run_processes`) and print their summed
    counts. Nothing opened here stays open while they run."""
    from engine.config import load_config
    from engine.errors import ConfigurationError
    from engine.service.context import Service
    from engine.service.metrics import ACTIVITY_LOG
    from engine.service.worker_processes import EXIT_INVALID, run_processes

    from .common import open_engine

    config = load_config(args.config)
    service = Service.open(config)
    try:
        with open_engine(args, config):  # the plugins' tables and the cassette, checked once
            pass
        address = (parse_address(args.metrics_address, "--metrics-address")
                   if args.metrics_address else metrics_address(service))
        threads = args.threads or service.settings.workers
    finally:
        service.close()
    if address is not None and address[1] + processes - 1 > 65535:
        raise ConfigurationError(f"metrics port {address[1]}: {processes} processes serve on "
                                 f"ports {address[1]} to {address[1] + processes - 1}, past "
                                 "65535; pick a lower port")
    metrics = ""
    if address is not None:
        host, port = address
        metrics = (f"; process i serves /metrics on {host}:{port}+i (ports {port} to "
                   f"{port + processes - 1})")
    ACTIVITY_LOG.info("worker: %d processes of %d threads each%s", processes, threads, metrics)
    options = ChildOptions(config=args.config, cassette=args.cassette, once=args.once,
                           threads=args.threads, metrics=address, verbose=args.verbose,
                           log_format=args.log_format)
    outcome = run_processes(processes, functools.partial(work_in_child, options),
                            once=args.once)
    if outcome.status == EXIT_INVALID:  # a child said why
        return outcome.status
    return _summary(outcome.stats, args.once, outcome.status)


def _summary(stats: WorkerStats, once: bool, status: int) -> int:
    """Print the counts line and return the exit status: ``status``, or 3 with ``--once``
    when passes failed (logged errors: the database or the queue not answering…), so that a
    scheduled ``worker --once`` does not pass for done when it could not work."""
    failed = f", {stats.failed} failed pass(es): see the log" if stats.failed else ""
    print(f"worker: {stats.jobs} job(s), {stats.swept} swept{failed}")
    if once and stats.failed and status == 0:
        return 3
    return status


def work_in_child(options: ChildOptions, index: int, stop: threading.Event) -> WorkerStats:
    """The work of child process ``index``: its logging, its own service (database, queue,
    engine, cassette), its metrics server on the base port + ``index``, then
    :func:`~engine.service.runtime.work` until ``stop`` is set (or, once, nothing is due).
    Raises what opening the service raises (``ConfigurationError``…)."""
    from engine.logs import configure_logging

    configure_logging(options.verbose, options.log_format)
    args = argparse.Namespace(config=options.config, cassette=options.cassette, record=False)
    address = None
    if options.metrics is not None:
        host, port = options.metrics
        address = (host, port + index)
    with open_service(args, replay=True) as service:
        return _work_serving_metrics(service, address, once=options.once,
                                     threads=options.threads, stop=stop)
