"""The submissions table as the app created it before migrations (create_all at start-up).

A database made by that version already has it: then this revision only records that it is there.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("submissions"):
        return
    op.create_table(
        "submissions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("idempotency_key", sa.String(255), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("retry_of", sa.String(32), nullable=True),
        sa.Column("request_json", sa.Text, nullable=False),
        sa.Column("prospects_json", sa.Text, nullable=False),
        sa.Column("outcomes_json", sa.Text, nullable=True),
        sa.Column("reply_to_json", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("submissions")
