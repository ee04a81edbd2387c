"""A deployment hashes staff passwords with argon2id at RFC 9106's low-memory parameters
(t=3, m=64 MiB, p=4). The other tests use the smallest parameters to stay fast, so this one
proves what a real app built without settings stores."""

from __future__ import annotations

from pathlib import Path

from argon2 import extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY
from store.kit import AINEMA, AUDIT_KEY

from policykeeper.config import Config
from policykeeper.keeper import Keeper


def test_an_app_built_without_settings_stores_rfc_9106_argon2id(tmp_path: Path) -> None:
    keeper = Keeper(
        AINEMA,
        Config(database_url=f"sqlite:///{tmp_path / 'state.sqlite3'}"),
        secret_key=b"test-secret-key-0123456789abcdef",
        audit_key=AUDIT_KEY,
    )
    try:
        keeper.staff.create("dpo", "a-long-staff-password", "admin")
        stored = keeper.staff._password_hash(1)
    finally:
        keeper.close()
    assert stored is not None and stored.startswith("$argon2id$")
    parameters = extract_parameters(stored)
    found = (parameters.time_cost, parameters.memory_cost, parameters.parallelism)
    profile = RFC_9106_LOW_MEMORY
    assert found == (profile.time_cost, profile.memory_cost, profile.parallelism) == (3, 65536, 4)
