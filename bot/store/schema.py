"""The tables, as the latest migration leaves them (the migrations under `migrations/` are the truth;
this is what the code reads and writes through SQLAlchemy Core)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

submissions = Table(
    "submissions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("idempotency_key", String(255), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("retry_of", String(32), nullable=True),
    Column("request_json", Text, nullable=True),
    # The create-task request; NULL while the prospects named by email are still being looked up.
    Column("prospects_json", Text, nullable=False),
    Column("outcomes_json", Text, nullable=True),
    # Outcomes of submissions recorded before chunks were (schema 0001); chunks hold them since.
    Column("reply_to_json", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("announce", Boolean, nullable=False),
    Column("announced", Boolean, nullable=False),
    Column("task_json", Text, nullable=True),
    # The task's fields while its emails are looked up (type, date, priority, note).
    Column("emails_json", Text, nullable=True),
    Column("not_found_json", Text, nullable=True),
    Column("lease_owner", String(128), nullable=True),
    Column("lease_until", Float, nullable=True),
    Column("lease_epoch", Integer, nullable=False),
    Column("resumes", Integer, nullable=False),
    Column("report_parts_posted", Integer, nullable=False),
    Column("report_interrupted", Boolean, nullable=True),
    Column("failures", Integer, nullable=False),
    # Runs that ended in an unexpected error; past a few, the submission is left for an operator.
    Column("resumable", Boolean, nullable=False),
    # Whether the report says the work was interrupted, fixed when reporting starts: a report resumed
    # half-way must build the very messages it started with.
    Column("updated_at", Float, nullable=True),
    Column("team_id", String(32), nullable=True),
    Column("key_source", String(16), nullable=True),
    # Whose Saleshandy key the work acts with ('rep': requested_by's own, 'workspace': the team's), read
    # at run time so a resumed run uses the right one; the key itself is never here. NULL: recorded
    # before accounts existed, made with SALESHANDY_API_KEY.
)

submission_chunks = Table(
    "submission_chunks",
    metadata,
    Column("submission_id", String(32), ForeignKey("submissions.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("prospect_ids_json", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempt", Integer, nullable=True),
    # The lease epoch that sent it: a chunk found 'sending' under another epoch was in flight at a crash.
    Column("outcomes_json", Text, nullable=True),
    Column("error_message", Text, nullable=True),
    Column("sent_at", Float, nullable=True),
    Column("answered_at", Float, nullable=True),
)

rate_limit_windows = Table(
    "rate_limit_windows",
    metadata,
    Column("key_id", String(64), primary_key=True),
    # A digest of the API key: the key itself is never stored here.
    Column("window_limit", Integer, nullable=True),
    Column("available", Integer, nullable=True),
    Column("window_ends", Float, nullable=True),
    Column("not_before", Float, nullable=False),
    Column("seq", Integer, nullable=False),
)

kept_prospects = Table(
    "kept_prospects",
    metadata,
    Column("token", String(32), primary_key=True),
    Column("prospects_json", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)

rep_zones = Table(
    "rep_zones",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("zone", String(64), nullable=False),
    Column("updated_at", Float, nullable=False),
)

saleshandy_keys = Table(
    "saleshandy_keys",
    metadata,
    Column("team_id", String(32), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    # "" for the workspace's own key (set by an admin), else the rep's.
    Column("key_encrypted", Text, nullable=False),
    # Fernet ciphertext under ENCRYPTION_KEYS: the key is never stored in plain text.
    Column("created_at", Float, nullable=False),
)

kept_drafts = Table(
    "kept_drafts",
    metadata,
    Column("token", String(32), primary_key=True),
    Column("team_id", String(32), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("task_json", Text, nullable=False),
    Column("prospects_json", Text, nullable=False),
    Column("emails_json", Text, nullable=False),
    Column("reply_to_json", Text, nullable=False),
    Column("announce", Boolean, nullable=False),
    Column("created_at", Float, nullable=False),
)

DUE_TEXT_MAX_CHARS = 100
"""A rep's default due date, kept as their words ("tomorrow"); the form's field holds no more."""

rep_defaults = Table(
    "rep_defaults",
    metadata,
    Column("team_id", String(32), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("task_type", String(8), nullable=True),
    # API codes (TaskType, Priority); the due date as the rep's words ("tomorrow"), read when a form opens.
    Column("priority", String(8), nullable=True),
    Column("due_text", String(DUE_TEXT_MAX_CHARS), nullable=True),
    Column("updated_at", Float, nullable=False),
)

handled_deliveries = Table(
    "handled_deliveries",
    metadata,
    Column("key", String(255), primary_key=True),
    # What identifies one delivery: "event:<event_id>", "press:<user>:<message>", …
    Column("team_id", String(32), nullable=True),
    Column("handled_at", Float, nullable=False),
)
