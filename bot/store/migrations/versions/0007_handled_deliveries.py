"""Deliveries already acted on (a retried event, a replayed request, a double-clicked button), so each
acts once whichever process receives the copy.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handled_deliveries",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=True),
        sa.Column("handled_at", sa.Float, nullable=False),
    )
    op.create_index("ix_handled_deliveries_handled_at", "handled_deliveries", ["handled_at"])


def downgrade() -> None:
    op.drop_index("ix_handled_deliveries_handled_at", "handled_deliveries")
    op.drop_table("handled_deliveries")
