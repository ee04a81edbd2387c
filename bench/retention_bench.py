"""Retention sweep benchmark: 10M expired rows out of 50M on PostgreSQL.

PolicyKeeper's `retention_run` against a hand-written `DELETE ... WHERE created_at < X` loop
with the same batch size, on the same table, in the same run; the 10M expired rows are
loaded again (and the table vacuumed) before each. Prints throughput, the longest
transaction (every lock is held at most that long) and the ratio.

    .venv/bin/python bench/retention_bench.py [--rows 50000000] [--expired 10000000]

The database (pk_retention_bench) is kept between runs: the 40M live rows are generated
once, server-side with generate_series. The measured table is a normal, logged table.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from policykeeper.datamap.models import DataMap
from policykeeper.engine.runtime import release
from policykeeper.policy.loading import load_policy
from policykeeper.project import Project
from policykeeper.retention import retention_run

ADMIN_URL = os.environ.get(
    "POLICYKEEPER_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DATABASE = "pk_retention_bench"
ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 3, 1, tzinfo=UTC)
START = datetime(2023, 1, 1)
"""Row i was logged at START + i * step; the first `expired` rows are older than 12 months."""


def database_url() -> str:
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        found = connection.exec_driver_sql(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
        ).first()
        if found is None:
            connection.exec_driver_sql(f'CREATE DATABASE "{DATABASE}"')
    admin.dispose()
    return sa.make_url(ADMIN_URL).set(database=DATABASE).render_as_string(hide_password=False)


def step(expired: int) -> float:
    """Seconds between rows, so exactly `expired` rows fall before the 12-month cutoff."""
    cutoff = NOW.replace(tzinfo=None).replace(year=NOW.year - 1)
    return (cutoff - START).total_seconds() / (expired + 0.5)


def prepare(engine: sa.Engine, rows: int, expired: int) -> None:
    """Create the table with its live rows once; then (re)load the expired rows."""
    spacing = step(expired)
    with engine.begin() as connection:
        connection.exec_driver_sql("SET synchronous_commit = off")
        connection.exec_driver_sql("SET maintenance_work_mem = '512MB'")
        connection.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS bench_users (id integer PRIMARY KEY)"
        )
        exists = connection.exec_driver_sql("SELECT to_regclass('public.events')").scalar()
        live = 0
        if exists:
            live = connection.exec_driver_sql(
                "SELECT count(*) FROM events WHERE id > %s", (expired,)
            ).scalar_one()
        if live != rows - expired:
            print(f"generating {rows - expired:,} live rows (once)...", flush=True)
            began = time.monotonic()
            connection.exec_driver_sql("DROP TABLE IF EXISTS events")
            connection.exec_driver_sql(
                "CREATE TABLE events (id bigint NOT NULL, user_id integer, "
                "ip_address varchar(45) NOT NULL, path varchar(64) NOT NULL, "
                "created_at timestamp NOT NULL)"
            )
            _insert(connection, expired + 1, rows, spacing)
            connection.exec_driver_sql("ALTER TABLE events ADD PRIMARY KEY (id)")
            connection.exec_driver_sql("CREATE INDEX events_created_at ON events (created_at)")
            print(f"  generated in {time.monotonic() - began:.0f} s", flush=True)
    with engine.begin() as connection:
        connection.exec_driver_sql("SET synchronous_commit = off")
        connection.exec_driver_sql("DELETE FROM events WHERE id <= %s", (expired,))
        _insert(connection, 1, expired, spacing)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE events")
        connection.exec_driver_sql("CHECKPOINT")


def _insert(connection: sa.Connection, first: int, last: int, spacing: float) -> None:
    connection.exec_driver_sql(
        "INSERT INTO events (id, user_id, ip_address, path, created_at) "
        "SELECT g, NULL, '10.' || (g %% 250) || '.' || (g %% 199) || '.' || (g %% 97), "
        "'/episodes/' || (g %% 5000), "
        "%s::timestamp + make_interval(secs => g * %s::double precision) "
        "FROM generate_series(%s::bigint, %s::bigint) AS g",
        (START, spacing, first, last),
    )


def raw_loop(url: str, batch: int) -> tuple[int, float, float]:
    """The hand-written baseline: one DELETE of up to `batch` expired rows per transaction."""
    engine = sa.create_engine(url)
    cutoff = NOW.replace(tzinfo=None).replace(year=NOW.year - 1)
    deleted, longest = 0, 0.0
    began = time.monotonic()
    with engine.connect() as connection:
        while True:
            started = time.monotonic()
            result = connection.exec_driver_sql(
                "DELETE FROM events WHERE id IN "
                "(SELECT id FROM events WHERE created_at < %s LIMIT %s)",
                (cutoff, batch),
            )
            connection.commit()
            longest = max(longest, time.monotonic() - started)
            if result.rowcount == 0:
                break
            deleted += result.rowcount
    engine.dispose()
    return deleted, time.monotonic() - began, longest


def policykeeper_sweep(url: str, batch: int) -> tuple[int, float, float]:
    """`retention_run` on a project whose data map binds the access-log rule to `events`."""
    policy = load_policy(ROOT / "examples" / "ainema")
    rule = policy.rule("access_logs")
    assert rule is not None
    policy = policy.model_copy(update={"retention": [rule]})
    datamap = DataMap.model_validate(
        {
            "connections": {"main": url},
            "identities": {"user_id": "bench_users.id"},
            "tables": {
                "bench_users": {"rows": "owned"},
                "events": {
                    "rows": "owned",
                    "via": [{"table": "bench_users", "join": {"user_id": "id"}}],
                    "retention": [{"rule": "access_logs", "clock": "created_at"}],
                    "columns": {"ip_address": {"category": "user.device.ip_address"}},
                },
            },
        }
    )
    with tempfile.TemporaryDirectory() as folder:
        project = Project(Path(folder), policy, datamap)
        began = time.monotonic()
        report = retention_run(
            project, NOW, batch_size=batch, store_url=f"sqlite:///{folder}/state.sqlite3"
        )
        elapsed = time.monotonic() - began
        release(project)
    sweep = report.sweeps[0]
    print(
        f"  (sweep {sweep.seconds:.1f} s of {elapsed:.1f} s run; {sweep.batches} batches)",
        flush=True,
    )
    return sweep.done, elapsed, sweep.max_batch_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--expired", type=int, default=10_000_000)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    url = database_url()
    engine = sa.create_engine(url)
    results = {}
    for name, sweep in (("raw DELETE loop", raw_loop), ("PolicyKeeper", policykeeper_sweep)):
        print(f"loading {args.expired:,} expired rows among {args.rows:,}...", flush=True)
        prepare(engine, args.rows, args.expired)
        print(f"{name}: sweeping in batches of {args.batch}...", flush=True)
        deleted, seconds, longest = sweep(url, args.batch)
        results[name] = (deleted, seconds, longest)
        print(
            f"{name}: {deleted:,} rows in {seconds:.1f} s = {deleted / seconds:,.0f} rows/s; "
            f"longest transaction {longest * 1000:.0f} ms",
            flush=True,
        )
    with engine.connect() as connection:
        left = connection.exec_driver_sql("SELECT count(*) FROM events").scalar_one()
    engine.dispose()
    raw, ours = results["raw DELETE loop"], results["PolicyKeeper"]
    ratio = (ours[0] / ours[1]) / (raw[0] / raw[1])
    print()
    print(f"rows left: {left:,} (expected {args.rows - args.expired:,})")
    print(f"throughput ratio PolicyKeeper / raw: {ratio:.2f} (goal >= 0.80)")
    print(f"longest PolicyKeeper transaction: {ours[2] * 1000:.0f} ms (goal < 1000 ms)")


if __name__ == "__main__":
    main()
