"""Member links: an integrator asks for a signed, expiring ``/m/<token>`` page link."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Request

from engine.service.missions import get_mission

from ..auth import Integrator, service_of
from ..member_links import DEFAULT_LIFETIME, sign_member_link, verify_member_link
from .schemas import ERRORS, MemberLinkIn, MemberLinkInfo, MemberLinkOut

router = APIRouter(responses=ERRORS, tags=["member links"])


@router.post("/member-links", status_code=201, response_model=MemberLinkOut)
def create_link(body: MemberLinkIn, request: Request, _: Integrator) -> MemberLinkOut:
    """A link to the member page of one member and one mission (7 days unless
    ``expires_in``). The member need not exist yet: the page lets them link a handle."""
    service = service_of(request)
    get_mission(service, body.mission_id)  # 404 for a mission that does not exist
    lifetime = timedelta(seconds=body.expires_in) if body.expires_in else DEFAULT_LIFETIME
    expires_at = (service.now() + lifetime).replace(microsecond=0)
    token = sign_member_link(service, body.member_id, body.mission_id, expires_at=expires_at)
    path = f"/m/{token}"
    return MemberLinkOut(token=token, path=path, url=str(request.base_url).rstrip("/") + path,
                         member_id=body.member_id, mission_id=body.mission_id,
                         expires_at=expires_at)


@router.get("/member-links/{token}", response_model=MemberLinkInfo)
def check_link(token: Annotated[str, Path(max_length=2000)], request: Request,
               _: Integrator) -> MemberLinkInfo:
    """What a link grants; 403 ``link_rejected`` when it is expired or altered."""
    link = verify_member_link(service_of(request), token)
    return MemberLinkInfo(member_id=link.member_id, mission_id=link.mission_id,
                          expires_at=link.expires_at)
