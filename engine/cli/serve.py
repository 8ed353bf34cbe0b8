"""``social-missions serve [--host] [--port] [--demo]``: the API and pages on uvicorn.

With the embedded SQLite queue the job worker runs in the same process; with a Redis queue it
does not (run ``social-missions worker`` processes next to the server).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import socket
import tempfile
import threading
from pathlib import Path
from typing import Any

from engine.errors import InvalidInput

from .common import add_config_option

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("serve", help="serve the HTTP API and the pages")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: "
                        "127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000,
                        help="port (default: 8000; 0 picks a free one and prints it)")
    parser.add_argument("--demo", action="store_true",
                        help="temporary database with examples; checks replay bundled cassettes")
    add_config_option(parser)
    parser.set_defaults(handler=run)


def listen(host: str, port: int) -> socket.socket:
    """Bind before starting uvicorn, so that ``--port 0`` knows its port to print."""
    if not 0 <= port <= 65535:
        raise InvalidInput(f"--port must be between 0 and 65535, not {port}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise InvalidInput(f"cannot listen on {host}:{port}: {error.strerror}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def base_url(sock: socket.socket, host: str) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


class Terminated(BaseException):
    """``SIGTERM`` arrived: stop serving, close what is open, exit 0 (a requested stop).

    A ``BaseException``, like ``KeyboardInterrupt``: the signal can land inside any library
    call (SQLAlchemy wraps an ``Exception`` raised while it builds a statement into a
    ``StatementError``), and an exit must pass through them unchanged."""


def _stop_on_sigterm(signum: int, frame: object) -> None:
    """``SIGTERM`` as an exception, so that the ``with`` blocks of :func:`run` close (the
    demo's temporary folder is removed) before the process ends."""
    raise Terminated(f"signal {signum}")


def run(args: argparse.Namespace) -> int:
    """Serve until stopped (Ctrl+C: 130, ``SIGTERM``: 0, as systemd expects of a stop).

    uvicorn answers ``SIGTERM`` by finishing the requests in flight, then raises the signal
    again once its own handler is gone: :func:`_stop_on_sigterm` is the handler it then finds,
    so the cleanup below still runs (by default the signal would end the process at once).
    """
    sock = listen(args.host, args.port)
    with contextlib.suppress(Terminated):
        _serve(args, sock)
    return 0


def _serve(args: argparse.Namespace, sock: socket.socket) -> None:
    """Open the service (the demo's in a temporary folder) and run uvicorn on ``sock``;
    everything opened here is closed on the way out, whatever ends the serving."""
    import uvicorn

    from engine.web.app import create_app

    base = base_url(sock, args.host)
    with contextlib.ExitStack() as stack:
        stack.callback(sock.close)
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
            stack.callback(signal.signal, signal.SIGTERM, previous)
        if args.demo:
            from engine.web import demo

            folder = Path(stack.enter_context(
                tempfile.TemporaryDirectory(prefix="social-missions-serve-demo-")))
            service = demo.open_demo_service(folder)
            stack.callback(service.close)
            stack.enter_context(demo.replaying(folder, service))
            site = demo.seed(service)
            print(demo.banner(site, base, folder), flush=True)
            embedded = True
        else:
            from engine.config import load_config
            from engine.service.context import Service
            from engine.service.runtime import attach_queue

            service = Service.open(load_config(args.config))
            stack.callback(service.close)
            # Load the plugins now: a backend table they do not declare stops the start.
            service.engine = service.engine
            attach_queue(service)
            embedded = not service.settings.queue_url.startswith(REDIS_SCHEMES)
            print(f"Social Missions on {base} (API docs: {base}/docs; admin page: {base}/admin)",
                  flush=True)
            if not embedded:
                print("the queue is Redis: run `social-missions worker` for the checks",
                      flush=True)
        app = create_app(service, run_worker=embedded)
        from engine.logs import json_logging

        # JSON lines: uvicorn's loggers go through ours (log_config None) instead of its own.
        server = uvicorn.Server(uvicorn.Config(
            app, log_level="info", access_log=False, lifespan="on",
            log_config=None if json_logging() else uvicorn.config.LOGGING_CONFIG))
        server.run(sockets=[sock])
