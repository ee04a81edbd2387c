"""The erasure journal's finish as the store fills with earlier erasures' held rows.

Every erasure ends by recording the rows it keeps for a retention rule (`engine_holds`), and
first removes earlier records of the same rows. Those records stay for years, so the store
holds the kept rows of every person erased before. This times `StoreState.finish` for one
person with --held kept rows, after --kept records of other people are in the store, on the
SQLite state file and on PostgreSQL (fresh databases pk_journal_bench_KEPT), next to the same
finish in an empty store: a finish should cost the same however many came before it.

    .venv/bin/python bench/journal_bench.py [--kept 0,100000,1000000] [--held 20] [--runs 100]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from policykeeper.engine.state import Hold, StoreState
from policykeeper.store.engine_models import EngineHold

ADMIN_URL = os.environ.get(
    "POLICYKEEPER_BENCH_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DATABASE = "pk_journal_bench"
TABLE = "coin_ledger"


def fill(state: StoreState, kept: int) -> None:
    """`kept` records of earlier erasures (keys 1..kept), written in batches."""
    recorded = datetime.now(UTC)
    with state.engine.begin() as connection:
        for start in range(1, kept + 1, 50_000):
            connection.execute(
                sa.insert(EngineHold.__table__),
                [
                    {
                        "table_name": TABLE,
                        "row_key": json.dumps([key]),
                        "rule": "transactions",
                        "reason": "kept for the transactions rule",
                        "delete_after": date(2033, 3, 31),
                        "recorded_at": recorded,
                    }
                    for key in range(start, min(start + 50_000, kept + 1))
                ],
            )


def time_finishes(state: StoreState, held: int, runs: int, first_key: int) -> list[float]:
    """Finish `runs` erasures, each keeping `held` rows no one kept before."""
    report = {"verified": True, "totals": {"deleted": 40, "masked": 2, "kept": held}}
    times = []
    for run in range(runs):
        request = f"bench-{first_key}-{run}"
        keys = range(first_key + run * held, first_key + (run + 1) * held)
        holds = [Hold(TABLE, [key], "transactions", "kept", date(2033, 3, 31)) for key in keys]
        state.start(request, "erase", {"users": [[run]]})
        started = time.perf_counter()
        state.finish(request, "erase", report, holds)
        times.append(time.perf_counter() - started)
    return times


def postgres_url(kept: int) -> str:
    """A fresh database per size (a store is migrated once per URL and process)."""
    name = f"{DATABASE}_{kept}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kept", default="0,100000,1000000")
    parser.add_argument("--held", type=int, default=20, help="Rows the erased person keeps.")
    parser.add_argument("--runs", type=int, default=100)
    options = parser.parse_args()
    sizes = [int(size) for size in options.kept.split(",")]
    print(f"finish of one erasure keeping {options.held} rows, ms (p50 / p95 over {options.runs})")
    print(f"{'store':<12}{'kept before':>14}{'p50':>10}{'p95':>10}{'vs empty p50':>16}")
    for kind in ("sqlite", "postgresql"):
        empty_p50 = None
        for kept in sizes:
            with tempfile.TemporaryDirectory() as folder:
                url = (
                    f"sqlite:///{Path(folder) / 'state.sqlite3'}"
                    if kind == "sqlite"
                    else postgres_url(kept)
                )
                state = StoreState(url, Path(folder))
                try:
                    fill(state, kept)
                    time_finishes(state, options.held, 10, 10 * kept + 10**9)  # warm-up
                    times = sorted(time_finishes(state, options.held, options.runs, 2 * 10**9))
                finally:
                    state.store.dispose()
            p50 = statistics.median(times) * 1000
            p95 = times[int(len(times) * 0.95) - 1] * 1000
            empty_p50 = p50 if empty_p50 is None else empty_p50
            ratio = f"{p50 / empty_p50:.1f}x"
            print(f"{kind:<12}{kept:>14,}{p50:>10.2f}{p95:>10.2f}{ratio:>16}")


if __name__ == "__main__":
    main()
