"""argon2 is slow on purpose; on SQLite every transaction holds the database's write lock, so a
password hashed or checked inside one stalls every other writer (and a burst of sign-in
attempts becomes a denial of service). Staff creation, sign-in, re-hashing, password changes
and invitation links hash outside their transactions: another writer can commit while argon2
runs. The hasher is the one the settings give (`WorkflowSettings.password_hasher`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from store.kit import AUDIT_KEY, FakeClock

from policykeeper.errors import Expired
from policykeeper.store import Store, migrate
from policykeeper.workflow.settings import WorkflowSettings
from policykeeper.workflow.staff import Role, StaffDirectory, Unauthorized
from policykeeper.workflow.staff_access import Letter, StaffAccounts
from policykeeper.workflow.tokens import Secrets

PASSWORD = "a-long-staff-password"


class ProbingHasher(PasswordHasher):
    """Each hash and check first tries to take the write lock from another connection."""

    def __init__(self, database: Path, **parameters: int) -> None:
        super().__init__(**parameters)
        self.database = database
        self.blocked: list[str] = []

    def _probe(self, what: str) -> None:
        other = sqlite3.connect(self.database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        except sqlite3.OperationalError:
            self.blocked.append(what)
        finally:
            other.close()

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self._probe("hash")
        return super().hash(password, salt=salt)

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self._probe("verify")
        return super().verify(hash, password)


@pytest.fixture
def directory(tmp_path: Path) -> Iterator[tuple[StaffDirectory, ProbingHasher]]:
    database = tmp_path / "state.sqlite3"
    url = f"sqlite:///{database}"
    migrate(url)
    store = Store(url, audit_key=AUDIT_KEY)
    probe = ProbingHasher(database)
    clock = FakeClock(datetime(2026, 5, 1, tzinfo=UTC))
    settings = WorkflowSettings(password_hasher=probe)
    yield StaffDirectory(store, clock, settings, Secrets(b"x" * 32)), probe
    store.dispose()


def test_no_password_is_hashed_or_checked_under_the_write_lock(directory) -> None:
    staff, probe = directory
    member = staff.create("alice", PASSWORD, "admin")
    token = staff.login("alice", PASSWORD, "192.0.2.1")
    with pytest.raises(Unauthorized):
        staff.login("alice", "not-the-password", "192.0.2.1")
    with pytest.raises(Unauthorized):
        staff.login("nobody", PASSWORD, "192.0.2.1")
    staff.change_password(member, PASSWORD, "another-long-password", token, "192.0.2.1")
    assert staff.login("alice", "another-long-password", "192.0.2.1")
    assert probe.blocked == []


def test_an_old_hash_is_upgraded_on_sign_in_without_holding_the_lock(directory) -> None:
    staff, probe = directory
    staff.create("bob", PASSWORD, "viewer")
    # The parameters moved on since bob's hash was made.
    stronger = ProbingHasher(probe.database, time_cost=probe.time_cost + 1)
    upgraded = StaffDirectory(
        staff.store, staff.clock, WorkflowSettings(password_hasher=stronger), staff.secrets
    )
    assert upgraded.login("bob", PASSWORD, "192.0.2.1")
    assert stronger.blocked == [] and "hash" not in probe.blocked
    assert not stronger.check_needs_rehash(staff._password_hash(1) or "")
    assert upgraded.login("bob", PASSWORD, "192.0.2.1")


class Outbox:
    """The invitation is only carried here; what it says is tested in tests/web."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, to: str, subject: str, body: str) -> None:
        self.sent.append((to, subject, body))


def test_a_password_set_from_an_invitation_is_hashed_outside_the_lock(directory) -> None:
    staff, probe = directory
    accounts = StaffAccounts(staff.store, staff, Outbox(), staff.clock, timedelta(hours=1))
    tokens: list[str] = []

    def letter(token: str) -> Letter:
        tokens.append(token)
        return Letter("invitation", token)

    accounts.invite("carol", "carol@example.com", Role.handler, "admin", letter)
    probe.blocked.clear()
    with pytest.raises(Expired):  # a dead link is refused before any hashing
        accounts.set_password("not-a-link", PASSWORD)
    assert accounts.set_password(tokens[0], PASSWORD) == "carol"
    assert probe.blocked == []
    assert staff.login("carol", PASSWORD, "192.0.2.1")
