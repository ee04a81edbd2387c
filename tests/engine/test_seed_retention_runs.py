"""The retention rules Audiostock and Nicori declare, swept by a run on a fake clock (their plans
are checked in test_audiostock and test_nicori; AInema's and jasminai's runs in tests/retention).

Every rule with a period is bound, a run sweeps every due row, and a second plan finds nothing
left due. What goes, stays and is masked is written below in SQL, independently of the
planner, and every other row of the database is compared before and after:

- Nicori (django-oscar on PostgreSQL): an order past its seven years goes with every row oscar
  keeps beside it, in one transaction; an order with a refund dated later waits for it; an
  order line under a legal hold keeps its whole order. A run killed between batches leaves
  every order whole or gone, and the next run finishes it.
- Audiostock: a licence the buyer holds is kept under the policy's one retention statement
  (no period), so its order line stays and so does the order, with the card and billing
  details masked; the lines of a buyer who was erased (licences deleted) go.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from engine_kit import copy_example, snapshot
from test_nicori import CUSTOMERS

from policykeeper.config import SLOW_RETENTION_ENV
from policykeeper.engine import Identity, erase
from policykeeper.engine.runtime import release
from policykeeper.examples.generation import generate
from policykeeper.examples.nicori import populate
from policykeeper.project import Project, load_project
from policykeeper.retention import add_hold, retention_plan, retention_run
from policykeeper.retention.store import open_store
from policykeeper.store.retention_models import RetentionRun

NOW, LATER = datetime(2026, 3, 1), datetime(2033, 3, 2)
Snapshot = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


@pytest.fixture(params=["audiostock", "nicori"])
def seed(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Project, str]]:
    name = request.param
    if name == "nicori":
        url = request.getfixturevalue("oscar_url")
        populate(url, CUSTOMERS)
    else:
        url = f"sqlite:///{tmp_path / 'audiostock.sqlite3'}"
        generate("audiostock", url, 40, progress=False)
    monkeypatch.setenv(f"{name.upper()}_DATABASE_URL", url)
    project = load_project(copy_example(name, tmp_path))
    yield project, url
    release(project)


def query(url: str, sql: str, **params: object) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(sa.text(sql), params)]
    engine.dispose()
    return rows


def count(url: str, sql: str, **params: object) -> int:
    return int(query(url, sql, **params)[0][0])


def keys(url: str, sql: str, **params: object) -> set[tuple[Any, ...]]:
    return {(row[0],) for row in query(url, sql, **params)}


def without(before: Snapshot, gone: dict[str, set[tuple[Any, ...]]]) -> Snapshot:
    """The database as it was, less exactly these rows."""
    return {
        t: {k: r for k, r in rows.items() if k not in gone.get(t, set())}
        for t, rows in before.items()
    }


def test_every_rule_is_bound_and_a_run_leaves_nothing_due(seed: tuple[Project, str]) -> None:
    project, _ = seed
    plan = retention_plan(project, now=NOW).to_json()
    assert plan["problems"] == []
    with_period = {r.id for r in project.policy.retention if r.period is not None}
    assert with_period <= {s["rule"] for s in plan["sweeps"]} | {
        u["rule"] for u in plan["not_swept"]
    }
    assert {s["rule"] for s in plan["sweeps"]} >= {"transactions"}
    assert all(s["period"] == "7 years" for s in plan["sweeps"] if s["rule"] == "transactions")
    assert plan["total_due"] == 0
    assert retention_plan(project, now=LATER).to_json()["total_due"] > 0
    report = retention_run(project, now=LATER).to_json()
    assert report["totals"]["blocked"] == 0 and report["problems"] == []
    after = retention_plan(project, now=LATER).to_json()
    assert after["total_due"] == 0 and after["problems"] == []
    again = retention_run(project, now=LATER).to_json()
    assert again["totals"]["deleted"] == again["totals"]["masked_kept"] == 0


# --- Nicori ----------------------------------------------------------------------------------

LINES = "(SELECT id FROM order_line WHERE order_id IN {orders})"
BELONGS = {
    # table: (row key, the order it belongs to) for every row kept beside an order
    "order_order": "SELECT id, id FROM order_order",
    "order_line": "SELECT id, order_id FROM order_line",
    "order_lineattribute": "SELECT a.id, l.order_id FROM order_lineattribute a "
    "JOIN order_line l ON l.id = a.line_id",
    "order_lineprice": "SELECT id, order_id FROM order_lineprice",
    "order_orderdiscount": "SELECT id, order_id FROM order_orderdiscount",
    "order_orderlinediscount": "SELECT d.id, l.order_id FROM order_orderlinediscount d "
    "JOIN order_line l ON l.id = d.line_id",
    "order_surcharge": "SELECT id, order_id FROM order_surcharge",
    "order_paymentevent": "SELECT id, order_id FROM order_paymentevent",
    "order_paymenteventquantity": "SELECT q.id, e.order_id FROM order_paymenteventquantity q "
    "JOIN order_paymentevent e ON e.id = q.event_id",
    "payment_source": "SELECT id, order_id FROM payment_source",
    "payment_transaction": "SELECT t.id, s.order_id FROM payment_transaction t "
    "JOIN payment_source s ON s.id = t.source_id",
    "order_shippingevent": "SELECT id, order_id FROM order_shippingevent",
    "order_shippingeventquantity": "SELECT q.id, e.order_id FROM order_shippingeventquantity q "
    "JOIN order_shippingevent e ON e.id = q.event_id",
    "order_orderstatuschange": "SELECT id, order_id FROM order_orderstatuschange",
    "order_communicationevent": "SELECT id, order_id FROM order_communicationevent",
    "order_ordernote": "SELECT id, order_id FROM order_ordernote",
    "voucher_voucherapplication": "SELECT id, order_id FROM voucher_voucherapplication",
    # the order's own copies of the addresses: they go once no order points at them
    "order_shippingaddress": "SELECT shipping_address_id, id FROM order_order",
    "order_billingaddress": "SELECT billing_address_id, id FROM order_order",
}
DUE_ORDERS = """
SELECT o.id FROM order_order o
WHERE o.date_placed < :c
  AND NOT EXISTS (SELECT 1 FROM order_paymentevent p
                  WHERE p.order_id = o.id AND p.date_created >= :c)
  AND NOT EXISTS (SELECT 1 FROM payment_transaction t JOIN payment_source s ON s.id = t.source_id
                  WHERE s.order_id = o.id AND t.date_created >= :c)
"""
"""Orders past seven years whose later payments and refunds are past seven years too."""
WAITING = """
SELECT count(*) FROM order_order o
WHERE o.date_placed < :c AND EXISTS (SELECT 1 FROM order_paymentevent p
                                     WHERE p.order_id = o.id AND p.date_created >= :c)
"""


def owners(url: str) -> dict[str, dict[tuple[Any, ...], set[int]]]:
    """Per table, each row's orders (a shared address copy would have several)."""
    found: dict[str, dict[tuple[Any, ...], set[int]]] = {}
    for table, sql in BELONGS.items():
        rows = found.setdefault(table, {})
        for key, order in query(url, sql):
            if key is not None:
                rows.setdefault((key,), set()).add(order)
    return found


def rows_of(
    belong: dict[str, dict[tuple[Any, ...], set[int]]], orders: set[int]
) -> dict[str, set[tuple[Any, ...]]]:
    """The rows that go with these orders: those all of whose orders are among them."""
    return {t: {k for k, mine in rows.items() if mine <= orders} for t, rows in belong.items()}


@pytest.fixture
def shop(
    oscar_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, datetime, datetime]]:
    """A filled shop, and a clock at which some orders are past seven years and some are not:
    ten days after the seventh anniversary of the middle order that was refunded a month
    later, so that order is due and its refund is not."""
    populate(oscar_url, CUSTOMERS)
    monkeypatch.setenv("NICORI_DATABASE_URL", oscar_url)
    refunded = [
        row[0]
        for row in query(
            oscar_url,
            "SELECT o.date_placed FROM order_order o WHERE EXISTS (SELECT 1 FROM order_ordernote n"
            " WHERE n.order_id = o.id) ORDER BY o.date_placed",
        )
    ]
    placed = refunded[len(refunded) // 2].astimezone(UTC) + timedelta(days=10)
    cutoff = placed.replace(day=min(placed.day, 28))
    now = cutoff.replace(year=cutoff.year + 7)
    yield copy_example("nicori", tmp_path), now, cutoff


def test_nicori_orders_go_with_every_row_beside_them_and_nothing_else_changes(
    oscar_url: str, shop: tuple[Path, datetime, datetime]
) -> None:
    folder, now, cutoff = shop
    project = load_project(folder)
    try:
        due = {k[0] for k in keys(oscar_url, DUE_ORDERS, c=cutoff)}
        waiting = count(oscar_url, WAITING, c=cutoff)
        total = count(oscar_url, "SELECT count(*) FROM order_order")
        assert 0 < len(due) < total and waiting >= 1
        # A customer whose due order an erasure masked: it goes like any other at the end.
        (erased,) = query(
            oscar_url,
            f"SELECT min(user_id) FROM order_order WHERE id IN ({DUE_ORDERS})",
            c=cutoff,
        )[0]
        erase(project, Identity("user_id", str(erased)))
        erased_orders = {
            k[0]
            for k in keys(
                oscar_url,
                f"SELECT o.id FROM order_order o WHERE o.id IN ({DUE_ORDERS}) AND o.user_id IS NULL AND o.guest_email = ''",
                c=cutoff,
            )
        }
        assert erased_orders
        # A legal hold on one line keeps its whole order.
        (line, held_order) = query(
            oscar_url,
            f"SELECT min(id), min(order_id) FROM order_line WHERE order_id = (SELECT max(id) "
            f"FROM order_order WHERE id IN ({DUE_ORDERS}) AND user_id IS NOT NULL)",
            c=cutoff,
        )[0]
        add_hold(project, reason="litigation 2032-007", table="order_line", key=[str(line)])
        going = due - {held_order}
        belong = owners(oscar_url)
        gone = rows_of(belong, going)
        before = snapshot(oscar_url)

        plan = next(
            s
            for s in retention_plan(project, now=now).to_json()["sweeps"]
            if s["table"] == "order_order"
        )
        assert (plan["due"], plan["held_by_legal_hold"]) == (len(going), 1)
        assert plan["kept_with_later_rows"] == waiting and plan["kept_for"] == []
        expected_with = {t: len(k) for t, k in gone.items() if k and t != "order_order"}
        assert {t: n for t, n in plan["with"].items() if n} == expected_with

        report = retention_run(project, now=now).to_json()
        after = snapshot(oscar_url)
        assert after == without(before, gone)
        sweep = next(s for s in report["sweeps"] if s["table"] == "order_order")
        assert (sweep["rows"], sweep["skipped_legal_hold"], sweep["blocked"]) == (len(going), 1, 0)
        assert {t: n for t, n in sweep["with"].items() if n} == expected_with
        assert report["totals"]["deleted"] == sum(len(k) for k in gone.values())
        assert report["problems"] == []
        assert erased_orders <= going and not {(o,) for o in erased_orders} & set(
            after["order_order"]
        )
        assert (held_order,) in after["order_order"]
        # Nothing is due any more: what is left waits for its refund, its hold or its period.
        assert retention_plan(project, now=now).total_due() == 0
    finally:
        release(project)


def test_nicori_a_run_killed_between_batches_leaves_every_order_whole_or_gone(
    oscar_url: str, shop: tuple[Path, datetime, datetime]
) -> None:
    folder, now, cutoff = shop
    due = {k[0] for k in keys(oscar_url, DUE_ORDERS, c=cutoff)}
    belong = owners(oscar_url)
    before = snapshot(oscar_url)
    orders = "SELECT count(*) FROM order_order"
    total = count(oscar_url, orders)
    command = [
        sys.executable,
        "-m",
        "policykeeper.cli",
        "retention",
        "run",
        str(folder),
        "--now",
        now.isoformat(),
        "--batch-size",
        "2",
    ]
    env = {**os.environ, SLOW_RETENTION_ENV: "0.5"}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while count(oscar_url, orders) == total and time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        time.sleep(0.05)
    assert process.poll() is None, "the run finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    killed = snapshot(oscar_url)
    left = {k[0] for k in killed["order_order"]}
    deleted = {k[0] for k in before["order_order"]} - left
    assert deleted and deleted < due, "killed between batches: some orders gone, some due left"
    # Every order is whole or gone: each gone order took all its rows, no other row changed.
    assert killed == without(before, rows_of(belong, deleted))

    project = load_project(folder)
    try:
        report = retention_run(project, now=now).to_json()
        assert snapshot(oscar_url) == without(before, rows_of(belong, due))
        assert next(s for s in report["sweeps"] if s["table"] == "order_order")["rows"] == len(
            due - deleted
        )
        store = open_store(project)
        try:
            with store.transaction() as session:
                runs = (
                    session.execute(sa.select(RetentionRun).order_by(RetentionRun.started_at))
                    .scalars()
                    .all()
                )
                assert [r.state for r in runs] == ["interrupted", "done"]
                assert runs[1].resumes == runs[0].id == report["resumed"]
        finally:
            store.dispose()
    finally:
        release(project)


# --- Audiostock ------------------------------------------------------------------------------

LICENSED = "SELECT order_item_id FROM licences"
PERSONAL = (
    "card_brand",
    "card_last4",
    "billing_name",
    "billing_postal_code",
    "billing_address",
    "receipt_addressee",
)


def test_audiostock_licences_keep_their_lines_and_orders_masked_and_the_rest_goes(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = database_url
    generate("audiostock", url, 40, progress=False)
    monkeypatch.setenv("AUDIOSTOCK_DATABASE_URL", url)
    project = load_project(copy_example("audiostock", tmp_path))
    try:
        # A buyer who was erased: their licences are gone, their lines and orders kept masked
        # for the seven years, and then nothing keeps them.
        (buyer,) = query(
            url,
            "SELECT min(user_id) FROM orders WHERE user_id NOT IN (SELECT user_id FROM creators)",
        )[0]
        erase(project, Identity("user_id", str(buyer)))
        cutoff = datetime(2026, 3, 2)
        assert count(url, "SELECT count(*) FROM orders WHERE ordered_at >= :c", c=cutoff) == 0
        items = keys(url, f"SELECT id FROM order_items WHERE id NOT IN ({LICENSED})")
        gone_orders = keys(
            url,
            f"SELECT id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id AND i.id IN ({LICENSED}))",
        )
        kept_orders = keys(url, "SELECT id FROM orders") - gone_orders
        kept_items = count(url, f"SELECT count(*) FROM order_items WHERE id IN ({LICENSED})")
        masked = (
            keys(
                url,
                "SELECT id FROM orders WHERE " + " OR ".join(f"{c} IS NOT NULL" for c in PERSONAL),
            )
            - gone_orders
        )
        gone = {
            "royalties": keys(url, "SELECT id FROM royalties"),
            "payouts": keys(url, "SELECT id FROM payouts"),
            "order_items": items,
            "orders": gone_orders,
        }
        assert items and gone_orders and kept_orders and masked
        before = snapshot(url)

        report = retention_run(project, now=LATER).to_json()
        after = snapshot(url)
        expected = without(before, gone)
        for (key,) in masked:
            expected["orders"][(key,)] = {**expected["orders"][(key,)], **dict.fromkeys(PERSONAL)}
        assert after == expected  # kept orders keep their amounts; nothing else changed

        sweeps = {s["table"]: s for s in report["sweeps"]}
        assert {t: sweeps[t]["rows"] for t in gone} == {t: len(k) for t, k in gone.items()}
        [for_licences] = sweeps["order_items"]["kept_for"]
        assert (for_licences["table"], for_licences["rows"]) == ("licences", kept_items)
        assert "'activity_history'" in for_licences["reason"]
        assert "reviewed by staff" in for_licences["reason"]
        [for_lines] = sweeps["orders"]["kept_for"]
        assert (for_lines["table"], for_lines["rows"]) == ("order_items", len(kept_orders))
        assert sweeps["orders"]["masked_kept"] == len(masked)
        totals = report["totals"]
        assert (totals["blocked"], totals["masked_kept"]) == (0, len(masked))
        assert report["problems"] == []
        # The next run finds nothing to do: the kept rows stay, already masked.
        again = retention_run(project, now=LATER).to_json()
        assert again["totals"]["deleted"] == again["totals"]["masked_kept"] == 0
        assert snapshot(url) == after
    finally:
        release(project)
