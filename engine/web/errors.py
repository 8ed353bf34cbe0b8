"""Refusals of the web layer, and the JSON shape every API error has: ``{"code", "message"}``.

Codes are stable (integrators branch on them); messages are for people and may change.
"""

from __future__ import annotations

from typing import Any

from engine.errors import SocialMissionsError


class WebError(SocialMissionsError):
    """A refusal with an HTTP status and a stable code."""

    status = 400
    code = "invalid_input"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class Unauthorized(WebError):
    """No bearer token, an unknown one or a revoked one (401)."""

    status = 401
    code = "unauthorized"


class Forbidden(WebError):
    """A valid token whose scope does not reach the route (403)."""

    status = 403
    code = "forbidden"


class LinkRejected(WebError):
    """A member link that is expired, altered or malformed (403)."""

    status = 403
    code = "link_rejected"


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **extra}
