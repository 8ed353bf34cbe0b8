"""A bounded schemathesis run against the OpenAPI description: no input answers 500.

Every operation gets a few valid and a few invalid examples (schemathesis' positive and
negative generation) sent with an admin token, on a database that has a mission, an action
and a member so that valid ids find something. Then every operation's generated cases get
the hostile strings of issue 12 (lone surrogates, control characters, huge and non-ASCII
numbers, formula prefixes, dates out of range) in one of their fields, still checked with
``not_a_server_error``.
"""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from engine.web.app import create_app
from engine.web.tokens import create_token

from .api_helpers import Api, Clock, build_service, database_setup

EXAMPLES = 6


def test_no_server_error(tmp_path: Path) -> None:
    with database_setup("sqlite", tmp_path) as urls:
        service = build_service(urls, Clock())
        app = create_app(service)
        _token, raw = create_token(service, "admin", "schemathesis")
        headers = {"Authorization": f"Bearer {raw}"}
        from fastapi.testclient import TestClient

        from .api_helpers import seed_mission

        with TestClient(app, base_url="http://localhost") as client:
            api = Api(service, client)
            seed_mission(api)
            api.put("/api/v1/members/lea/accounts/instagram", json={"handle": "lea.voyage"})
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 25
        paths = {operation.path for operation in operations}  # type: ignore[attr-defined]
        assert "/api/v1/webhook/deliveries/{delivery_id}/resend" in paths  # issue 12 routes
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                run_operation(operation, mode, headers)
            run_hostile(operation, headers)
        service.engine.close()
        service.close()


def run_operation(operation: object, mode: GenerationMode, headers: dict[str, str]) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(mode))  # type: ignore[attr-defined]
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    check()


HOSTILE = ("\ud800", "a\udfffb", "\x00", "\x1b[31m", "\r\n", " lea ", '=HYPERLINK("x")', "+1",
           "-1", "@x", "\t=1", "²", "٣", "99999999999999999999999", "-9223372036854775809",
           "9" * 5000, "9999-12-31", "0001-01-01", "javascript:alert(1)//instagram.com/p/X",
           "http://169.254.169.254/", "x" * 20_000)


def with_hostile(case: schemathesis.Case, where: str, index: int, value: str) -> None:
    """Put ``value`` in the ``index``-th field of ``where`` (path, query or body) of ``case``;
    a case without such a field is left as generated."""
    container = {"path": case.path_parameters, "query": case.query,
                 "body": case.body if isinstance(case.body, dict) else None}[where]
    if not container:
        return
    name = sorted(container)[index % len(container)]
    if where != "body":
        # A URL cannot carry a lone surrogate as UTF-8: its bytes go as Latin-1 characters
        # (the test of hostile input sends them raw); and at most a few thousand characters
        # (the client refuses URLs over 64 KiB).
        if any(0xD800 <= ord(char) <= 0xDFFF for char in value):
            value = value.encode("utf-8", "surrogatepass").decode("latin-1")
        value = value[:3000]
    container[name] = value


def run_hostile(operation: object, headers: dict[str, str]) -> None:
    @settings(max_examples=EXAMPLES * 2, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(GenerationMode.POSITIVE),  # type: ignore[attr-defined]
           where=st.sampled_from(("path", "query", "body")), index=st.integers(0, 20),
           value=st.sampled_from(HOSTILE))
    def check(case: schemathesis.Case, where: str, index: int, value: str) -> None:
        with_hostile(case, where, index, value)
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    check()
