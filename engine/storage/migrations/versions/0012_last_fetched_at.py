"""When an account was last fetched: a claim's lease skips the look for a fetch to share
(rule R9) when the account has none recent enough.

``linked_accounts.last_fetched_at`` (UTC, ``NULL``: never) is the ``fetched_at`` of the
handle's latest check that read the platform and may be shared (status ``ok``, ``private`` or
``not_found``). The outcome of such a check sets it on every link of the handle, in the
statement that releases the fetch lease; a new link starts from the handle's checks. Existing
rows are filled in from the checks here.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("linked_accounts") as batch:
        batch.add_column(sa.Column("last_fetched_at", sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE linked_accounts SET last_fetched_at = ("
        "SELECT max(checks.fetched_at) FROM checks "
        "WHERE checks.platform = linked_accounts.platform "
        "AND checks.handle = linked_accounts.handle AND checks.shared_from IS NULL "
        "AND checks.status IN ('ok', 'private', 'not_found'))")


def downgrade() -> None:
    with op.batch_alter_table("linked_accounts") as batch:
        batch.drop_column("last_fetched_at")
