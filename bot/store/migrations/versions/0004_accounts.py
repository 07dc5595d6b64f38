"""Accounts: each rep's (and a workspace's) Saleshandy key, encrypted; drafts kept until a rep connects;
and on each submission whose key it acts with (the team, and the rep's own key or the workspace's).

Submissions recorded before this revision were made with SALESHANDY_API_KEY: their `key_source` is
NULL, read as the workspace's key.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saleshandy_keys",
        sa.Column("team_id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("key_encrypted", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "kept_drafts",
        sa.Column("token", sa.String(32), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("task_json", sa.Text, nullable=False),
        sa.Column("prospects_json", sa.Text, nullable=False),
        sa.Column("emails_json", sa.Text, nullable=False),
        sa.Column("reply_to_json", sa.Text, nullable=False),
        sa.Column("announce", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("kept_drafts_by_rep", "kept_drafts", ["team_id", "user_id"])
    with op.batch_alter_table("submissions") as table:
        table.add_column(sa.Column("team_id", sa.String(32), nullable=True))
        table.add_column(sa.Column("key_source", sa.String(16), nullable=True))
    op.create_index("submissions_by_rep", "submissions", ["team_id", "requested_by", "created_at"])


def downgrade() -> None:
    op.drop_index("submissions_by_rep", "submissions")
    with op.batch_alter_table("submissions") as table:
        table.drop_column("key_source")
        table.drop_column("team_id")
    op.drop_index("kept_drafts_by_rep", "kept_drafts")
    op.drop_table("kept_drafts")
    op.drop_table("saleshandy_keys")
