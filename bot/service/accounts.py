"""Whose Saleshandy key a rep's work uses, and one client per key.

Saleshandy keys belong to a user and the key is the only identity a request carries, so a task is made
as the key's owner. Precedence: the rep's own key (connected in App Home) → the workspace's key
(SALESHANDY_API_KEY, or one an admin kept for the team) → none (the rep is asked to connect).

A submission records only *whose* key it uses (its team, its rep, and `KeySource`), never the key: the
key is looked up when the work runs, so a run resumed after a crash acts as the same rep.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Protocol

from pydantic import SecretStr

from bot.saleshandy import AuthenticationError, PermissionDeniedError, SaleshandyClient, SaleshandyError
from bot.store.accounts import (
    WORKSPACE,
    EncryptionNotConfiguredError,
    SaleshandyKeys,
    UndecryptableKeyError,
)

logger = logging.getLogger(__name__)

CLIENTS_KEPT = 64
"""Clients kept (one per key, each with its connection pool and search cache); the least recently used
goes first. Reps past this only cost a new connection."""
CHECK_SEARCH_TEXT = "a"
"""What the search that checks a key looks for: any answer but 401/403 proves the key works."""
CHECK_PAGE_SIZE = 10
"""The smallest page the API accepts."""


class KeySource(StrEnum):
    REP = "rep"
    """The rep's own key: tasks are made as the rep."""
    WORKSPACE = "workspace"
    """The workspace's key (SALESHANDY_API_KEY, or one kept for the team): made as that key's owner."""


@dataclass(frozen=True)
class Acting:
    """Who a piece of work acts as: a rep of a team, with the rep's own key or the workspace's."""

    team_id: str
    user_id: str
    source: KeySource


class Connected(Enum):
    CONNECTED = "connected"
    REJECTED = "rejected"
    """Saleshandy refused the key (401/403): nothing kept."""
    NOT_CHECKED = "not_checked"
    """Saleshandy could not be asked now (down, rate limited): nothing kept; try again."""
    NO_ENCRYPTION = "no_encryption"
    """ENCRYPTION_KEYS is not set: no key can be kept until the operator sets it."""


def key_digest(key: SecretStr) -> str:
    return hashlib.sha256(b"saleshandy-client:" + key.get_secret_value().encode()).hexdigest()


class Accounts:
    """Resolves each rep's key and hands out one `SaleshandyClient` per key."""

    def __init__(
        self,
        *,
        keys: SaleshandyKeys | None,
        workspace_key: SecretStr | None,
        make_client: Callable[[SecretStr], SaleshandyClient],
        chunk_size: int,
        clients_kept: int = CLIENTS_KEPT,
    ) -> None:
        self._keys = keys
        blank = workspace_key is None or not workspace_key.get_secret_value().strip()
        self._workspace_key = None if blank else workspace_key
        self._make_client = make_client
        self._chunk_size = chunk_size
        self._clients: OrderedDict[str, SaleshandyClient] = OrderedDict()
        self._clients_kept = clients_kept
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return "Accounts()"

    @property
    def chunk_size(self) -> int:
        return self._chunk_size

    @property
    def can_keep_keys(self) -> bool:
        return self._keys is not None and self._keys.can_keep

    # ---- who acts -------------------------------------------------------------------------------

    def acting_for(self, team_id: str, user_id: str) -> Acting | None:
        """What `user_id`'s work would act with now; None when there is no key at all."""
        if self._rep_key(team_id, user_id) is not None:
            return Acting(team_id, user_id, KeySource.REP)
        if self._team_key(team_id) is not None:
            return Acting(team_id, user_id, KeySource.WORKSPACE)
        return None

    def client_for(self, acting: Acting) -> SaleshandyClient | None:
        """The client for `acting`'s key as it is now; None when that key is gone (the rep
        disconnected, the workspace key was removed)."""
        key = (
            self._rep_key(acting.team_id, acting.user_id)
            if acting.source is KeySource.REP
            else self._team_key(acting.team_id)
        )
        return None if key is None else self._client(key)

    def is_connected(self, team_id: str, user_id: str) -> bool:
        """The rep has a key kept that opens (one no ENCRYPTION_KEYS key opens counts as none)."""
        return self._rep_key(team_id, user_id) is not None

    # ---- connecting -----------------------------------------------------------------------------

    def connect(self, team_id: str, user_id: str, key: SecretStr) -> Connected:
        """Check `key`, then keep it for the rep: `check` and `keep` in one."""
        checked = self.check(key)
        return self.keep(team_id, user_id, key) if checked is Connected.CONNECTED else checked

    def check(self, key: SecretStr) -> Connected:
        """Whether Saleshandy takes `key`: one authenticated search (a page of 10: the smallest)."""
        if not self.can_keep_keys:
            return Connected.NO_ENCRYPTION
        candidate = self._make_client(key)
        try:
            candidate.search_prospects(CHECK_SEARCH_TEXT, page_size=CHECK_PAGE_SIZE)
        except (AuthenticationError, PermissionDeniedError):
            return Connected.REJECTED
        except SaleshandyError as error:
            logger.warning("could not check a Saleshandy key: %s", type(error).__name__)
            return Connected.NOT_CHECKED
        finally:
            candidate.close()
        return Connected.CONNECTED

    def keep(self, team_id: str, user_id: str, key: SecretStr) -> Connected:
        """Keep a checked `key` for the rep (encrypted), replacing any."""
        if self._keys is None:
            return Connected.NO_ENCRYPTION
        try:
            self._keys.put(team_id, user_id, key)
        except EncryptionNotConfiguredError:
            return Connected.NO_ENCRYPTION
        logger.info("rep %s of team %s connected Saleshandy", user_id, team_id)
        return Connected.CONNECTED

    def keep_for_workspace(self, team_id: str, key: SecretStr) -> Connected:
        """Keep a checked `key` as the team's own (an admin set it in App Home): used for reps who have
        not connected theirs, before SALESHANDY_API_KEY."""
        return self.keep(team_id, WORKSPACE, key)

    def remove_workspace_key(self, team_id: str) -> bool:
        return self._keys is not None and self._keys.delete(team_id, WORKSPACE)

    def workspace_key_kept(self, team_id: str) -> bool:
        return self._keys is not None and self._keys.has(team_id, WORKSPACE)

    @property
    def has_configured_workspace_key(self) -> bool:
        """SALESHANDY_API_KEY is set (the operator's key, for every team without one of its own)."""
        return self._workspace_key is not None

    def disconnect(self, team_id: str, user_id: str) -> bool:
        """Forget the rep's key at once; whether there was one."""
        if self._keys is None:
            return False
        gone = self._keys.delete(team_id, user_id)
        logger.info("rep %s of team %s disconnected Saleshandy", user_id, team_id)
        return gone

    def forget_team(self, team_id: str) -> int:
        """Every key of the team (the app was uninstalled)."""
        return 0 if self._keys is None else self._keys.delete_team(team_id)

    def close(self) -> None:
        with self._lock:
            clients = list(self._clients.values())
            self._clients.clear()
        for client in clients:
            client.close()

    # ---- plumbing -------------------------------------------------------------------------------

    def _rep_key(self, team_id: str, user_id: str) -> SecretStr | None:
        if self._keys is None or not user_id:
            return None
        try:
            return self._keys.get(team_id, user_id)
        except UndecryptableKeyError:
            logger.error(
                "a rep's stored Saleshandy key cannot be decrypted with ENCRYPTION_KEYS (was the key "
                "that encrypted it removed?); the rep must connect again"
            )
            return None

    def _team_key(self, team_id: str) -> SecretStr | None:
        if self._keys is not None:
            try:
                kept = self._keys.get(team_id, WORKSPACE)
            except UndecryptableKeyError:
                kept = None
            if kept is not None:
                return kept
        return self._workspace_key

    def _client(self, key: SecretStr) -> SaleshandyClient:
        digest = key_digest(key)
        with self._lock:
            client = self._clients.get(digest)
            if client is not None:
                self._clients.move_to_end(digest)
                return client
        return self._remember(digest, self._make_client(key))

    def _remember(self, digest: str, client: SaleshandyClient) -> SaleshandyClient:
        with self._lock:
            existing = self._clients.get(digest)
            if existing is not None:
                if existing is not client:
                    client.close()  # another thread made one first
                return existing
            self._clients[digest] = client
            while len(self._clients) > self._clients_kept:
                # Not closed: a run may still be using it; its connections go with the object.
                self._clients.popitem(last=False)
        return client


class ClientSource(Protocol):
    """Where the workflow gets the client a piece of work acts with (`Accounts`, or `FixedClient`)."""

    @property
    def chunk_size(self) -> int: ...

    def acting_for(self, team_id: str, user_id: str) -> Acting | None: ...

    def client_for(self, acting: Acting) -> SaleshandyClient | None: ...


class FixedClient:
    """One client for everyone (the command line; tests of the workflow alone)."""

    def __init__(self, client: SaleshandyClient) -> None:
        self._client = client

    @property
    def chunk_size(self) -> int:
        return self._client.chunk_size

    def acting_for(self, team_id: str, user_id: str) -> Acting | None:
        return Acting(team_id, user_id, KeySource.WORKSPACE)

    def client_for(self, acting: Acting) -> SaleshandyClient | None:
        return self._client
