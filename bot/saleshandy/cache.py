"""A short-lived, thread-safe, single-flight cache of search results: one submission that names an email
twice (or the picker asking the same text again) costs one API call."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.saleshandy.search import ProspectSearchResult, normalise_search_text

DEFAULT_CACHE_TTL = 60.0


def cache_key(text: str, page_size: int, page: int) -> tuple[str, int, int]:
    """Searches that are the same to the API: case and blanks do not matter."""
    return normalise_search_text(text).casefold(), page_size, page


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
