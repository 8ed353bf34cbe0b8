"""The cause of an ``unavailable`` check, on the check and on its claim.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checks") as batch:
        batch.add_column(sa.Column("cause", sa.String(length=20), nullable=True))
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("last_cause", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("last_cause")
    with op.batch_alter_table("checks") as batch:
        batch.drop_column("cause")
