"""Rows bound `with:` another table go with its swept rows, on every database kind, with foreign
keys checked at once (not deferred, as django-oscar's are on PostgreSQL): a line, its notes and
the order's payments before the order, the order's copy of an address after it unless another
order still uses it. A later payment holds its order back; a hold on a note keeps its order;
a row of a table bound to no rule that points at an order keeps it, and the run says which
decision is missing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from retention_kit import NOW, edit, naive, rows

from policykeeper.project import load_project
from policykeeper.retention import add_hold, retention_plan, retention_run

OLD, RECENT = naive(NOW) - timedelta(days=8 * 365), naive(NOW) - timedelta(days=30)
MAP = """  order_addresses:
    rows: owned
    via: [{table: shop_orders, join: {id: address_id}}]
    retention: [{rule: transactions, with: shop_orders}]
    columns:
      line: {category: user.contact.address}
  shop_orders:
    rows: owned
    via: [{table: users, join: {user_id: id}}]
    retention: [{rule: transactions, clock: placed_at}]
  shop_lines:
    rows: owned
    via: [{table: shop_orders, join: {order_id: id}}]
    retention: [{rule: transactions, with: shop_orders}]
  shop_line_notes:
    rows: owned
    via: [{table: shop_lines, join: {line_id: id}}]
    retention: [{rule: transactions, with: shop_lines}]
  shop_payments:
    rows: owned
    via: [{table: shop_orders, join: {order_id: id}}]
    retention: [{rule: transactions, with: shop_orders, clock: paid_at}]
  shop_claims:
    rows: owned
    via: [{table: shop_orders, join: {order_id: id}}]
"""
TABLES = ["order_addresses", "shop_orders", "shop_lines", "shop_line_notes", "shop_payments"]


def _shop(url: str) -> None:
    """Six orders of user 1: 1 and 4 old, 2 old with a recent refund, 3 old with a claim, 5
    old with a held note, 6 recent and sharing order 4's address copy."""
    metadata = sa.MetaData()
    key = {"primary_key": True, "autoincrement": False}
    addresses = sa.Table(
        "order_addresses",
        metadata,
        sa.Column("id", sa.Integer, **key),
        sa.Column("line", sa.String(80)),
    )
    orders = sa.Table(
        "shop_orders",
        metadata,
        sa.Column("id", sa.Integer, **key),
        sa.Column("user_id", sa.Integer),
        sa.Column("address_id", sa.Integer, sa.ForeignKey("order_addresses.id")),
        sa.Column("placed_at", sa.DateTime, nullable=False),
    )
    lines = sa.Table(
        "shop_lines",
        metadata,
        sa.Column("id", sa.Integer, **key),
        sa.Column("order_id", sa.Integer, sa.ForeignKey("shop_orders.id"), nullable=False),
    )
    notes = sa.Table(
        "shop_line_notes",
        metadata,
        sa.Column("id", sa.Integer, **key),
        sa.Column("line_id", sa.Integer, sa.ForeignKey("shop_lines.id"), nullable=False),
    )
    payments = sa.Table(
        "shop_payments",
        metadata,
        sa.Column("id", sa.Integer, **key),
        sa.Column("order_id", sa.Integer, sa.ForeignKey("shop_orders.id"), nullable=False),
        sa.Column("line_id", sa.Integer, sa.ForeignKey("shop_lines.id")),
        sa.Column("paid_at", sa.DateTime, nullable=False),
    )
    claims = sa.Table(
        "shop_claims",
        metadata,
        sa.Column("id", sa.Integer, **key),
        sa.Column("order_id", sa.Integer, sa.ForeignKey("shop_orders.id"), nullable=False),
    )
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        metadata.create_all(connection)
        connection.execute(addresses.insert(), [{"id": i, "line": f"渋谷{i}"} for i in range(1, 6)])
        placed = {1: OLD, 2: OLD, 3: OLD, 4: OLD, 5: OLD, 6: RECENT}
        shared = {6: 4}
        connection.execute(
            orders.insert(),
            [
                {"id": i, "user_id": 1, "address_id": shared.get(i, i), "placed_at": at}
                for i, at in placed.items()
            ],
        )
        connection.execute(lines.insert(), [{"id": i, "order_id": i} for i in placed])
        connection.execute(notes.insert(), [{"id": i, "line_id": i} for i in placed])
        paid = [{"id": i, "order_id": i, "line_id": i, "paid_at": at} for i, at in placed.items()]
        paid.append({"id": 7, "order_id": 2, "line_id": None, "paid_at": RECENT})  # a refund
        connection.execute(payments.insert(), paid)
        connection.execute(claims.insert(), [{"id": 1, "order_id": 3}])
    engine.dispose()


def _keys(url: str) -> dict[str, set[int]]:
    return {t: {r[0] for r in rows(url, f"SELECT id FROM {t}")} for t in TABLES}


def test_rows_go_with_their_order_children_first_on_every_database(
    ainema_dir: Path, database_url: str, loaded: list
) -> None:
    _shop(database_url)
    edit(ainema_dir / "datamap.yaml", "  favorites:\n", MAP + "  favorites:\n")
    project = load_project(ainema_dir)
    loaded.append(project)
    add_hold(project, reason="litigation", table="shop_line_notes", key=["5"])

    planned = next(s for s in retention_plan(project, NOW).sweeps if s.sweep.table == "shop_orders")
    assert (planned.due, planned.held, planned.waiting_with) == (2, 1, 1)
    assert planned.with_rows == {
        "order_addresses": 1,
        "shop_lines": 2,
        "shop_payments": 2,
        "shop_line_notes": 2,
    }
    report = retention_run(project, NOW).to_json()
    sweep = next(s for s in report["sweeps"] if s["table"] == "shop_orders")
    assert (sweep["rows"], sweep["skipped_legal_hold"], sweep["blocked"]) == (2, 1, 0)
    assert {t: n for t, n in sweep["with"].items() if n} == planned.with_rows
    assert [k["table"] for k in sweep["kept_for"]] == ["shop_claims"]
    assert any(
        p.startswith(
            "shop_orders: 1 rows past 'transactions' stay: shop_claims points at them "
            "and is bound to no retention rule"
        )
        for p in report["problems"]
    )
    assert _keys(database_url) == {
        "order_addresses": {2, 3, 4, 5},  # order 1's copy went; order 4's is order 6's too
        "shop_orders": {2, 3, 5, 6},
        "shop_lines": {2, 3, 5, 6},
        "shop_line_notes": {2, 3, 5, 6},
        "shop_payments": {2, 3, 5, 6, 7},
    }
