"""A data map over two databases: events in an analytics database, joined by user id."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from engine_kit import copy_example, snapshot

from policykeeper.engine import Identity, access, erase, plan
from policykeeper.engine.runtime import release
from policykeeper.examples.generation import generate
from policykeeper.project import load_project

EVENTS = """
  events:
    connection: analytics
    rows: owned
    via: [{table: users, join: {user_id: id}}]
    retention:
      - {rule: access_logs, clock: created_at}
    columns:
      name: {category: user.behavior.browsing_history}
"""


def test_two_connections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    main = f"sqlite:///{tmp_path / 'main.sqlite3'}"
    analytics = f"sqlite:///{tmp_path / 'analytics.sqlite3'}"
    generate("ainema", main, 40, progress=False)
    engine = sa.create_engine(analytics)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, "
            "name TEXT NOT NULL, created_at TIMESTAMP NOT NULL)"
        )
        connection.execute(
            sa.text("INSERT INTO events VALUES (:i, :u, 'play', '2026-01-01 00:00:00')"),
            [{"i": i, "u": i % 40 + 1} for i in range(1, 201)],
        )
    engine.dispose()
    monkeypatch.setenv("AINEMA_DATABASE_URL", main)
    directory = copy_example("ainema", tmp_path)
    datamap = directory / "datamap.yaml"
    text = datamap.read_text(encoding="utf-8")
    text = text.replace(
        "  main: ${AINEMA_DATABASE_URL:-sqlite:///ainema.sqlite3}\n",
        f"  main: ${{AINEMA_DATABASE_URL:-sqlite:///ainema.sqlite3}}\n  analytics: {analytics}\n",
    )
    datamap.write_text(text.replace("\nstores:\n", EVENTS + "\nstores:\n", 1), encoding="utf-8")
    project = load_project(directory)
    try:
        planned = plan(project, Identity("user_id", "7")).to_json()
        assert {
            k: v
            for k, v in next(t for t in planned["tables"] if t["table"] == "events").items()
            if k in {"table", "connection", "rows"}
        } == {"table": "events", "connection": "analytics", "rows": 5}
        assert len(access(project, Identity("user_id", "7")).to_json()["tables"]["events"]) == 5
        report = erase(project, Identity("user_id", "7")).to_json()
        assert report["tables"]["events"]["deleted"] == 5
        left = snapshot(analytics)["events"]
        assert len(left) == 195 and all(row["user_id"] != 7 for row in left.values())
    finally:
        release(project)
