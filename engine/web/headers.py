"""Security headers on every answer of the server.

- ``X-Content-Type-Options: nosniff``: a browser never guesses a type (an uploaded text is
  never run as a script);
- ``Referrer-Policy: no-referrer``: a member page's URL carries its signed link, so following
  a post link from it must not send that URL to Instagram, YouTube or TikTok;
- ``X-Frame-Options: DENY``: no page can be framed by another site (clickjacking the button);
- ``Cache-Control: no-store`` on the member pages and the console: they show personal data and
  one-time secrets (a new token, a webhook secret) that no cache may keep.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response

PRIVATE_PREFIXES = ("/m/", "/admin")


async def security_headers(request: Request,
                           call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Starlette HTTP middleware adding the headers above to ``call_next``'s answer."""
    response = await call_next(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.url.path.startswith(PRIVATE_PREFIXES):
        response.headers["Cache-Control"] = "no-store"
    return response
