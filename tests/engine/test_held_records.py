"""The records of rows an erasure keeps (`engine_holds`) accumulate for years, one per kept row
of every person erased before. An erasure's finish replaces the earlier records of its own rows
only (not another table's row with the same key), by an index search on (table, key): it does
not read the records kept so far (bench/journal_bench.py measures it as the store fills)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

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


def test_removing_earlier_records_searches_the_index_on_sqlite(tmp_path: Path) -> None:
    """SQLite scanned every record for a list of (table, key) pairs; by table and keys it
    searches the primary key. The plan of the statement the finish sends is read back."""
    state = StoreState(f"sqlite:///{tmp_path / 'state.sqlite3'}", tmp_path)
    sent: list[tuple[str, tuple[object, ...]]] = []

    def record(
        _conn: object, _cursor: object, statement: str, parameters: object, *_: object
    ) -> None:
        if statement.startswith("DELETE FROM engine_holds"):
            sent.append((statement, tuple(parameters)))  # type: ignore[arg-type]

    event.listen(state.engine, "before_cursor_execute", record)
    try:
        state.start("r1", "erase", {"users": [[1]]})
        holds = [Hold("coin_ledger", [key], "transactions", "kept", None) for key in range(40)]
        state.finish("r1", "erase", {}, holds)
        assert len(sent) == 1
        with state.engine.connect() as connection:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sent[0][0]}", sent[0][1]).all()
        details = " ".join(str(row[-1]) for row in plan)
        assert "SEARCH engine_holds USING" in details and "SCAN engine_holds" not in details, (
            details
        )
    finally:
        state.store.dispose()
