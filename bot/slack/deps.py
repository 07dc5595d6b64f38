"""What listeners need besides the request, handed to them by name through Bolt's context."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from bot.config import Settings
from bot.metrics import Metrics
from bot.parsing import ProspectLinkPatterns
from bot.service import Accounts, BackgroundRunner, TaskService
from bot.slack.timezones import UserTimeZones
from bot.store import HandledDeliveries, KeptDrafts, KeptProspects, RepDefaultsStore, SubmissionStore


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
    handled: HandledDeliveries
    """Deliveries acted on once: retried events, replayed requests, double-clicked buttons."""
    installations: SQLAlchemyInstallationStore | None = None
    """Many workspaces (OAuth): where installations are kept; None with one bot token."""
