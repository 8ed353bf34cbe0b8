"""Ownership of linked handles (R11): verification codes, contests, revocable credits,
compensating ledger rows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.storage.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("linked_accounts") as batch:
        batch.drop_constraint("uq_account_handle", type_="unique")
        batch.add_column(sa.Column("verification_code", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("verified_at", engine.storage.types.UTCDateTime(),
                                   nullable=True))
        batch.add_column(sa.Column("verified_by", sa.Text(), nullable=True))
        batch.add_column(sa.Column("contested", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.create_unique_constraint("uq_account_verification_code", ["verification_code"])
        batch.create_index("ix_account_handle", ["platform", "handle"])
    with op.batch_alter_table("credits") as batch:
        batch.drop_constraint("uq_credit_mission_post", type_="unique")
        batch.add_column(sa.Column("active_key", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("handle", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("revoked_at", engine.storage.types.UTCDateTime(),
                                   nullable=True))
    # Existing credits are live: one per (mission, platform, post), as the old constraint said.
    credits = sa.table("credits", sa.column("mission_id", sa.Integer()),
                       sa.column("platform", sa.String()), sa.column("post_id", sa.String()),
                       sa.column("active_key", sa.String()))
    op.execute(credits.update().values(
        active_key=sa.cast(credits.c.mission_id, sa.String()) + ":" + credits.c.platform + ":"
        + credits.c.post_id))
    with op.batch_alter_table("credits") as batch:
        batch.create_unique_constraint("uq_credits_active_key", ["active_key"])
    with op.batch_alter_table("ledger") as batch:
        batch.add_column(sa.Column("reverses_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_ledger_reverses_id_ledger", "ledger", ["reverses_id"],
                                 ["id"])
        batch.create_unique_constraint("uq_ledger_reverses_id", ["reverses_id"])


def downgrade() -> None:
    with op.batch_alter_table("ledger") as batch:
        batch.drop_constraint("uq_ledger_reverses_id", type_="unique")
        batch.drop_constraint("fk_ledger_reverses_id_ledger", type_="foreignkey")
        batch.drop_column("reverses_id")
    with op.batch_alter_table("credits") as batch:
        batch.drop_constraint("uq_credits_active_key", type_="unique")
        batch.drop_column("revoked_at")
        batch.drop_column("handle")
        batch.drop_column("active_key")
        batch.create_unique_constraint("uq_credit_mission_post",
                                       ["mission_id", "platform", "post_id"])
    with op.batch_alter_table("linked_accounts") as batch:
        batch.drop_index("ix_account_handle")
        batch.drop_constraint("uq_account_verification_code", type_="unique")
        batch.drop_column("contested")
        batch.drop_column("verified_by")
        batch.drop_column("verified_at")
        batch.drop_column("verification_code")
        batch.create_unique_constraint("uq_account_handle", ["platform", "handle"])
