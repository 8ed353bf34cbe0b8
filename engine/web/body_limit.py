"""A request body larger than ``[web] max_body`` bytes is answered 413, never kept.

:class:`BodyLimit` is an ASGI middleware. A declared ``Content-Length`` above the limit is
refused without keeping a byte of the body (a malformed one is refused 400): a body of at most
64 MiB is read and thrown away first (at most 10 s), so that a client still sending it gets the
413 instead of a reset connection; a client that asked ``Expect: 100-continue`` gets it before
sending anything. A body without a length (``Transfer-Encoding: chunked``) is counted while it
streams: the read that crosses the limit stops there, and whatever the application was about to
answer is replaced by the 413, so the server never holds more than the limit (plus one chunk)
of any request. A route that answers without reading such a body (a form route sent JSON, say)
would otherwise answer as if the body were empty: before its answer starts, the rest of the
body is read and discarded (counted, at most the limit), and the 413 replaces the answer when
it is too large. After a streamed body crossed the limit, what is left of it is thrown away too
(the same bounds) before the 413.

Under ``/api/`` the answer is the API's JSON error ``{"code": "too_large", "message"}``;
elsewhere (the console, the member pages) a short readable page.
"""

from __future__ import annotations

import asyncio
import contextlib
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import API_PREFIX
from .error_handlers import error_page

DEFAULT_MAX_BODY = 1_048_576  # bytes (1 MiB)


# A client that sends a body over the limit without waiting (no ``Expect: 100-continue``) is
# still writing when the 413 is ready; closing the connection then resets it, and the client
# reports a broken connection instead of the 413 (seen with a 10 MB body). Up to these bounds
# the body is read and thrown away first (never held), so the answer reaches the client.
LINGER_MAX_BYTES = 64 * 1_048_576
LINGER_SECONDS = 10.0


def _expects_continue(scope: Scope) -> bool:
    """Whether the client waits for ``100 Continue`` before sending the body (it then gets
    the 413 without sending anything: nothing to read)."""
    return any(name.lower() == b"expect" and value.strip().lower() == b"100-continue"
               for name, value in scope.get("headers", ()))


async def _discard(receive: Receive) -> None:
    """Read and drop the request body until its end, a disconnect, :data:`LINGER_MAX_BYTES`
    or :data:`LINGER_SECONDS`."""
    read = 0
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(LINGER_SECONDS):
            while read <= LINGER_MAX_BYTES:
                message = await receive()
                if message["type"] != "http.request" or not message.get("more_body", False):
                    return
                read += len(message.get("body", b""))


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
                if int(text) <= LINGER_MAX_BYTES and not _expects_continue(scope):
                    await _discard(receive)
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
            if pending:  # the rest of the streamed body: the client is still sending it
                await _discard(receive)
            await _answer(scope, send, 413, "too_large", _describe(limit))
