"""The one HTTP client for the Saleshandy API (the contract: docs/saleshandy-api.md)."""

from bot.saleshandy.cache import ProspectLookupCache
from bot.saleshandy.chunks import ChunkResult, CreateTasksResult
from bot.saleshandy.client import SaleshandyClient
from bot.saleshandy.errors import (
    ApiTimeoutError,
    AuthenticationError,
    ConnectionFailedError,
    ConnectionLostError,
    NotFoundError,
    Operation,
    PermissionDeniedError,
    RateLimitError,
    RateLimiterUnavailableError,
    SaleshandyError,
    ServerError,
    UnexpectedStatusError,
    UnreadableResponseError,
    ValidationError,
    WaitInterruptedError,
)
from bot.saleshandy.ratelimit import seconds_until_reset
from bot.saleshandy.responses import TASK_ID_NOT_REPORTED, ProspectVerdict
from bot.saleshandy.retry import RetryPolicy
from bot.saleshandy.search import SEARCH_PAGE_SIZES, FoundProspect, ProspectSearchResult
from bot.saleshandy.transport import DEFAULT_TIMEOUT, build_timeout
from bot.saleshandy.window import LocalWindow, RateLimitWindow

__all__ = [
    "DEFAULT_TIMEOUT",
    "SEARCH_PAGE_SIZES",
    "TASK_ID_NOT_REPORTED",
    "ApiTimeoutError",
    "AuthenticationError",
    "ChunkResult",
    "ConnectionFailedError",
    "ConnectionLostError",
    "CreateTasksResult",
    "FoundProspect",
    "LocalWindow",
    "NotFoundError",
    "Operation",
    "PermissionDeniedError",
    "ProspectLookupCache",
    "ProspectSearchResult",
    "ProspectVerdict",
    "RateLimitError",
    "RateLimitWindow",
    "RateLimiterUnavailableError",
    "RetryPolicy",
    "SaleshandyClient",
    "SaleshandyError",
    "ServerError",
    "UnexpectedStatusError",
    "UnreadableResponseError",
    "ValidationError",
    "WaitInterruptedError",
    "build_timeout",
    "seconds_until_reset",
]
