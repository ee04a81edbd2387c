"""Fixtures shared by the store, workflow, jobs and web tests: a migrated state database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from policykeeper.store import Store, migrate


@pytest.fixture
def sqlite_state_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'state.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgres"])
def state_url(request: pytest.FixtureRequest) -> str:
    """A fresh, empty state database of each supported kind (not yet migrated)."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_state_url"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(state_url: str) -> Iterator[Store]:
    """A migrated store on each database."""
    migrate(state_url)
    opened = Store(state_url)
    yield opened
    opened.dispose()
