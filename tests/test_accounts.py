"""Accounts: keys kept encrypted (rotation, raw bytes), whose key acts, one client per key, connecting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from bot.saleshandy import SaleshandyClient
from bot.service import Accounts, Acting, Connected, KeySource
from bot.store import SaleshandyKeys, SecretBox, open_database
from bot.store.accounts import UndecryptableKeyError
from bot_testing.saleshandy import FakeSaleshandy
from tests.conftest import SALESHANDY_TEST_KEY

pytestmark = pytest.mark.both_databases

REP_KEY = "sh-rep-key-1c9e5a77d0b2"
OTHER_KEY = "sh-other-key-6b0f3e9a41c8"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_database(database_url)
    yield engine
    engine.dispose()


def box(*keys: bytes) -> SecretBox:
    return SecretBox([k.decode() for k in keys])


def test_a_key_is_kept_encrypted_and_read_back(engine: Engine) -> None:
    keys = SaleshandyKeys(engine, box(Fernet.generate_key()))
    keys.put("T1", "U1", SecretStr(REP_KEY))
    stored = keys.get("T1", "U1")
    assert stored is not None and stored.get_secret_value() == REP_KEY
    assert keys.get("T1", "U2") is None and keys.get("T2", "U1") is None
    keys.put("T1", "U1", SecretStr(OTHER_KEY))  # connecting again replaces it
    again = keys.get("T1", "U1")
    assert again is not None and again.get_secret_value() == OTHER_KEY
    assert keys.delete("T1", "U1") and keys.get("T1", "U1") is None
    assert REP_KEY not in repr(keys)


def test_the_sqlite_file_never_holds_a_key_in_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "raw.sqlite3"
    engine = open_database(f"sqlite:///{path}")
    try:
        SaleshandyKeys(engine, box(Fernet.generate_key())).put("T1", "U1", SecretStr(REP_KEY))
    finally:
        engine.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("raw.sqlite3"))
    assert REP_KEY.encode() not in raw
    assert b"saleshandy_keys" in raw  # the table is there; only its key is unreadable


def test_rotation_first_key_encrypts_every_key_decrypts(engine: Engine) -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    SaleshandyKeys(engine, box(old)).put("T1", "U1", SecretStr(REP_KEY))
    rotated = SaleshandyKeys(engine, box(new, old))
    assert rotated.get("T1", "U1") == SecretStr(REP_KEY)
    assert rotated.rotate_all() == 1
    only_new = SaleshandyKeys(engine, box(new))
    assert only_new.get("T1", "U1") == SecretStr(REP_KEY)
    with pytest.raises(UndecryptableKeyError):
        SaleshandyKeys(engine, box(old)).get("T1", "U1")


def test_encryption_keys_setting_is_read_comma_separated() -> None:
    one, two = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    assert SecretBox.from_setting(None) is None
    assert SecretBox.from_setting(SecretStr("  ")) is None
    opened = SecretBox.from_setting(SecretStr(f"{one}, {two}"))
    assert opened is not None
    token = SecretBox([two]).encrypt(SecretStr("x"))
    assert opened.decrypt(token).get_secret_value() == "x"
    assert one not in repr(opened)


@pytest.fixture
def accounts(
    engine: Engine, fake_saleshandy: FakeSaleshandy, make_saleshandy_client: Callable[..., SaleshandyClient]
) -> Iterator[Accounts]:
    made: list[SecretStr] = []

    def make(key: SecretStr) -> SaleshandyClient:
        made.append(key)
        return make_saleshandy_client(api_key=key)

    fake_saleshandy.add_key(REP_KEY)
    accounts = Accounts(
        keys=SaleshandyKeys(engine, box(Fernet.generate_key())),
        workspace_key=SecretStr(SALESHANDY_TEST_KEY),
        make_client=make,
        chunk_size=100,
    )
    accounts.made = made  # type: ignore[attr-defined]
    yield accounts
    accounts.close()


def test_the_reps_key_comes_first_then_the_workspaces(accounts: Accounts) -> None:
    assert accounts.acting_for("T1", "U1") == Acting("T1", "U1", KeySource.WORKSPACE)
    assert accounts.connect("T1", "U1", SecretStr(REP_KEY)) is Connected.CONNECTED
    assert accounts.acting_for("T1", "U1") == Acting("T1", "U1", KeySource.REP)
    assert accounts.acting_for("T1", "U2") == Acting("T1", "U2", KeySource.WORKSPACE)
    assert accounts.acting_for("T2", "U1") == Acting("T2", "U1", KeySource.WORKSPACE)  # teams apart
    accounts.disconnect("T1", "U1")
    assert accounts.client_for(Acting("T1", "U1", KeySource.REP)) is None  # gone at once


def test_one_client_per_key(accounts: Accounts) -> None:
    accounts.connect("T1", "U1", SecretStr(REP_KEY))
    rep = accounts.client_for(Acting("T1", "U1", KeySource.REP))
    workspace = accounts.client_for(Acting("T1", "U1", KeySource.WORKSPACE))
    assert rep is not None and workspace is not None and rep is not workspace
    assert accounts.client_for(Acting("T1", "U1", KeySource.REP)) is rep
    made: Any = accounts.made  # type: ignore[attr-defined]
    # The check's own client (closed after), then one for the rep's key and one for the workspace's.
    assert [k.get_secret_value() for k in made] == [REP_KEY, REP_KEY, SALESHANDY_TEST_KEY]


def test_a_wrong_key_is_refused_and_not_kept(accounts: Accounts, fake_saleshandy: FakeSaleshandy) -> None:
    assert accounts.connect("T1", "U1", SecretStr("sh-not-a-key")) is Connected.REJECTED
    assert not accounts.is_connected("T1", "U1")
    fake_saleshandy.fail_next(403, endpoint="search")
    assert accounts.connect("T1", "U1", SecretStr(REP_KEY)) is Connected.REJECTED
    fake_saleshandy.fail_next(503, times=5, endpoint="search")
    assert accounts.connect("T1", "U1", SecretStr(REP_KEY)) is Connected.NOT_CHECKED
    assert not accounts.is_connected("T1", "U1")
    checks = [r for r in fake_saleshandy.search_requests if r.headers["x-api-key"] == REP_KEY]
    assert checks and all("pageSize=10" in r.query for r in checks)


def test_no_encryption_keys_no_key_kept(
    engine: Engine, make_saleshandy_client: Callable[..., SaleshandyClient]
) -> None:
    accounts = Accounts(
        keys=SaleshandyKeys(engine, None),
        workspace_key=None,
        make_client=lambda key: make_saleshandy_client(api_key=key),
        chunk_size=100,
    )
    assert accounts.connect("T1", "U1", SecretStr(REP_KEY)) is Connected.NO_ENCRYPTION
    assert accounts.acting_for("T1", "U1") is None


def test_the_fake_tells_keys_apart(fake_saleshandy: FakeSaleshandy, make_saleshandy_client: Any) -> None:
    fake_saleshandy.add_key(REP_KEY)
    fake_saleshandy.add_prospect("Rep0nLy01x", email="mine@acme.com", key=REP_KEY)
    rep = make_saleshandy_client(api_key=SecretStr(REP_KEY))
    workspace = make_saleshandy_client()
    assert rep.find_prospect_by_email("mine@acme.com") is not None
    assert workspace.find_prospect_by_email("mine@acme.com") is None
    from bot.domain import CreateTaskRequest, TaskType

    request = CreateTaskRequest(prospect_ids=("Rep0nLy01x", "8PvBmrB7P7"), task_type=TaskType.CALL_DEMO,
                                due_date="2030-01-02")
    assert rep.create_tasks(request).outcomes[0].task_id is not None
    assert workspace.create_tasks(request).outcomes[0].task_id is None  # not that user's prospect
    assert {t.prospect_id for t in fake_saleshandy.tasks_made_with(REP_KEY)} == {"Rep0nLy01x", "8PvBmrB7P7"}
    assert {t.prospect_id for t in fake_saleshandy.tasks_made_with(SALESHANDY_TEST_KEY)} == {"8PvBmrB7P7"}
    fake_saleshandy.remove_key(REP_KEY)
    assert rep.create_tasks(request).outcomes[0].status.value == "failed"
