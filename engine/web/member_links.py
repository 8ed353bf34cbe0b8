"""Signed, expiring member links: ``/m/<token>`` for one member and one mission.

The token is an itsdangerous signature (HMAC-SHA256) of ``{"m": member, "s": mission,
"e": expiry epoch}``. The key is ``[web] secret`` (or the variable named by ``[web]
secret_env``), else a random secret created once and kept in the database's ``settings``
table, so links survive restarts and are valid on every server of the same database. The
secret is never logged.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

from engine.dates import from_epoch
from engine.errors import ConfigurationError
from engine.service.context import Service
from engine.service.stored_settings import setting_or_create

from .errors import LinkRejected

SECRET_KEY = "web.secret"
SALT = "social-missions.member-link"
DEFAULT_LIFETIME = timedelta(days=7)
MAX_LIFETIME = timedelta(days=366)


@dataclass(frozen=True)
class MemberLink:
    member_id: str
    mission_id: int
    expires_at: datetime


def web_secret(service: Service) -> str:
    """The signing key of member links and page sessions."""
    cached = getattr(service, "_web_secret", None)
    if cached:
        return str(cached)
    section = service.config.section("web")
    secret: str | None = None
    if section.get("secret"):
        secret = str(section["secret"])
    elif section.get("secret_env"):
        secret = os.environ.get(str(section["secret_env"]))
        if not secret:
            raise ConfigurationError(f"[web] secret_env: ${section['secret_env']} is not set")
    if not secret:
        secret = setting_or_create(service, SECRET_KEY)
    service._web_secret = secret  # type: ignore[attr-defined]
    return secret


def _serializer(service: Service) -> URLSafeSerializer:
    return URLSafeSerializer(web_secret(service), salt=SALT)


def sign_member_link(service: Service, member_id: str, mission_id: int, *,
                     expires_at: datetime | None = None) -> str:
    """The token for ``/m/<token>``; expires after seven days unless ``expires_at``."""
    expires = expires_at or service.now() + DEFAULT_LIFETIME
    if expires.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")
    payload = {"m": member_id, "s": int(mission_id), "e": int(expires.timestamp())}
    return str(_serializer(service).dumps(payload))


def verify_member_link(service: Service, token: str) -> MemberLink:
    """The member and mission of a link, or :class:`LinkRejected` (altered, malformed, expired)."""
    try:
        payload = _serializer(service).loads(token)
    except BadSignature:
        raise LinkRejected("this member link is not valid (altered or incomplete)") from None
    if not (isinstance(payload, dict) and isinstance(payload.get("m"), str)
            and isinstance(payload.get("s"), int) and isinstance(payload.get("e"), int)):
        raise LinkRejected("this member link is not valid")
    expires_at = from_epoch(payload["e"])
    if service.now() >= expires_at:
        raise LinkRejected("this member link has expired; ask for a new one", expired=True)
    return MemberLink(member_id=payload["m"], mission_id=payload["s"], expires_at=expires_at)
