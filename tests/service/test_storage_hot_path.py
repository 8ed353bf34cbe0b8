"""What the claim's hot path asks of the storage layer (issue 13): constant IN lists written
into the SQL."""

from __future__ import annotations

import pytest
from sqlalchemy import column, select, table
from sqlalchemy.dialects import postgresql

from engine.service.claim_states import DUE_STATES
from engine.storage.database import constant_in


def test_constant_in_writes_the_values_into_the_statement() -> None:
    claims = table("claims", column("id"), column("state"))
    statement = select(claims.c.id).where(constant_in(claims.c.state, DUE_STATES))
    sql = str(statement.compile(dialect=postgresql.dialect()))
    assert "claims.state IN ('queued', 'rechecking', 'retrying')" in sql
    assert "POSTCOMPILE" not in sql  # no expanding parameter rendered at each execution


@pytest.mark.parametrize("values", [["it's"], ["Queued"], ["a b"], []])
def test_constant_in_refuses_what_it_would_have_to_quote(values: list[str]) -> None:
    with pytest.raises(ValueError):
        constant_in(column("state"), values)
