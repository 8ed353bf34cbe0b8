"""Members' data: export, erasure and retention (issue 12).

- ``checks.posts`` may be NULL: the posts' captions and the snapshot are cleared by the
  retention job (``[privacy] keep_post_text_days``) and by a member's erasure;
- ``webhook_deliveries.ledger_id`` may be NULL: a ``member.erased`` event is about no award;
- ``erased_members``: the keyed digest of each erased member's id (never the id itself).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 11:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.storage.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checks") as batch:
        batch.alter_column("posts", existing_type=sa.JSON(), nullable=True)
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.alter_column("ledger_id", existing_type=sa.Integer(), nullable=True)
    op.create_table(
        "erased_members",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("erased_at", engine.storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_erased_members")),
    )


def downgrade() -> None:
    op.drop_table("erased_members")
    # Events about no award cannot stay in a table whose rows all name one.
    op.execute("DELETE FROM webhook_attempts WHERE delivery_id IN "
               "(SELECT id FROM webhook_deliveries WHERE ledger_id IS NULL)")
    op.execute("DELETE FROM webhook_deliveries WHERE ledger_id IS NULL")
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.alter_column("ledger_id", existing_type=sa.Integer(), nullable=False)
    op.execute("UPDATE checks SET posts = '[]' WHERE posts IS NULL")
    with op.batch_alter_table("checks") as batch:
        batch.alter_column("posts", existing_type=sa.JSON(), nullable=False)
