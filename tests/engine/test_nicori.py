"""Nicori's web shop on django-oscar's real schema (PostgreSQL, oscar's own migrations).

A customer who also ordered as a guest under the same address: access finds exactly the rows
the SQL below finds; erasure keeps the orders (the statutory period) with every personal column
masked, masks the order's own copies of the address, deletes the rest, and changes no other
row of the database; rectification and restriction change only what they should.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from engine_kit import copy_example, snapshot

from policykeeper.engine import Identity, access, erase, rectify, restrict
from policykeeper.engine.restrict import is_restricted
from policykeeper.engine.runtime import release
from policykeeper.examples.nicori import has_guest_orders, populate
from policykeeper.project import Project, load_project
from policykeeper.render import render_policy
from policykeeper.retention import retention_plan

CUSTOMERS = 40
CUSTOMER = 17
"""Ordered signed in and once as a guest, asked for a stock alert as a guest, has a wish list,
votes on others' reviews."""
REVIEWER = 1
"""Wrote a review that later customers voted on."""

ORDERS = "(SELECT id FROM order_order WHERE user_id = :u OR guest_email = :e)"
LINES = f"(SELECT id FROM order_line WHERE order_id IN {ORDERS})"
OWNED_SQL = {
    "auth_user": "SELECT id FROM auth_user WHERE id = :u",
    "address_useraddress": "SELECT id FROM address_useraddress WHERE user_id = :u",
    "order_order": f"SELECT id FROM order_order WHERE id IN {ORDERS}",
    "order_shippingaddress": f"SELECT shipping_address_id FROM order_order WHERE id IN {ORDERS}",
    "order_billingaddress": f"SELECT billing_address_id FROM order_order WHERE id IN {ORDERS}",
    "order_line": f"SELECT id FROM order_line WHERE order_id IN {ORDERS}",
    "order_lineattribute": f"SELECT id FROM order_lineattribute WHERE line_id IN {LINES}",
    "order_lineprice": f"SELECT id FROM order_lineprice WHERE order_id IN {ORDERS}",
    "order_orderdiscount": f"SELECT id FROM order_orderdiscount WHERE order_id IN {ORDERS}",
    "order_orderlinediscount": f"SELECT id FROM order_orderlinediscount WHERE line_id IN {LINES}",
    "order_surcharge": f"SELECT id FROM order_surcharge WHERE order_id IN {ORDERS}",
    "order_paymentevent": f"SELECT id FROM order_paymentevent WHERE order_id IN {ORDERS}",
    "order_paymenteventquantity": "SELECT id FROM order_paymenteventquantity WHERE event_id IN "
    f"(SELECT id FROM order_paymentevent WHERE order_id IN {ORDERS})",
    "payment_source": f"SELECT id FROM payment_source WHERE order_id IN {ORDERS}",
    "payment_transaction": "SELECT id FROM payment_transaction WHERE source_id IN "
    f"(SELECT id FROM payment_source WHERE order_id IN {ORDERS})",
    "order_shippingevent": f"SELECT id FROM order_shippingevent WHERE order_id IN {ORDERS}",
    "order_shippingeventquantity": "SELECT id FROM order_shippingeventquantity WHERE event_id IN "
    f"(SELECT id FROM order_shippingevent WHERE order_id IN {ORDERS})",
    "order_orderstatuschange": f"SELECT id FROM order_orderstatuschange WHERE order_id IN {ORDERS}",
    "order_communicationevent": "SELECT id FROM order_communicationevent "
    f"WHERE order_id IN {ORDERS}",
    "order_ordernote": f"SELECT id FROM order_ordernote WHERE order_id IN {ORDERS}",
    "voucher_voucherapplication": "SELECT id FROM voucher_voucherapplication "
    f"WHERE user_id = :u OR order_id IN {ORDERS}",
    "basket_basket": "SELECT id FROM basket_basket WHERE owner_id = :u",
    "basket_line": "SELECT id FROM basket_line WHERE basket_id IN "
    "(SELECT id FROM basket_basket WHERE owner_id = :u)",
    "wishlists_wishlist": "SELECT id FROM wishlists_wishlist WHERE owner_id = :u",
    "wishlists_line": "SELECT id FROM wishlists_line WHERE wishlist_id IN "
    "(SELECT id FROM wishlists_wishlist WHERE owner_id = :u)",
    "customer_productalert": "SELECT id FROM customer_productalert "
    "WHERE user_id = :u OR email = :e",
    "reviews_productreview": "SELECT id FROM reviews_productreview "
    "WHERE user_id = :u OR email = :e",
    "reviews_vote": "SELECT id FROM reviews_vote WHERE user_id = :u",
    "analytics_userproductview": "SELECT id FROM analytics_userproductview WHERE user_id = :u",
    "analytics_usersearch": "SELECT id FROM analytics_usersearch WHERE user_id = :u",
}


@pytest.fixture
def nicori(oscar_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    populate(oscar_url, CUSTOMERS)
    monkeypatch.setenv("NICORI_DATABASE_URL", oscar_url)
    project = load_project(copy_example("nicori", tmp_path))
    yield project
    release(project)


def query(url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(sa.text(sql), params)]
    engine.dispose()
    return rows


def owned(url: str, user: int) -> dict[str, set[int]]:
    (email,) = query(url, "SELECT email FROM auth_user WHERE id = :u", u=user)[0]
    found = {t: {r[0] for r in query(url, sql, u=user, e=email)} for t, sql in OWNED_SQL.items()}
    return {table: keys for table, keys in found.items() if keys}


def test_the_customer_is_one_who_also_ordered_as_a_guest(oscar_url: str, nicori: Project) -> None:
    assert has_guest_orders(CUSTOMER)
    mine = owned(oscar_url, CUSTOMER)
    guest = query(
        oscar_url,
        "SELECT count(*) FROM order_order o JOIN auth_user u ON u.email = o.guest_email "
        "WHERE u.id = :u AND o.user_id IS NULL",
        u=CUSTOMER,
    )[0][0]
    assert guest == 1 and len(mine["order_order"]) >= 2
    assert {"customer_productalert", "wishlists_wishlist", "reviews_vote"} <= set(mine)


def test_access_finds_exactly_the_rows_written_in_sql(oscar_url: str, nicori: Project) -> None:
    result = access(nicori, Identity("email", owned_email(oscar_url, CUSTOMER))).to_json()
    exported = {t: {row["id"] for row in rows} for t, rows in result["tables"].items()}
    assert exported == owned(oscar_url, CUSTOMER)
    # The order's own copy of the address is exported with the order.
    copies = result["tables"]["order_shippingaddress"]
    (line1,) = query(
        oscar_url, "SELECT line1 FROM address_useraddress WHERE user_id = :u", u=CUSTOMER
    )[0]
    assert {row["line1"] for row in copies} == {line1}


def owned_email(url: str, user: int) -> str:
    return str(query(url, "SELECT email FROM auth_user WHERE id = :u", u=user)[0][0])


MASKED = {
    "order_shippingaddress": (
        "first_name",
        "last_name",
        "line1",
        "line4",
        "state",
        "postcode",
        "phone_number",
        "search_text",
    ),
    "order_billingaddress": ("first_name", "last_name", "line1", "line4", "state", "postcode"),
}


KEPT_WHOLE = {
    "order_line",
    "order_lineattribute",
    "order_lineprice",
    "order_orderdiscount",
    "order_orderlinediscount",
    "order_surcharge",
    "order_paymenteventquantity",
    "payment_transaction",
    "order_shippingevent",
    "order_shippingeventquantity",
    "order_orderstatuschange",
    "order_communicationevent",
}


@pytest.mark.parametrize("who", [CUSTOMER, REVIEWER], ids=["customer", "reviewer"])
def test_erasure_keeps_orders_masked_and_changes_no_one_elses_row(
    oscar_url: str, nicori: Project, who: int
) -> None:
    mine = owned(oscar_url, who)
    before = snapshot(oscar_url)
    report = erase(nicori, Identity("user_id", str(who))).to_json()
    assert report["verified"] is True
    after = snapshot(oscar_url)

    for table, rows in before.items():
        for key, row in rows.items():
            if len(key) != 1 or key[0] not in mine.get(table, set()):
                assert after[table].get(key) == row, (table, key)
    gone = {
        "auth_user",
        "address_useraddress",
        "basket_basket",
        "basket_line",
        "wishlists_wishlist",
        "wishlists_line",
        "customer_productalert",
        "reviews_vote",
        "analytics_userproductview",
        "analytics_usersearch",
        "order_ordernote",
        "voucher_voucherapplication",
    }
    for table in gone & set(mine):
        assert not set(after[table]) & {(k,) for k in mine[table]}, table
    # Orders stay for the statutory period: amounts and numbers as they were, no one's address.
    for key in mine["order_order"]:
        old, new = before["order_order"][(key,)], after["order_order"][(key,)]
        for column in ("number", "total_incl_tax", "shipping_incl_tax", "date_placed", "status"):
            assert new[column] == old[column]
        assert new["guest_email"] == "" and new["user_id"] is None
    for table, columns in MASKED.items():
        for key in mine[table]:
            row = after[table][(key,)]
            assert all(row[c] == "" for c in columns), (table, key)
            assert row["country_id"] == "JP"
    for table in KEPT_WHOLE & set(mine):  # what the books keep beside each order
        for key in mine[table]:
            assert after[table][(key,)] == before[table][(key,)], (table, key)
    for key in mine["payment_source"]:  # the card's label goes, the amounts stay
        old, new = before["payment_source"][(key,)], after["payment_source"][(key,)]
        assert new["label"] == "" and old["label"].startswith("VISA")
        assert (new["amount_debited"], new["reference"]) == (
            old["amount_debited"],
            old["reference"],
        )
    for key in mine["order_paymentevent"]:
        assert (
            after["order_paymentevent"][(key,)]["amount"]
            == (before["order_paymentevent"][(key,)]["amount"])
        )
    if who == REVIEWER:  # others voted on the review: it stays, without its text or author
        (review,) = mine["reviews_productreview"]
        row = after["reviews_productreview"][(review,)]
        assert (row["title"], row["body"], row["name"], row["email"]) == ("", "", "", "")
        assert row["score"] == before["reviews_productreview"][(review,)]["score"]


def test_rectification_and_restriction(oscar_url: str, nicori: Project) -> None:
    identity = Identity("user_id", str(CUSTOMER))
    before = snapshot(oscar_url)
    report = rectify(nicori, identity, {"address_useraddress.postcode": "150-0001"}).to_json()
    assert [c["rows"] for c in report["changes"]] == [1]
    after = snapshot(oscar_url)
    changed = {
        (t, k) for t, rows in after.items() for k, row in rows.items() if before[t].get(k) != row
    }
    (address,) = owned(oscar_url, CUSTOMER)["address_useraddress"]
    assert changed == {("address_useraddress", (address,))}
    assert after["address_useraddress"][(address,)]["postcode"] == "150-0001"

    restrict(nicori, identity)
    assert snapshot(oscar_url) == after
    assert is_restricted(nicori, identity)
    assert not is_restricted(nicori, Identity("user_id", str(REVIEWER)))


def test_orders_are_bound_to_the_statutory_rule_the_policy_does_not_publish(
    oscar_url: str, nicori: Project
) -> None:
    now = retention_plan(nicori, now=datetime(2026, 3, 1)).to_json()
    sweeps = {s["table"]: s for s in now["sweeps"] if s["rule"] == "transactions"}
    assert set(sweeps) == {"order_order"}  # the rest goes with the order (test_seed_retention_runs)
    assert all(s["due"] == 0 and s["period"] == "7 years" for s in sweeps.values())
    later = retention_plan(nicori, now=datetime(2033, 3, 2)).to_json()
    total = query(oscar_url, "SELECT count(*) FROM order_order")[0][0]
    due = next(s for s in later["sweeps"] if s["table"] == "order_order")
    refunded = query(  # a refund a month later keeps its order until its own period is over
        oscar_url,
        "SELECT count(DISTINCT order_id) FROM order_paymentevent WHERE date_created >= :c",
        c=datetime(2026, 3, 2, tzinfo=UTC),
    )[0][0]
    assert due["due"] == total - refunded and due["kept_with_later_rows"] == refunded
    for lang in ("ja", "en"):
        text = render_policy(nicori.policy, lang, "md")
        assert "法人税法" not in text and "Corporation Tax Act" not in text


def test_the_demo_fills_a_migrated_shop_once_and_serves_it(
    oscar_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from policykeeper.web.demo import demo_app

    monkeypatch.setenv("NICORI_DATABASE_URL", oscar_url)
    project = copy_example("nicori", tmp_path)
    demo = demo_app(project, users=12)
    assert demo.generated is not None and demo.generated["auth_user"] == 12
    assert demo_app(project).generated is None  # the second run keeps the shop as it is
    with TestClient(demo.app) as client:
        page = client.get("/", headers={"Accept-Language": "ja"})
    assert page.status_code == 200 and "Nicori" in page.text


def test_the_demo_on_an_unmigrated_database_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from policykeeper.cli import app

    monkeypatch.setenv("NICORI_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    (tmp_path / "empty.sqlite3").touch()
    project = copy_example("nicori", tmp_path)
    result = CliRunner().invoke(app, ["demo", str(project)])
    assert result.exit_code == 2
    assert "run django-oscar's migrations" in result.stderr
    assert result.stderr.strip().count("\n") == 0
