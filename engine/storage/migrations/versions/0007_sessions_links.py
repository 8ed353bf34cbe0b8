"""Admin sessions kept on the server and revocable member links (issue 12).

Also deletes the ``web.secret`` row of ``settings``: the signing key now lives outside the
database (``engine.service.keys``), and a key the database held must not stay there.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 11:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.storage.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("created_at", engine.storage.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", engine.storage.types.UTCDateTime(), nullable=False),
        sa.Column("ended_at", engine.storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["token_id"], ["api_tokens.id"], ondelete="CASCADE",
                                name=op.f("fk_admin_sessions_token_id_api_tokens")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_sessions")),
        sa.UniqueConstraint("session_hash", name=op.f("uq_admin_sessions_session_hash")),
    )
    op.create_index(op.f("ix_admin_sessions_token_id"), "admin_sessions", ["token_id"])
    op.create_index(op.f("ix_admin_sessions_expires_at"), "admin_sessions", ["expires_at"])
    op.create_table(
        "admin_login_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_hash", sa.String(length=64), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("created_at", engine.storage.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", engine.storage.types.UTCDateTime(), nullable=False),
        sa.Column("used_at", engine.storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["token_id"], ["api_tokens.id"], ondelete="CASCADE",
                                name=op.f("fk_admin_login_links_token_id_api_tokens")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_login_links")),
        sa.UniqueConstraint("link_hash", name=op.f("uq_admin_login_links_link_hash")),
    )
    op.create_index(op.f("ix_admin_login_links_token_id"), "admin_login_links", ["token_id"])
    op.create_table(
        "member_link_revocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_digest", sa.String(length=64), nullable=False),
        sa.Column("link_id", sa.String(length=32), nullable=True),
        sa.Column("issued_until", engine.storage.types.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", engine.storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_link_revocations")),
    )
    op.create_index(op.f("ix_member_link_revocations_member_digest"),
                    "member_link_revocations", ["member_digest"])
    op.execute(sa.text("DELETE FROM settings WHERE key = 'web.secret'"))


def downgrade() -> None:
    # The deleted web.secret row is not restored: the key lives outside the database.
    op.drop_index(op.f("ix_member_link_revocations_member_digest"),
                  table_name="member_link_revocations")
    op.drop_table("member_link_revocations")
    op.drop_index(op.f("ix_admin_login_links_token_id"), table_name="admin_login_links")
    op.drop_table("admin_login_links")
    op.drop_index(op.f("ix_admin_sessions_expires_at"), table_name="admin_sessions")
    op.drop_index(op.f("ix_admin_sessions_token_id"), table_name="admin_sessions")
    op.drop_table("admin_sessions")
