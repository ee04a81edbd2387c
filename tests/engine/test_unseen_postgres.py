"""`init`, `access` and `erase` from the shell on a PostgreSQL schema PolicyKeeper has never
seen: payments partitioned by month (an attached partition, a default partition and a
sub-partitioned quarter), visits split over tables that INHERIT from a parent, and events
whose foreign key exists only on the inheriting table. Row counts are checked against SQL
written here; every row of every other person is byte-identical afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from engine_kit import snapshot
from shop_kit import rows_of
from typer.testing import CliRunner

from policykeeper.cli import app
from policykeeper.datamap.discovery import discover
from policykeeper.engine import Identity, access
from policykeeper.engine.runtime import release
from policykeeper.errors import ProblemsFound
from policykeeper.project import load_project

runner = CliRunner()
NANA = 7
MONTHS = [datetime(2024, 12, 1)] + [datetime(2025, m, 1) for m in range(1, 13)]
MONTHS += [datetime(2026, m, 1) for m in (1, 2, 3)] + [datetime(2027, 6, 1)]
PAYMENTS = {7: 32, 8: 20, 9: 11}

SCHEMA = [
    "CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL UNIQUE, "
    "full_name text, created_at timestamp NOT NULL)",
    "CREATE TABLE payments (id integer NOT NULL, customer_id integer NOT NULL "
    "REFERENCES customers(id), paid_at timestamp NOT NULL, amount integer NOT NULL, "
    "card_last4 text, PRIMARY KEY (id, paid_at)) PARTITION BY RANGE (paid_at)",
    *(
        f"CREATE TABLE payments_{m:%Y_%m} PARTITION OF payments "
        f"FOR VALUES FROM ('{m:%Y-%m-01}') TO ('{(m + timedelta(days=32)):%Y-%m-01}')"
        for m in MONTHS[1:13]
    ),
    "CREATE TABLE payments_2026_q1 PARTITION OF payments "
    "FOR VALUES FROM ('2026-01-01') TO ('2026-04-01') PARTITION BY RANGE (paid_at)",
    *(
        f"CREATE TABLE payments_2026_{n:02} PARTITION OF payments_2026_q1 "
        f"FOR VALUES FROM ('2026-{n:02}-01') TO ('2026-{n + 1:02}-01')"
        for n in (1, 2, 3)
    ),
    "CREATE TABLE payments_default PARTITION OF payments DEFAULT",
    "CREATE TABLE payments_2024_12 (id integer NOT NULL, customer_id integer NOT NULL, "
    "paid_at timestamp NOT NULL, amount integer NOT NULL, card_last4 text)",
    "ALTER TABLE payments ATTACH PARTITION payments_2024_12 "
    "FOR VALUES FROM ('2024-12-01') TO ('2025-01-01')",
    "CREATE TABLE visits (id integer PRIMARY KEY, customer_id integer REFERENCES "
    "customers(id), path text, visited_at timestamp NOT NULL)",
    "CREATE TABLE visits_2024 (CHECK (visited_at < '2025-01-01')) INHERITS (visits)",
    "CREATE TABLE visits_2025 (CHECK (visited_at >= '2025-01-01')) INHERITS (visits)",
    "CREATE TABLE events (id integer PRIMARY KEY, customer_id integer, kind text NOT NULL, "
    "at timestamp NOT NULL)",
    "CREATE TABLE events_web (FOREIGN KEY (customer_id) REFERENCES customers(id)) "
    "INHERITS (events)",
]


def _fill(connection: sa.Connection) -> None:
    def run(sql: str, rows: list[dict[str, object]]) -> None:
        connection.execute(sa.text(sql), rows)

    run(
        "INSERT INTO customers VALUES (:id, :email, :name, :at)",
        [
            {"id": c, "email": f"c{c}@example.jp", "name": f"顧客 {c}", "at": MONTHS[0]}
            for c in PAYMENTS
        ],
    )
    payments, n = [], 0
    for customer, count in PAYMENTS.items():
        for i in range(count):
            n += 1
            month = MONTHS[(i + customer) % len(MONTHS)]
            payments.append(
                {
                    "id": n,
                    "c": customer,
                    "at": month + timedelta(days=i % 27, hours=customer),
                    "amount": 100 * (i + 1),
                    "card": f"{4000 + n}",
                }
            )
    run("INSERT INTO payments VALUES (:id, :c, :at, :amount, :card)", payments)
    visits = [
        ("visits", 1, 7, 2025),
        ("visits_2024", 2, 7, 2024),
        ("visits_2024", 3, 7, 2024),
        ("visits_2025", 4, 7, 2025),
        ("visits_2025", 5, 7, 2025),
        ("visits_2025", 6, 8, 2025),
        ("visits_2024", 7, 9, 2024),
    ]
    for table, id_, customer, year in visits:
        connection.execute(
            sa.text(f"INSERT INTO {table} VALUES (:i, :c, '/mypage', :at)"),
            {"i": id_, "c": customer, "at": datetime(year, 6, 1)},
        )
    run(
        "INSERT INTO events_web VALUES (:i, :c, 'login', :at)",
        [{"i": i, "c": 7 if i <= 3 else 8, "at": datetime(2025, 9, i)} for i in range(1, 6)],
    )


@pytest.fixture
def service(postgres_url: str) -> Iterator[str]:
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        for statement in SCHEMA:
            connection.exec_driver_sql(statement)
        _fill(connection)
    engine.dispose()
    yield postgres_url


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_discovery_maps_each_parent_once(service: str) -> None:
    draft = discover(service, "customers.email")
    assert set(draft.tables) == {"customers", "payments", "visits", "events"}
    assert {name for name, t in draft.tables.items() if t.owned} == set(draft.tables)
    assert draft.tables["payments"].keep == "transactions"
    assert draft.tables["events"].via == [{"table": "customers", "join": {"customer_id": "id"}}]


def test_init_access_erase_on_every_partition(service: str, tmp_path: Path) -> None:
    directory = tmp_path / "shop"
    code, _, err = run("init", str(directory), "--db", service, "--identity", "customers.email")
    assert code == 0, err
    assert run("validate", str(directory))[0] == 0

    expected = {
        "payments": rows_of(service, "SELECT id FROM payments WHERE customer_id = 7"),
        "visits": rows_of(service, "SELECT id FROM visits WHERE customer_id = 7"),
        "events": rows_of(service, "SELECT id FROM events WHERE customer_id = 7"),
    }
    assert [len(expected[t]) for t in ("payments", "visits", "events")] == [32, 5, 3]
    code, out, err = run("access", str(directory), "--identity", "email=c7@example.jp")
    assert code == 0, err
    tables = json.loads(out)["tables"]
    for table, keys in expected.items():
        found = [(row["id"],) for row in tables[table]]
        assert len(found) == len(keys) and set(found) == keys, table

    before = snapshot(service)
    code, out, err = run("erase", str(directory), "--identity", "email=c7@example.jp", "--json")
    assert code == 0, err
    report = json.loads(out)
    after = snapshot(service)
    assert report["tables"]["payments"]["kept"] == 32
    assert report["tables"]["visits"]["deleted"] == 5
    assert report["tables"]["events"]["deleted"] == 3
    assert rows_of(service, "SELECT count(*) FROM visits WHERE customer_id = 7") == {(0,)}
    assert rows_of(service, "SELECT count(*) FROM events WHERE customer_id = 7") == {(0,)}
    kept = rows_of(service, "SELECT amount, card_last4 FROM payments WHERE customer_id = 7")
    assert len(kept) == 32 and {card for _, card in kept} == {None}
    assert {amount for amount, _ in kept} == {100 * (i + 1) for i in range(32)}
    for table, rows in before.items():
        for key, row in rows.items():
            if row.get("customer_id") == NANA or (table == "customers" and key == (NANA,)):
                continue
            assert after[table].get(key) == row, (table, key)
    assert (directory / ".policykeeper" / "hash.key").stat().st_mode & 0o777 == 0o600


def test_a_partition_named_in_the_map_points_at_its_parent(service: str, tmp_path: Path) -> None:
    directory = tmp_path / "shop"
    assert run("init", str(directory), "--db", service, "--identity", "customers.email")[0] == 0
    path = directory / "datamap.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "  payments_2025_03:\n    rows: reference\n",
        encoding="utf-8",
    )
    project = load_project(directory)
    try:
        with pytest.raises(ProblemsFound, match=r"is a partition of 'payments'.*map 'payments'"):
            access(project, Identity("email", "c7@example.jp"))
    finally:
        release(project)
