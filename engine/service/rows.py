"""Reading stored rows by id: one row or ``NotFound``, and one page of rows after an id.

The API pages its lists by id (keyset pagination: ``?cursor=`` names the last id of the page
before, see docs/api.md); the command line reads whole lists with ``limit=None``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

from .errors import NotFound

RowT = TypeVar("RowT")
SelectT = TypeVar("SelectT", bound=Select[Any])


def row_by_id(session: Session, table: type[RowT], row_id: int, missing: str) -> RowT:
    """The row of ``table`` whose primary key is ``row_id``; raises ``NotFound(missing)`` when
    there is none (``missing`` names what was looked for and, where one helps, what to do)."""
    row = session.get(table, row_id)
    if row is None:
        raise NotFound(missing)
    return row


def page_after(query: SelectT, id_column: Any, *, after: Any, limit: int | None) -> SelectT:
    """``query`` ordered by ``id_column``, from the first id greater than ``after`` (None: from
    the start), at most ``limit`` rows (None: all of them)."""
    query = query.order_by(id_column)
    if after is not None:
        query = query.where(id_column > after)
    return query.limit(limit) if limit is not None else query
