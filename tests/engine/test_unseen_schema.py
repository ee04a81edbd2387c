"""init on a schema PolicyKeeper has never seen, then access and erase without hand edits.

The shop has users -> "order" -> order_items (composite key), customers.address_id ->
addresses with addresses.customer_id back (a cycle), a self-reference (invited_by), a
many-to-many link table, a support employee, and Japanese table and column names.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from engine_kit import snapshot

from policykeeper.datamap.starter import init_project
from policykeeper.engine import Identity, access, erase, is_restricted, restrict
from policykeeper.engine.runtime import release
from policykeeper.project import Project, load_project
from policykeeper.review import validate_project

metadata = sa.MetaData()
employees = sa.Table(
    "employees",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("氏名", sa.String(50), nullable=False),
    sa.Column("email", sa.String(100), nullable=False),
)
cities = sa.Table(
    "cities",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(50), nullable=False),
)
customers = sa.Table(
    "customers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("email", sa.String(100), nullable=False, unique=True),
    sa.Column("氏名", sa.String(50)),
    sa.Column("denwa", sa.String(20)),
    sa.Column("seinengappi", sa.Date),
    sa.Column("address_id", sa.Integer, sa.ForeignKey("addresses.id", use_alter=True)),
    sa.Column("support_rep_id", sa.Integer, sa.ForeignKey("employees.id")),
    sa.Column("invited_by", sa.Integer, sa.ForeignKey("customers.id")),
)
addresses = sa.Table(
    "addresses",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id")),
    sa.Column("jusho", sa.String(200)),
    sa.Column("postal_code", sa.String(10)),
    sa.Column("city_id", sa.Integer, sa.ForeignKey("cities.id")),
)
products = sa.Table(
    "products",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(50), nullable=False),
)
order = sa.Table(
    "order",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
    sa.Column("ordered_at", sa.DateTime, nullable=False),
    sa.Column("total", sa.Integer, nullable=False),
)
order_items = sa.Table(
    "order_items",
    metadata,
    sa.Column("order_id", sa.Integer, sa.ForeignKey("order.id"), primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("product_id", sa.Integer, sa.ForeignKey("products.id"), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
)
tags = sa.Table(
    "tags",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("label", sa.String(20), nullable=False),
)
customer_tags = sa.Table(
    "customer_tags",
    metadata,
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), primary_key=True),
    sa.Column("tag_id", sa.Integer, sa.ForeignKey("tags.id"), primary_key=True),
)
inquiries = sa.Table(
    "問い合わせ",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
    sa.Column("本文", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

ROWS: list[tuple[sa.Table, list[dict[str, Any]]]] = [
    (employees, [{"id": 1, "氏名": "佐藤 一郎", "email": "sato@shop.example"}]),
    (cities, [{"id": 1, "name": "渋谷区"}]),
    (products, [{"id": 1, "name": "お茶"}, {"id": 2, "name": "Coffee"}]),
    (tags, [{"id": 1, "label": "vip"}, {"id": 2, "label": "new"}]),
    (
        customers,
        [
            {
                "id": n,
                "email": f"c{n}@example.com",
                "氏名": f"顧客 {n}",
                "denwa": f"090-0000-000{n}",
                "seinengappi": date(1990, 1, n),
                "address_id": None,
                "support_rep_id": 1,
                "invited_by": 1 if n == 2 else (2 if n == 3 else None),
            }
            for n in range(1, 5)
        ],
    ),
    (
        addresses,
        [
            {
                "id": n,
                "customer_id": n,
                "jusho": f"渋谷{n}-1",
                "postal_code": "150-0001",
                "city_id": 1,
            }
            for n in range(1, 5)
        ],
    ),
    (
        order,
        [
            {"id": 1, "customer_id": 1, "ordered_at": datetime(2025, 5, 1), "total": 300},
            {"id": 2, "customer_id": 3, "ordered_at": datetime(2025, 6, 1), "total": 500},
        ],
    ),
    (
        order_items,
        [
            {"order_id": 1, "line_no": 1, "product_id": 1, "quantity": 1},
            {"order_id": 1, "line_no": 2, "product_id": 2, "quantity": 2},
            {"order_id": 2, "line_no": 1, "product_id": 2, "quantity": 5},
        ],
    ),
    (
        customer_tags,
        [
            {"customer_id": 1, "tag_id": 1},
            {"customer_id": 2, "tag_id": 1},
            {"customer_id": 2, "tag_id": 2},
        ],
    ),
    (
        inquiries,
        [
            {"id": 1, "customer_id": 2, "本文": "配送について", "created_at": datetime(2025, 7, 1)},
            {"id": 2, "customer_id": 4, "本文": "返品", "created_at": datetime(2025, 7, 2)},
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
        for n in range(1, 5):
            connection.execute(customers.update().where(customers.c.id == n).values(address_id=n))
    engine.dispose()
    directory = tmp_path / "shop"
    init_project(directory, database_url, "customers.email")
    assert validate_project(directory) == []
    project = load_project(directory)
    yield project
    release(project)


def test_discovery_drafts_the_common_patterns(shop: Project) -> None:
    tables = shop.datamap.tables
    owned = {name for name, t in tables.items() if t.rows == "owned"}
    assert owned == {
        "customers",
        "addresses",
        "order",
        "order_items",
        "customer_tags",
        "問い合わせ",
    }
    assert tables["order"].held_by() == "transactions"
    assert tables["customers"].columns["denwa"].category == "user.contact.phone_number"
    assert tables["customers"].columns["seinengappi"].category == "user.demographic.date_of_birth"
    assert tables["customers"].columns["氏名"].category == "user.name"
    assert tables["addresses"].columns["jusho"].category == "user.contact.address"
    assert set(shop.datamap.identities) == {"email", "user_id", "phone"}


def test_access_returns_this_customer_and_no_one_else(shop: Project) -> None:
    result = access(shop, Identity("email", "c1@example.com")).to_json()
    got = {table: len(rows) for table, rows in result["tables"].items()}
    assert got == {"customers": 1, "addresses": 1, "order": 1, "order_items": 2, "customer_tags": 1}
    assert result["tables"]["customers"][0]["氏名"] == "顧客 1"
    assert "user.contact.phone_number" in result["categories"]


def test_erase_orders_deletes_through_the_cycle_and_detaches_invitees(
    shop: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICYKEEPER_HASH_KEY", "test-key")
    url = str(sa.make_url(shop.datamap.connections["main"]).render_as_string(hide_password=False))
    before = snapshot(url)
    report = erase(shop, Identity("email", "c2@example.com")).to_json()
    after = snapshot(url)
    assert (2,) not in after["customers"]
    assert (2,) not in after["addresses"]
    assert (1,) not in after["問い合わせ"]
    assert not [k for k in after["customer_tags"] if k[0] == 2]
    assert after["customers"][(3,)]["invited_by"] is None
    assert report["tables"]["customers"]["detached"] == 1
    for table, rows in before.items():
        for key, row in rows.items():
            if table == "customers" and key == (3,):
                continue
            if key in after[table]:
                assert after[table][key] == row, (table, key)

    held = erase(shop, Identity("email", "c1@example.com")).to_json()
    final = snapshot(url)
    assert (1,) in final["order"] and {(1, 1), (1, 2)} <= set(final["order_items"])
    assert final["customers"][(1,)]["email"].startswith("pk:")
    assert final["customers"][(1,)]["氏名"] is None
    assert (1,) not in final["addresses"]
    assert held["tables"]["order"]["kept_rows"][0]["delete_after"] == "2032-05-01"
    assert final["customers"][(4,)] == before["customers"][(4,)]


def test_restriction_without_an_app_flag_is_recorded_by_policykeeper(shop: Project) -> None:
    who = Identity("email", "c4@example.com")
    assert not is_restricted(shop, who)
    report = restrict(shop, who).to_json()
    assert report["flagged_rows"] == {} and report["subjects_recorded"] == 1
    assert is_restricted(shop, who)
    assert is_restricted(shop, Identity("user_id", "4"))
    assert not is_restricted(shop, Identity("user_id", "3"))
    restrict(shop, who, lift=True)
    assert not is_restricted(shop, who)
