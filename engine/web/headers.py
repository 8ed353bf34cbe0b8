"""Security headers on every answer of the server.

- ``Content-Security-Policy`` (:func:`content_security_policy`): scripts, styles and images
  from the server itself only, no inline script or style attribute, no plugin, no ``<base>``,
  forms posting to the server only; ``frame-ancestors 'none'`` except on the member page,
  which the origins of ``[web] embed_origins`` may frame (a host platform embedding it);
- ``X-Content-Type-Options: nosniff``: a browser never guesses a type (an uploaded text is
  never run as a script);
- ``Referrer-Policy: no-referrer``: a member page's URL carries its signed link, so following
  a post link from it must not send that URL to Instagram, YouTube or TikTok;
- ``X-Frame-Options: DENY`` (what older browsers understand of ``frame-ancestors``), left out
  on the member page when ``embed_origins`` allows framing it;
- ``Cache-Control: no-store`` on every authenticated answer (the member pages, the console,
  the API): they show personal data and one-time secrets (a new token, a webhook secret) that
  no cache may keep.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response

from .settings import web_settings_of

PRIVATE_PREFIXES = ("/m/", "/admin", "/api/")
MEMBER_PREFIX = "/m/"
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "object-src 'none'; base-uri 'none'; form-action 'self'")


def content_security_policy(frame_ancestors: tuple[str, ...] = ()) -> str:
    """The CSP header value; ``frame_ancestors`` are the origins allowed to frame the answer
    (none: ``'none'``)."""
    ancestors = " ".join(frame_ancestors) if frame_ancestors else "'none'"
    return f"{POLICY}; frame-ancestors {ancestors}"


async def security_headers(request: Request,
                           call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Starlette HTTP middleware adding the headers above to ``call_next``'s answer."""
    response = await call_next(request)
    path = request.url.path
    embed = web_settings_of(request).embed_origins if path.startswith(MEMBER_PREFIX) else ()
    response.headers.setdefault("Content-Security-Policy", content_security_policy(embed))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if not embed:
        response.headers.setdefault("X-Frame-Options", "DENY")
    if path.startswith(PRIVATE_PREFIXES) or path == "/api":
        response.headers["Cache-Control"] = "no-store"
    return response
