"""Pagination of the API's lists: ``?limit=`` and an opaque ``?cursor=``, a ``Link`` header.

Every list route answers at most ``limit`` items (default :data:`DEFAULT_LIMIT`, at most
:data:`MAX_LIMIT`). When more follow, the answer carries ``Link: <url>; rel="next"`` (RFC
8288) whose URL repeats the request's filters with the next ``cursor``; JSON objects that
wrap their items (the report) also give it as ``next``. A cursor is the id of the last item
of the page (items come in a stable order, newest first); clients pass it back unchanged.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response
from pydantic import AfterValidator, BeforeValidator

from .schemas import MEMBER_SCHEMA, ascii_digits, member_id_rule

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

Limit = Annotated[int, BeforeValidator(ascii_digits), Query(ge=1, le=MAX_LIMIT, description=(
    f"items per page (default {DEFAULT_LIMIT}, at most {MAX_LIMIT})"))]
Cursor = Annotated[str | None, Query(pattern=r"^[0-9]{1,18}$", description=(
    "where the page starts: the `cursor` of the previous page's `next` link"))]

# The balances' cursor is the last member id of the page: the member id rule applies.
KeyCursor = Annotated[str | None, Query(json_schema_extra=MEMBER_SCHEMA, description=(
    "where the page starts: the `cursor` of the previous page's `next` link")),
    AfterValidator(member_id_rule)]


def cursor_id(cursor: str | None) -> int | None:
    """The id a cursor names (validated by :data:`Cursor`: 1–18 ASCII digits), or None."""
    return int(cursor) if cursor else None


def next_url(request: Request, cursor: int | str | None) -> str | None:
    """The URL of the next page (``request``'s path and query with ``cursor``), or None."""
    if cursor is None:
        return None
    return str(request.url.include_query_params(cursor=str(cursor)))


def link_header(url: str | None) -> dict[str, str]:
    """``{"Link": '<url>; rel="next"'}``, or ``{}`` when there is no next page."""
    return {"Link": f'<{url}>; rel="next"'} if url is not None else {}


def link_next(response: Response, request: Request, cursor: int | str | None) -> str | None:
    """Set ``Link: <next>; rel="next"`` on ``response`` when there is a next page (routes
    that return their items and take ``response: Response``); the next page's URL."""
    url = next_url(request, cursor)
    response.headers.update(link_header(url))
    return url
