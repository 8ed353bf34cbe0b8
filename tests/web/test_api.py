"""The JSON API: authentication and scopes on every route, each route's answers and errors."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from itsdangerous import URLSafeSerializer

from engine.replay import cassette
from engine.service.runtime import work
from engine.web.auth import API_PREFIX, require_admin

from .api_helpers import PUBLIC, Api, Clock, api_for, build_service, database_setup, seed_mission


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(tmp_path: Path, clock: Clock) -> Iterator[Api]:
    with database_setup("sqlite", tmp_path) as urls:
        service = build_service(urls, clock)
        with api_for(service) as client:
            yield client
        service.engine.close()
        service.close()


def flat_routes(routes: Iterable[Any]) -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every APIRoute; FastAPI ≥ 0.16x keeps included routers nested."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route.path, route
        elif hasattr(route, "effective_route_contexts"):
            for context in route.effective_route_contexts():
                if isinstance(context.original_route, APIRoute):
                    yield context.path, context.original_route


def api_routes(api: Api) -> list[tuple[str, str, APIRoute]]:
    routes = [(method, path, route) for path, route in flat_routes(api.app.routes)
              if path.startswith(API_PREFIX) for method in sorted(route.methods)]
    assert len(routes) >= 25
    return routes


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def needs_admin(route: APIRoute) -> bool:
    def walk(dependant: object) -> bool:
        return any(dep.call is require_admin or walk(dep)  # type: ignore[attr-defined]
                   for dep in dependant.dependencies)  # type: ignore[attr-defined]

    return walk(route.dependant)


def test_every_api_route_answers_401_without_a_valid_token(api: Api) -> None:
    for method, path, _route in api_routes(api):
        for headers in ({}, {"Authorization": "Bearer sm_not-a-token"},
                        {"Authorization": f"Basic {api.admin_token}"}):
            answer = api.client.request(method, concrete(path), headers=headers, json={})
            assert answer.status_code == 401, (method, path, headers, answer.text)
            assert answer.json()["code"] == "unauthorized"
            assert answer.headers["www-authenticate"].startswith("Bearer")


def test_integrator_tokens_cannot_reach_admin_routes(api: Api) -> None:
    admin_only = {(m, p) for m, p, route in api_routes(api) if needs_admin(route)}
    assert ("POST", "/api/v1/missions") in admin_only
    assert ("GET", "/api/v1/report") in admin_only
    assert ("PUT", "/api/v1/webhook") in admin_only
    assert ("POST", "/api/v1/tokens") in admin_only
    assert ("POST", "/api/v1/claims") not in admin_only
    for method, path in sorted(admin_only):
        answer = api.client.request(method, concrete(path), headers=api.integrator, json={})
        assert answer.status_code == 403, (method, path, answer.text)
        assert answer.json()["code"] == "forbidden"
    for method, path, route in api_routes(api):
        if not needs_admin(route):  # integrators get an answer (404, 422…), never "forbidden"
            answer = api.client.request(method, concrete(path), headers=api.integrator, json={})
            assert answer.status_code not in (401, 500), (method, path, answer.text)
            body = answer.json()
            assert not isinstance(body, dict) or body.get("code") != "forbidden", (method, path)


def test_revoked_token_answers_401(api: Api) -> None:
    created = api.post("/api/v1/tokens", json={"scope": "integrator", "label": "partner"})
    assert created.status_code == 201
    token = created.json()
    assert token["scope"] == "integrator" and token["token"].startswith("sm_")
    headers = {"Authorization": f"Bearer {token['token']}"}
    assert api.client.get("/api/v1/missions", headers=headers).status_code == 200
    listed = api.get("/api/v1/tokens").json()
    assert [t["label"] for t in listed] == ["tests", "tests", "partner"]
    assert all("token" not in t and "token_hash" not in t for t in listed)
    revoked = api.delete(f"/api/v1/tokens/{token['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    answer = api.client.get("/api/v1/missions", headers=headers)
    assert answer.status_code == 401 and "revoked" in answer.json()["message"]
    assert api.delete("/api/v1/tokens/999").status_code == 404
    assert api.post("/api/v1/tokens", json={"scope": "root"}).status_code == 422


def test_actions_and_missions(api: Api) -> None:
    action = api.post("/api/v1/actions", json={"platform": "Instagram", "hashtag": "#Summer2025"})
    assert action.status_code == 201
    assert action.json()["platform"] == "instagram" and action.json()["hashtag"] == "Summer2025"
    bad = api.post("/api/v1/actions", json={"platform": "instagram", "hashtag": "two words"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_input"
    unknown = api.post("/api/v1/actions", json={"platform": "myspace", "hashtag": "x"})
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_platform"
    assert [a["id"] for a in api.get("/api/v1/actions").json()] == [1]
    assert api.get("/api/v1/actions/1").json()["platform"] == "instagram"
    missing = api.get("/api/v1/actions/7")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"

    draft = api.post("/api/v1/missions", json={"title": "Été", "action_ids": [1], "points": 5,
                                               "goal_posts": 2, "end": None})
    assert draft.status_code == 201
    mission = draft.json()
    assert mission["status"] == "draft" and mission["end_at"] is None
    assert mission["label"] == "C'est fait ! Vérifiez mon profil !"
    assert mission["start_at"] == "2025-06-16T09:00:00Z"
    both = api.post("/api/v1/missions", json={"title": "x", "action_ids": [1], "points": 5,
                                              "goal_posts": 2, "recurring": True})
    assert both.status_code == 400 and "one goal" in both.json()["message"]
    invalid = api.post("/api/v1/missions", json={"title": "x", "action_ids": [], "points": 0})
    assert invalid.status_code == 422 and invalid.json()["code"] == "validation_error"
    assert {d["loc"][-1] for d in invalid.json()["details"]} == {"action_ids", "points"}
    assert api.get("/api/v1/missions", params={"status": "published"}).json() == []
    published = api.post(f"/api/v1/missions/{mission['id']}/publish")
    assert published.json()["status"] == "published"
    assert len(api.get("/api/v1/missions", as_admin=False).json()) == 1
    assert api.get(f"/api/v1/missions/{mission['id']}", as_admin=False).json()["title"] == "Été"
    archived = api.post(f"/api/v1/missions/{mission['id']}/archive")
    assert archived.json()["status"] == "archived"
    again = api.post(f"/api/v1/missions/{mission['id']}/publish")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert api.get("/api/v1/missions/42").status_code == 404


def test_member_accounts_balances_and_ledger(api: Api) -> None:
    linked = api.put("/api/v1/members/lea/accounts/instagram", as_admin=False,
                     json={"handle": "https://www.instagram.com/Lea.Voyage/"})
    assert linked.status_code == 200
    assert linked.json()["accounts"][0]["handle"] == "lea.voyage"
    # A handle another member holds starts a contest (the default policy, on_conflict).
    contest = api.put("/api/v1/members/sam/accounts/instagram", as_admin=False,
                      json={"handle": "lea.voyage"})
    assert contest.status_code == 200
    assert contest.json()["accounts"][0]["ownership"] == "contested"
    api.delete("/api/v1/members/sam/accounts/instagram", as_admin=False)
    bad = api.put("/api/v1/members/sam/accounts/instagram", as_admin=False,
                  json={"handle": "no spaces allowed"})
    assert bad.status_code == 400
    shown = api.get("/api/v1/members/lea", as_admin=False).json()
    assert shown["balance"] == 0 and shown["ledger"] == []
    assert api.get("/api/v1/members/lea/balance", as_admin=False).json() == {
        "member_id": "lea", "balance": 0}
    assert api.get("/api/v1/members/lea/ledger", as_admin=False).json()["entries"] == []
    assert api.get("/api/v1/balances", as_admin=False).json() == [
        {"member_id": "lea", "balance": 0}, {"member_id": "sam", "balance": 0}]
    assert api.get("/api/v1/members/nobody", as_admin=False).status_code == 404
    unlinked = api.delete("/api/v1/members/lea/accounts/instagram", as_admin=False)
    assert unlinked.status_code == 200 and unlinked.json()["accounts"] == []
    assert api.delete("/api/v1/members/lea/accounts/instagram").status_code == 404


def test_claim_202_then_429_with_retry_after(api: Api, clock: Clock) -> None:
    mission = seed_mission(api)
    api.put("/api/v1/members/lea/accounts/instagram", json={"handle": "lea.voyage"})
    body = {"member_id": "lea", "mission_id": mission["id"], "platform": "instagram"}
    accepted = api.post("/api/v1/claims", as_admin=False, json=body)
    assert accepted.status_code == 202, accepted.text
    receipt = accepted.json()
    assert receipt["button_available_at"] == "2025-06-17T09:00:00Z"
    assert receipt["status_url"] == f"/api/v1/claims/{receipt['claim_id']}"
    # Nothing due before it: checked about now (issue 13).
    assert receipt["queue_position"] == 0
    assert receipt["expected_check_at"] == "2025-06-16T09:00:00Z"
    clock.advance(hours=23)
    refused = api.post("/api/v1/claims", as_admin=False, json=body)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "3600"
    assert refused.json()["code"] == "cooldown_active"
    assert refused.json()["button_available_at"] == "2025-06-17T09:00:00Z"
    status = api.get(receipt["status_url"], as_admin=False)
    assert status.status_code == 200 and status.json()["state"] == "queued"
    assert [c["id"] for c in api.get("/api/v1/claims", params={"member": "lea"}).json()] == [
        receipt["claim_id"]]
    assert api.get("/api/v1/claims/999").status_code == 404
    clock.advance(hours=1)
    again = api.post("/api/v1/claims", json=body)
    assert again.status_code == 202
    # The first claim, never checked, is still due before it.
    assert again.json()["queue_position"] == 1
    assert again.json()["expected_check_at"].startswith("2025-06-17T09:00:00")
    no_handle = api.post("/api/v1/claims", json={**body, "member_id": "nobody"})
    assert no_handle.status_code == 404
    bad_url = api.post("/api/v1/claims", json={**body, "post_url": "https://example.com/x"})
    assert bad_url.status_code == 400


def test_member_links(api: Api, clock: Clock) -> None:
    mission = seed_mission(api)
    created = api.post("/api/v1/member-links", as_admin=False,
                       json={"member_id": "lea", "mission_id": mission["id"], "expires_in": 3600})
    assert created.status_code == 201
    link = created.json()
    assert link["path"] == f"/m/{link['token']}" and link["url"].endswith(link["path"])
    assert link["expires_at"] == "2025-06-16T10:00:00Z"
    verified = api.get(f"/api/v1/member-links/{link['token']}", as_admin=False)
    assert verified.json() == {"member_id": "lea", "mission_id": mission["id"],
                               "expires_at": "2025-06-16T10:00:00Z",
                               "link_id": link["link_id"], "issued_at": "2025-06-16T09:00:00Z"}
    # Another member in the signed content, the signature kept: refused.
    payload, signature = link["token"].rsplit(".", 1)
    codec = URLSafeSerializer("any key")
    content = codec.load_payload(payload.encode())
    altered = codec.dump_payload({**content, "m": "ana"}).decode() + "." + signature
    assert altered != link["token"]
    for token in (altered, link["token"][:-2], "garbage"):
        answer = api.get(f"/api/v1/member-links/{token}", as_admin=False)
        assert answer.status_code == 403 and answer.json()["code"] == "link_rejected"
    clock.advance(hours=1)
    expired = api.get(f"/api/v1/member-links/{link['token']}", as_admin=False)
    assert expired.status_code == 403 and expired.json()["expired"] is True
    missing = api.post("/api/v1/member-links", json={"member_id": "lea", "mission_id": 99})
    assert missing.status_code == 404


def test_webhook_settings_never_return_the_secret(api: Api) -> None:
    assert api.get("/api/v1/webhook").json() == {"url": None, "secret_set": False,
                                                 "max_attempts": 8}
    set_url = api.put("/api/v1/webhook", json={"url": "https://host.example/hooks"})
    assert set_url.status_code == 200
    first_secret = set_url.json()["secret"]
    assert len(first_secret) >= 32
    assert api.service.settings.webhook_url == "https://host.example/hooks"
    assert api.service.settings.webhook_secret == first_secret
    shown = api.get("/api/v1/webhook").json()
    assert shown == {"url": "https://host.example/hooks", "secret_set": True, "max_attempts": 8}
    again = api.put("/api/v1/webhook", json={"url": "https://host.example/other"})
    assert "secret" not in again.json()  # the secret exists already: not shown again
    rotated = api.post("/api/v1/webhook/secret").json()["secret"]
    assert rotated != first_secret and api.service.settings.webhook_secret == rotated
    assert api.put("/api/v1/webhook", json={"url": "ftp://x"}).status_code == 400
    assert api.put("/api/v1/webhook", json={"url": None}).json()["url"] is None
    assert api.get("/api/v1/webhook/deliveries").json() == []


def test_errors_are_json(api: Api) -> None:
    unknown = api.get("/api/v1/nothing-here")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    wrong_method = api.client.patch("/api/v1/missions", headers=api.admin)
    assert wrong_method.status_code == 405 and wrong_method.json()["code"] == "method_not_allowed"
    broken = api.client.post("/api/v1/actions", headers={**api.admin,
                                                         "content-type": "application/json"},
                             content=b"{not json")
    assert broken.status_code == 422 and broken.json()["code"] == "validation_error"
    far = api.post("/api/v1/missions", json={"title": "x", "action_ids": [1], "points": 1,
                                             "goal_posts": 1, "start": "9999-12-31T00:00:00Z"})
    assert far.status_code == 422
    huge = api.get(f"/api/v1/missions/{2**63}")
    assert huge.status_code == 422
    spec = api.client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert api.client.get("/docs").status_code == 200


def test_member_link_key_from_the_key_file_or_an_environment_variable(
        tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.config import config_from_mapping
    from engine.web.errors import LinkRejected
    from engine.web.member_links import sign_member_link, verify_member_link

    monkeypatch.setenv("MISSIONS_TEST_KEY", "k" * 40)
    with database_setup("sqlite", tmp_path) as urls:
        stored = build_service(urls, clock)
        again = build_service(urls, clock)  # another process beside the same key file
        configured = build_service(urls, clock, config=config_from_mapping(
            {"web": {"secret_env": "MISSIONS_TEST_KEY"}}))
        token = sign_member_link(stored, "lea", 1)
        link = verify_member_link(again, token)
        assert (link.member_id, link.mission_id) == ("lea", 1)
        assert link.expires_at == clock.now + timedelta(days=7)
        with pytest.raises(LinkRejected):
            verify_member_link(configured, token)
        assert verify_member_link(configured, sign_member_link(configured, "ana", 2)).member_id == "ana"
        for service in (stored, again, configured):
            service.engine.close()
            service.close()


def test_ownership_code_admin_verification_and_goal_met(api: Api) -> None:
    # Two members link one handle: a contest; each has a code (R11).
    assert api.put("/api/v1/members/lea/accounts/instagram", as_admin=False,
                   json={"handle": "lea.voyage"}).status_code == 200
    contested = api.put("/api/v1/members/max/accounts/instagram", as_admin=False,
                        json={"handle": "@Lea.Voyage"})
    assert contested.status_code == 200
    assert contested.json()["accounts"][0]["ownership"] == "contested"
    code = api.get("/api/v1/members/lea/accounts/instagram/code", as_admin=False).json()
    assert re.fullmatch(r"SM-[2-9A-HJKMNP-Z]{5}", code["verification_code"])
    assert code["ownership"] == "contested" and code["credited"] is False
    assert api.get("/api/v1/members/nobody/accounts/instagram/code",
                   as_admin=False).status_code == 404
    # Only an admin marks a link verified, and only with a reason.
    path = "/api/v1/members/lea/accounts/instagram/verify"
    assert api.post(path, as_admin=False, json={"reason": "id checked"}).status_code == 403
    assert api.post(path, json={"reason": ""}).status_code == 422
    verified = api.post(path, json={"reason": "id checked by video call"})
    assert verified.status_code == 200, verified.text
    assert verified.json()["ownership"] == "verified"
    assert verified.json()["verified_by"] == "admin: id checked by video call"
    assert api.get("/api/v1/members/max", as_admin=False).json()["accounts"] == []
    taken = api.put("/api/v1/members/max/accounts/instagram", as_admin=False,
                    json={"handle": "lea.voyage"})
    assert (taken.status_code, taken.json()["code"]) == (409, "handle_verified")


def test_a_claim_on_a_met_goal_answers_409_goal_met(api: Api, clock: Clock) -> None:
    mission = seed_mission(api, recurring=False)  # one post completes it
    api.put("/api/v1/members/lea/accounts/instagram", as_admin=False,
            json={"handle": "lea.voyage"})
    body = {"member_id": "lea", "mission_id": mission["id"], "platform": "instagram"}
    assert api.post("/api/v1/claims", as_admin=False, json=body).status_code == 202
    with cassette(PUBLIC, record=False, ignore_localhost=True):
        run_due(api.service)
    clock.advance(days=2)
    refused = api.post("/api/v1/claims", as_admin=False, json=body)
    assert (refused.status_code, refused.json()["code"]) == (409, "goal_met")
    assert "already completed" in refused.json()["message"]


def run_due(service: Any) -> None:
    """Run every due job once, as ``worker --once`` does."""
    work(service, once=True, threads=1)


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/api/v1/actions", {"platform": "instagram", "hashtag": "x\ud800y"}),
    ("post", "/api/v1/missions", {"title": "T\ud800", "action_ids": [1], "points": 1,
                                  "goal_posts": 1}),
    ("post", "/api/v1/tokens", {"scope": "admin", "label": "l\ud800"}),
    ("put", "/api/v1/webhook", {"url": "https://h\ud800.example/"}),
    ("post", "/api/v1/members/lea/accounts/instagram/verify", {"reason": "r\ud800"}),
    ("post", "/api/v1/claims", {"member_id": "m\ud800", "mission_id": 1,
                                "platform": "instagram"}),
    ("post", "/api/v1/claims", {"member_id": "lea", "mission_id": 1, "platform": "instagram",
                                "post_url": "https://www.instagram.com/p/A\ud800/"}),
    ("post", "/api/v1/member-links", {"member_id": "m\ud800", "mission_id": 1}),
    ("post", "/api/v1/members/lea/accounts/instagram/verify", {"reason": "\x1b[31mred"}),
])
def test_lone_surrogates_and_control_characters_are_refused_not_a_500(
        api: Api, method: str, path: str, body: dict[str, Any]) -> None:
    # json.dumps escapes the surrogate as "\\ud800", as a client in another language would.
    answer = api.client.request(method.upper(), path, content=json.dumps(body),
                                headers={**api.admin, "content-type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "validation_error"
    assert "surrogate" in answer.text or "control character" in answer.text
