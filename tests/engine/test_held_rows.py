"""Rows kept under a legal hold keep only what the rule needs, as the README promises, and the
erase report tells the truth about them. On a shop drafted by `init` (customers, addresses,
orders with a ship name and address, order items, visits) and on the AInema example.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from engine_kit import copy_example, snapshot
from typer.testing import CliRunner

from policykeeper.cli import app
from policykeeper.datamap.starter import init_project
from policykeeper.engine import Identity, erase
from policykeeper.engine.masking import is_hashed
from policykeeper.engine.runtime import release, runtime
from policykeeper.examples.generation import generate
from policykeeper.project import Project, load_project
from policykeeper.review import validate_project

README = Path(__file__).resolve().parents[2] / "README.md"
PROMISE = (
    "those are held, keeping only what the data map says the law needs (amounts and dates of "
    "transactions), with every other personal detail masked"
)

metadata = sa.MetaData()
customers = sa.Table(
    "customers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("email", sa.String(100), nullable=False, unique=True),
    sa.Column("full_name", sa.String(60)),
    sa.Column("phone", sa.String(20)),
)
addresses = sa.Table(
    "addresses",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
    sa.Column("street", sa.String(100), nullable=False),
    sa.Column("postal_code", sa.String(10)),
)
products = sa.Table(
    "products",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(60), nullable=False),
)
orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
    sa.Column("ordered_at", sa.DateTime, nullable=False),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("ship_name", sa.String(60), nullable=False),
    sa.Column("ship_address", sa.String(200), nullable=False),
    sa.Column("ship_phone", sa.String(20)),
    sa.Column("note", sa.Text),
)
order_items = sa.Table(
    "order_items",
    metadata,
    sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("product_id", sa.Integer, sa.ForeignKey("products.id"), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("price", sa.Integer, nullable=False),
)
visits = sa.Table(
    "visits",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id")),
    sa.Column("ip_address", sa.String(45), nullable=False),
    sa.Column("visited_at", sa.DateTime, nullable=False),
)
ROWS = [
    (products, [{"id": 1, "name": "お茶"}]),
    (
        customers,
        [
            {"id": 1, "email": "a@example.jp", "full_name": "青木 愛", "phone": "090-1111-2222"},
            {"id": 2, "email": "b@example.jp", "full_name": "馬場 勉", "phone": None},
        ],
    ),
    (
        addresses,
        [
            {"id": 1, "customer_id": 1, "street": "渋谷1-1", "postal_code": "150-0001"},
            {"id": 2, "customer_id": 2, "street": "梅田2-2", "postal_code": "530-0001"},
        ],
    ),
    (
        orders,
        [
            {
                "id": n,
                "customer_id": c,
                "ordered_at": datetime(2025, n, 1),
                "total": 1000 * n,
                "ship_name": name,
                "ship_address": street,
                "ship_phone": phone,
                "note": note,
            }
            for n, c, name, street, phone, note in [
                (1, 1, "青木 愛", "渋谷1-1", "090-1111-2222", "置き配"),
                (2, 1, "青木 母", "福岡3-3", None, None),
                (3, 2, "馬場 勉", "梅田2-2", None, None),
            ]
        ],
    ),
    (
        order_items,
        [
            {"order_id": n, "line_no": 1, "product_id": 1, "quantity": n, "price": 1000}
            for n in (1, 2, 3)
        ],
    ),
    (
        visits,
        [
            {
                "id": n,
                "customer_id": 1 + n % 2,
                "ip_address": f"10.0.0.{n}",
                "visited_at": datetime(2026, 1, n),
            }
            for n in range(1, 6)
        ],
    ),
]


@pytest.fixture
def shop(database_url: str, tmp_path: Path) -> Iterator[Project]:
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        metadata.create_all(connection)
        for table, rows in ROWS:
            connection.execute(table.insert(), rows)
    engine.dispose()
    init_project(tmp_path / "shop", database_url, "customers.email")
    assert validate_project(tmp_path / "shop") == []
    project = load_project(tmp_path / "shop")
    yield project
    release(project)


def test_the_readme_promises_what_erasure_does() -> None:
    assert PROMISE in " ".join(README.read_text(encoding="utf-8").split())


def test_init_keeps_amounts_and_masks_the_rest_of_held_orders(shop: Project) -> None:
    url = runtime(shop).sources["main"].url
    columns = shop.datamap.tables["orders"].columns
    assert columns["total"].erase is not None and columns["total"].erase.keep == "transactions"
    assert columns["ship_name"].erase is None and columns["ship_address"].erase is None
    before = snapshot(url)
    report = erase(shop, Identity("email", "a@example.jp")).to_json()
    after = snapshot(url)
    for key in ((1,), (2,)):
        order, was = after["orders"][key], before["orders"][key]
        assert (order["total"], order["ordered_at"]) == (was["total"], was["ordered_at"])
        assert is_hashed(order["ship_name"]) and is_hashed(order["ship_address"])
        assert order["ship_phone"] is None and order["note"] is None
    assert after["order_items"][(1, 1)] == before["order_items"][(1, 1)]
    account = after["customers"][(1,)]
    assert is_hashed(account["email"]) and account["full_name"] is None and account["phone"] is None
    assert (1,) not in after["addresses"]
    assert not [row for row in after["visits"].values() if row["customer_id"] == 1]
    # The truth, per table: masked counts only rows where a value changed.
    tables = report["tables"]
    assert (tables["orders"]["kept"], tables["orders"]["masked"]) == (2, 2)
    assert tables["orders"]["kept_columns"] == ["total"]
    assert (tables["order_items"]["kept"], tables["order_items"]["masked"]) == (2, 0)
    assert tables["order_items"]["kept_columns"] == ["quantity", "price"]
    assert (tables["customers"]["kept"], tables["customers"]["masked"]) == (1, 1)
    held = tables["orders"]["kept_rows"]
    assert [row["delete_after"] for row in held] == ["2032-01-01", "2032-02-01"]
    assert all(row["reason"].startswith("legal hold: transactions") for row in held)
    assert (
        "referenced by rows of orders kept under 'transactions'"
        in (tables["customers"]["kept_rows"][0]["reason"])
    )
    # Customer 2's rows are byte for byte as they were.
    for table, rows in before.items():
        for key, row in rows.items():
            if row.get("customer_id") == 2 or (table == "customers" and key == (2,)):
                assert after[table][key] == row


def test_a_row_already_masked_is_not_reported_masked_again(shop: Project) -> None:
    """Customer 2's order has no phone or note: masking changes its name and address only;
    once masked by hand, erasure changes nothing and says so."""
    url = runtime(shop).sources["main"].url
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            orders.update()
            .where(orders.c.id == 3)
            .values(ship_name="pk:0123456789abcdef", ship_address="pk:fedcba9876543210")
        )
    engine.dispose()
    tables = erase(shop, Identity("email", "b@example.jp")).to_json()["tables"]
    assert (tables["orders"]["kept"], tables["orders"]["masked"]) == (1, 0)
    assert tables["customers"]["masked"] == 1


def test_the_shell_prints_a_short_summary_and_json_on_request(shop: Project) -> None:
    directory = str(shop.directory)
    result = CliRunner().invoke(app, ["erase", directory, "--identity", "email=a@example.jp"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Erased: deleted 3 rows, masked 3, kept 5 (verified)."
    orders_line = next(line for line in lines if line.lstrip().startswith("orders "))
    assert "kept 2 (masked 2): legal hold: transactions" in orders_line
    assert "held until 2032-02-01 at the latest; keeps total" in orders_line
    assert lines[-1] == "The full report, row by row: --json"
    again = CliRunner().invoke(
        app, ["erase", directory, "--identity", "email=a@example.jp", "--json"]
    )
    assert json.loads(again.stdout)["repeated"] is True


def test_held_ainema_rows_keep_only_what_the_rule_needs(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo's claim: transactions stay with their amounts; a tip's message goes."""
    generate("ainema", database_url, 60, progress=False)
    monkeypatch.setenv("AINEMA_DATABASE_URL", database_url)
    project = load_project(copy_example("ainema", tmp_path))
    try:
        before = snapshot(database_url)
        tipper = next(
            row["from_user_id"] for row in before["tips"].values() if row["message"] is not None
        )
        erase(project, Identity("user_id", str(tipper)))
        after = snapshot(database_url)
    finally:
        release(project)
    for key, row in before["tips"].items():
        if row["from_user_id"] == tipper:
            assert after["tips"][key] == {**row, "message": None}
    for table in ("coin_ledger", "purchases"):
        for key, row in before[table].items():
            if row["user_id"] == tipper:
                assert after[table][key] == row, "amounts, dates and what was bought stay"
