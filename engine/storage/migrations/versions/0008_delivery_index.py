"""An index of webhook deliveries by state and due time (the worker's sweep, the lists).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 12:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_deliveries_due", "webhook_deliveries", ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_due", table_name="webhook_deliveries")
