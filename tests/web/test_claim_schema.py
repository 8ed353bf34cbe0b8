"""The API's answer to a claim is the service's claim receipt, not a second list of its fields."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from engine.service.records import ClaimReceipt
from engine.web.api.schemas import ClaimAccepted, record_fields

NOW = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)
RECEIPT = ClaimReceipt(claim_id=7, member_id="lea", mission_id=1, platform="instagram",
                       handle="lea.voyage", post_url=None, created_at=NOW,
                       available_at=datetime(2025, 6, 17, 9, 0, tzinfo=UTC), queue_position=0)


def test_the_answer_has_every_field_of_the_receipt_under_the_api_names() -> None:
    schema = ClaimAccepted.model_json_schema(mode="serialization")
    receipt = [field.name for field in dataclasses.fields(ClaimReceipt)]
    api = ["button_available_at" if name == "available_at" else name for name in receipt]
    assert list(schema["properties"]) == [*api, "status_url"]
    # A field with a default in the record is optional in the answer, the others required.
    optional = {f.name for f in dataclasses.fields(ClaimReceipt)
                if f.default is not dataclasses.MISSING}
    assert set(schema["required"]) == set(api) - optional | {"status_url"}


def test_an_answer_built_from_a_receipt_serialises_as_the_api_documents() -> None:
    answer = ClaimAccepted(**{("button_available_at" if k == "available_at" else k): v
                              for k, v in dataclasses.asdict(RECEIPT).items()},
                           status_url="/api/v1/claims/7")
    body = answer.model_dump(mode="json", by_alias=True)
    assert body["button_available_at"] == "2025-06-17T09:00:00Z"
    assert "available_at" not in body
    assert body["created_at"] == "2025-06-16T09:00:00Z"
    assert (body["claim_id"], body["queue_position"], body["expected_check_at"]) == (7, 0, None)


def test_record_fields_refuses_what_is_not_a_record() -> None:
    with pytest.raises(TypeError):
        record_fields(dict)
