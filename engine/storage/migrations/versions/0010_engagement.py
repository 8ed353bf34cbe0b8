"""Engagement numbers on every post seen (issue 17): likes, comments, views, shares, followers.

Each ``seen_posts`` row keeps the numbers the platform gave in the answer of that check
(``NULL`` where the platform did not say) and ``measured_at``, the UTC time they were read
(the check's time). A re-check refreshes the numbers of the posts it sees again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.storage.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_NUMBERS = ("likes", "comments", "views", "shares", "followers")


def upgrade() -> None:
    with op.batch_alter_table("seen_posts") as batch:
        for name in _NUMBERS:
            batch.add_column(sa.Column(name, sa.BigInteger(), nullable=True))
        batch.add_column(
            sa.Column("measured_at", engine.storage.types.UTCDateTime(), nullable=True)
        )
        batch.create_index("ix_seen_post_measured", ["platform", "post_id", "measured_at"])


def downgrade() -> None:
    with op.batch_alter_table("seen_posts") as batch:
        batch.drop_index("ix_seen_post_measured")
        batch.drop_column("measured_at")
        for name in reversed(_NUMBERS):
            batch.drop_column(name)
