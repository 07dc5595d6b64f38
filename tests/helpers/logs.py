"""Every log record of every logger, kept for tests that search them (for secrets, say)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

NOISY_LOGGERS = ("slack_sdk", "slack_bolt", "httpx", "httpcore", "urllib3", "sqlalchemy", "bot")


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def texts(self) -> Iterator[tuple[str, str]]:
        for record in self.records:
            where = f"log {record.name} {record.levelname}"
            yield where, self.format(record)  # the message, its args, any traceback and stack
            yield where, repr(record.msg)
            yield where, repr(record.args)
            yield where, repr({k: v for k, v in vars(record).items() if k not in ("msg", "args")})
