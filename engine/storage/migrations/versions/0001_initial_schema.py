"""Initial schema: actions, missions, members, claims, checks, credits, ledger, webhooks.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 19:52:34.398901
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.storage.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=40), nullable=False),
        sa.Column("hashtag", sa.String(length=100), nullable=False),
        sa.Column("created_at", engine.storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("created_at", engine.storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
    )
    op.create_table(
        "missions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("goal_kind", sa.String(length=20), nullable=False),
        sa.Column("goal_posts", sa.Integer(), nullable=True),
        sa.Column("cap_count", sa.Integer(), nullable=True),
        sa.Column("cap_period", sa.String(length=10), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("start_at", engine.storage.types.UTCDateTime(), nullable=True),
        sa.Column("end_at", engine.storage.types.UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", engine.storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missions")),
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=200), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=40), nullable=False),
        sa.Column("post_url", sa.Text(), nullable=True),
        sa.Column("post_id", sa.String(length=200), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", engine.storage.types.UTCDateTime(), nullable=False),
        sa.Column("due_at", engine.storage.types.UTCDateTime(), nullable=True),
        sa.Column("first_failure_at", engine.storage.types.UTCDateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("rechecks_done", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_until", engine.storage.types.UTCDateTime(), nullable=True),
        sa.Column("finished_at", engine.storage.types.UTCDateTime(), nullable=True),
        sa.Column("last_status", sa.String(length=20), nullable=True),
        sa.Column("last_detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_claims_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["missions.id"], name=op.f("fk_claims_mission_id_missions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(
            "ix_claims_cooldown",
            ["member_id", "mission_id", "platform", "created_at"],
            unique=False,
        )
        batch_op.create_index("ix_claims_due", ["state", "due_at"], unique=False)

    op.create_table(
        "linked_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=200), nullable=False),
        sa.Column("platform", sa.String(length=40), nullable=False),
        sa.Column("handle", sa.String(length=200), nullable=False),
        sa.Column("linked_at", engine.storage.types.UTCDateTime(), nullable=False),
        sa.Column("fetch_lease_until", engine.storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_linked_accounts_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linked_accounts")),
        sa.UniqueConstraint("member_id", "platform", name="uq_account_member_platform"),
        sa.UniqueConstraint("platform", "handle", name="uq_account_handle"),
    )
    op.create_table(
        "mission_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_mission_actions_action_id_actions")
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["missions.id"],
            name=op.f("fk_mission_actions_mission_id_missions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mission_actions")),
        sa.UniqueConstraint("mission_id", "platform", name="uq_mission_platform"),
    )
    op.create_table(
        "checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("platform", sa.String(length=40), nullable=False),
        sa.Column("handle", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("backend", sa.String(length=40), nullable=True),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Double(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("attempts", sa.JSON(), nullable=False),
        sa.Column("posts", sa.JSON(), nullable=False),
        sa.Column("shared_from", sa.Integer(), nullable=True),
        sa.Column("fetched_at", engine.storage.types.UTCDateTime(), nullable=False),
        sa.Column("finished_at", engine.storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_checks_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checks")),
    )
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_checks_account", ["platform", "handle", "finished_at"], unique=False
        )

    op.create_table(
        "credits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=200), nullable=False),
        sa.Column("platform", sa.String(length=40), nullable=False),
        sa.Column("post_id", sa.String(length=200), nullable=False),
        sa.Column("published_at", engine.storage.types.UTCDateTime(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("exclusive_key", sa.String(length=250), nullable=True),
        sa.Column("created_at", engine.storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_id"], ["checks.id"], name=op.f("fk_credits_check_id_checks")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_credits_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["missions.id"], name=op.f("fk_credits_mission_id_missions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credits")),
        sa.UniqueConstraint("exclusive_key", name=op.f("uq_credits_exclusive_key")),
        sa.UniqueConstraint("mission_id", "platform", "post_id", name="uq_credit_mission_post"),
    )
    with op.batch_alter_table("credits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_credits_member", ["mission_id", "member_id", "published_at"], unique=False
        )

    op.create_table(
        "ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=200), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("posts", sa.JSON(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=250), nullable=False),
        sa.Column("created_at", engine.storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_id"], ["checks.id"], name=op.f("fk_ledger_check_id_checks")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_ledger_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["missions.id"], name=op.f("fk_ledger_mission_id_missions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_ledger_idempotency_key")),
    )
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_member_id"), ["member_id"], unique=False)

    op.create_table(
        "seen_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=200), nullable=False),
        sa.Column("platform", sa.String(length=40), nullable=False),
        sa.Column("post_id", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("published_at", engine.storage.types.UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("hashtags", sa.JSON(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("verdict", sa.String(length=30), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["checks.id"],
            name=op.f("fk_seen_posts_check_id_checks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_seen_posts_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["missions.id"], name=op.f("fk_seen_posts_mission_id_missions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seen_posts")),
        sa.UniqueConstraint("check_id", "post_id", name="uq_seen_check_post"),
    )
    with op.batch_alter_table("seen_posts", schema=None) as batch_op:
        batch_op.create_index("ix_seen_mission", ["mission_id", "member_id"], unique=False)

    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ledger_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", engine.storage.types.UTCDateTime(), nullable=True),
        sa.Column("lease_until", engine.storage.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", engine.storage.types.UTCDateTime(), nullable=False),
        sa.Column("delivered_at", engine.storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ledger_id"], ["ledger.id"], name=op.f("fk_webhook_deliveries_ledger_id_ledger")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("ledger_id", name=op.f("uq_webhook_deliveries_ledger_id")),
    )
    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("attempted_at", engine.storage.types.UTCDateTime(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("seconds", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["webhook_deliveries.id"],
            name=op.f("fk_webhook_attempts_delivery_id_webhook_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_attempts_delivery_id"), ["delivery_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_attempts_delivery_id"))

    op.drop_table("webhook_attempts")
    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("seen_posts", schema=None) as batch_op:
        batch_op.drop_index("ix_seen_mission")

    op.drop_table("seen_posts")
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_member_id"))

    op.drop_table("ledger")
    with op.batch_alter_table("credits", schema=None) as batch_op:
        batch_op.drop_index("ix_credits_member")

    op.drop_table("credits")
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.drop_index("ix_checks_account")

    op.drop_table("checks")
    op.drop_table("mission_actions")
    op.drop_table("linked_accounts")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index("ix_claims_due")
        batch_op.drop_index("ix_claims_cooldown")

    op.drop_table("claims")
    op.drop_table("missions")
    op.drop_table("members")
    op.drop_table("actions")
