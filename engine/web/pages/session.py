"""The admin's console session, kept on the server, and one-time login links.

Logging in (the form, or a one-time link) creates a row of ``admin_sessions`` holding the
SHA-256 of a random session id and the admin token it belongs to; the cookie carries that id
signed with the signing key (HMAC-SHA256, timed). A request is signed in when the signature
is good and fresh, the row exists, has not ended nor expired (:data:`MAX_AGE` seconds after
the login), and its token is an admin token that is not revoked. Logging out ends the row, so
a copy of the old cookie is refused; a database copy without the key file cannot sign a
cookie, and the table only holds hashes.

A one-time login link (``/admin/login/once/<secret>``, :func:`create_login_link`) carries a
random secret whose SHA-256 is stored with the admin token and an expiry
(:data:`LOGIN_LINK_LIFETIME`); the first visit consumes it and opens a session.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from itsdangerous import BadSignature
from sqlalchemy import delete, select, update

from engine.service.context import Service
from engine.storage.models import AdminLoginLinkRow, AdminSessionRow, ApiTokenRow
from engine.web.errors import Unauthorized
from engine.web.signing import timed_serializer
from engine.web.tokens import ApiToken, get_token, verify_token

COOKIE = "sm_admin"
MAX_AGE = 12 * 3600  # seconds a session lasts after the login
LOGIN_LINK_LIFETIME = timedelta(minutes=10)
LOGIN_LINK_PATH = "/admin/login/once/"
SALT = "social-missions admin page session"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def start_session(service: Service, token: ApiToken) -> str:
    """A new session of the admin ``token``: stores it and returns the cookie's value.
    Expired sessions are deleted on the way."""
    raw = secrets.token_urlsafe(32)
    now = service.now()
    with service.db.transaction() as session:
        session.execute(delete(AdminSessionRow).where(AdminSessionRow.expires_at < now))
        session.add(AdminSessionRow(session_hash=_digest(raw), token_id=token.id,
                                    created_at=now, expires_at=now + timedelta(seconds=MAX_AGE)))
    return timed_serializer(service, SALT).dumps({"sid": raw})


def log_in(service: Service, raw: str) -> str | None:
    """The cookie value of a new session for a valid admin token ``raw``, or None."""
    try:
        token = verify_token(service, raw.strip())
    except Unauthorized:
        return None
    if token.scope != "admin":
        return None
    return start_session(service, token)


def _session_id(service: Service, cookie: str | None) -> str | None:
    if not cookie or len(cookie) > 500:
        return None
    try:
        value = timed_serializer(service, SALT).loads(cookie, max_age=MAX_AGE)
    except (BadSignature, UnicodeError):
        return None
    sid = value.get("sid") if isinstance(value, dict) else None
    return sid if isinstance(sid, str) else None


def current_admin(service: Service, cookie: str | None) -> ApiToken | None:
    """The admin token behind the cookie when its session is authentic, live (not ended, not
    expired) and its token neither revoked nor of another scope; else None."""
    sid = _session_id(service, cookie)
    if sid is None:
        return None
    with service.db.sessions() as session:
        row = session.scalar(select(AdminSessionRow).where(
            AdminSessionRow.session_hash == _digest(sid)))
        if row is None or row.ended_at is not None or row.expires_at <= service.now():
            return None
        token_id = row.token_id
    token = get_token(service, token_id)
    if token.revoked_at is not None or not token.is_admin:
        return None
    return token


def log_out(service: Service, cookie: str | None) -> bool:
    """End the session of ``cookie`` on the server; True when a live session was ended."""
    sid = _session_id(service, cookie)
    if sid is None:
        return False
    with service.db.transaction() as session:
        ended = session.execute(update(AdminSessionRow).where(
            AdminSessionRow.session_hash == _digest(sid),
            AdminSessionRow.ended_at.is_(None)).values(ended_at=service.now()))
        return bool(getattr(ended, "rowcount", 0))


def create_login_link(service: Service, token: ApiToken, *,
                      lifetime: timedelta = LOGIN_LINK_LIFETIME) -> str:
    """The path of a one-time login link for the admin ``token`` (``/admin/login/once/…``):
    it opens a session once, within ``lifetime``. Raises ``ValueError`` for a token that is
    not an admin token or is revoked."""
    if not token.is_admin or token.revoked_at is not None:
        raise ValueError("a login link needs a live admin token")
    raw = secrets.token_urlsafe(32)
    now = service.now()
    with service.db.transaction() as session:
        session.add(AdminLoginLinkRow(link_hash=_digest(raw), token_id=token.id,
                                      created_at=now, expires_at=now + lifetime))
    return LOGIN_LINK_PATH + raw


def use_login_link(service: Service, raw: str) -> str | None:
    """Consume the one-time link ``raw``: the cookie value of a new session, or None when the
    link is unknown, used, expired, or its token revoked. Two visits at once: one wins."""
    if not raw or len(raw) > 200:
        return None
    now = service.now()
    with service.db.transaction() as session:
        row = session.scalar(select(AdminLoginLinkRow).where(
            AdminLoginLinkRow.link_hash == _digest(raw)))
        if row is None or row.used_at is not None or row.expires_at <= now:
            return None
        # Conditional update: of two concurrent visits only one changes the row.
        taken = session.execute(update(AdminLoginLinkRow).where(
            AdminLoginLinkRow.id == row.id, AdminLoginLinkRow.used_at.is_(None))
            .values(used_at=now))
        if not getattr(taken, "rowcount", 0):
            return None
        token_row = session.get(ApiTokenRow, row.token_id)
        if token_row is None or token_row.revoked_at is not None or token_row.scope != "admin":
            return None
        token_id = token_row.id
    return start_session(service, get_token(service, token_id))
