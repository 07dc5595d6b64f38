"""The one HTTP client for the Saleshandy API."""

from bot.saleshandy.client import (
    DEFAULT_TIMEOUT,
    CreateTasksResult,
    SaleshandyClient,
    build_timeout,
)
from bot.saleshandy.errors import (
    ApiTimeoutError,
    AuthenticationError,
    ConnectionFailedError,
    ConnectionLostError,
    NotFoundError,
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
from bot.saleshandy.ratelimit import RetryPolicy, seconds_until_reset
from bot.saleshandy.responses import TASK_ID_NOT_REPORTED
from bot.saleshandy.search import (
    SEARCH_PAGE_SIZES,
    FoundProspect,
    ProspectLookupCache,
    ProspectSearchResult,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "SEARCH_PAGE_SIZES",
    "TASK_ID_NOT_REPORTED",
    "ApiTimeoutError",
    "AuthenticationError",
    "ConnectionFailedError",
    "ConnectionLostError",
    "CreateTasksResult",
    "FoundProspect",
    "NotFoundError",
    "PermissionDeniedError",
    "ProspectLookupCache",
    "ProspectSearchResult",
    "RateLimitError",
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
