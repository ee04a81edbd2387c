"""An AInema copy on a small generated SQLite database, for the toy place tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policykeeper.examples.generation import generate

AINEMA = Path(__file__).resolve().parents[3] / "examples" / "ainema"


def ainema_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "ainema"
    shutil.copytree(AINEMA, directory, ignore=shutil.ignore_patterns("*.sqlite3", ".policykeeper"))
    url = f"sqlite:///{tmp_path / 'service.sqlite3'}"
    generate("ainema", url, 10, progress=False)
    monkeypatch.setenv("AINEMA_DATABASE_URL", url)
    return directory
