"""What listeners need besides the request, handed to them by name through Bolt's context."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.metrics import Metrics
from bot.parsing import ProspectLinkPatterns
from bot.service import Accounts, BackgroundRunner, TaskService
from bot.slack.timezones import UserTimeZones
from bot.store import KeptDrafts, KeptProspects, RepDefaultsStore, SubmissionStore


@dataclass(frozen=True)
class AppDeps:
    settings: Settings
    service: TaskService
    zones: UserTimeZones
    links: ProspectLinkPatterns
    runner: BackgroundRunner
    metrics: Metrics
    store: SubmissionStore
    kept: KeptProspects
    accounts: Accounts
    drafts: KeptDrafts
    defaults: RepDefaultsStore
