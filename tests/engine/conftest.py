"""An AInema project on a fresh database of each kind, filled with a hundred-odd people; and
django-oscar's schema on PostgreSQL (see oscar_kit)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from engine_kit import PEOPLE, copy_example
from oscar_kit import oscar_template, oscar_url

from policykeeper.engine.runtime import release
from policykeeper.examples.generation import generate
from policykeeper.project import Project, load_project

__all__ = ["oscar_template", "oscar_url"]


@pytest.fixture
def ainema(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    generate("ainema", database_url, PEOPLE, progress=False)
    monkeypatch.setenv("AINEMA_DATABASE_URL", database_url)
    project = load_project(copy_example("ainema", tmp_path))
    yield project
    release(project)
