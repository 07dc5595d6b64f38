"""Who acts: each rep's Saleshandy key (and a workspace's), encrypted at rest, and the drafts kept for a
rep who had no key yet.

Keys are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under ENCRYPTION_KEYS: the first key
encrypts, every key decrypts (MultiFernet), so keys can be rotated by putting a new one first. A raw
read of the database shows ciphertext only.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.domain import Priority, ProspectRef, TaskFields, TaskType
from bot.store.database import StoreUnavailableError
from bot.store.schema import kept_drafts, rep_defaults, saleshandy_keys

T = TypeVar("T")

WORKSPACE = ""
"""The `user_id` under which a workspace's own key is kept."""
KEPT_DRAFT_FOR_SECONDS = 7 * 24 * 3600.0
"""A draft kept for a rep who has not connected is forgotten after a week."""
GENERATE_A_KEY = 'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'


class EncryptionNotConfiguredError(Exception):
    """ENCRYPTION_KEYS is not set (or holds no usable key): no key can be kept."""


class UndecryptableKeyError(Exception):
    """A stored key no ENCRYPTION_KEYS key opens (the key that encrypted it was removed)."""


class SecretBox:
    """Encrypts with the first of `keys`, decrypts with any (rotation). Never shows what it holds."""

    def __init__(self, keys: Sequence[str]) -> None:
        try:
            self._fernet = MultiFernet([Fernet(key.strip().encode()) for key in keys if key.strip()])
        except (ValueError, TypeError) as error:  # MultiFernet([]) or a malformed key
            raise EncryptionNotConfiguredError(
                "ENCRYPTION_KEYS must hold one or more Fernet keys, comma-separated"
            ) from error

    @classmethod
    def from_setting(cls, setting: SecretStr | None) -> SecretBox | None:
        """The box for ENCRYPTION_KEYS; None when it is not set. Raises EncryptionNotConfiguredError
        when it is set but malformed (said at start-up, not at a rep's first connect)."""
        if setting is None or not setting.get_secret_value().strip():
            return None
        return cls(setting.get_secret_value().split(","))

    def encrypt(self, secret: SecretStr) -> str:
        return self._fernet.encrypt(secret.get_secret_value().encode()).decode()

    def decrypt(self, token: str) -> SecretStr:
        try:
            return SecretStr(self._fernet.decrypt(token.encode()).decode())
        except InvalidToken as error:
            raise UndecryptableKeyError("no key in ENCRYPTION_KEYS opens this stored key") from error

    def rotate(self, token: str) -> str:
        """The same secret, encrypted under the first key."""
        return self._fernet.rotate(token.encode()).decode()

    def __repr__(self) -> str:
        return "SecretBox()"


class SaleshandyKeys:
    """Saleshandy keys per (team, rep), or per team (`WORKSPACE`), encrypted by `box`."""

    def __init__(
        self, engine: Engine, box: SecretBox | None, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._engine = engine
        self._box = box
        self._clock = clock

    @property
    def can_keep(self) -> bool:
        return self._box is not None

    def put(self, team_id: str, user_id: str, key: SecretStr) -> None:
        """Keep `key` for the rep (replacing any). Raises EncryptionNotConfiguredError."""
        if self._box is None:
            raise EncryptionNotConfiguredError("ENCRYPTION_KEYS is not set")
        encrypted = self._box.encrypt(key)
        now = self._clock()

        def write(connection: Connection) -> None:
            where = (saleshandy_keys.c.team_id == team_id, saleshandy_keys.c.user_id == user_id)
            if connection.execute(
                update(saleshandy_keys).where(*where).values(key_encrypted=encrypted, created_at=now)
            ).rowcount:
                return
            try:
                with connection.begin_nested():
                    connection.execute(
                        insert(saleshandy_keys).values(
                            team_id=team_id, user_id=user_id, key_encrypted=encrypted, created_at=now
                        )
                    )
            except IntegrityError:  # connected twice at once: the later write wins
                connection.execute(
                    update(saleshandy_keys).where(*where).values(key_encrypted=encrypted, created_at=now)
                )

        self._write(write)

    def get(self, team_id: str, user_id: str) -> SecretStr | None:
        """The rep's key; None when none is kept (or none can be opened: ENCRYPTION_KEYS unset or
        rotated past it, which the operator is told in the log)."""
        token = self._read(
            lambda c: c.execute(
                select(saleshandy_keys.c.key_encrypted).where(
                    saleshandy_keys.c.team_id == team_id, saleshandy_keys.c.user_id == user_id
                )
            ).scalar_one_or_none()
        )
        if token is None or self._box is None:
            return None
        return self._box.decrypt(token)

    def has(self, team_id: str, user_id: str) -> bool:
        return self._read(
            lambda c: c.execute(
                select(saleshandy_keys.c.user_id).where(
                    saleshandy_keys.c.team_id == team_id, saleshandy_keys.c.user_id == user_id
                )
            ).first()
            is not None
        )

    def delete(self, team_id: str, user_id: str) -> bool:
        """Forget the rep's key at once; whether there was one."""
        return bool(
            self._write(
                lambda c: c.execute(
                    delete(saleshandy_keys).where(
                        saleshandy_keys.c.team_id == team_id, saleshandy_keys.c.user_id == user_id
                    )
                ).rowcount
            )
        )

    def delete_team(self, team_id: str) -> int:
        """Forget every key of a team (the app was uninstalled); how many."""
        statement = delete(saleshandy_keys).where(saleshandy_keys.c.team_id == team_id)
        return int(self._write(lambda c: c.execute(statement).rowcount))

    def rotate_all(self) -> int:
        """Encrypt every stored key under the first ENCRYPTION_KEYS key; how many were rewritten."""
        if self._box is None:
            raise EncryptionNotConfiguredError("ENCRYPTION_KEYS is not set")
        box = self._box

        def write(connection: Connection) -> int:
            rows = connection.execute(
                select(saleshandy_keys.c.team_id, saleshandy_keys.c.user_id, saleshandy_keys.c.key_encrypted)
            ).all()
            for team_id, user_id, token in rows:
                connection.execute(
                    update(saleshandy_keys)
                    .where(saleshandy_keys.c.team_id == team_id, saleshandy_keys.c.user_id == user_id)
                    .values(key_encrypted=box.rotate(token))
                )
            return len(rows)

        return self._write(write)

    def __repr__(self) -> str:
        return "SaleshandyKeys()"

    def _write(self, work: Callable[[Connection], T]) -> T:
        try:
            with self._engine.begin() as connection:
                return work(connection)
        except OperationalError as error:
            raise StoreUnavailableError("the accounts database is unavailable") from error

    def _read(self, work: Callable[[Connection], T]) -> T:
        try:
            with self._engine.connect() as connection:
                return work(connection)
        except OperationalError as error:
            raise StoreUnavailableError("the accounts database is unavailable") from error


@dataclass(frozen=True)
class KeptDraft:
    """A ready task a rep asked for before connecting Saleshandy: made with one click once connected."""

    token: str
    team_id: str
    user_id: str
    task: TaskFields
    prospects: tuple[ProspectRef, ...]
    emails: tuple[str, ...]
    reply_to: dict[str, Any]
    announce: bool


class KeptDrafts:
    """Drafts kept per rep until they connect (the latest one counts)."""

    def __init__(self, engine: Engine, *, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._clock = clock

    def keep(
        self,
        *,
        team_id: str,
        user_id: str,
        task: TaskFields,
        prospects: Sequence[ProspectRef],
        emails: Sequence[str],
        reply_to: dict[str, Any],
        announce: bool,
    ) -> str:
        token = uuid.uuid4().hex
        now = self._clock()
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    delete(kept_drafts).where(kept_drafts.c.created_at < now - KEPT_DRAFT_FOR_SECONDS)
                )
                connection.execute(
                    insert(kept_drafts).values(
                        token=token,
                        team_id=team_id,
                        user_id=user_id,
                        task_json=task.model_dump_json(),
                        prospects_json=json.dumps([p.model_dump() for p in prospects]),
                        emails_json=json.dumps(list(emails)),
                        reply_to_json=json.dumps(reply_to),
                        announce=announce,
                        created_at=now,
                    )
                )
        except OperationalError as error:
            raise StoreUnavailableError("the database is unavailable") from error
        return token

    def latest(self, team_id: str, user_id: str) -> KeptDraft | None:
        """The rep's most recent kept draft, if any."""
        statement = (
            select(kept_drafts)
            .where(
                kept_drafts.c.team_id == team_id,
                kept_drafts.c.user_id == user_id,
                kept_drafts.c.created_at >= self._clock() - KEPT_DRAFT_FOR_SECONDS,
            )
            .order_by(kept_drafts.c.created_at.desc())
            .limit(1)
        )
        try:
            with self._engine.connect() as connection:
                row = connection.execute(statement).mappings().first()
        except OperationalError as error:
            raise StoreUnavailableError("the database is unavailable") from error
        return None if row is None else _draft_from(row)

    def take(self, token: str, *, team_id: str, user_id: str) -> KeptDraft | None:
        """Remove and return the draft, only for the rep it was kept for (None otherwise, or when it
        was taken already: a double click makes one submission)."""
        try:
            with self._engine.begin() as connection:
                where = (
                    kept_drafts.c.token == token,
                    kept_drafts.c.team_id == team_id,
                    kept_drafts.c.user_id == user_id,
                )
                row = connection.execute(select(kept_drafts).where(*where)).mappings().first()
                if row is None or connection.execute(delete(kept_drafts).where(*where)).rowcount != 1:
                    return None
                return _draft_from(row)
        except OperationalError as error:
            raise StoreUnavailableError("the database is unavailable") from error

    def delete_team(self, team_id: str) -> None:
        try:
            with self._engine.begin() as connection:
                connection.execute(delete(kept_drafts).where(kept_drafts.c.team_id == team_id))
        except OperationalError as error:
            raise StoreUnavailableError("the database is unavailable") from error


def _draft_from(row: Any) -> KeptDraft:
    return KeptDraft(
        token=row["token"],
        team_id=row["team_id"],
        user_id=row["user_id"],
        task=TaskFields.model_validate_json(row["task_json"]),
        prospects=tuple(ProspectRef(**p) for p in json.loads(row["prospects_json"])),
        emails=tuple(json.loads(row["emails_json"])),
        reply_to=json.loads(row["reply_to_json"]),
        announce=bool(row["announce"]),
    )


@dataclass(frozen=True)
class RepDefaults:
    """What a rep's forms open with when their own words did not say (never used to create tasks at once)."""

    task_type: TaskType | None = None
    priority: Priority | None = None
    due_text: str | None = None
    """The due date in the rep's words ("tomorrow", "in 2 business days"), read when a form opens."""

    @property
    def empty(self) -> bool:
        return self.task_type is None and self.priority is None and not self.due_text


class RepDefaultsStore:
    def __init__(self, engine: Engine, *, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._clock = clock

    def get(self, team_id: str, user_id: str) -> RepDefaults:
        statement = select(rep_defaults).where(
            rep_defaults.c.team_id == team_id, rep_defaults.c.user_id == user_id
        )
        try:
            with self._engine.connect() as connection:
                row = connection.execute(statement).mappings().first()
        except OperationalError as error:
            raise StoreUnavailableError("the database is unavailable") from error
        if row is None:
            return RepDefaults()
        return RepDefaults(
            task_type=TaskType(row["task_type"]) if row["task_type"] else None,
            priority=Priority(row["priority"]) if row["priority"] else None,
            due_text=row["due_text"] or None,
        )

    def put(self, team_id: str, user_id: str, defaults: RepDefaults) -> None:
        values = {
            "task_type": defaults.task_type.code if defaults.task_type else None,
            "priority": defaults.priority.code if defaults.priority else None,
            "due_text": defaults.due_text or None,
            "updated_at": self._clock(),
        }
        where = (rep_defaults.c.team_id == team_id, rep_defaults.c.user_id == user_id)
        try:
            with self._engine.begin() as connection:
                if connection.execute(update(rep_defaults).where(*where).values(**values)).rowcount:
                    return
                try:
                    with connection.begin_nested():
                        connection.execute(
                            insert(rep_defaults).values(team_id=team_id, user_id=user_id, **values)
                        )
                except IntegrityError:  # saved twice at once: the later wins
                    connection.execute(update(rep_defaults).where(*where).values(**values))
        except OperationalError as error:
            raise StoreUnavailableError("the database is unavailable") from error

    def delete_team(self, team_id: str) -> None:
        try:
            with self._engine.begin() as connection:
                connection.execute(delete(rep_defaults).where(rep_defaults.c.team_id == team_id))
        except OperationalError as error:
            raise StoreUnavailableError("the database is unavailable") from error
