"""Member accounts, balances, ledgers, claims and the diagnosis (integrator scope)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from engine.service.claims import create_claim, get_claim, list_claims
from engine.service.diagnosis import diagnose
from engine.service.members import get_member, link_account, list_balances, unlink_account
from engine.service.ownership import mark_verified, verification_code
from engine.service.privacy import Erasure, erase_member, export_member
from engine.service.records import Claim, Diagnosis, LinkedAccount, Member

from ..auth import API_PREFIX, Admin, Integrator, service_of
from .pagination import DEFAULT_LIMIT, Cursor, KeyCursor, Limit, cursor_id, link_next
from .schemas import (
    ERRORS,
    Balance,
    ClaimAccepted,
    ClaimIn,
    ErrorOut,
    IdPath,
    IdQuery,
    Ledger,
    LinkIn,
    MemberPath,
    MemberQuery,
    PlatformPath,
    VerifyIn,
)

router = APIRouter(responses=ERRORS)


@router.get("/members/{member_id}", response_model=Member, tags=["members"])
def show_member(member_id: MemberPath, request: Request, _: Integrator) -> Member:
    """The member's linked handles, balance and ledger."""
    return get_member(service_of(request), member_id)


@router.get("/members/{member_id}/export", response_model=dict[str, Any], tags=["members"])
def export(member_id: MemberPath, request: Request, _: Integrator) -> dict[str, Any]:
    """Everything held about the member, machine-readable (docs/privacy.md): linked accounts
    with their verification codes and state, claims with their checks, the posts those checks
    stored and the verdicts, credits, ledger rows and webhook events. 404 for an unknown (or
    erased) member."""
    return export_member(service_of(request), member_id)


@router.delete("/members/{member_id}", response_model=Erasure, tags=["members"])
def erase(member_id: MemberPath, request: Request, _: Admin) -> Erasure:
    """Erase the member (admin scope; docs/privacy.md): handles, post texts, snapshots,
    report rows' personal fields and webhook bodies go; ledger amounts stay under a
    pseudonym; a ``member.erased`` event (``member_ref``) goes to the host. Idempotent: a
    second call answers ``already_erased``; 404 for a member that never existed."""
    return erase_member(service_of(request), member_id)


@router.put("/members/{member_id}/accounts/{platform}", response_model=Member, tags=["members"])
def link(member_id: MemberPath, platform: PlatformPath, body: LinkIn, request: Request,
         _: Integrator) -> Member:
    """Link (or replace) the member's handle on ``platform``; creates the member if new.
    A handle another member holds starts a contest under the ``on_conflict`` policy (both
    links wait for a proof); it answers 409 ``conflict`` under ``off`` and 409
    ``handle_verified`` when the other member proved it."""
    return link_account(service_of(request), member_id, platform, body.handle)


@router.delete("/members/{member_id}/accounts/{platform}", response_model=Member,
               tags=["members"])
def unlink(member_id: MemberPath, platform: PlatformPath, request: Request,
           _: Integrator) -> Member:
    """Remove the member's handle on ``platform``; points already earned stay."""
    return unlink_account(service_of(request), member_id, platform)


@router.get("/members/{member_id}/accounts/{platform}/code", response_model=LinkedAccount,
            tags=["members"])
def code(member_id: MemberPath, platform: PlatformPath, request: Request,
         _: Integrator) -> LinkedAccount:
    """The member's link on ``platform`` with its ``verification_code`` (R11): the member puts
    it in the account's bio or a recent caption; the next check reads it. 404 without a
    link."""
    return verification_code(service_of(request), member_id, platform)


@router.post("/members/{member_id}/accounts/{platform}/verify", response_model=LinkedAccount,
             tags=["members"])
def verify(member_id: MemberPath, platform: PlatformPath, body: VerifyIn, request: Request,
           _: Admin) -> LinkedAccount:
    """An admin marks the member's link verified, with the reason (admin scope). A contest
    over the handle ends as if the member had shown the code: the other links end and the
    points they earned from the handle are reversed by compensating ledger rows."""
    return mark_verified(service_of(request), member_id, platform, body.reason)


@router.get("/members/{member_id}/balance", response_model=Balance, tags=["balances"])
def balance(member_id: MemberPath, request: Request, _: Integrator) -> Balance:
    member = get_member(service_of(request), member_id)
    return Balance(member_id=member.id, balance=member.balance)


@router.get("/members/{member_id}/ledger", response_model=Ledger, tags=["balances"])
def ledger(member_id: MemberPath, request: Request, _: Integrator) -> Ledger:
    member = get_member(service_of(request), member_id)
    return Ledger(member_id=member.id, balance=member.balance, entries=list(member.ledger))


@router.get("/balances", response_model=list[Balance], tags=["balances"])
def balances(request: Request, response: Response, _: Integrator, limit: Limit = DEFAULT_LIMIT,
             cursor: KeyCursor = None) -> list[Balance]:
    """Members' balances (sum of their ledger), by member id, ``limit`` per page; the next
    page's URL is in the ``Link`` header (see docs/api.md, pagination)."""
    found = list_balances(service_of(request), limit=limit + 1, after=cursor)
    link_next(response, request, found[limit - 1][0] if len(found) > limit else None)
    return [Balance(member_id=member_id, balance=total) for member_id, total in found[:limit]]


@router.get("/members/{member_id}/missions/{mission_id}/diagnosis", response_model=Diagnosis,
            tags=["members"])
def diagnosis(member_id: MemberPath, mission_id: IdPath, request: Request, _: Integrator,
              lang: Annotated[Literal["fr", "en"], Query()] = "fr") -> Diagnosis:
    """Why the member was (not) rewarded for the mission, in French or English."""
    return diagnose(service_of(request), member_id, mission_id, lang)


@router.post("/claims", status_code=202, response_model=ClaimAccepted, tags=["claims"],
             responses={429: {"model": ErrorOut, "description": "cooldown: the button comes "
                              "back at `button_available_at` (also `Retry-After`, seconds)"}})
def claim(body: ClaimIn, request: Request, _: Integrator) -> ClaimAccepted:
    """Press the button: the check is queued (202), with ``queue_position`` (claims due
    before it) and ``expected_check_at`` (UTC). During the cooldown: 429."""
    receipt = create_claim(service_of(request), body.member_id, body.mission_id, body.platform,
                           body.post_url)
    return ClaimAccepted(
        claim_id=receipt.claim_id, member_id=receipt.member_id, mission_id=receipt.mission_id,
        platform=receipt.platform, handle=receipt.handle, post_url=receipt.post_url,
        created_at=receipt.created_at, button_available_at=receipt.available_at,
        status_url=f"{API_PREFIX}/claims/{receipt.claim_id}",
        queue_position=receipt.queue_position, expected_check_at=receipt.expected_check_at)


@router.get("/claims", response_model=list[Claim], tags=["claims"])
def claims(request: Request, _: Integrator,
           member: MemberQuery = None,
           mission: IdQuery = None,
           limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None, *,
           response: Response) -> list[Claim]:
    """Claims, oldest first, of one member and/or mission, ``limit`` per page; the next
    page's URL is in the ``Link`` header (see docs/api.md, pagination)."""
    found = list_claims(service_of(request), member_id=member, mission_id=mission,
                        limit=limit + 1, after=cursor_id(cursor))
    link_next(response, request, found[limit - 1].id if len(found) > limit else None)
    return found[:limit]


@router.get("/claims/{claim_id}", response_model=Claim, tags=["claims"])
def claim_status(claim_id: IdPath, request: Request, _: Integrator) -> Claim:
    """The claim's state: ``queued`` until its first check ran, then ``done`` (``counted``
    posts) or ``unavailable``."""
    return get_claim(service_of(request), claim_id)
