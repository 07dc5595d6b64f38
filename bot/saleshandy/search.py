"""Looking prospects up: `GET {base}/prospects?search=…&pageSize=…&page=…` (the contract's last section).

Pure parts only (the client in `client.py` sends the requests): what a found prospect is, reading
the answer liberally, which failed searches are worth sending again, error messages that talk about
a search (not about tasks that "may have been created"), and a short-lived, thread-safe cache that
lets one submission look the same email up twice for one API call.

A search creates nothing, so every error it raises has `may_have_landed` False.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.saleshandy.errors import (
    ApiTimeoutError,
    ConnectionFailedError,
    ConnectionLostError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SaleshandyError,
    ServerError,
    UnexpectedStatusError,
    UnreadableResponseError,
    clip,
    redact,
)
from bot.saleshandy.ratelimit import RetryPolicy
from bot.saleshandy.responses import request_id_of

logger = logging.getLogger(__name__)

PROSPECTS_PATH = "prospects"
SEARCH_PAGE_SIZES = (10, 20, 50, 100)
"""The only `pageSize` values the API accepts."""
DEFAULT_PAGE_SIZE = 20
EMAIL_LOOKUP_PAGE_SIZE = 50
"""One email lookup is one search, and the search matches substrings: "jo@acme.com" also finds
"bojo@acme.com". A wide page makes it very unlikely that the exact match falls off page 1."""
DEFAULT_CACHE_TTL = 60.0

_ITEM_LIST_KEYS = ("prospects", "items", "data", "results", "records", "rows", "list")
"""Where a list of prospects may sit when `payload` (or the body) is an object, in this order."""
_TOTAL_KEYS = frozenset({"total", "totalcount", "totalrecords", "totalitems", "totalprospects"})
_PAGING_KEYS = ("pagination", "paging", "meta", "pageinfo")
_FIELD_FOR_KEY = {
    "firstname": "first_name",
    "lastname": "last_name",
    "company": "company",
    "companyname": "company",
    "jobtitle": "job_title",
    "title": "job_title",
    "email": "email",
    "emailaddress": "email",
}
"""Attribute keys ("First Name", "first_name", "firstName" all become "firstname") to our fields."""
_ID_KEYS = ("id", "_id", "prospectId")
_BODY_KEPT = 500


# -- what a search finds ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FoundProspect:
    """One prospect a search found. Only `id` is sure to be there."""

    id: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    job_title: str | None = None

    @property
    def name(self) -> str | None:
        """First and last name, whichever are known; None when neither is."""
        return " ".join(part for part in (self.first_name, self.last_name) if part) or None

    @property
    def label(self) -> str:
        """"Jane Doe · Acme · jane@acme.com", leaving out what is missing; the ID if nothing is known."""
        return " · ".join(part for part in (self.name, self.company, self.email) if part) or self.id

    def has_email(self, email: str) -> bool:
        """Exactly this email, ignoring case and surrounding blanks."""
        return self.email is not None and _email_key(self.email) == _email_key(email)


@dataclass(frozen=True, slots=True)
class ProspectSearchResult:
    """One page of a search: the prospects found (in the API's order) and what is known of paging."""

    prospects: tuple[FoundProspect, ...]
    page: int
    page_size: int
    total: int | None = None
    """How many prospects match in all, when the API says so (the documented answer does not)."""
    has_more: bool = False
    """A later page may hold more: `total` says so, or (without a total) this page came back full."""

    def with_email(self, email: str) -> FoundProspect | None:
        """The first prospect whose email is exactly `email` (case-insensitive), else None."""
        return next((prospect for prospect in self.prospects if prospect.has_email(email)), None)


def _email_key(email: str) -> str:
    return email.strip().casefold()


def normalise_search_text(text: str) -> str:
    """The text as sent: trimmed, inner blanks collapsed to one space (case kept)."""
    return " ".join(text.split())


def cache_key(text: str, page_size: int, page: int) -> tuple[str, int, int]:
    """Searches that are the same to the API: case and blanks do not matter."""
    return normalise_search_text(text).casefold(), page_size, page


def check_search(text: str, page_size: int, page: int) -> str:
    """The normalised search text; ValueError for arguments the API would refuse."""
    if not isinstance(text, str) or not normalise_search_text(text):
        raise ValueError("the search text must not be blank")
    if page_size not in SEARCH_PAGE_SIZES:
        raise ValueError(f"page_size must be one of {', '.join(map(str, SEARCH_PAGE_SIZES))}")
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise ValueError("page must be a whole number from 1")
    return normalise_search_text(text)


# -- reading the answer ----------------------------------------------------------------------------


def search_result_from_answer(
    response: httpx.Response, *, page: int, page_size: int, secret: str
) -> ProspectSearchResult:
    """The page of prospects in a 2xx answer. Liberal: `payload` a list, or an object holding the
    list under `prospects`/`items`/`data`/…; items without a usable `id` are skipped.

    Raises UnreadableResponseError (search wording) when the answer holds no list of prospects:
    "nothing found" must never be concluded from an answer that could not be read.
    """
    try:
        body = response.json()
    except (ValueError, RecursionError):
        body = None
    found = _items_and_container(body)
    if found is None:
        raise search_error(UnreadableResponseError(
            status_code=response.status_code,
            request_id=request_id_of(response.headers),
            body=clip(redact(response.text, secret), _BODY_KEPT),
        ))
    items, containers = found
    prospects: list[FoundProspect] = []
    skipped = 0
    for item in items:
        prospect = prospect_from_item(item)
        if prospect is None:
            skipped += 1
        else:
            prospects.append(prospect)
    if skipped:
        logger.warning("Saleshandy search: %d item(s) without a usable id skipped", skipped)
    total = _total_of(containers)
    has_more = page * page_size < total if total is not None else len(items) >= page_size
    return ProspectSearchResult(tuple(prospects), page, page_size, total, has_more)


def _items_and_container(body: Any) -> tuple[list[Any], list[Mapping[str, Any]]] | None:
    """The list of items, and the objects around it (where paging info may be)."""
    if isinstance(body, list):
        return body, []
    if not isinstance(body, dict):
        return None
    payload = body.get("payload")
    if isinstance(payload, list):
        return payload, [body]
    for holder in ([payload, body] if isinstance(payload, dict) else [body]):
        for key in _ITEM_LIST_KEYS:
            items = holder.get(key)
            if isinstance(items, list):
                return items, [holder, body]
            if isinstance(items, dict):  # {"data": {"prospects": [...], "total": 3}}
                inner = _items_and_container({"payload": items})
                if inner is not None:
                    return inner[0], [items, holder, body]
    return None


def _total_of(containers: Iterable[Mapping[str, Any]]) -> int | None:
    for container in containers:
        places = [container] + [
            nested for key in _PAGING_KEYS if isinstance(nested := container.get(key), dict)
        ]
        for place in places:
            for key, value in place.items():
                if _squash(key) in _TOTAL_KEYS and _is_count(value):
                    return int(value)
    return None


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def prospect_from_item(item: Any) -> FoundProspect | None:
    """One item of the answer as a FoundProspect; None when it has no usable `id`."""
    if not isinstance(item, dict):
        return None
    prospect_id = next(
        (text for key in _ID_KEYS if (text := _id_text(item.get(key))) is not None), None
    )
    if prospect_id is None:
        return None
    fields: dict[str, str] = {}
    for key, value in item.items():  # top-level fields, if any: attributes win over them
        _take(fields, key, value)
    for key, value in _attribute_pairs(item.get("attributes")):
        _take(fields, key, value)
    top_email = _text(item.get("email"))
    return FoundProspect(
        id=prospect_id,
        email=top_email or fields.get("email"),
        first_name=fields.get("first_name"),
        last_name=fields.get("last_name"),
        company=fields.get("company"),
        job_title=fields.get("job_title"),
    )


def _attribute_pairs(attributes: Any) -> list[tuple[Any, Any]]:
    if isinstance(attributes, dict):  # {"First Name": "Jane", ...}
        return list(attributes.items())
    if not isinstance(attributes, list):
        return []
    return [
        (attribute.get("key", attribute.get("name")), attribute.get("value"))
        for attribute in attributes
        if isinstance(attribute, dict)
    ]


def _take(fields: dict[str, str], key: Any, value: Any) -> None:
    name = _FIELD_FOR_KEY.get(_squash(key)) if isinstance(key, str) else None
    text = _text(value)
    if name is not None and text is not None:
        fields[name] = text


def _squash(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


def _id_text(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text or None


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


# -- when to ask again, and what to say ------------------------------------------------------------


def search_retry_wait(
    policy: RetryPolicy, error: SaleshandyError, *, rate_limit_retries: int, other_retries: int,
    max_other_retries: int,
) -> float | None:
    """Seconds to wait before sending a failed search again, or None to give up.

    A search is idempotent, so besides what a create may retry (a 429, a connection that never
    opened) it is also sent again after a 5xx, a timeout or a dropped connection — a bounded number
    of times, backing off. Never after another 4xx: asking again would not change the answer.
    """
    if isinstance(error, RateLimitError):
        return policy.decide(error, rate_limit_retries=rate_limit_retries, connect_retries=0)
    transient = (ConnectionFailedError, ConnectionLostError, ApiTimeoutError, ServerError)
    if isinstance(error, transient) and other_retries < max_other_retries:
        return float(policy.connect_backoff * 2**other_retries)
    return None


_SEARCH_MESSAGES: dict[type[SaleshandyError], str] = {
    PermissionDeniedError: (
        "Saleshandy did not allow this API key's user to search prospects — check the key's access."
    ),
    NotFoundError: (
        "Saleshandy answered 'not found' to the prospect search — check SALESHANDY_API_URL."
    ),
    ServerError: "Saleshandy had an internal error searching prospects; try again in a few minutes.",
    ConnectionFailedError: "Could not reach Saleshandy to search prospects; try again in a few minutes.",
    ConnectionLostError: (
        "The connection to Saleshandy broke during the prospect search; try again in a few minutes."
    ),
    ApiTimeoutError: (
        "Saleshandy did not answer the prospect search in time; try again in a few minutes."
    ),
    UnreadableResponseError: "Saleshandy's answer to the prospect search could not be read.",
}


def search_error(error: SaleshandyError) -> SaleshandyError:
    """The same kind of error, worded for a search, with `may_have_landed` False (nothing is
    created by a search). Status, API message, request id and body are kept."""
    message = _search_message(error)
    translated: SaleshandyError
    if isinstance(error, RateLimitError):
        translated = RateLimitError(
            message, retry_after=error.retry_after, status_code=error.status_code,
            request_id=error.request_id, body=error.body,
        )
    else:
        translated = type(error)(
            message, status_code=error.status_code, api_message=error.api_message,
            request_id=error.request_id, body=error.body,
        )
    translated.may_have_landed = False
    return translated


def _search_message(error: SaleshandyError) -> str | None:
    said = f" Saleshandy said: {error.api_message}" if error.api_message else ""
    if isinstance(error, RateLimitError):
        wait = error.retry_after
        when = (
            "retry in a minute" if wait is None or wait <= 60
            else f"retry in {math.ceil(wait)} seconds (about {math.ceil(math.ceil(wait) / 60)} minutes)"
        )
        return f"Saleshandy's rate limit was reached, so the prospect search was not made; {when}."
    if isinstance(error, UnexpectedStatusError) and error.may_have_landed:
        return f"Saleshandy answered HTTP {error.status_code} to the prospect search."
    for kind, message in _SEARCH_MESSAGES.items():
        if type(error) is kind:
            api_words = said if kind in (PermissionDeniedError, NotFoundError, ServerError) else ""
            return message + api_words
    return None  # its own wording already fits (bad key, refused request, refused 4xx)


# -- a short-lived cache ---------------------------------------------------------------------------


@dataclass
class _Entry:
    done: threading.Event = field(default_factory=threading.Event)
    result: ProspectSearchResult | None = None
    error: BaseException | None = None
    expires_at: float = math.inf


class ProspectLookupCache:
    """Search results kept `ttl` seconds, keyed by (case-folded text, page size, page).

    Thread-safe, and single-flight: while one thread loads a key, others asking for it wait for
    that one call and share its result (or its error). Failures are not kept: the next ask loads.
    """

    def __init__(
        self, ttl: float = DEFAULT_CACHE_TTL, *, clock: Callable[[], float], max_entries: int = 512
    ) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        self.ttl = ttl
        self._clock = clock
        self._max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, int, int], _Entry] = {}

    def get_or_load(
        self, key: tuple[str, int, int], load: Callable[[], ProspectSearchResult]
    ) -> ProspectSearchResult:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.done.is_set() and entry.expires_at <= self._clock():
                del self._entries[key]
                entry = None
            owner = entry is None
            if entry is None:
                entry = self._entries[key] = _Entry()
        if not owner:
            entry.done.wait()
            if entry.result is not None:
                return entry.result
            assert entry.error is not None
            raise entry.error
        try:
            result = load()
        except BaseException as error:
            with self._lock:
                entry.error = error
                if self._entries.get(key) is entry:
                    del self._entries[key]
            entry.done.set()
            raise
        with self._lock:
            entry.result = result
            entry.expires_at = self._clock() + self.ttl
            self._prune()
        entry.done.set()
        return result

    def clear(self) -> None:
        """Forget every kept result (searches in flight finish and are not kept either)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _prune(self) -> None:
        now = self._clock()
        for key in [k for k, e in self._entries.items() if e.done.is_set() and e.expires_at <= now]:
            del self._entries[key]
        finished = [k for k, e in self._entries.items() if e.done.is_set() or e.result is not None]
        for key in finished[: max(0, len(self._entries) - self._max_entries)]:
            del self._entries[key]
