"""The state folder holds the secret key, the audit key, the hash key and the state database:
in a project kept in git it ignores itself, whatever path created it first (serving, adding
staff, the demo, an erasure), and it is 0700 with its files 0600."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from store.kit import AINEMA

from policykeeper.web.app import create_app
from policykeeper.web.demo import ensure_admin

CLI = str(Path(sys.executable).parent / "policykeeper")


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of AInema inside a fresh git repository, with no ignore file of its own."""
    monkeypatch.delenv("POLICYKEEPER_DATABASE_URL", raising=False)
    root = tmp_path / "repo"
    shutil.copytree(AINEMA, root / "ainema", ignore=shutil.ignore_patterns(".*", "*.sqlite3"))
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def untracked(root: Path) -> list[str]:
    shown = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=all"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    return [line for line in shown if ".policykeeper" in line]


def assert_private(state: Path) -> None:
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    secrets = [p for p in state.iterdir() if p.name.endswith((".key", ".sqlite3", ".json"))]
    assert secrets
    for item in secrets:
        assert stat.S_IMODE(item.stat().st_mode) == 0o600, item


def test_serving_leaves_nothing_for_git_to_commit(repository: Path) -> None:
    project = repository / "ainema"
    app = create_app(project, run_worker=False)
    app.state.workflow.store.dispose()
    state = project / ".policykeeper"
    assert {"secret.key", "audit.key", "state.sqlite3"} <= {p.name for p in state.iterdir()}
    assert untracked(repository) == []
    assert_private(state)


def test_adding_staff_from_the_cli_leaves_nothing_for_git(repository: Path) -> None:
    project = repository / "ainema"
    env = os.environ | {"POLICYKEEPER_PASSWORD": "a-long-enough-password"}
    added = subprocess.run(
        [CLI, "staff", "add", str(project), "alice", "--role", "admin"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert added.returncode == 0, added.stderr
    assert untracked(repository) == []
    assert_private(project / ".policykeeper")


def test_the_demo_login_is_private(repository: Path) -> None:
    project = repository / "ainema"
    ensure_admin(project)
    assert (project / ".policykeeper" / "demo-login.json").is_file()
    assert untracked(repository) == []
    assert_private(project / ".policykeeper")
