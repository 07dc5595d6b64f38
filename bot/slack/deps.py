"""What listeners need besides the request, handed to them by name through Bolt's context."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bot.config import Settings
from bot.parsing import ProspectLinkPatterns
from bot.service import TaskService
from bot.slack.delivery import Delivery
from bot.slack.timezones import UserTimeZones

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppDeps:
    settings: Settings
    service: TaskService
    zones: UserTimeZones
    delivery: Delivery
    links: ProspectLinkPatterns
    background: ThreadPoolExecutor

    def in_background(self, job: Callable[[], None], *, what: str) -> None:
        """Run slow work (API calls, posting results) off the thread that acks Slack."""
        self.background.submit(_logged(job, what))


def _logged(job: Callable[[], None], what: str) -> Callable[[], None]:
    def run() -> None:
        try:
            job()
        except Exception:
            logger.exception("%s failed (correlation id %s)", what, uuid.uuid4().hex[:12])

    return run
