"""The FastAPI application: the JSON API, the pages, static files and the embedded worker."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI, Response
from fastapi.staticfiles import StaticFiles

from engine import __version__
from engine.service.context import Service
from engine.service.keys import key_ring
from engine.service.metrics import metrics_address, metrics_served
from engine.service.runtime import attach_queue, work
from engine.service.stored_settings import apply_stored_settings

from .api import router as api_router
from .api_docs import router as api_docs_router
from .auth import authenticate_api
from .body_limit import BodyLimit
from .error_handlers import install_error_handlers
from .headers import security_headers
from .health import router as health_router
from .settings import load_web_settings

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
DESCRIPTION = """The missions service's API. Every route under `/api/v1` needs
`Authorization: Bearer <token>` (create one with `social-missions token create --scope
admin|integrator`). Errors are JSON `{"code", "message"}`. See docs/api.md."""


class EmbeddedWorker:
    """The job worker in a background thread of the server (embedded SQLite queue)."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        if self.service.queue is None:
            attach_queue(self.service)
        self.thread = threading.Thread(target=self._run, name="embedded-worker", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            work(self.service, stop=self.stop)
        except Exception:  # the server goes on; the log says why checks stopped
            log.exception("the embedded worker stopped")

    def close(self, timeout: float = 10.0) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout)


def create_app(service: Service, *, run_worker: bool = False) -> FastAPI:
    """The application around ``service``; ``run_worker`` runs the job worker alongside.

    Raises ``ConfigurationError`` for a wrong ``[web]`` key or an unusable signing key (the
    default key file is created here, mode 0600, on first start).
    """
    web_settings = load_web_settings(service.config)
    key_ring(service)  # fail at start-up, not at the first request
    apply_stored_settings(service)
    address = metrics_address(service)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = EmbeddedWorker(service) if run_worker else None
        # [web] metrics_address: /metrics without a token on its own (local) address.
        with metrics_served(service, address):
            if worker is not None:
                worker.start()
            app.state.worker = worker
            try:
                yield
            finally:
                if worker is not None:
                    worker.close()

    # /docs is ours (local assets, no inline script); ReDoc has no local copy: off.
    app = FastAPI(title="Social Missions", version=__version__, description=DESCRIPTION,
                  lifespan=lifespan, docs_url=None, redoc_url=None,
                  swagger_ui_oauth2_redirect_url=None)
    app.state.service = service
    app.state.web_settings = web_settings
    install_error_handlers(app)
    # Innermost: it counts what the application reads; its 413 still gets the headers.
    app.add_middleware(BodyLimit, max_body=service.settings.max_body)
    app.middleware("http")(authenticate_api)
    app.middleware("http")(security_headers)
    app.include_router(api_router)
    app.include_router(health_router)
    if web_settings.api_docs:
        app.include_router(api_docs_router)
    # The member's pages, then the admin console (imported here: the console's modules use
    # the pages' rendering, so neither package imports the other's router).
    from .console import router as console_router
    from .pages import router as pages_router

    app.include_router(pages_router)
    app.include_router(console_router)
    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        """No icon: 204, cached a day, rather than a 404 in every browser console."""
        return Response(status_code=204, headers={"Cache-Control": "public, max-age=86400"})

    return app
