"""Shared pieces of the browser tests: uvicorn in a thread, the job worker in a thread, the
served app with its cassette, and screenshots.

The browser is the system Chromium (``/usr/bin/chromium``) driven by Playwright; the
``browser`` fixture lives in ``conftest.py``. Screenshots go to ``test-artifacts/`` at the
repository root (ignored by git).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from engine.replay import cassette
from engine.service.runtime import work
from engine.web.app import create_app

from .pages_helpers import ARTIFACTS, PUBLIC, World

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


class Server:
    """uvicorn serving the app in a thread, on a socket bound beforehand (a free port)."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]},
                                       daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.socket.close()


class Worker:
    """The job worker in a thread, started when the test wants the checks to run."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        work(self.world.service, threads=1, stop=self.stop)

    def start(self) -> None:
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(15)


@contextlib.contextmanager
def serving(world: World, *, run_worker: bool,
            replay: Path | None = PUBLIC) -> Iterator[tuple[str, Worker]]:
    """The app on uvicorn; with ``run_worker`` the app's embedded worker runs the checks,
    otherwise the test starts :class:`Worker` when it wants them to run.

    ``replay`` is the cassette every check replays (None: the test enters its own).
    """
    worker = Worker(world)
    # VCR patches the HTTP clients process-wide, so the worker threads' checks replay the
    # cassette; the browser's requests to 127.0.0.1 do not go through those clients anyway.
    with contextlib.ExitStack() as stack:
        if replay is not None:
            stack.enter_context(cassette(replay, record=False, ignore_localhost=True))
        base = stack.enter_context(Server(create_app(world.service, run_worker=run_worker)))
        try:
            yield base, worker
        finally:
            worker.close()


def screenshot(page: Any, name: str) -> Path:
    """A full-page screenshot of ``page``, or of one element when ``page`` is a locator, in
    ``test-artifacts/`` (its path)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    if hasattr(page, "goto"):
        page.screenshot(path=str(path), full_page=True)
    else:
        page.screenshot(path=str(path))
    return path
