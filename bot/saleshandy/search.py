"""Looking prospects up: `GET {base}/prospects?search=…&pageSize=…&page=…` (docs/saleshandy-api.md,
"Related endpoint").

Pure parts only (the client sends the requests, `cache.py` keeps the answers): what a found prospect
is, which searches the API would refuse, and reading the answer liberally.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from bot.saleshandy.errors import Operation, UnreadableResponseError, clip, redact
from bot.saleshandy.responses import request_id_of

logger = logging.getLogger(__name__)

PROSPECTS_PATH = "prospects"
SEARCH_PAGE_SIZES = (10, 20, 50, 100)
"""The only `pageSize` values the API accepts."""
DEFAULT_PAGE_SIZE = 20
EMAIL_LOOKUP_PAGE_SIZE = 50
"""One email lookup is one search, and the search matches substrings: "jo@acme.com" also finds
"bojo@acme.com". A wide page makes it very unlikely that the exact match falls off page 1."""

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

    Raises UnreadableResponseError when the answer holds no list of prospects:
    "nothing found" must never be concluded from an answer that could not be read.
    """
    try:
        body = response.json()
    except (ValueError, RecursionError):
        body = None
    found = _items_and_container(body)
    if found is None:
        raise UnreadableResponseError(
            operation=Operation.SEARCH_PROSPECTS,
            status_code=response.status_code,
            request_id=request_id_of(response.headers),
            body=clip(redact(response.text, secret), _BODY_KEPT),
        )
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
