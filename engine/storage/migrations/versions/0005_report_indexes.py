"""Indexes of the console's report: it pages and aggregates in the database, so its filters
and joins need indexes (checks by claim and by finish time; seen posts by mission, platform or
member with their verdict; the ledger, claims and credits by mission).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 10:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_checks_claim", "checks", ["claim_id"]),
    ("ix_checks_finished", "checks", ["finished_at", "id"]),
    ("ix_seen_mission_verdict", "seen_posts", ["mission_id", "verdict"]),
    ("ix_seen_verdict", "seen_posts", ["verdict"]),
    ("ix_seen_platform", "seen_posts", ["platform", "mission_id", "verdict"]),
    ("ix_seen_member", "seen_posts", ["member_id", "mission_id", "verdict"]),
    ("ix_ledger_mission", "ledger", ["mission_id", "created_at"]),
    ("ix_claims_mission", "claims", ["mission_id", "created_at"]),
    ("ix_credits_report", "credits", ["mission_id", "platform", "created_at", "revoked_at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
