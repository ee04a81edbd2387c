"""Two schedulers never sweep at once: the second stops at once, and the records stay true."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from retention_kit import NOW
from typer.testing import CliRunner

from policykeeper.cli import app
from policykeeper.project import load_project
from policykeeper.retention import retention_run
from policykeeper.retention.lock import BUSY, RetentionBusy, retention_lock
from policykeeper.store import Store, default_url
from policykeeper.store.retention_models import RetentionRun


@pytest.mark.parametrize("kind", ["sqlite", "postgres", "mariadb"])
def test_the_lock_is_held_by_one_store_at_a_time(kind: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(f"{kind}_url")
    first, second = Store(url), Store(url)  # two schedulers: separate connections or files
    try:
        with (
            retention_lock(first),
            pytest.raises(RetentionBusy, match="another retention run is in progress"),
            retention_lock(second),
        ):
            pytest.fail("the second run got the lock while the first held it")
        with retention_lock(second):  # released: the next run goes ahead
            pass
    finally:
        first.dispose()
        second.dispose()


def _runs(store: Store) -> list[tuple[str, str]]:
    with store.transaction() as session:
        rows = session.execute(sa.select(RetentionRun.id, RetentionRun.state)).all()
    return sorted((row.id, row.state) for row in rows)


def test_a_second_run_stops_without_sweeping_or_rewriting_the_first(
    ainema_dir: Path, state_store: Store, loaded: list
) -> None:
    project = load_project(ainema_dir)
    loaded.append(project)
    with state_store.transaction() as session:  # the first scheduler's run, under way
        session.add(
            RetentionRun(
                id="first", as_of=NOW, started_at=datetime.now(UTC), state="running", actor="cron"
            )
        )
    holder = Store(default_url(ainema_dir))
    try:
        with retention_lock(holder):
            with pytest.raises(RetentionBusy):
                retention_run(project, NOW)
            result = CliRunner().invoke(
                app, ["retention", "run", str(ainema_dir), "--now", NOW.date().isoformat()]
            )
            assert result.exit_code == 1
            assert result.stderr.strip() == f"error: {BUSY}"
            assert _runs(state_store) == [("first", "running")]  # not marked interrupted
    finally:
        holder.dispose()
    report = retention_run(project, NOW)  # the first run died: the next one takes over
    assert report.resumed == "first"
    assert dict(_runs(state_store)) == {"first": "interrupted", report.run_id: "done"}
