"""kill -9 in the middle of `retention run`, run it again: it resumes and ends where it should."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from retention_kit import NOW, naive, rows, scalar

from policykeeper.config import SLOW_RETENTION_ENV as SLOW_ENV
from policykeeper.project import load_project
from policykeeper.retention import retention_run
from policykeeper.retention.store import open_store
from policykeeper.store.retention_models import RetentionRun
from policykeeper.workflow.audit import verify_chain

YEAR_AGO = naive(NOW.replace(year=NOW.year - 1))
OLD = "SELECT count(*) FROM access_logs WHERE created_at < :c"


def test_kill_during_a_run_then_resume(ainema_dir: Path, database_url: str, loaded: list) -> None:
    url = database_url
    old = scalar(url, OLD, c=YEAR_AGO)
    fresh = rows(url, "SELECT id FROM access_logs WHERE created_at >= :c ORDER BY id", c=YEAR_AGO)
    assert old >= 20
    env = {**os.environ, SLOW_ENV: "0.5", "AINEMA_DATABASE_URL": url}
    command = [
        sys.executable,
        "-m",
        "policykeeper.cli",
        "retention",
        "run",
        str(ainema_dir),
        "--now",
        NOW.isoformat(),
        "--batch-size",
        "4",
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while scalar(url, OLD, c=YEAR_AGO) == old and time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        time.sleep(0.05)
    assert process.poll() is None, "the run finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    left = scalar(url, OLD, c=YEAR_AGO)
    assert 0 < left < old, "killed between batches: some committed, some left"

    project = load_project(ainema_dir)
    loaded.append(project)
    report = retention_run(project, NOW).to_json()

    assert report["totals"]["deleted"] == left
    assert scalar(url, OLD, c=YEAR_AGO) == 0
    assert (
        rows(url, "SELECT id FROM access_logs WHERE created_at >= :c ORDER BY id", c=YEAR_AGO)
        == fresh
    )
    store = open_store(project)
    try:
        with store.transaction() as session:
            runs = (
                session.execute(sa.select(RetentionRun).order_by(RetentionRun.started_at))
                .scalars()
                .all()
            )
            assert [r.state for r in runs] == ["interrupted", "done"]
            assert runs[1].resumes == runs[0].id == report["resumed"]
            assert verify_chain(session).ok
    finally:
        store.dispose()
