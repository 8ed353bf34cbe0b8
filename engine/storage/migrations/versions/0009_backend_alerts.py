"""Degraded backends, shared by every worker (issue 14: alerts when a platform changes).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.storage.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "backend_alerts",
        sa.Column("platform", sa.String(length=40), nullable=False),
        sa.Column("backend", sa.String(length=60), nullable=False),
        sa.Column("degraded", sa.Boolean(), nullable=False),
        sa.Column("share", sa.Double(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", engine.storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "backend", name=op.f("pk_backend_alerts")),
    )


def downgrade() -> None:
    op.drop_table("backend_alerts")
