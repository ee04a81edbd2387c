"""Nicori's web shop as django-oscar stores it: synthetic customers in oscar's own schema.

The schema is whatever django-oscar's migrations created (`manage.py migrate`); nothing here
defines a table. Rows are written as Django would: every NOT NULL column a row leaves out gets
Django's empty value, since Django sets no database defaults. Deterministic for a seed.

As in a real shop, each order carries its own copy of the shipping and billing address (the
address book entry's text at the time), some customers also ordered or asked for stock alerts
as guests under the same email address, and other customers vote on their reviews. Each order
has what oscar's checkout, payment and dispatch write beside it: line prices, a payment source
and its transactions, payment and shipping events with their line quantities, a status change
and the confirmation email's event; some orders also have a gift option on the line, a voucher
discount, a cash-on-delivery surcharge, or a refund a month later with a staff note.
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
        for table, names in TYPES.items():
            for code, name in names:
                self.add(table, code=code, name=name)
        self.add(
            "communication_communicationeventtype",
            code="ORDER_PLACED",
            name="ご注文確認",
            category="Order related",
            date_created=EPOCH,
            date_updated=EPOCH,
        )
        self.add(
            "voucher_voucher",
            name="初回購入クーポン",
            code="WELCOME10",
            usage="Single use",
            start_datetime=EPOCH - timedelta(days=1000),
            end_datetime=EPOCH + timedelta(days=1000),
            total_discount=Decimal(0),
            date_created=EPOCH - timedelta(days=1000),
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
        line = self.add(
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
        self.around(order, line, price, placed, user)

    def around(
        self, order: int, line: int, price: Decimal, placed: datetime, user: int | None
    ) -> None:
        """What oscar writes beside an order at checkout, payment and dispatch."""
        total = price + 500
        self.add(
            "order_lineprice",
            order_id=order,
            line_id=line,
            quantity=1,
            price_incl_tax=price,
            price_excl_tax=price,
        )
        if order % 3 == 0:
            self.add("order_lineattribute", line_id=line, type="のし", value="御祝")
        if order % 5 == 0:
            discount = self.add(
                "order_orderdiscount",
                order_id=order,
                category="Basket",
                offer_name="初回購入10%オフ",
                voucher_id=1,
                voucher_code="WELCOME10",
                frequency=1,
                amount=price // 10,
            )
            self.add(
                "order_orderlinediscount",
                line_id=line,
                order_discount_id=discount,
                amount=price // 10,
                is_incl_tax=True,
            )
            self.add(
                "voucher_voucherapplication",
                voucher_id=1,
                user_id=user,
                order_id=order,
                date_created=placed,
            )
        if order % 6 == 0:
            self.add(
                "order_surcharge",
                order_id=order,
                name="代引き手数料",
                code="cod",
                incl_tax=Decimal(330),
                excl_tax=Decimal(300),
            )
        source = self.add(
            "payment_source",
            order_id=order,
            source_type_id=1,
            currency="JPY",
            amount_allocated=total,
            amount_debited=total,
            reference=f"ch_{order:08d}",
            label=f"VISA ****{1000 + order % 9000}",
        )
        self.add(
            "payment_transaction",
            source_id=source,
            txn_type="Debit",
            amount=total,
            reference=f"tx_{order:08d}",
            status="Success",
            date_created=placed,
        )
        shipped = placed + timedelta(days=2)
        shipping = self.add(
            "order_shippingevent",
            order_id=order,
            event_type_id=1,
            notes=f"宅配便 伝票番号 {400000000000 + order}",
            date_created=shipped,
        )
        self.add("order_shippingeventquantity", event_id=shipping, line_id=line, quantity=1)
        paid = self.add(
            "order_paymentevent",
            order_id=order,
            amount=total,
            reference=f"pay_{self.rng.getrandbits(40):010x}",
            date_created=placed,
            event_type_id=1,
        )
        self.add("order_paymenteventquantity", event_id=paid, line_id=line, quantity=1)
        self.add(
            "order_orderstatuschange",
            order_id=order,
            old_status="Pending",
            new_status="Complete",
            date_created=shipped,
        )
        self.add("order_communicationevent", order_id=order, event_type_id=1, date_created=placed)
        if order % 4 == 0:
            refunded = placed + timedelta(days=40)
            self.add(
                "order_paymentevent",
                order_id=order,
                amount=total,
                reference=f"re_{order:08d}",
                date_created=refunded,
                event_type_id=2,
                shipping_event_id=shipping,
            )
            self.add(
                "payment_transaction",
                source_id=source,
                txn_type="Refund",
                amount=total,
                reference=f"rf_{order:08d}",
                status="Success",
                date_created=refunded,
            )
            self.add(
                "order_ordernote",
                order_id=order,
                note_type="Info",
                message="お客様のご都合により返品を承り、返金しました。",
                date_created=refunded,
                date_updated=refunded,
            )


TYPES = {
    "order_paymenteventtype": [("paid", "支払済み"), ("refunded", "返金済み")],
    "order_shippingeventtype": [("shipped", "発送済み")],
    "payment_sourcetype": [("card", "クレジットカード")],
}
"""Event and source types the order's rows name, as the shop's staff set them up."""


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
