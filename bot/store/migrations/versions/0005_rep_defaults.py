"""Each rep's form defaults (task type, priority, due date words), set in App Home.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rep_defaults",
        sa.Column("team_id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("task_type", sa.String(8), nullable=True),
        sa.Column("priority", sa.String(8), nullable=True),
        sa.Column("due_text", sa.String(100), nullable=True),
        sa.Column("updated_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rep_defaults")
