"""A shop where two customers share things, as real shops do: a country, a product, a voucher,
an address (a household), and messages between them. Built with SQLAlchemy Core, so the same
schema and rows exist on SQLite, PostgreSQL and MariaDB.

Customers 1 (hanako) and 2 (taro) share address 1 in country JP, both bought product 1 with
voucher 1, and wrote each other a message. Customer 3 (lone) lives alone at address 2 and
ships an order there. Customer 4 (gift) shipped an order to customer 3's address.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()
countries = sa.Table(
    "countries",
    metadata,
    sa.Column("code", sa.String(2), primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
)
products = sa.Table(
    "products",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("title", sa.String(50), nullable=False),
)
vouchers = sa.Table(
    "vouchers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("code", sa.String(20), nullable=False),
)
addresses = sa.Table(
    "addresses",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("street", sa.String(100), nullable=False),
    sa.Column("postal_code", sa.String(10)),
    sa.Column("country_code", sa.String(2), sa.ForeignKey("countries.code"), nullable=False),
)
customers = sa.Table(
    "customers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("email", sa.String(100), nullable=False, unique=True),
    sa.Column("full_name", sa.String(50)),
    sa.Column("address_id", sa.Integer, sa.ForeignKey("addresses.id")),
)
orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
    sa.Column("ship_address_id", sa.Integer, sa.ForeignKey("addresses.id")),
    sa.Column("voucher_id", sa.Integer, sa.ForeignKey("vouchers.id")),
    sa.Column("ordered_at", sa.DateTime, nullable=False),
    sa.Column("total", sa.Integer, nullable=False),
)
order_lines = sa.Table(
    "order_lines",
    metadata,
    sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("product_id", sa.Integer, sa.ForeignKey("products.id"), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
)
messages = sa.Table(
    "messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("sender_id", sa.Integer, sa.ForeignKey("customers.id")),
    sa.Column("recipient_id", sa.Integer, sa.ForeignKey("customers.id")),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("sent_at", sa.DateTime, nullable=False),
)

ROWS: list[tuple[sa.Table, list[dict[str, Any]]]] = [
    (countries, [{"code": "JP", "name": "日本"}, {"code": "US", "name": "United States"}]),
    (products, [{"id": 1, "title": "抹茶"}, {"id": 2, "title": "Coffee"}]),
    (vouchers, [{"id": 1, "code": "WELCOME"}]),
    (
        addresses,
        [
            {"id": 1, "street": "渋谷1-1", "postal_code": "150-0001", "country_code": "JP"},
            {"id": 2, "street": "1 Main St", "postal_code": "10001", "country_code": "US"},
            {"id": 3, "street": "梅田2-2", "postal_code": "530-0001", "country_code": "JP"},
        ],
    ),
    (
        customers,
        [
            {"id": 1, "email": "hanako@example.jp", "full_name": "山田 花子", "address_id": 1},
            {"id": 2, "email": "taro@example.jp", "full_name": "山田 太郎", "address_id": 1},
            {"id": 3, "email": "lone@example.com", "full_name": "Lone Wolf", "address_id": 2},
            {"id": 4, "email": "gift@example.com", "full_name": "Gift Giver", "address_id": 3},
        ],
    ),
    (
        orders,
        [
            {
                "id": 1,
                "customer_id": 1,
                "ship_address_id": 1,
                "voucher_id": 1,
                "ordered_at": datetime(2025, 4, 1),
                "total": 1200,
            },
            {
                "id": 2,
                "customer_id": 2,
                "ship_address_id": 1,
                "voucher_id": 1,
                "ordered_at": datetime(2025, 5, 1),
                "total": 800,
            },
            {
                "id": 3,
                "customer_id": 3,
                "ship_address_id": 2,
                "voucher_id": None,
                "ordered_at": datetime(2025, 6, 1),
                "total": 500,
            },
            {
                "id": 4,
                "customer_id": 4,
                "ship_address_id": 2,
                "voucher_id": None,
                "ordered_at": datetime(2025, 7, 1),
                "total": 300,
            },
        ],
    ),
    (
        order_lines,
        [
            {"order_id": 1, "line_no": 1, "product_id": 1, "quantity": 2},
            {"order_id": 2, "line_no": 1, "product_id": 1, "quantity": 1},
            {"order_id": 3, "line_no": 1, "product_id": 2, "quantity": 1},
            {"order_id": 4, "line_no": 1, "product_id": 2, "quantity": 3},
        ],
    ),
    (
        messages,
        [
            {
                "id": 1,
                "sender_id": 1,
                "recipient_id": 2,
                "body": "牛乳を買ってきて",
                "sent_at": datetime(2025, 8, 1),
            },
            {
                "id": 2,
                "sender_id": 2,
                "recipient_id": 1,
                "body": "了解",
                "sent_at": datetime(2025, 8, 2),
            },
        ],
    ),
]


def create(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        metadata.create_all(connection)
        for table, rows in ROWS:
            connection.execute(table.insert(), rows)
    engine.dispose()


def rows_of(url: str, sql: str, **parameters: Any) -> set[tuple[Any, ...]]:
    """The rows a hand-written query returns: the expected answer, independent of the engine."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = {tuple(row) for row in connection.execute(sa.text(sql), parameters)}
    engine.dispose()
    return found
