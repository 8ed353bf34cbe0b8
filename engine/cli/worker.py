"""``social-missions worker [--once]``: run checks, re-checks, retries and webhook deliveries."""

from __future__ import annotations

import argparse
from typing import Any

from engine.errors import InvalidInput
from engine.service.metrics import metrics_address, parse_address, serve_metrics
from engine.service.runtime import work

from .common import add_cassette_options, add_config_option
from .service_common import open_service


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("worker", help="process queued checks and webhooks")
    parser.add_argument("--once", action="store_true",
                        help="process what is due now, then exit")
    parser.add_argument("--threads", type=int, metavar="N",
                        help="worker threads (default: [queue] workers, 16)")
    parser.add_argument("--metrics-address", metavar="HOST:PORT",
                        help="serve /metrics without a token there (default: [web] "
                        "metrics_address; each process needs its own)")
    add_cassette_options(parser)
    add_config_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.threads is not None and args.threads < 1:
        raise InvalidInput(f"--threads must be at least 1, not {args.threads}")
    with open_service(args, replay=True) as service:
        address = (parse_address(args.metrics_address, "--metrics-address")
                   if args.metrics_address else metrics_address(service))
        server = serve_metrics(service, address) if address is not None else None
        try:
            stats = work(service, once=args.once, threads=args.threads)
        except KeyboardInterrupt:
            return 0
        finally:
            if server is not None:
                server.shutdown()
                server.server_close()
    print(f"worker: {stats.jobs} job(s), {stats.swept} swept")
    return 0
