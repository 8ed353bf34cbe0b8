"""API bearer tokens: created with a scope, stored as SHA-256 hashes, revocable.

The raw token (``sm_`` + 32 random bytes, URL-safe) is returned once by :func:`create_token`;
the database only holds its hash, so a copy of the database holds no usable token. Tokens
are random and long, so a plain (unsalted) SHA-256 is enough and lets lookups use an index.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from engine.errors import InvalidInput
from engine.service.context import Service
from engine.service.records import Record
from engine.service.rows import page_after, row_by_id
from engine.storage.models import ApiTokenRow

from .errors import Unauthorized

SCOPES = ("admin", "integrator")
PREFIX = "sm_"


@dataclass(frozen=True, kw_only=True)
class ApiToken(Record):
    """A token as stored, without its raw value: ``scope`` is ``admin`` or ``integrator``;
    instants are UTC; ``revoked_at`` is None while the token is live."""

    id: int
    scope: str
    label: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def is_admin(self) -> bool:
        """True for an ``admin`` token (every endpoint), False for ``integrator``."""
        return self.scope == "admin"


def hash_token(raw: str) -> str:
    """The stored form of ``raw``: its SHA-256 as 64 lower-case hexadecimal digits."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _to_token(row: ApiTokenRow) -> ApiToken:
    return ApiToken(id=row.id, scope=row.scope, label=row.label, created_at=row.created_at,
                    revoked_at=row.revoked_at)


def create_token(service: Service, scope: str, label: str = "") -> tuple[ApiToken, str]:
    """A new token of ``scope``; returns it with the raw value (shown once, never stored)."""
    if scope not in SCOPES:
        raise InvalidInput(f"unknown scope {scope!r}; choose {' or '.join(SCOPES)}")
    raw = PREFIX + secrets.token_urlsafe(32)
    with service.db.transaction() as session:
        row = ApiTokenRow(scope=scope, label=label.strip(), token_hash=hash_token(raw),
                          created_at=service.now())
        session.add(row)
        session.flush()
        return _to_token(row), raw


def verify_token(service: Service, raw: str) -> ApiToken:
    """The live token behind ``raw``, or :class:`Unauthorized`."""
    if not raw or not raw.startswith(PREFIX) or len(raw) > 200:
        raise Unauthorized("unknown API token")
    with service.db.sessions() as session:
        row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == hash_token(raw)))
        if row is None:
            raise Unauthorized("unknown API token")
        if row.revoked_at is not None:
            raise Unauthorized("this API token was revoked")
        return _to_token(row)


def get_token(service: Service, token_id: int) -> ApiToken:
    """The token ``token_id`` (live or revoked); ``NotFound`` when there is none."""
    with service.db.sessions() as session:
        return _to_token(row_by_id(session, ApiTokenRow, token_id, f"no API token {token_id}"))


def list_tokens(service: Service, *, limit: int | None = None,
                after: int | None = None) -> list[ApiToken]:
    """API tokens by id: every one, or ``limit`` of them after the token id ``after``."""
    query = page_after(select(ApiTokenRow), ApiTokenRow.id, after=after, limit=limit)
    with service.db.sessions() as session:
        return [_to_token(row) for row in session.scalars(query)]


def revoke_token(service: Service, token_id: int) -> ApiToken:
    """Revoke a token (idempotent: revoking twice keeps the first revocation time); raises
    ``NotFound`` when there is no token ``token_id``."""
    with service.db.transaction() as session:
        row = row_by_id(session, ApiTokenRow, token_id, f"no API token {token_id}")
        if row.revoked_at is None:
            row.revoked_at = service.now()
        session.flush()
        return _to_token(row)
