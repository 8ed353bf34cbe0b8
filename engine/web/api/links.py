"""Member links: an integrator asks for a signed, expiring ``/m/<token>`` page link, checks
one, and revokes one link or all of a member's links."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from engine.service.link_revocations import (
    LINK_ID_LENGTH,
    Revocation,
    revoke_link,
    revoke_member_links,
)
from engine.service.missions import get_mission

from ..auth import Integrator, service_of
from ..member_links import DEFAULT_LIFETIME, create_member_link, read_member_link, verify_member_link
from .schemas import (
    ERRORS,
    MemberLinkIn,
    MemberLinkInfo,
    MemberLinkOut,
    MemberLinkRevocationOut,
    MemberPath,
)

router = APIRouter(responses=ERRORS, tags=["member links"])
TokenPath = Annotated[str, Path(max_length=2000)]


@router.post("/member-links", status_code=201, response_model=MemberLinkOut)
def create_link(body: MemberLinkIn, request: Request, _: Integrator) -> MemberLinkOut:
    """A link to the member page of one member and one mission (7 days unless
    ``expires_in``). The member need not exist yet: the page lets them link a handle."""
    service = service_of(request)
    get_mission(service, body.mission_id)  # 404 for a mission that does not exist
    lifetime = timedelta(seconds=body.expires_in) if body.expires_in else DEFAULT_LIFETIME
    expires_at = (service.now() + lifetime).replace(microsecond=0)
    created = create_member_link(service, body.member_id, body.mission_id,
                                 expires_at=expires_at)
    path = f"/m/{created.token}"
    assert created.link.issued_at is not None
    return MemberLinkOut(token=created.token, path=path,
                         url=str(request.base_url).rstrip("/") + path,
                         member_id=body.member_id, mission_id=body.mission_id,
                         expires_at=expires_at, link_id=created.link.link_id,
                         issued_at=created.link.issued_at)


@router.get("/member-links/{token}", response_model=MemberLinkInfo)
def check_link(token: TokenPath, request: Request, _: Integrator) -> MemberLinkInfo:
    """What a link grants; 403 ``link_rejected`` when it is expired, altered or revoked."""
    link = verify_member_link(service_of(request), token)
    assert link.issued_at is not None
    return MemberLinkInfo(member_id=link.member_id, mission_id=link.mission_id,
                          expires_at=link.expires_at, link_id=link.link_id,
                          issued_at=link.issued_at)


def _revocation(done: Revocation) -> MemberLinkRevocationOut:
    return MemberLinkRevocationOut(member_id=done.member_id, link_id=done.link_id,
                                   issued_until=done.issued_until, revoked_at=done.revoked_at)


@router.delete("/member-links/{token}", response_model=MemberLinkRevocationOut)
def revoke_by_token(token: TokenPath, request: Request, _: Integrator) -> MemberLinkRevocationOut:
    """Revoke this link (expired or not); 403 ``link_rejected`` for a token that is not a
    genuine link. Revoking twice is harmless."""
    service = service_of(request)
    link = read_member_link(service, token)
    return _revocation(revoke_link(service, link.member_id, link.link_id))


@router.delete("/members/{member_id}/member-links", response_model=MemberLinkRevocationOut)
def revoke_of_member(
    member_id: MemberPath, request: Request, _: Integrator,
    link: Annotated[str | None, Query(min_length=LINK_ID_LENGTH, max_length=LINK_ID_LENGTH,
                                      pattern=r"^[A-Za-z0-9_-]+$",
                                      description="one link's id; without it, every link of "
                                      "the member issued so far")] = None,
) -> MemberLinkRevocationOut:
    """Revoke every page link of the member issued until now (links made afterwards work),
    or with ``?link=`` only that one."""
    service = service_of(request)
    if link is not None:
        return _revocation(revoke_link(service, member_id, link))
    return _revocation(revoke_member_links(service, member_id))
