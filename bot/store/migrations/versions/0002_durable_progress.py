"""Durable progress: each submission's state, lease and report progress; its chunks; shared rate limits.

Submissions recorded before this revision are finished as far as anyone can tell (state 'done'): their
outcomes stay in `outcomes_json`, and the Retry button keeps working on them. One recorded with no
outcomes was cut off by a restart of that version: its prospects become unknown (its tasks may exist),
so its Retry button offers them with the check-first warning.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as table:
        table.alter_column("request_json", existing_type=sa.Text, nullable=True)
        table.add_column(sa.Column("state", sa.String(16), nullable=False, server_default="done"))
        table.add_column(sa.Column("announce", sa.Boolean, nullable=False, server_default=sa.false()))
        table.add_column(sa.Column("announced", sa.Boolean, nullable=False, server_default=sa.false()))
        table.add_column(sa.Column("task_json", sa.Text, nullable=True))
        table.add_column(sa.Column("emails_json", sa.Text, nullable=True))
        table.add_column(sa.Column("not_found_json", sa.Text, nullable=True))
        table.add_column(sa.Column("lease_owner", sa.String(128), nullable=True))
        table.add_column(sa.Column("lease_until", sa.Float, nullable=True))
        table.add_column(sa.Column("lease_epoch", sa.Integer, nullable=False, server_default="0"))
        table.add_column(sa.Column("resumes", sa.Integer, nullable=False, server_default="0"))
        table.add_column(sa.Column("report_parts_posted", sa.Integer, nullable=False, server_default="0"))
        table.add_column(sa.Column("report_interrupted", sa.Boolean, nullable=True))
        table.add_column(sa.Column("failures", sa.Integer, nullable=False, server_default="0"))
        table.add_column(sa.Column("resumable", sa.Boolean, nullable=False, server_default=sa.true()))
        table.add_column(sa.Column("updated_at", sa.Float, nullable=True))
        table.create_index("ix_submissions_state_lease", ["state", "lease_until"])
    _outcomes_for_cut_off_submissions()
    with op.batch_alter_table("submissions") as table:
        # The default only served the rows already there: a new row must say its state.
        table.alter_column("state", existing_type=sa.String(16), server_default=None)
    op.create_table(
        "submission_chunks",
        sa.Column("submission_id", sa.String(32), sa.ForeignKey("submissions.id"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("prospect_ids_json", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=True),
        sa.Column("outcomes_json", sa.Text, nullable=True),
        sa.Column("error_message", sa.Text, nullable=True),
        sa.Column("sent_at", sa.Float, nullable=True),
        sa.Column("answered_at", sa.Float, nullable=True),
    )
    op.create_table(
        "rate_limit_windows",
        sa.Column("key_id", sa.String(64), primary_key=True),
        sa.Column("window_limit", sa.Integer, nullable=True),
        sa.Column("available", sa.Integer, nullable=True),
        sa.Column("window_ends", sa.Float, nullable=True),
        sa.Column("not_before", sa.Float, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
    )


CUT_OFF = (
    "The app restarted before this request's outcome was recorded (a version before this one); the task "
    "may have been created — check Saleshandy before retrying."
)


def _outcomes_for_cut_off_submissions() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, request_json FROM submissions WHERE outcomes_json IS NULL")).all()
    for submission_id, request_json in rows:
        prospect_ids = json.loads(request_json).get("prospect_ids", [])
        outcomes = [
            {"prospect_id": pid, "status": "unknown", "task_id": None, "reason": CUT_OFF}
            for pid in prospect_ids
        ]
        bind.execute(
            sa.text("UPDATE submissions SET outcomes_json = :outcomes WHERE id = :id"),
            {"outcomes": json.dumps(outcomes), "id": submission_id},
        )


def downgrade() -> None:
    op.drop_table("rate_limit_windows")
    op.drop_table("submission_chunks")
    with op.batch_alter_table("submissions") as table:
        table.drop_index("ix_submissions_state_lease")
        for column in (
            "updated_at",
            "report_parts_posted",
            "resumes",
            "lease_epoch",
            "lease_until",
            "lease_owner",
            "not_found_json",
            "emails_json",
            "task_json",
            "announced",
            "announce",
            "state",
        ):
            table.drop_column(column)
