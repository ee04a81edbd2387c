"""A transaction whose commit does not wait for the disk (`unflushed`), and only that one: the
erasure journal's finish commits so, every other write of the store stays durable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from policykeeper.engine.state import Hold, StoreState
from policykeeper.store.database import make_engine, unflushed


def durability(connection: Any) -> str:
    """What the connection's commit waits for: SQLite's `synchronous`, PostgreSQL's
    `synchronous_commit` (read on the driver's connection, inside or outside a transaction)."""
    raw = (
        connection.connection.driver_connection
        if isinstance(connection, sa.Connection)
        else connection
    )
    if raw.__class__.__module__.startswith("sqlite3"):
        return {0: "off", 1: "normal", 2: "full", 3: "extra"}[
            raw.execute("PRAGMA synchronous").fetchone()[0]
        ]
    with raw.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return str(cursor.fetchone()[0])


def test_only_the_unflushed_transaction_skips_the_wait(state_url: str) -> None:
    engine = make_engine(state_url)
    durable = "full" if engine.dialect.name == "sqlite" else "on"
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE notes (n INTEGER)")
        with unflushed(engine) as connection:
            assert durability(connection) in {"normal", "off"}
            connection.exec_driver_sql("INSERT INTO notes VALUES (1)")
        with pytest.raises(RuntimeError), unflushed(engine) as connection:
            connection.exec_driver_sql("INSERT INTO notes VALUES (2)")
            raise RuntimeError("a failure inside")
        for _ in range(3):  # every pooled connection is back to the durable setting
            with engine.begin() as connection:
                assert durability(connection) == durable
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT n FROM notes").scalars().all()
        assert rows == [1], "committed, and the failed one rolled back"
    finally:
        engine.dispose()


def test_the_journal_finish_alone_commits_without_waiting_for_the_disk(
    state_url: str, tmp_path: Path
) -> None:
    state = StoreState(state_url, tmp_path)
    seen: list[str] = []
    event.listen(state.engine, "commit", lambda connection: seen.append(durability(connection)))
    try:
        state.start("r1", "erase", {"users": [[1]]})
        state.finish(
            "r1", "erase", {"verified": True}, [Hold("purchases", [7], "tax", "law", None)]
        )
        state.set_restricted("users:1", True)
        journal = state.journal("r1", "erase")
        assert journal is not None and journal.report == {"verified": True}
        assert [hold.key for hold in state.holds()] == [[7]]
    finally:
        state.store.dispose()
    durable = "full" if state.engine.dialect.name == "sqlite" else "on"
    relaxed = "normal" if state.engine.dialect.name == "sqlite" else "off"
    assert seen[-3:] == [durable, relaxed, durable], "start, finish, a restriction"


def test_outside_wal_mode_nothing_is_relaxed(tmp_path: Path) -> None:
    """With a rollback journal, NORMAL could corrupt the file on a power loss."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'plain.sqlite3'}")
    try:
        with unflushed(engine) as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
            assert durability(connection) == "full"
            connection.exec_driver_sql("CREATE TABLE notes (n INTEGER)")
            connection.exec_driver_sql("INSERT INTO notes VALUES (1)")
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM notes").scalar() == 1
            assert durability(connection) == "full"
    finally:
        engine.dispose()
