"""Nicori's web shop as django-oscar stores it: synthetic customers in oscar's own schema.

The schema is whatever django-oscar's migrations created (`manage.py migrate`); nothing here
defines a table. Rows are written as Django would: every NOT NULL column a row leaves out gets
Django's empty value, since Django sets no database defaults. Deterministic for a seed.

As in a real shop, each order carries its own copy of the shipping and billing address (the
address book entry's text at the time), some customers also ordered or asked for stock alerts
as guests under the same email address, and other customers vote on their reviews.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from faker import Faker

from policykeeper.errors import InputError

NEEDED = ("auth_user", "address_useraddress", "order_order", "order_shippingaddress")
EPOCH = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PRODUCTS = ["手ぬぐい 麻の葉", "有田焼 マグカップ", "南部鉄器 急須", "今治タオル", "信楽焼 小皿"]


def populate(url: str, customers: int, *, seed: int = 1) -> dict[str, int]:
    """Fill a database that django-oscar's migrations created; rows written per table."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            metadata = sa.MetaData()
            metadata.reflect(connection)
            absent = [name for name in NEEDED if name not in metadata.tables]
            if absent:
                raise InputError(
                    f"{', '.join(absent)} missing: run django-oscar's migrations on this "
                    "database first (manage.py migrate)"
                )
            return _Shop(connection, metadata, seed).fill(customers)
    finally:
        engine.dispose()


def has_guest_orders(index: int) -> bool:
    """Customers 3, 10, 17, ... also ordered once as a guest under their address."""
    return index % 7 == 3


class _Shop:
    def __init__(self, connection: sa.Connection, metadata: sa.MetaData, seed: int) -> None:
        self.connection = connection
        self.tables = metadata.tables
        self.rng = random.Random(seed)
        self.fake = Faker("ja_JP")
        self.fake.seed_instance(seed)
        self.counts: dict[str, int] = {}
        self.ids: dict[str, int] = {}

    def add(self, table: str, **row: Any) -> int:
        live = self.tables[table]
        if "id" in live.c and "id" not in row:
            row["id"] = self.ids[table] = self.ids.get(table, 0) + 1
        self.connection.execute(live.insert(), [{**_empty(live, row), **row}])
        self.counts[table] = self.counts.get(table, 0) + 1
        return int(row.get("id", 0))

    def moment(self, days: int = 700) -> datetime:
        return EPOCH - timedelta(seconds=self.rng.randrange(days * 86400))

    def fill(self, customers: int) -> dict[str, int]:
        self.add(
            "address_country",
            iso_3166_1_a2="JP",
            iso_3166_1_a3="JPN",
            iso_3166_1_numeric="392",
            printable_name="日本",
            name="Japan",
            is_shipping_country=True,
        )
        self.add("catalogue_productclass", name="雑貨", slug="goods", requires_shipping=True)
        self.add("partner_partner", code="nicori", name="Nicori")
        for number, title in enumerate(PRODUCTS, start=1):
            self.add(
                "catalogue_product",
                structure="standalone",
                title=title,
                slug=f"item-{number}",
                product_class_id=1,
                is_public=True,
                date_created=EPOCH,
                date_updated=EPOCH,
            )
            self.add(
                "partner_stockrecord",
                partner_sku=f"NC-{number:03d}",
                price_currency="JPY",
                price=Decimal(1000 + 500 * number),
                partner_id=1,
                product_id=number,
                date_created=EPOCH,
                date_updated=EPOCH,
            )
        reviews: list[int] = []
        for index in range(1, customers + 1):
            reviews += self.customer(index, reviews)
        return self.counts

    def customer(self, index: int, reviews: list[int]) -> list[int]:
        fake, rng = self.fake, self.rng
        last, first = fake.last_name(), fake.first_name()
        email = f"{fake.user_name()}{index}@{fake.free_email_domain()}"
        user = self.add(
            "auth_user",
            password=f"pbkdf2_sha256$600000${rng.getrandbits(48):012x}$x",
            username=f"customer{index}",
            first_name=first,
            last_name=last,
            email=email,
            is_active=True,
            date_joined=self.moment(900),
        )
        address = {
            "title": "",
            "first_name": first,
            "last_name": last,
            "line1": f"{fake.town()}{fake.chome()}{fake.ban()}",
            "line4": fake.city(),
            "state": fake.prefecture(),
            "postcode": fake.zipcode(),
            "country_id": "JP",
            "phone_number": fake.phone_number(),
        }
        self.add(
            "address_useraddress",
            user_id=user,
            hash=f"{rng.getrandbits(32):08x}",
            date_created=self.moment(),
            is_default_for_shipping=True,
            **address,
        )
        basket = self.add("basket_basket", owner_id=user, status="Open", date_created=self.moment())
        product = rng.randrange(1, len(PRODUCTS) + 1)
        self.add(
            "basket_line",
            basket_id=basket,
            line_reference=f"{product}_{product}",
            quantity=1,
            price_currency="JPY",
            price_incl_tax=Decimal(1000 + 500 * product),
            product_id=product,
            stockrecord_id=product,
            date_created=self.moment(),
            date_updated=EPOCH,
        )
        for _ in range(rng.randrange(1, 3)):
            self.order(address, user=user)
        if has_guest_orders(index):
            self.order(address, guest_email=email)
            self.add(
                "customer_productalert",
                email=email,
                key=f"{rng.getrandbits(64):016x}",
                status="Active",
                date_created=self.moment(),
                product_id=product,
            )
        if index % 2:
            wishlist = self.add(
                "wishlists_wishlist",
                owner_id=user,
                name="ほしいもの",
                key=f"w{index:05d}",
                visibility="Private",
                date_created=self.moment(),
            )
            self.add(
                "wishlists_line",
                wishlist_id=wishlist,
                product_id=product,
                quantity=1,
                title=PRODUCTS[product - 1],
            )
        self.add(
            "analytics_userproductview",
            user_id=user,
            product_id=product,
            date_created=self.moment(),
        )
        self.add(
            "analytics_usersearch",
            user_id=user,
            query=PRODUCTS[product - 1][:3],
            date_created=self.moment(),
        )
        for review in reviews[-2:]:
            self.add(
                "reviews_vote", review_id=review, user_id=user, delta=1, date_created=self.moment()
            )
        if index % 3 == 1:
            review = self.add(
                "reviews_productreview",
                product_id=product,
                user_id=user,
                score=rng.randrange(3, 6),
                title="とても良い",
                body=f"{PRODUCTS[product - 1]}を購入しました。丁寧な梱包でした。",
                name=f"{last} {first}",
                email=email,
                status=1,
                date_created=self.moment(),
            )
            return [review]
        return []

    def order(
        self, address: dict[str, Any], *, user: int | None = None, guest_email: str = ""
    ) -> None:
        """An order with its own copies of the address, a line and a payment event."""
        copy = {k: v for k, v in address.items()}
        shipping = self.add("order_shippingaddress", **copy)
        billing = self.add(
            "order_billingaddress", **{k: v for k, v in copy.items() if k != "phone_number"}
        )
        product = self.rng.randrange(1, len(PRODUCTS) + 1)
        price = Decimal(1000 + 500 * product)
        placed = self.moment(900)
        order = self.add(
            "order_order",
            number=f"NC{100000 + self.ids.get('order_order', 0) + 1}",
            currency="JPY",
            total_incl_tax=price + 500,
            total_excl_tax=price + 500,
            shipping_incl_tax=Decimal(500),
            shipping_excl_tax=Decimal(500),
            shipping_method="宅配便",
            shipping_code="standard",
            status="Complete",
            guest_email=guest_email,
            date_placed=placed,
            user_id=user,
            shipping_address_id=shipping,
            billing_address_id=billing,
        )
        self.add(
            "order_line",
            order_id=order,
            partner_name="Nicori",
            partner_sku=f"NC-{product:03d}",
            title=PRODUCTS[product - 1],
            quantity=1,
            line_price_incl_tax=price,
            line_price_excl_tax=price,
            line_price_before_discounts_incl_tax=price,
            line_price_before_discounts_excl_tax=price,
            status="Complete",
            partner_id=1,
            product_id=product,
            stockrecord_id=product,
        )
        if "order_paymenteventtype" in self.tables and not self.counts.get(
            "order_paymenteventtype"
        ):
            self.add("order_paymenteventtype", name="Paid", code="paid")
        self.add(
            "order_paymentevent",
            order_id=order,
            amount=price + 500,
            reference=f"pay_{self.rng.getrandbits(40):010x}",
            date_created=placed,
            event_type_id=1,
        )


_MOMENT = datetime(2025, 1, 1, tzinfo=UTC)


def _empty(table: sa.Table, given: dict[str, Any]) -> dict[str, Any]:
    """Django's empty value for each NOT NULL column the row leaves out."""
    values: dict[str, Any] = {}
    for column in table.c:
        if column.name in given or column.nullable:
            continue
        kind = column.type
        if isinstance(kind, sa.Boolean):
            values[column.name] = False
        elif isinstance(kind, sa.DateTime):
            values[column.name] = _MOMENT
        elif isinstance(kind, sa.Date):
            values[column.name] = date(2025, 1, 1)
        elif isinstance(kind, sa.String | sa.Text):
            values[column.name] = ""
        elif isinstance(kind, sa.Integer | sa.Numeric | sa.Float):
            values[column.name] = 0
    return values
