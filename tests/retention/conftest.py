"""An AInema project on a fresh database of each kind, with its own embedded state store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from retention_kit import PEOPLE, copy_example

from policykeeper.engine.runtime import release
from policykeeper.examples.generation import generate
from policykeeper.store import Store, default_url, migrate


@pytest.fixture
def ainema_dir(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """The example copied, its database generated; load it after editing the copy."""
    generate("ainema", database_url, PEOPLE, progress=False)
    monkeypatch.setenv("AINEMA_DATABASE_URL", database_url)
    monkeypatch.delenv("POLICYKEEPER_DATABASE_URL", raising=False)
    yield copy_example("ainema", tmp_path)


@pytest.fixture
def loaded() -> Iterator[list]:
    """Projects loaded in a test, released afterwards so database connections close."""
    projects: list = []
    yield projects
    for project in projects:
        release(project)


@pytest.fixture
def state_store(ainema_dir: Path) -> Iterator[Store]:
    """The project's own migrated store, as the worker and the CLI use it."""
    url = default_url(ainema_dir)
    migrate(url)
    store = Store(url)
    yield store
    store.dispose()
