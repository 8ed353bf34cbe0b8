"""A request body larger than ``[web] max_body`` bytes is answered 413 before it is read.

:class:`BodyLimit` is an ASGI middleware. A declared ``Content-Length`` above the limit is
refused at once, without reading a byte of the body (a malformed one is refused 400). A body
without a length (``Transfer-Encoding: chunked``) is counted while it streams: the read that
crosses the limit stops there, and whatever the application was about to answer is replaced by
the 413, so the server never holds more than the limit (plus one chunk) of any request. A
route that answers without reading such a body (a form route sent JSON, say) would otherwise
answer as if the body were empty: before its answer starts, the rest of the body is read and
discarded (counted, at most the limit), and the 413 replaces the answer when it is too large.

Under ``/api/`` the answer is the API's JSON error ``{"code": "too_large", "message"}``;
elsewhere (the console, the member pages) a short readable page.
"""

from __future__ import annotations

import contextlib
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import API_PREFIX
from .error_handlers import error_page

DEFAULT_MAX_BODY = 1_048_576  # bytes (1 MiB)


class BodyTooLarge(Exception):
    """Raised inside the application's ``receive`` when the streamed body crossed the limit."""


def _describe(limit: int) -> str:
    return (f"the request body is larger than the limit of {limit} bytes ([web] max_body); "
            "send a smaller body")


async def _answer(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
    """Send a complete error answer: JSON under the API, a small HTML page elsewhere."""
    if str(scope.get("path", "")).startswith(API_PREFIX):
        body = json.dumps({"code": code, "message": message}).encode()
        kind = b"application/json"
    else:
        body = error_page(status, message).encode()
        kind = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", kind), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware refusing bodies above ``max_body`` bytes with 413 (see the module)."""

    def __init__(self, app: ASGIApp, max_body: int = DEFAULT_MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body
        declared = [value for name, value in scope.get("headers", ())
                    if name.lower() == b"content-length"]
        if declared:
            text = declared[0].strip()
            if not (text.isascii() and text.isdigit()) or len(set(declared)) > 1:
                await _answer(scope, send, 400, "invalid_input",
                              "the Content-Length header is not a whole number of bytes")
                return
            if int(text) > limit:
                await _answer(scope, send, 413, "too_large", _describe(limit))
                return
        received = 0
        exceeded = False
        started = False
        # Whether the body may still have bytes to come (False once the last chunk is read).
        pending = scope.get("method", "GET") not in ("GET", "HEAD", "OPTIONS")

        async def counted_receive() -> Message:
            nonlocal received, exceeded, pending
            if exceeded:
                raise BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                pending = bool(message.get("more_body", False))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            else:
                pending = False
            return message

        async def drain() -> None:
            """Read and discard what is left of a streamed body, up to the limit."""
            while pending and not exceeded:
                with contextlib.suppress(BodyTooLarge):
                    await counted_receive()

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start" and not declared and not started:
                await drain()
            if exceeded:
                return  # the application's own answer to the cut body is replaced by the 413
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except BodyTooLarge:
            pass
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _answer(scope, send, 413, "too_large", _describe(limit))
