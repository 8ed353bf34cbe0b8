"""``/healthz``, ``/readyz`` and ``/metrics`` (issue 14).

- ``GET /healthz``: the process answers; 200 ``{"status": "ok"}``, no token, reads nothing.
- ``GET /readyz``: the database and the job queue answer; 200 ``{"status": "ok", "checks":
  {"database": "ok", "queue": "ok"}}``, else 503 with ``status`` ``"unavailable"`` and each
  failed part's error (its type and first line, without credentials). No token.
- ``GET /metrics``: the Prometheus text format (:mod:`engine.service.metrics`); needs an
  admin token (``Authorization: Bearer``), or no token on ``[web] metrics_address``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from engine.service.context import Service
from engine.service.metrics import exposition
from engine.service.webhook_targets import redact_text

from .auth import raw_token, service_of, unauthorized_response
from .errors import Unauthorized, error_body
from .tokens import verify_token

router = APIRouter(include_in_schema=False)
READY_TIMEOUT = 5.0  # seconds each part has to answer


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


def _database(service: Service) -> None:
    with service.db.sessions() as session:
        session.execute(text("SELECT 1"))


def _queue(service: Service) -> None:
    queue: Any = service.queue
    if queue is None:
        raise RuntimeError("no job queue is attached to this process")
    counter = getattr(queue, "pending", None)
    if callable(counter):
        counter()  # a read of the queue's storage (Redis or the SQLite file)


def _failure(error: BaseException, service: Service) -> str:
    original = getattr(error, "orig", None) or error
    first = (str(original).strip().splitlines() or [""])[0]
    shown = f"{type(original).__name__}: {first}" if first else type(original).__name__
    for url in (service.settings.database_url, service.settings.queue_url):
        shown = redact_text(shown, url)
    return shown[:300]


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """200 when the database and the queue answer within :data:`READY_TIMEOUT` seconds, else
    503 naming what failed."""
    service = service_of(request)
    checks: dict[str, str] = {}
    for name, probe in (("database", _database), ("queue", _queue)):
        try:
            await asyncio.wait_for(run_in_threadpool(probe, service), READY_TIMEOUT)
            checks[name] = "ok"
        except TimeoutError:
            checks[name] = f"no answer within {READY_TIMEOUT:.0f} s"
        except Exception as error:  # any failure is the answer: not ready
            checks[name] = _failure(error, service)
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ok" if ready else "unavailable", "checks": checks},
                        status_code=200 if ready else 503)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """The metrics for an admin token; 401 without a valid token, 403 for an integrator's."""
    service = service_of(request)
    try:
        token = await run_in_threadpool(verify_token, service, raw_token(request))
    except Unauthorized as error:
        return unauthorized_response(error)
    if not token.is_admin:
        return JSONResponse(error_body("forbidden", "/metrics needs an admin token; "
                                       "integrator tokens cannot read it"), status_code=403)
    body = await run_in_threadpool(exposition, service)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
