"""Admin routes: the Social campaigns report, webhook settings and API tokens."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse

from engine.service.report import (
    REJECTIONS,
    ReportFilter,
    report_slice,
    stream_report_csv,
    stream_report_jsonl,
    summaries,
)
from engine.service.stored_settings import update_webhook
from engine.service.webhook_targets import redact_url
from engine.service.webhooks import deliveries, resend
from engine.verdicts import Window

from ..auth import Admin, service_of
from ..tokens import create_token, list_tokens, revoke_token
from .pagination import (
    DEFAULT_LIMIT,
    Cursor,
    Limit,
    cursor_id,
    link_header,
    link_next,
    next_url,
)
from .schemas import (
    ERRORS,
    DeliveryResent,
    IdPath,
    IdQuery,
    Instant,
    MemberQuery,
    TokenCreated,
    TokenIn,
    TokenOut,
    WebhookIn,
    WebhookOut,
    WebhookSecret,
)

router = APIRouter(responses=ERRORS)

# The verdicts a report row can carry (``?verdict=`` accepts these only).
VERDICTS = ("counted", *REJECTIONS)

CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, "text/csv": {}, "application/x-ndjson": {}},
          "description": "JSON `{rows, summary, next}` (one page); with `format=csv` or "
                         "`format=jsonl`, every filtered row as a streamed file"}}


@router.get("/report", tags=["report"], responses=CSV_RESPONSE)
def report(
    request: Request,
    _: Admin,
    mission: IdQuery = None,
    platform: Annotated[str | None, Query(max_length=40)] = None,
    member: MemberQuery = None,
    verdict: Annotated[Literal[VERDICTS] | None, Query()] = None,  # type: ignore[valid-type]
    since: Annotated[Instant | None, Query(description="checks finished at or after")] = None,
    until: Annotated[Instant | None, Query(description="checks finished before")] = None,
    format: Annotated[Literal["json", "csv", "jsonl"], Query()] = "json",
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    """Every post every check saw, newest first (the rules: docs/api.md, report).

    ``format=json``: one page of ``limit`` rows, the per-mission summaries (first page only)
    and ``next`` (also the ``Link`` header) while rows remain. ``format=csv`` and
    ``format=jsonl``: every filtered row, streamed in constant memory (``limit`` and
    ``cursor`` do not apply).
    """
    service = service_of(request)
    if platform is not None and platform.lower() not in service.engine.platforms:
        known = ", ".join(sorted(service.engine.platforms))
        raise RequestValidationError([{
            "type": "enum", "loc": ("query", "platform"),
            "msg": f"{platform[:40]!r} is not a known platform: use one of {known}"}])
    where = ReportFilter(mission_id=mission, platform=platform, member_id=member,
                         verdict=verdict, period=Window(start=since, end=until))
    if format == "csv":
        return StreamingResponse(stream_report_csv(service, where),
                                 media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": 'attachment; filename="social-campaigns-report.csv"'})
    if format == "jsonl":
        return StreamingResponse(stream_report_jsonl(service, where),
                                 media_type="application/x-ndjson", headers={
            "Content-Disposition": 'attachment; filename="social-campaigns-report.jsonl"'})
    rows, after = report_slice(service, where, limit=limit, after=cursor_id(cursor))
    url = next_url(request, after)
    body: dict[str, Any] = {"rows": [row.as_json() for row in rows], "next": url}
    if cursor is None:
        body["summary"] = [item.as_json() for item in summaries(service, mission)]
    return JSONResponse(body, headers=link_header(url))


def _webhook(request: Request, secret: str | None = None) -> WebhookOut:
    settings = service_of(request).settings
    shown = {"secret": secret} if secret else {}  # absent, not null, when not just created
    return WebhookOut(url=redact_url(settings.webhook_url), secret_set=bool(settings.webhook_secret),
                      max_attempts=settings.webhook_max_attempts, **shown)


@router.get("/webhook", response_model=WebhookOut, response_model_exclude_unset=True,
            tags=["webhook"])
def webhook(request: Request, _: Admin) -> WebhookOut:
    """Where award events go (credentials written in the URL shown as ``***``); the secret
    itself is never returned."""
    return _webhook(request)


@router.put("/webhook", response_model=WebhookOut, response_model_exclude_unset=True,
            tags=["webhook"])
def set_webhook(body: WebhookIn, request: Request, _: Admin) -> WebhookOut:
    """Set the URL (null or empty: none). When no secret exists yet, one is created and
    returned in this answer only. 400 for a URL that is not http(s) with a host, or whose host
    is a private, loopback, link-local… address (unless ``[webhooks] allow_private``)."""
    secret = update_webhook(service_of(request), url=body.url)
    return _webhook(request, secret)


@router.post("/webhook/secret", response_model=WebhookSecret, tags=["webhook"])
def rotate_secret(request: Request, _: Admin) -> WebhookSecret:
    """Replace the signing secret; the new one is in this answer only."""
    secret = update_webhook(service_of(request), rotate_secret=True)
    assert secret is not None
    return WebhookSecret(secret=secret)


@router.get("/webhook/deliveries", tags=["webhook"])
def webhook_deliveries(request: Request, response: Response, _: Admin,
                       limit: Limit = DEFAULT_LIMIT,
                       cursor: Cursor = None) -> list[dict[str, object]]:
    """Events to the host platform with their delivery attempts, oldest first, ``limit`` per
    page (next page: the ``Link`` header)."""
    found = deliveries(service_of(request), limit=limit + 1, after=cursor_id(cursor))
    link_next(response, request, str(found[limit - 1]["id"]) if len(found) > limit else None)
    return found[:limit]


@router.post("/webhook/deliveries/{delivery_id}/resend", status_code=202,
             response_model=DeliveryResent, tags=["webhook"])
def resend_delivery(delivery_id: IdPath, request: Request, _: Admin) -> DeliveryResent:
    """Send a failed delivery again: a new round of tries, to the URL configured now, with the
    same signed body (202: queued). 404 for an unknown delivery; 409 when it has not failed
    (pending or delivered) or when no webhook URL is configured."""
    service = service_of(request)
    resend(service, delivery_id)
    return DeliveryResent(id=delivery_id, state="pending", url=redact_url(
        service.settings.webhook_url) or "")


@router.get("/tokens", response_model=list[TokenOut], tags=["tokens"])
def tokens(request: Request, response: Response, _: Admin, limit: Limit = DEFAULT_LIMIT,
           cursor: Cursor = None) -> list[dict[str, Any]]:
    """API tokens (never their secret), oldest first, ``limit`` per page (next page: the
    ``Link`` header)."""
    found = list_tokens(service_of(request), limit=limit + 1, after=cursor_id(cursor))
    link_next(response, request, found[limit - 1].id if len(found) > limit else None)
    return [token.as_json() for token in found[:limit]]


@router.post("/tokens", status_code=201, response_model=TokenCreated, tags=["tokens"])
def new_token(body: TokenIn, request: Request, _: Admin) -> dict[str, Any]:
    """Create a token; the raw value is in this answer only."""
    token, raw = create_token(service_of(request), body.scope, body.label)
    return {**token.as_json(), "token": raw}


@router.delete("/tokens/{token_id}", response_model=TokenOut, tags=["tokens"])
def revoke(token_id: IdPath, request: Request, _: Admin) -> dict[str, Any]:
    """Revoke a token: it answers 401 from now on (idempotent)."""
    return revoke_token(service_of(request), token_id).as_json()
