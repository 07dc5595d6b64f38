"""Log filters that keep secrets a library would log at DEBUG out of the logs.

Two libraries print what they receive at DEBUG: slack_sdk logs every answer's body (`oauth.v2.access`
answers with a workspace's bot token), and SQLAlchemy logs every row it reads (slack_sdk's installation
store keeps bot tokens in rows). Nobody runs them at DEBUG in production, but an operator chasing a bug
might: these filters make that safe.
"""

from __future__ import annotations

import logging
import re

SLACK_TOKEN = re.compile(r"\bxox[a-z]-[A-Za-z0-9-]+")
REDACTED = "[redacted]"


class RedactSlackTokens(logging.Filter):
    """Rewrites a record whose text holds a Slack token (`xoxb-…`, `xoxp-…`, `xoxe-…`) with it redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if SLACK_TOKEN.search(text):
            record.msg, record.args = SLACK_TOKEN.sub(REDACTED, text), ()
        return True


class DropRowLogs(logging.Filter):
    """Drops SQLAlchemy's DEBUG lines that print the rows it read (their values are data, some secret)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno <= logging.DEBUG and str(record.msg).startswith("Row "))


def install_log_redaction() -> None:
    """Attach the filters to the loggers that would print secrets (idempotent)."""
    for name, kind in (
        # A filter acts on its own logger's records only: these are the exact loggers that print them.
        ("slack_sdk.web.base_client", RedactSlackTokens),
        ("sqlalchemy.engine.Engine", DropRowLogs),
    ):
        logger = logging.getLogger(name)
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())
