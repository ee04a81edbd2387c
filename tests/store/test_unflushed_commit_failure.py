"""`unflushed` on SQLite's WAL when the commit itself fails: the failure is the one raised, and
no pooled connection keeps the relaxed `synchronous` for the durable writes that follow."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event

from policykeeper.store.database import make_engine, unflushed


def test_a_failed_commit_leaves_every_pooled_connection_durable(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    failing = [True]

    def _commit(_connection: object) -> None:  # the commit fails before it reaches SQLite
        if failing:
            failing.clear()
            raise RuntimeError("the commit failed")

    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE notes (n INTEGER)")
        event.listen(engine, "commit", _commit)
        with pytest.raises(RuntimeError, match="the commit failed"), unflushed(engine) as c:
            c.exec_driver_sql("INSERT INTO notes VALUES (1)")
        for _ in range(3):
            with engine.begin() as connection:
                raw = connection.connection.driver_connection
                assert raw.execute("PRAGMA synchronous").fetchone()[0] == 2, "FULL again"
    finally:
        engine.dispose()
