"""The records of rows an erasure keeps (`engine_holds`) accumulate for years, one per kept row
of every person erased before. An erasure's finish replaces the earlier records of its own rows
only (not another table's row with the same key), by an index search on (table, key): it does
not read the records kept so far (bench/journal_bench.py measures it as the store fills)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import event

from policykeeper.engine.state import Hold, StoreState


def _holds(state: StoreState) -> list[tuple[str, list[object], str | None]]:
    return sorted((hold.table, hold.key, hold.rule) for hold in state.holds())


def test_a_finish_replaces_its_own_rows_records_and_no_others(
    state_url: str, tmp_path: Path
) -> None:
    state = StoreState(state_url, tmp_path)
    try:
        state.start("r1", "erase", {"users": [[1]]})
        state.finish(
            "r1",
            "erase",
            {},
            [
                Hold("coin_ledger", [7], "transactions", "kept", date(2033, 3, 31)),
                Hold("purchases", [7], "transactions", "kept", date(2033, 3, 31)),
                Hold("coin_ledger", [8], "transactions", "kept", date(2033, 3, 31)),
            ],
        )
        state.start("r2", "erase", {"users": [[2]]})
        state.finish("r2", "erase", {}, [Hold("coin_ledger", [7], "audit", "kept", None)])
        assert _holds(state) == [
            ("coin_ledger", [7], "audit"),
            ("coin_ledger", [8], "transactions"),
            ("purchases", [7], "transactions"),
        ]
    finally:
        state.store.dispose()


def test_no_statement_of_the_finish_scans_the_records_on_sqlite(tmp_path: Path) -> None:
    """SQLite scanned every record to remove a list of (table, key) pairs; the finish now
    writes over earlier records with an upsert on the primary key. The plan of every statement
    the finish sends to `engine_holds` is read back, on a store already holding other records
    (SQLite gives no plan for the upsert itself: this catches any statement that scans)."""
    state = StoreState(f"sqlite:///{tmp_path / 'state.sqlite3'}", tmp_path)
    sent: list[tuple[str, Any]] = []

    def record(_conn: object, _cursor: object, statement: str, parameters: Any, *_: object) -> None:
        if "engine_holds" in statement:
            sent.append((statement, parameters))

    try:
        state.start("r0", "erase", {"users": [[0]]})
        earlier = [Hold("purchases", [key], "transactions", "kept", None) for key in range(40)]
        state.finish("r0", "erase", {}, earlier)
        event.listen(state.engine, "before_cursor_execute", record)
        state.start("r1", "erase", {"users": [[1]]})
        holds = [Hold("coin_ledger", [key], "transactions", "kept", None) for key in range(40)]
        state.finish("r1", "erase", {}, [*holds, Hold("purchases", [3], "audit", "kept", None)])
        event.remove(state.engine, "before_cursor_execute", record)
        assert sent, "the finish records the kept rows"
        with state.engine.connect() as connection:
            for statement, parameters in sent:
                first = parameters[0] if isinstance(parameters, list) else parameters
                plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", first).all()
                details = " ".join(str(row[-1]) for row in plan)
                assert "SCAN engine_holds" not in details, (statement, details)
        assert ("purchases", [3], "audit") in _holds(state)
        assert len(_holds(state)) == 80
    finally:
        state.store.dispose()
