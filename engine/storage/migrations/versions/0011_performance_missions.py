"""Performance missions (issue 17): a post counts once it reaches a number of views or likes.

``missions.min_views`` and ``missions.min_likes`` (``NULL``: no threshold; at most one is set,
checked by the service) hold the number a post must reach, read from the platform's answer.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("missions") as batch:
        batch.add_column(sa.Column("min_views", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("min_likes", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("missions") as batch:
        batch.drop_column("min_likes")
        batch.drop_column("min_views")
