"""The admin's page session: a signed cookie naming an API token, re-checked on each request.

The raw token never goes into the cookie: only the token's id, signed with the web secret, so a
revoked token ends its sessions at the next request.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer

from engine.service.context import Service
from engine.service.errors import NotFound
from engine.web.errors import Unauthorized
from engine.web.member_links import web_secret
from engine.web.tokens import ApiToken, get_token, verify_token

COOKIE = "sm_admin"
MAX_AGE = 12 * 3600
SALT = "social-missions admin page session"


def _signer(service: Service) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(web_secret(service), salt=SALT)


def log_in(service: Service, raw: str) -> str | None:
    """The cookie value for a valid admin token, or None."""
    try:
        token = verify_token(service, raw.strip())
    except Unauthorized:
        return None
    if token.scope != "admin":
        return None
    return _signer(service).dumps({"token_id": token.id})


def current_admin(service: Service, cookie: str | None) -> ApiToken | None:
    """The admin token behind the cookie when it is authentic, fresh and not revoked."""
    if not cookie:
        return None
    try:
        value = _signer(service).loads(cookie, max_age=MAX_AGE)
    except BadSignature:
        return None
    token_id = value.get("token_id") if isinstance(value, dict) else None
    if token_id is None:
        return None
    try:
        token = get_token(service, int(token_id))
    except (NotFound, TypeError, ValueError):
        return None
    if token.revoked_at is not None or not token.is_admin:
        return None
    return token
