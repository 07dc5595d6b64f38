"""The use case and what runs it: the workflow (`TaskService`), its ports, the background runner."""

from bot.service.accounts import Accounts, Acting, ClientSource, Connected, KeySource
from bot.service.lookups import (
    SUGGESTION_MIN_CHARS,
    SUGGESTIONS_MAX,
    ProspectLookups,
    worth_suggesting,
)
from bot.service.ports import Message, ReplyTo, Reporter, ServiceNotice, ServiceVerdict
from bot.service.runner import BackgroundRunner, new_error_id
from bot.service.tasks import (
    RetryRefused,
    RetryStarted,
    TaskService,
)

__all__ = [
    "SUGGESTIONS_MAX",
    "SUGGESTION_MIN_CHARS",
    "Accounts",
    "Acting",
    "BackgroundRunner",
    "ClientSource",
    "Connected",
    "KeySource",
    "Message",
    "ProspectLookups",
    "ReplyTo",
    "Reporter",
    "RetryRefused",
    "RetryStarted",
    "ServiceNotice",
    "ServiceVerdict",
    "TaskService",
    "new_error_id",
    "worth_suggesting",
]
