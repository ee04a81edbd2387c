"""argon2 is slow on purpose; on SQLite every transaction holds the database's write lock, so a
password hashed or checked inside one stalls every other writer (and a burst of sign-in
attempts becomes a denial of service). Staff creation, sign-in, re-hashing and password
changes hash outside their transactions: another writer can commit while argon2 runs."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from store.kit import AUDIT_KEY, FakeClock

from policykeeper.store import Store, migrate
from policykeeper.workflow import staff as staff_module
from policykeeper.workflow.settings import WorkflowSettings
from policykeeper.workflow.staff import StaffDirectory, Unauthorized
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
    patch = pytest.MonkeyPatch()
    patch.setattr(staff_module, "_hasher", probe)
    clock = FakeClock(datetime(2026, 5, 1, tzinfo=UTC))
    yield StaffDirectory(store, clock, WorkflowSettings(), Secrets(b"x" * 32)), probe
    patch.undo()
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
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(staff_module, "_hasher", stronger)
        assert staff.login("bob", PASSWORD, "192.0.2.1")
    assert stronger.blocked == [] and "hash" not in probe.blocked
    assert not stronger.check_needs_rehash(staff._password_hash(1) or "")
    assert staff.login("bob", PASSWORD, "192.0.2.1")
