"""The declared status signals: one table per platform, one reading of any answer."""

from __future__ import annotations

import httpx
import pytest

from engine.errors import AccountNotFound, AccountPrivate, LayoutChanged, PlatformUnavailable
from engine.library_errors import status_cause as library_status_cause
from engine.status_signals import STATUS_CAUSES, StatusSignals, json_values, status_cause

XRPC = StatusSignals(
    title="Example",
    code_fields=("error",),
    codes={"ActorNotFound": "not_found", "AuthRequired": "login_wall", "Hidden": "private"},
    body_markers=(("profile not found", "not_found"),),
    message_fields=("message",),
    hints={"login_wall": "log in first"},
)


@pytest.mark.parametrize(("status", "cause"), [
    (429, "rate_limited"), (401, "login_wall"), (403, "login_wall"), (500, "server_error"),
    (503, "server_error"), (404, None), (200, None), (418, None)])
def test_status_cause_is_the_default_table(status: int, cause: str | None) -> None:
    assert status_cause(status) == cause
    assert library_status_cause(status) == cause  # the libraries' backends read the same table


def test_a_success_raises_nothing() -> None:
    XRPC.check(200, '{"feed": []}')
    assert XRPC.error(200, "{}") is None


@pytest.mark.parametrize(("status", "text", "error", "outcome"), [
    (404, "", AccountNotFound, "not_found"),
    (400, '{"error": "ActorNotFound", "message": "no such actor"}', AccountNotFound,
     "not_found"),
    (400, '{"error": "InvalidRequest", "message": "Profile not found"}', AccountNotFound,
     "not_found"),
    (200, '{"error": "Hidden"}', AccountPrivate, "private"),
    (400, '{"error": "AuthRequired", "message": "Authentication Required"}',
     PlatformUnavailable, "login_wall"),
    (429, "", PlatformUnavailable, "rate_limited"),
    (502, "<html>bad gateway</html>", PlatformUnavailable, "server_error"),
    (400, '{"error": "InvalidRequest", "message": "limit too large"}', LayoutChanged,
     "layout_changed"),
    (302, "", LayoutChanged, "layout_changed"),
])
def test_each_signal_gives_its_error(status: int, text: str, error: type[Exception],
                                     outcome: str) -> None:
    assert XRPC.outcome(status, text) == outcome
    with pytest.raises(error) as raised:
        XRPC.check(status, text, what="the feed")
    if isinstance(raised.value, PlatformUnavailable):
        assert raised.value.cause == outcome


def test_the_message_names_status_code_message_and_hint() -> None:
    found = XRPC.error(400, '{"error": "AuthRequired", "message": "Authentication Required"}',
                       what="getAuthorFeed")
    assert isinstance(found, PlatformUnavailable)
    assert str(found) == ("Example answered getAuthorFeed with a login wall (HTTP 400, "
                          "AuthRequired: Authentication Required); log in first")


def test_redirects_by_location_and_markers_refining_a_code() -> None:
    signals = StatusSignals(
        title="Example", code_fields=("status",), codes={"fail": "rate_limited"},
        body_markers=(("checkpoint_required", "login_wall"),),
        redirect_causes=(("/login", "login_wall"),), redirect_cause="bot_challenge",
        status_causes={403: "bot_challenge"})
    assert signals.outcome(302, headers={"Location": "https://x.test/login?next=/"}) == \
        "login_wall"
    assert signals.outcome(302, headers={"location": "https://x.test/verify"}) == "bot_challenge"
    assert signals.outcome(200, '{"status": "fail", "message": "Please wait"}') == \
        "rate_limited"
    assert signals.outcome(200, '{"status": "fail", "message": "checkpoint_required"}') == \
        "login_wall"
    assert signals.outcome(403, "") == "bot_challenge"
    assert signals.outcome(401, "") == STATUS_CAUSES[401]


def test_codes_are_read_at_paths_through_lists_in_declared_order() -> None:
    signals = StatusSignals(
        title="API", code_fields=("error.errors.*.reason", "error.details.*.reason"),
        codes={"quotaExceeded": "quota", "forbidden": "login_wall"},
        message_fields=("error.message",))
    body = ('{"error": {"message": "Quota spent <a href=x>more</a>", "errors": '
            '[{"reason": "forbidden"}], "details": [{"reason": "quotaExceeded"}]}}')
    assert signals.codes_in(body) == ["forbidden", "quotaExceeded"]
    found = signals.error(403, body, what="channels.list")
    assert isinstance(found, PlatformUnavailable) and found.cause == "quota"
    assert "Quota spent" in str(found) and "<a" not in str(found)
    assert list(json_values({"a": [{"b": 1}, {"b": 2}, {}]}, "a.*.b")) == [1, 2]
    assert list(json_values("not json", "a.b")) == []


def test_check_response_reads_an_httpx_response() -> None:
    response = httpx.Response(429, json={"error": "RateLimitExceeded"})
    with pytest.raises(PlatformUnavailable) as raised:
        XRPC.check_response(response)
    assert raised.value.cause == "rate_limited"


def test_a_misspelt_outcome_is_refused_when_declared() -> None:
    with pytest.raises(ValueError, match="'rate_limit' is not an outcome"):
        StatusSignals(title="Example", status_causes={429: "rate_limit"})
