"""Revoked member links: one link (by its id) or every link of a member issued so far.

Member links are signed, not stored (``engine.web.member_links``); a revocation is a row that
the verification of every link consults. The member is kept as a keyed digest of their id
(:func:`engine.service.keys.keyed_digest`, the key being outside the database): neither the
id nor anything a copy of the database could test a guessed id against is stored here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select

from engine.errors import InvalidInput
from engine.storage.models import MemberLinkRevocationRow

from .context import Service
from .keys import current_digest, known_digests

LINK_ID_LENGTH = 16  # characters of a link id: 12 random bytes, URL-safe base64


@dataclass(frozen=True)
class Revocation:
    """One revocation: of the link ``link_id``, or (``link_id`` None) of every link of the
    member issued until ``issued_until``."""

    member_id: str
    link_id: str | None
    issued_until: datetime | None
    revoked_at: datetime


REVOCATION = "link-revocation"  # the purpose of member_digest (keys.keyed_digest)


def check_link_id(link_id: str) -> str:
    """``link_id`` when it has the shape of a link id, else :class:`InvalidInput`."""
    if (not isinstance(link_id, str) or len(link_id) != LINK_ID_LENGTH
            or not all(c.isascii() and (c.isalnum() or c in "-_") for c in link_id)):
        raise InvalidInput(f"{link_id!r} is not a member link id (16 characters, as shown when "
                           "the link was created)")
    return link_id


def revoke_link(service: Service, member_id: str, link_id: str) -> Revocation:
    """Revoke one link of ``member_id``; revoking it again changes nothing."""
    check_link_id(link_id)
    digest, now = current_digest(service, REVOCATION, member_id), service.now()
    with service.db.transaction() as session:
        existing = session.scalar(select(MemberLinkRevocationRow).where(
            MemberLinkRevocationRow.member_digest.in_(
                known_digests(service, REVOCATION, member_id)),
            MemberLinkRevocationRow.link_id == link_id))
        if existing is not None:
            return Revocation(member_id, link_id, None, existing.revoked_at)
        session.add(MemberLinkRevocationRow(member_digest=digest, link_id=link_id,
                                            revoked_at=now))
    return Revocation(member_id, link_id, None, now)


def revoke_member_links(service: Service, member_id: str) -> Revocation:
    """Revoke every link of ``member_id`` issued until now; links created afterwards work."""
    now = service.now()
    with service.db.transaction() as session:
        session.add(MemberLinkRevocationRow(
            member_digest=current_digest(service, REVOCATION, member_id), issued_until=now,
            revoked_at=now))
    return Revocation(member_id, None, now, now)


def is_revoked(service: Service, member_id: str, link_id: str, issued_at: datetime) -> bool:
    """True when the link ``link_id`` of ``member_id``, issued at ``issued_at``, was revoked
    (by itself or with all the member's links)."""
    with service.db.sessions() as session:
        found = session.scalar(select(MemberLinkRevocationRow.id).where(
            MemberLinkRevocationRow.member_digest.in_(
                known_digests(service, REVOCATION, member_id)),
            or_(MemberLinkRevocationRow.link_id == link_id,
                and_(MemberLinkRevocationRow.link_id.is_(None),
                     MemberLinkRevocationRow.issued_until >= issued_at))).limit(1))
    return found is not None
