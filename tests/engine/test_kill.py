"""kill -9 in the middle of an erasure, run it again: the end state equals an uninterrupted run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from engine_kit import PEOPLE, copy_example, snapshot

from policykeeper.config import SLOW_ERASE_ENV as SLOW_ENV
from policykeeper.engine import Identity, erase
from policykeeper.engine.runtime import release
from policykeeper.engine.state import STATE_DIR
from policykeeper.examples.generation import generate
from policykeeper.project import load_project

SUBJECT = Identity("user_id", "21")


def _journal_started(directory: Path) -> bool:
    path = directory / STATE_DIR / "state.sqlite3"
    if not path.is_file():
        return False
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return bool(connection.exec_driver_sql("SELECT count(*) FROM engine_journal").scalar())
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def _erase_to_the_end(directory: Path) -> None:
    project = load_project(directory)
    try:
        assert erase(project, SUBJECT).to_json()["verified"] is True
    finally:
        release(project)


def test_kill_during_erasure_then_resume(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate("ainema", database_url, PEOPLE, progress=False)
    monkeypatch.setenv("AINEMA_DATABASE_URL", database_url)
    directory = copy_example("ainema", tmp_path)
    before = snapshot(database_url)

    env = {**os.environ, SLOW_ENV: "0.5", "AINEMA_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "policykeeper.cli", "erase", str(directory)]
    process = subprocess.Popen(
        [*command, "--identity", "user_id=21"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not _journal_started(directory):
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "the erasure never started"
        time.sleep(0.05)
    time.sleep(0.8)
    assert process.poll() is None, "the erasure finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    assert snapshot(database_url) == before, "a killed run must leave no partial changes"
    _erase_to_the_end(directory)
    resumed = snapshot(database_url)

    generate("ainema", database_url, PEOPLE, progress=False)
    assert snapshot(database_url) == before
    shutil.rmtree(directory / STATE_DIR)
    _erase_to_the_end(directory)
    assert snapshot(database_url) == resumed
