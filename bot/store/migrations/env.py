"""Alembic's entry: migrations always run on the connection `bot.store.database.upgrade_schema` hands in
(under its lock), never from a URL of their own."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=True, transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()
