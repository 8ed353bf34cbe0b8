"""A bounded schemathesis run against the OpenAPI description: no input answers 500.

Every operation gets a few valid and a few invalid examples (schemathesis' positive and
negative generation) sent with an admin token, on a database that has a mission, an action
and a member so that valid ids find something.
"""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
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
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                run_operation(operation, mode, headers)
        service.engine.close()
        service.close()


def run_operation(operation: object, mode: GenerationMode, headers: dict[str, str]) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(mode))  # type: ignore[attr-defined]
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    check()
