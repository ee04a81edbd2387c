"""`init`, `access` and `erase` on django-oscar's real schema (created by its own migrations),
where two customers share a country, a product, a voucher and an address: Aiko and Ben live
together, keep identical address-book entries, ship to one shipping address row, and bought
the same product with the same voucher. Chie lives elsewhere. Row counts are checked against
SQL written here, and every row that is not Aiko's is byte-identical after her erasure.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from engine_kit import snapshot
from oscar_kit import insert
from shop_kit import rows_of
from typer.testing import CliRunner

from policykeeper.cli import app

runner = CliRunner()
AIKO, BEN, CHIE = 1, 2, 3
EMAIL = {AIKO: "aiko@example.jp", BEN: "ben@example.jp", CHIE: "chie@example.co.uk"}
WHEN = datetime(2025, 9, 1, tzinfo=UTC)

# Aiko's rows, written from oscar's schema by hand: independent of the engine.
AIKOS = {
    "auth_user": "SELECT id FROM auth_user WHERE id = :u",
    "address_useraddress": "SELECT id FROM address_useraddress WHERE user_id = :u",
    "basket_basket": "SELECT id FROM basket_basket WHERE owner_id = :u",
    "basket_line": "SELECT id FROM basket_line WHERE basket_id IN "
    "(SELECT id FROM basket_basket WHERE owner_id = :u)",
    "basket_basket_vouchers": "SELECT id FROM basket_basket_vouchers WHERE basket_id IN "
    "(SELECT id FROM basket_basket WHERE owner_id = :u)",
    "order_order": "SELECT id FROM order_order WHERE user_id = :u",
    "order_line": "SELECT id FROM order_line WHERE order_id IN "
    "(SELECT id FROM order_order WHERE user_id = :u)",
    "order_shippingaddress": "SELECT shipping_address_id FROM order_order WHERE user_id = :u",
    "order_billingaddress": "SELECT billing_address_id FROM order_order WHERE user_id = :u",
    "voucher_voucherapplication": "SELECT id FROM voucher_voucherapplication WHERE user_id = :u",
    "reviews_productreview": "SELECT id FROM reviews_productreview WHERE user_id = :u",
    "analytics_userproductview": "SELECT id FROM analytics_userproductview WHERE user_id = :u",
    "wishlists_wishlist": "SELECT id FROM wishlists_wishlist WHERE owner_id = :u",
    "wishlists_line": "SELECT id FROM wishlists_line WHERE wishlist_id IN "
    "(SELECT id FROM wishlists_wishlist WHERE owner_id = :u)",
}


def _shop(connection: sa.Connection) -> None:
    metadata = sa.MetaData()
    metadata.reflect(connection)

    def add(table: str, *rows: dict[str, object]) -> None:
        insert(connection, metadata.tables[table], list(rows))

    add(
        "address_country",
        {
            "iso_3166_1_a2": "JP",
            "iso_3166_1_a3": "JPN",
            "iso_3166_1_numeric": "392",
            "printable_name": "Japan",
            "name": "Japan",
            "is_shipping_country": True,
        },
        {
            "iso_3166_1_a2": "GB",
            "iso_3166_1_a3": "GBR",
            "iso_3166_1_numeric": "826",
            "printable_name": "United Kingdom",
            "name": "United Kingdom",
            "is_shipping_country": True,
        },
    )
    add("catalogue_productclass", {"id": 1, "name": "Books", "slug": "books"})
    add(
        "catalogue_product",
        {
            "id": 1,
            "structure": "standalone",
            "title": "吾輩は猫である",
            "slug": "neko",
            "product_class_id": 1,
            "is_public": True,
            "date_created": WHEN,
            "date_updated": WHEN,
        },
        {
            "id": 2,
            "structure": "standalone",
            "title": "Emma",
            "slug": "emma",
            "product_class_id": 1,
            "is_public": True,
            "date_created": WHEN,
            "date_updated": WHEN,
        },
    )
    add("partner_partner", {"id": 1, "code": "books", "name": "Books Ltd"})
    add(
        "partner_stockrecord",
        *(
            {
                "id": p,
                "partner_sku": f"SKU{p}",
                "price_currency": "JPY",
                "price": Decimal(1500),
                "partner_id": 1,
                "product_id": p,
                "date_created": WHEN,
                "date_updated": WHEN,
            }
            for p in (1, 2)
        ),
    )
    add(
        "voucher_voucher",
        {
            "id": 1,
            "name": "Welcome",
            "code": "WELCOME",
            "usage": "Multi-use",
            "start_datetime": WHEN,
            "end_datetime": datetime(2030, 1, 1, tzinfo=UTC),
            "num_orders": 2,
            "date_created": WHEN,
        },
    )
    add(
        "auth_user",
        *(
            {
                "id": u,
                "password": f"pbkdf2_sha256$x${u}",
                "username": name,
                "first_name": name,
                "last_name": "Yamada" if u != CHIE else "Smith",
                "email": EMAIL[u],
                "is_active": True,
                "date_joined": WHEN,
            }
            for u, name in ((AIKO, "aiko"), (BEN, "ben"), (CHIE, "chie"))
        ),
    )
    home = {
        "title": "",
        "line1": "1-1 Jingumae",
        "line4": "Shibuya",
        "state": "Tokyo",
        "postcode": "150-0001",
        "country_id": "JP",
        "phone_number": "+81312345678",
        "hash": "1234567",
        "date_created": WHEN,
    }
    add(
        "address_useraddress",
        {"id": 1, "user_id": AIKO, "first_name": "Aiko", "last_name": "Yamada", **home},
        {"id": 2, "user_id": BEN, "first_name": "Aiko", "last_name": "Yamada", **home},
        {
            "id": 3,
            "user_id": CHIE,
            "first_name": "Chie",
            "last_name": "Smith",
            "line1": "1 Baker St",
            "postcode": "NW1",
            "country_id": "GB",
            "hash": "7654321",
            "date_created": WHEN,
        },
    )
    ship = {k: v for k, v in home.items() if k not in {"hash", "date_created"}}
    add(
        "order_shippingaddress",
        {"id": 1, "first_name": "Aiko", "last_name": "Yamada", **ship},
        {
            "id": 2,
            "first_name": "Chie",
            "last_name": "Smith",
            "line1": "1 Baker St",
            "country_id": "GB",
        },
    )
    add(
        "order_billingaddress",
        *(
            {
                "id": u,
                "first_name": EMAIL[u].split("@")[0],
                "last_name": "Yamada",
                "line1": "1-1 Jingumae",
                "country_id": "JP",
            }
            for u in (AIKO, BEN)
        ),
        {
            "id": CHIE,
            "first_name": "Chie",
            "last_name": "Smith",
            "line1": "1 Baker St",
            "country_id": "GB",
        },
    )
    add(
        "basket_basket",
        *(
            {
                "id": u,
                "owner_id": u,
                "status": "Submitted",
                "date_created": WHEN,
                "date_submitted": WHEN,
            }
            for u in (AIKO, BEN, CHIE)
        ),
    )
    product_of = {AIKO: 1, BEN: 1, CHIE: 2}
    add(
        "basket_line",
        *(
            {
                "id": u,
                "basket_id": u,
                "line_reference": f"1_{product_of[u]}",
                "quantity": 1,
                "price_currency": "JPY",
                "price_excl_tax": Decimal(1500),
                "price_incl_tax": Decimal(1650),
                "product_id": product_of[u],
                "stockrecord_id": product_of[u],
                "date_created": WHEN,
                "date_updated": WHEN,
            }
            for u in (AIKO, BEN, CHIE)
        ),
    )
    add(
        "basket_basket_vouchers",
        {"id": 1, "basket_id": AIKO, "voucher_id": 1},
        {"id": 2, "basket_id": BEN, "voucher_id": 1},
    )
    add(
        "order_order",
        *(
            {
                "id": u,
                "number": f"1000{u}",
                "currency": "JPY",
                "total_incl_tax": Decimal(1650),
                "total_excl_tax": Decimal(1500),
                "shipping_incl_tax": 0,
                "shipping_excl_tax": 0,
                "shipping_method": "Free shipping",
                "shipping_code": "free",
                "status": "Pending",
                "date_placed": datetime(2025, 9, u, tzinfo=UTC),
                "basket_id": u,
                "user_id": u,
                "shipping_address_id": 2 if u == CHIE else 1,
                "billing_address_id": u,
                "site_id": 1,
            }
            for u in (AIKO, BEN, CHIE)
        ),
    )
    add(
        "order_line",
        *(
            {
                "id": u,
                "order_id": u,
                "partner_id": 1,
                "partner_name": "Books Ltd",
                "partner_sku": f"SKU{product_of[u]}",
                "title": "book",
                "quantity": 1,
                "line_price_incl_tax": Decimal(1650),
                "line_price_excl_tax": Decimal(1500),
                "line_price_before_discounts_incl_tax": Decimal(1650),
                "line_price_before_discounts_excl_tax": Decimal(1500),
                "status": "Pending",
                "product_id": product_of[u],
                "stockrecord_id": product_of[u],
            }
            for u in (AIKO, BEN, CHIE)
        ),
    )
    add(
        "voucher_voucherapplication",
        *(
            {"id": u, "voucher_id": 1, "user_id": u, "order_id": u, "date_created": WHEN}
            for u in (AIKO, BEN)
        ),
    )
    add(
        "reviews_productreview",
        *(
            {
                "id": u,
                "product_id": 1,
                "user_id": u,
                "score": 5,
                "title": "良い",
                "body": "猫が好き",
                "status": 1,
                "date_created": WHEN,
            }
            for u in (AIKO, BEN)
        ),
    )
    add(
        "analytics_userproductview",
        *({"id": u, "product_id": 1, "user_id": u, "date_created": WHEN} for u in (AIKO, BEN)),
    )
    add(
        "wishlists_wishlist",
        {
            "id": 1,
            "owner_id": AIKO,
            "name": "欲しい",
            "key": "k1",
            "visibility": "Private",
            "date_created": WHEN,
        },
    )
    add(
        "wishlists_line",
        {"id": 1, "wishlist_id": 1, "product_id": 2, "quantity": 1, "title": "Emma"},
    )


@pytest.fixture
def oscar_shop(oscar_url: str) -> Iterator[str]:
    engine = sa.create_engine(oscar_url)
    with engine.begin() as connection:
        _shop(connection)
    engine.dispose()
    yield oscar_url


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def aikos(url: str) -> dict[str, set[tuple[object, ...]]]:
    return {table: rows_of(url, sql, u=AIKO) for table, sql in AIKOS.items()}


def test_init_access_erase_on_oscar(oscar_shop: str, tmp_path: Path) -> None:
    directory = tmp_path / "shop"
    code, _, err = run("init", str(directory), "--db", oscar_shop, "--identity", "auth_user.email")
    assert code == 0, err
    code, _, err = run("validate", str(directory))
    assert code == 0, err
    drafted = (directory / "datamap.yaml").read_text(encoding="utf-8")
    for lookup in ("address_country", "catalogue_product", "voucher_voucher", "partner_partner"):
        assert f"  {lookup}:\n    rows: reference" in drafted

    expected = aikos(oscar_shop)
    code, out, err = run("access", str(directory), "--identity", f"email={EMAIL[AIKO]}")
    assert code == 0, err
    tables = json.loads(out)["tables"]
    assert {name for name, rows in tables.items() if rows} == set(expected)
    for table, keys in expected.items():
        found = [(row["id"],) for row in tables[table]]
        assert len(found) == len(keys) and set(found) == keys, table

    before = snapshot(oscar_shop)
    code, out, err = run("erase", str(directory), "--identity", f"email={EMAIL[AIKO]}", "--json")
    assert code == 0, err
    report = json.loads(out)
    after = snapshot(oscar_shop)
    assert report["verified"]

    # Every row that is not Aiko's is byte for byte as it was: Ben's, Chie's, the catalogue,
    # the country, the voucher and its counters, and the shipping address Ben also uses.
    for table, rows in before.items():
        mine = expected.get(table, set())
        for key, row in rows.items():
            if key not in mine:
                assert after[table].get(key) == row, (table, key)
    assert after["order_shippingaddress"][(1,)] == before["order_shippingaddress"][(1,)]
    assert "shared" in report["tables"]["order_shippingaddress"]["kept_rows"][0]["reason"]

    # Aiko's own rows: deleted, or kept (the order for 7 years) with nothing of her in clear.
    for table in (
        "address_useraddress",
        "reviews_productreview",
        "analytics_userproductview",
        "wishlists_wishlist",
        "wishlists_line",
        "voucher_voucherapplication",
        "basket_line",
        "basket_basket_vouchers",
    ):
        assert not expected[table] & set(after[table]), table
    order = after["order_order"][(AIKO,)]
    assert order["total_incl_tax"] == before["order_order"][(AIKO,)]["total_incl_tax"]
    billing = after["order_billingaddress"][(AIKO,)]
    assert billing["line1"].startswith("pk:") and billing["first_name"].startswith("pk:")
    account = after["auth_user"][(AIKO,)]
    assert account["email"].startswith("pk:") and account["first_name"].startswith("pk:")
    assert report["tables"]["order_order"]["kept_rows"][0]["delete_after"] == "2032-09-01"


def test_the_reported_oscar_bug_cannot_recur(oscar_shop: str, tmp_path: Path) -> None:
    """As reported: countries owned through a customer's address, and addresses through
    countries. Nothing of Ben's or of Japan is reached, and erasure stops, changing nothing."""
    directory = tmp_path / "shop"
    assert run("init", str(directory), "--db", oscar_shop, "--identity", "auth_user.email")[0] == 0
    path = directory / "datamap.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "  address_country:\n    rows: reference\n",
        "  address_country:\n    rows: owned\n"
        "    via:\n      - {table: address_useraddress, join: {iso_3166_1_a2: country_id}}\n",
    )
    text = text.replace(
        "  address_useraddress:\n    rows: owned\n    via:\n",
        "  address_useraddress:\n    rows: owned\n    via:\n"
        "      - {table: address_country, join: {country_id: iso_3166_1_a2}}\n",
    )
    path.write_text(text, encoding="utf-8")
    code, out, _ = run("access", str(directory), "--identity", f"email={EMAIL[AIKO]}")
    assert code == 0
    assert [row["id"] for row in json.loads(out)["tables"]["address_useraddress"]] == [1]
    before = snapshot(oscar_shop)
    code, _, err = run("erase", str(directory), "--identity", f"email={EMAIL[AIKO]}")
    assert code == 1
    assert "erasure stopped, nothing changed: 1 rows of address_country" in err
    assert "address_useraddress.country_id" in err
    assert snapshot(oscar_shop) == before
