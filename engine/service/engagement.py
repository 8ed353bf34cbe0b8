"""Engagement numbers of the posts seen: how checks write them and how results read them.

Every ``seen_posts`` row (one per check and post) carries the numbers its check read from the
platform's answer: ``likes``, ``comments``, ``views``, ``shares`` of the post and the account's
``followers`` (None where the platform did not say), and ``measured_at``, the UTC time of the
answer (the check's fetch; for a fetch shared between simultaneous claims, the time of that
fetch). Refreshed numbers (issue 17): when a check writes its rows, every older row of the same
post (same platform and post id, any mission, any check) takes the new numbers and their time,
so that any row of a post holds the latest numbers known. The latest answer wins whole: a
number it does not give becomes None.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from engine.models import ENGAGEMENT_FIELDS, Post
from engine.storage.models import SeenPostRow

from .records import Engagement

SEEN_POSTS = cast(Table, SeenPostRow.__table__)
# The numbers a seen post row stores, in this order: the post's, then the account's.
NUMBER_COLUMNS = (*ENGAGEMENT_FIELDS, "followers")

_REFRESH = (
    update(SEEN_POSTS)
    .where(SEEN_POSTS.c.platform == bindparam("b_platform"),
           SEEN_POSTS.c.post_id == bindparam("b_post_id"),
           or_(SEEN_POSTS.c.measured_at.is_(None),
               SEEN_POSTS.c.measured_at < bindparam("b_measured_at")))
)  # SET: the numbers and measured_at, from each parameter set's column keys


@dataclass(frozen=True, kw_only=True)
class PostNumbers(Engagement):
    """The latest numbers known of one post of ``member_id`` (the :class:`Engagement` fields:
    counts, the account's followers at that check, and when they were read)."""

    platform: str
    post_id: str
    member_id: str


def seen_numbers(post: Post, followers: int | None, measured_at: datetime) -> dict[str, Any]:
    """The engagement columns of a ``seen_posts`` row for ``post`` read at ``measured_at``
    (UTC) from an account with ``followers`` (None when the answer did not say)."""
    return {**{name: getattr(post, name) for name in ENGAGEMENT_FIELDS},
            "followers": followers, "measured_at": measured_at}


def refresh_seen(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Give every older ``seen_posts`` row of the posts in ``rows`` their new numbers.

    ``rows`` are the parameters just inserted (``platform``, ``post_id``, the
    :data:`NUMBER_COLUMNS` and ``measured_at``). One UPDATE per post, sent as one batch; rows
    measured at the same time or later are left alone (a shared, older fetch never overwrites
    a newer reading).
    """
    if not rows:
        return
    connection.execute(_REFRESH, [
        {"b_platform": row["platform"], "b_post_id": row["post_id"],
         "b_measured_at": row["measured_at"], "measured_at": row["measured_at"],
         **{name: row[name] for name in NUMBER_COLUMNS}}
        for row in rows])


def latest_numbers(session: Session, mission_id: int, *,
                   verdicts: Collection[str] | None = None) -> dict[tuple[str, str], PostNumbers]:
    """The latest numbers of every post seen for ``mission_id``, keyed by (platform, post id).

    ``verdicts`` restricts the posts to those with a row of one of these verdicts (e.g.
    ``{"counted"}`` for the credited posts). Any row of a post carries its latest numbers
    (see the module); the most recently measured one is read, the newest row on a tie.
    """
    columns = [getattr(SeenPostRow, name) for name in NUMBER_COLUMNS]
    query = (select(SeenPostRow.platform, SeenPostRow.post_id, SeenPostRow.member_id,
                    *columns, SeenPostRow.measured_at)
             .where(SeenPostRow.mission_id == mission_id)
             .order_by(SeenPostRow.measured_at.desc().nulls_last(), SeenPostRow.id.desc()))
    if verdicts is not None:
        query = query.where(SeenPostRow.verdict.in_(list(verdicts)))
    found: dict[tuple[str, str], PostNumbers] = {}
    for platform, post_id, member_id, *numbers, measured_at in session.execute(query):
        if (platform, post_id) not in found:
            found[(platform, post_id)] = PostNumbers(
                platform=platform, post_id=post_id, member_id=member_id,
                measured_at=measured_at, **dict(zip(NUMBER_COLUMNS, numbers, strict=True)))
    return found
