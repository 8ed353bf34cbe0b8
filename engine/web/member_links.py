"""Signed, expiring, revocable member links: ``/m/<token>`` for one member and one mission.

The token is an itsdangerous signature (HMAC-SHA256, :mod:`engine.web.signing`) of
``{"m": member, "s": mission, "e": expiry (epoch seconds), "t": issue time (epoch
milliseconds), "i": link id (16 characters)}``. The key is the service's signing key
(:mod:`engine.service.keys`), never stored in the database; after a rotation, links signed
with the old key work until its grace period ends.

Verification refuses a link that is altered, malformed, expired, without an issue time, whose
lifetime (expiry minus issue time) exceeds :data:`MAX_LIFETIME`, or that was revoked
(:mod:`engine.service.link_revocations`: one link by its id, or all of a member's links).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature

from engine.dates import from_epoch
from engine.errors import InvalidInput
from engine.service.context import Service
from engine.service.link_revocations import is_revoked
from engine.service.member_ids import check_member_id
from engine.storage.models import MemberRow

from .errors import LinkRejected
from .signing import serializer

SALT = "social-missions.member-link"
DEFAULT_LIFETIME = timedelta(days=7)
MAX_LIFETIME = timedelta(days=366)
# The issue time is in milliseconds and the expiry in whole seconds: allow that rounding.
_ROUNDING = timedelta(seconds=1)


@dataclass(frozen=True)
class MemberLink:
    """What a verified link grants: ``member_id``'s page for ``mission_id`` until
    ``expires_at`` (UTC); ``link_id`` names it for a revocation."""

    member_id: str
    mission_id: int
    expires_at: datetime
    link_id: str = ""
    issued_at: datetime | None = None


@dataclass(frozen=True)
class SignedLink:
    """A new link: the token for ``/m/<token>`` and what it carries."""

    token: str
    link: MemberLink


def create_member_link(service: Service, member_id: str, mission_id: int, *,
                       expires_at: datetime | None = None) -> SignedLink:
    """A new link, valid seven days unless ``expires_at`` (timezone-aware, at most
    :data:`MAX_LIFETIME` from now). Raises ``ValueError`` for a naive ``expires_at``,
    :class:`InvalidInput` for one in the past or too far, and
    :class:`~engine.service.member_ids.InvalidMemberId` for the id of a member not yet known
    that no member could be created with (the new-id rule)."""
    with service.db.sessions() as session:
        if session.get(MemberRow, member_id) is None:
            check_member_id(member_id, new=True)
    now = service.now()
    expires = expires_at or now + DEFAULT_LIFETIME
    if expires.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")
    if expires <= now or expires - now > MAX_LIFETIME:
        raise InvalidInput("a member link lasts between one second and 366 days")
    issued_ms = int(now.timestamp() * 1000)
    expires_s = int(expires.timestamp())
    link_id = new_link_id()
    payload = {"m": member_id, "s": int(mission_id), "e": expires_s, "t": issued_ms,
               "i": link_id}
    token = str(serializer(service, SALT).dumps(payload))
    return SignedLink(token=token, link=MemberLink(
        member_id=member_id, mission_id=int(mission_id), expires_at=from_epoch(expires_s),
        link_id=link_id, issued_at=_from_ms(issued_ms)))


def new_link_id() -> str:
    """A fresh link id: 12 random bytes as URL-safe base64 (16 characters), never starting
    with ``-`` (an id an admin pastes after ``--link`` must not read as an option; about one
    id in 64 would)."""
    while True:
        link_id = secrets.token_urlsafe(12)
        if not link_id.startswith("-"):
            return link_id


def sign_member_link(service: Service, member_id: str, mission_id: int, *,
                     expires_at: datetime | None = None) -> str:
    """The token of a new link (see :func:`create_member_link`)."""
    return create_member_link(service, member_id, mission_id, expires_at=expires_at).token


def _from_ms(milliseconds: int) -> datetime:
    return datetime.fromtimestamp(milliseconds / 1000, tz=UTC)


def read_member_link(service: Service, token: str) -> MemberLink:
    """The signed content of ``token`` when its signature is good and its shape and age are
    right, revoked or expired or not; else :class:`LinkRejected`."""
    try:
        payload = serializer(service, SALT).loads(token)
    except (BadSignature, UnicodeError):
        raise LinkRejected("this member link is not valid (altered or incomplete)") from None
    if not (isinstance(payload, dict) and isinstance(payload.get("m"), str)
            and _is_int(payload.get("s")) and _is_int(payload.get("e"))
            and _is_int(payload.get("t")) and isinstance(payload.get("i"), str)):
        # Links without an issue time or id (made before issue 12) are refused too.
        raise LinkRejected("this member link is not valid; ask for a new one")
    try:
        expires_at, issued_at = from_epoch(payload["e"]), _from_ms(payload["t"])
    except (OverflowError, OSError, ValueError):
        raise LinkRejected("this member link is not valid") from None
    if expires_at - issued_at > MAX_LIFETIME + _ROUNDING:
        raise LinkRejected("this member link is not valid (it claims to last more than 366 "
                           "days)")
    return MemberLink(member_id=payload["m"], mission_id=payload["s"], expires_at=expires_at,
                      link_id=payload["i"], issued_at=issued_at)


def verify_member_link(service: Service, token: str) -> MemberLink:
    """The member and mission of a link, or :class:`LinkRejected` (altered, malformed, too
    long-lived, expired, revoked)."""
    link = read_member_link(service, token)
    if service.now() >= link.expires_at:
        raise LinkRejected("this member link has expired; ask for a new one", expired=True)
    assert link.issued_at is not None
    if is_revoked(service, link.member_id, link.link_id, link.issued_at):
        raise LinkRejected("this member link was revoked; ask for a new one")
    return link


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
