"""Audiostock's service database: a stock-audio marketplace where buyers license creators' tracks.

One account table serves both sides. Buyers keep saved cards, place orders whose lines are
licensed tracks, and hold a licence certificate per line. Creators (every tenth account) sell
tracks, earn a royalty on each sale and are paid out to a bank account; their profile is shared
with the Audiostock Artists service under joint use. Devices are known by a cookie before
login, so a guest's activity logs on a device that later signs in are that person's too.

Sales records are what the Corporation Tax Act makes a company keep: orders (with the buyer's
billing details copied in, as shops do), order lines, royalties and payouts. The catalogue
(tracks) points at its creator with a NOT NULL key, so a creator who leaves keeps a masked
profile behind the tracks buyers have licensed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from faker import Faker

from policykeeper.examples.generation import Rows

metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("email", sa.String(255), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(100)),
    sa.Column("display_name", sa.String(60), nullable=False),
    sa.Column("family_name", sa.String(60)),
    sa.Column("given_name", sa.String(60)),
    sa.Column("family_name_kana", sa.String(60)),
    sa.Column("given_name_kana", sa.String(60)),
    sa.Column("postal_code", sa.String(10)),
    sa.Column("prefecture", sa.String(20)),
    sa.Column("address_line", sa.String(200)),
    sa.Column("phone", sa.String(30)),
    sa.Column("date_of_birth", sa.Date),
    sa.Column("gender", sa.String(10)),
    sa.Column("language", sa.String(5), nullable=False, server_default="ja"),
    sa.Column("processing_restricted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_login_at", sa.DateTime),
)

creators = sa.Table(
    "creators",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, unique=True),
    sa.Column("artist_name", sa.String(80), nullable=False),
    sa.Column("withholding_tax", sa.Boolean, nullable=False),
    sa.Column("joined_at", sa.DateTime, nullable=False),
)

creator_bank_accounts = sa.Table(
    "creator_bank_accounts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("creator_id", sa.Integer, sa.ForeignKey("creators.id"), nullable=False, index=True),
    sa.Column("bank_name", sa.String(60), nullable=False),
    sa.Column("branch_name", sa.String(60), nullable=False),
    sa.Column("account_type", sa.String(10), nullable=False),
    sa.Column("account_number", sa.String(10), nullable=False),
    sa.Column("account_holder_kana", sa.String(80), nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

payment_cards = sa.Table(
    "payment_cards",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("brand", sa.String(20), nullable=False),
    sa.Column("last4", sa.String(4), nullable=False),
    sa.Column("expires", sa.String(7), nullable=False),
    sa.Column("gateway_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

genres = sa.Table(
    "genres",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name_ja", sa.String(40), nullable=False),
    sa.Column("name_en", sa.String(40), nullable=False),
)

licence_types = sa.Table(
    "licence_types",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("code", sa.String(20), nullable=False, unique=True),
    sa.Column("name", sa.String(60), nullable=False),
    sa.Column("price_multiplier", sa.Integer, nullable=False),
)

tracks = sa.Table(
    "tracks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("creator_id", sa.Integer, sa.ForeignKey("creators.id"), nullable=False, index=True),
    sa.Column("genre_id", sa.Integer, sa.ForeignKey("genres.id"), nullable=False),
    sa.Column("title", sa.String(120), nullable=False),
    sa.Column("duration_seconds", sa.Integer, nullable=False),
    sa.Column("bpm", sa.Integer),
    sa.Column("price_yen", sa.Integer, nullable=False),
    sa.Column("published_at", sa.DateTime, nullable=False),
)

payouts = sa.Table(
    "payouts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("creator_id", sa.Integer, sa.ForeignKey("creators.id"), nullable=False, index=True),
    sa.Column("amount_yen", sa.Integer, nullable=False),
    sa.Column("withholding_tax_yen", sa.Integer, nullable=False),
    sa.Column("transfer_fee_yen", sa.Integer, nullable=False),
    sa.Column("bank_name", sa.String(60)),
    sa.Column("branch_name", sa.String(60)),
    sa.Column("account_number_last4", sa.String(4)),
    sa.Column("account_holder_kana", sa.String(80)),
    sa.Column("requested_at", sa.DateTime, nullable=False),
    sa.Column("paid_at", sa.DateTime),
)

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("subtotal_yen", sa.Integer, nullable=False),
    sa.Column("tax_yen", sa.Integer, nullable=False),
    sa.Column("total_yen", sa.Integer, nullable=False),
    sa.Column("payment_method", sa.String(20), nullable=False),
    sa.Column("card_brand", sa.String(20)),
    sa.Column("card_last4", sa.String(4)),
    sa.Column("billing_name", sa.String(120)),
    sa.Column("billing_postal_code", sa.String(10)),
    sa.Column("billing_address", sa.String(240)),
    sa.Column("receipt_addressee", sa.String(120)),
    sa.Column("ordered_at", sa.DateTime, nullable=False),
)

order_items = sa.Table(
    "order_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=False, index=True),
    sa.Column("track_id", sa.Integer, sa.ForeignKey("tracks.id"), nullable=False, index=True),
    sa.Column("licence_type_id", sa.Integer, sa.ForeignKey("licence_types.id"), nullable=False),
    sa.Column("price_yen", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

licences = sa.Table(
    "licences",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column(
        "order_item_id", sa.Integer, sa.ForeignKey("order_items.id"), nullable=False, unique=True
    ),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("licence_code", sa.String(24), nullable=False, unique=True),
    sa.Column("licensee_name", sa.String(120), nullable=False),
    sa.Column("project_title", sa.String(200)),
    sa.Column("issued_at", sa.DateTime, nullable=False),
)

royalties = sa.Table(
    "royalties",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("creator_id", sa.Integer, sa.ForeignKey("creators.id"), nullable=False, index=True),
    sa.Column(
        "order_item_id", sa.Integer, sa.ForeignKey("order_items.id"), nullable=False, index=True
    ),
    sa.Column("payout_id", sa.Integer, sa.ForeignKey("payouts.id"), index=True),
    sa.Column("rate_percent", sa.Integer, nullable=False),
    sa.Column("amount_yen", sa.Integer, nullable=False),
    sa.Column("accrued_at", sa.DateTime, nullable=False),
)

downloads = sa.Table(
    "downloads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("licence_id", sa.Integer, sa.ForeignKey("licences.id"), nullable=False, index=True),
    sa.Column("ip_address", sa.String(45), nullable=False),
    sa.Column("downloaded_at", sa.DateTime, nullable=False),
)

favourites = sa.Table(
    "favourites",
    metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("track_id", sa.Integer, sa.ForeignKey("tracks.id"), primary_key=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

artists_shares = sa.Table(
    "artists_shares",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("creator_id", sa.Integer, sa.ForeignKey("creators.id"), nullable=False, index=True),
    sa.Column("full_name", sa.String(120), nullable=False),
    sa.Column("postal_code", sa.String(10)),
    sa.Column("address", sa.String(240)),
    sa.Column("phone", sa.String(30)),
    sa.Column("email", sa.String(255), nullable=False),
    sa.Column("device_uuid", sa.String(36)),
    sa.Column("shared_at", sa.DateTime, nullable=False),
)
"""What was sent to the Audiostock Artists service under joint use (policy Art. 7): copies."""

devices = sa.Table(
    "devices",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), index=True),
    sa.Column("device_uuid", sa.String(36), nullable=False, unique=True),
    sa.Column("cookie_id", sa.String(32), nullable=False),
    sa.Column("first_seen_at", sa.DateTime, nullable=False),
    sa.Column("last_seen_at", sa.DateTime, nullable=False),
)

activity_logs = sa.Table(
    "activity_logs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), index=True),
    sa.Column("device_id", sa.Integer, sa.ForeignKey("devices.id"), index=True),
    sa.Column("ip_address", sa.String(45), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("path", sa.String(200), nullable=False),
    sa.Column("track_id", sa.Integer, sa.ForeignKey("tracks.id")),
    sa.Column("requested_at", sa.DateTime, nullable=False, index=True),
)

EPOCH = datetime(2026, 3, 1)
CREATOR_EVERY = 10
"""Accounts 1, 11, 21, ... are creators: a marketplace has far more buyers than sellers."""
GENRES = [
    ("ポップ", "Pop"),
    ("ロック", "Rock"),
    ("アンビエント", "Ambient"),
    ("シネマティック", "Cinematic"),
    ("ジャズ", "Jazz"),
    ("和風", "Japanese traditional"),
    ("効果音", "Sound effects"),
    ("ジングル", "Jingles"),
]
LICENCES = [
    ("standard", "スタンダードライセンス", 1),
    ("extended", "拡張ライセンス", 3),
    ("broadcast", "放送ライセンス", 5),
]
ROYALTY_PERCENT = 40
BANKS = [
    ("三菱UFJ銀行", "岡山支店"),
    ("みずほ銀行", "渋谷支店"),
    ("中国銀行", "本店営業部"),
    ("ゆうちょ銀行", "〇一八店"),
    ("楽天銀行", "第一営業支店"),
]
ACTIONS = [
    ("search", "/search"),
    ("view", "/audio/{track}"),
    ("preview", "/audio/{track}/preview"),
    ("view", "/ranking"),
    ("view", "/mypage"),
]


def units(users_count: int) -> int:
    """How many chunks `stream` yields: the progress bar's total."""
    return 2 * users_count + 2


def is_creator(user_id: int) -> bool:
    return user_id % CREATOR_EVERY == 1


def stream(users_count: int, rng: random.Random, fake: Faker) -> Iterator[Rows]:
    """Every row of a marketplace of `users_count` accounts plus guests, parents first.

    Accounts, creators and their catalogue come first, so that every order can license any
    track; then each account's purchases, activity and joint-use records.
    """
    yield {
        genres: [
            {"id": i, "name_ja": ja, "name_en": en} for i, (ja, en) in enumerate(GENRES, start=1)
        ],
        licence_types: [
            {"id": i, "code": code, "name": name, "price_multiplier": multiplier}
            for i, (code, name, multiplier) in enumerate(LICENCES, start=1)
        ],
    }
    world = _World()
    for user_id in range(1, users_count + 1):
        yield _account(user_id, world, rng, fake)
    for user_id in range(1, users_count + 1):
        yield _activity(user_id, world, rng, fake)
    yield _guests(users_count // 3, world, rng, fake)


class _World:
    """What later rows refer to: the catalogue, creators' payouts, ids handed out so far."""

    def __init__(self) -> None:
        self.counters: dict[str, int] = {}
        self.catalogue: list[tuple[int, int, int]] = []
        """(track id, creator id, price in yen)."""
        self.payouts: dict[int, list[tuple[int, datetime]]] = {}
        """Creator id -> (payout id, requested at), oldest first."""
        self.people: dict[int, dict[str, object]] = {}
        """Account id -> the profile fields later rows copy (billing, joint use)."""
        self.devices: dict[int, list[tuple[int, str]]] = {}
        """Account id -> (device id, device uuid)."""

    def next(self, table: sa.Table) -> int:
        self.counters[table.name] = self.counters.get(table.name, 0) + 1
        return self.counters[table.name]


def _moment(rng: random.Random, days: int = 900) -> datetime:
    return EPOCH - timedelta(seconds=rng.randrange(days * 86400))


def _person(user_id: int, rng: random.Random, fake: Faker) -> dict[str, object]:
    """A Japanese resident most of the time; sometimes an overseas buyer."""
    if rng.random() < 0.85:
        ja = fake["ja_JP"]
        family, given = ja.last_name(), ja.first_name()
        return {
            "family_name": family,
            "given_name": given,
            "family_name_kana": ja.last_kana_name(),
            "given_name_kana": ja.first_kana_name(),
            "postal_code": ja.zipcode(),
            "prefecture": ja.prefecture(),
            "address_line": f"{ja.city()}{ja.town()}{ja.chome()}{ja.ban()}{ja.gou()}",
            "phone": ja.phone_number(),
            "language": "ja",
            "full_name": f"{family} {given}",
        }
    en = fake["en_US"]
    family, given = en.last_name(), en.first_name()
    return {
        "family_name": family,
        "given_name": given,
        "family_name_kana": None,
        "given_name_kana": None,
        "postal_code": en.postcode(),
        "prefecture": None,
        "address_line": en.street_address(),
        "phone": en.phone_number()[:30],
        "language": "en",
        "full_name": f"{given} {family}",
    }


def _account(user_id: int, world: _World, rng: random.Random, fake: Faker) -> Rows:
    joined = _moment(rng)
    person = _person(user_id, rng, fake)
    email = f"u{user_id}.{fake['en_US'].user_name()}@{fake['en_US'].free_email_domain()}"
    world.people[user_id] = {**person, "email": email}
    rows: Rows = {
        users: [
            {
                "id": user_id,
                "email": email,
                "password_hash": "$2b$12$" + f"{rng.getrandbits(248):062x}"[:53],
                "display_name": fake["en_US"].user_name()[:50] + str(user_id),
                **{k: v for k, v in person.items() if k != "full_name"},
                "date_of_birth": fake.date_of_birth(minimum_age=18, maximum_age=75),
                "gender": rng.choice(["female", "male", "other", None]),
                "processing_restricted": False,
                "created_at": joined,
                "last_login_at": _moment(rng, 120),
            }
        ],
        payment_cards: [
            {
                "id": world.next(payment_cards),
                "user_id": user_id,
                "brand": rng.choice(["VISA", "Mastercard", "JCB", "AMEX"]),
                "last4": f"{rng.randrange(10000):04d}",
                "expires": f"20{rng.randrange(26, 32)}-{rng.randrange(1, 13):02d}",
                "gateway_token": f"tok_{rng.getrandbits(160):040x}",
                "created_at": joined,
            }
            for _ in range(rng.randrange(0, 3))
        ],
    }
    rows[devices] = []
    world.devices[user_id] = []
    for _ in range(rng.randrange(1, 4)):
        device = _device(world.next(devices), user_id, rng)
        world.devices[user_id].append((device["id"], device["device_uuid"]))
        rows[devices].append(device)
    if is_creator(user_id):
        rows.update(_creator(user_id, joined, world, rng, fake))
    return rows


def _device(device_id: int, user_id: int | None, rng: random.Random) -> dict[str, Any]:
    first = _moment(rng, 600)
    return {
        "id": device_id,
        "user_id": user_id,
        "device_uuid": f"{rng.getrandbits(128):032x}",
        "cookie_id": f"{rng.getrandbits(128):032x}",
        "first_seen_at": first,
        "last_seen_at": first + timedelta(days=rng.randrange(0, 300)),
    }


def _creator(
    user_id: int, joined: datetime, world: _World, rng: random.Random, fake: Faker
) -> Rows:
    creator_id = (user_id - 1) // CREATOR_EVERY + 1
    holder = world.people[user_id]
    kana = f"{holder['family_name_kana'] or holder['family_name']} {holder['given_name_kana'] or holder['given_name']}"
    bank, branch = rng.choice(BANKS)
    rows: Rows = {
        creators: [
            {
                "id": creator_id,
                "user_id": user_id,
                "artist_name": f"{fake['en_US'].word().capitalize()} Sound {creator_id}",
                "withholding_tax": rng.random() < 0.8,
                "joined_at": joined,
            }
        ],
        creator_bank_accounts: [
            {
                "id": world.next(creator_bank_accounts),
                "creator_id": creator_id,
                "bank_name": bank,
                "branch_name": branch,
                "account_type": rng.choice(["普通", "当座"]),
                "account_number": f"{rng.randrange(10**7):07d}",
                "account_holder_kana": kana[:80],
                "updated_at": joined,
            }
        ],
        tracks: [],
        payouts: [],
    }
    for _ in range(rng.randrange(3, 12)):
        track_id = world.next(tracks)
        price = rng.choice([1100, 2200, 3300, 5500])
        world.catalogue.append((track_id, creator_id, price))
        rows[tracks].append(
            {
                "id": track_id,
                "creator_id": creator_id,
                "genre_id": rng.randrange(1, len(GENRES) + 1),
                "title": fake["en_US"].catch_phrase()[:120],
                "duration_seconds": rng.randrange(5, 300),
                "bpm": rng.choice([None, *range(60, 180, 5)]),
                "price_yen": price,
                "published_at": _moment(rng, 800),
            }
        )
    world.payouts[creator_id] = []
    for _ in range(rng.randrange(0, 5)):
        requested = _moment(rng, 700)
        amount = rng.randrange(1000, 80000)
        payout_id = world.next(payouts)
        world.payouts[creator_id].append((payout_id, requested))
        rows[payouts].append(
            {
                "id": payout_id,
                "creator_id": creator_id,
                "amount_yen": amount,
                "withholding_tax_yen": amount * 1021 // 10000,
                "transfer_fee_yen": 330,
                "bank_name": bank,
                "branch_name": branch,
                "account_number_last4": f"{rng.randrange(10000):04d}",
                "account_holder_kana": kana[:80],
                "requested_at": requested,
                "paid_at": requested + timedelta(days=rng.randrange(5, 30)),
            }
        )
    world.payouts[creator_id].sort(key=lambda p: p[1])
    return rows


def _activity(user_id: int, world: _World, rng: random.Random, fake: Faker) -> Rows:
    """One account's purchases, favourites, logs and, for a creator, the joint-use copies."""
    rows: Rows = {
        orders: [],
        order_items: [],
        licences: [],
        royalties: [],
        downloads: [],
        activity_logs: [],
    }
    person = world.people[user_id]
    for _ in range(rng.randrange(0, 4)):
        _order(user_id, person, world, rows, rng, fake)
    liked = rng.sample(world.catalogue, min(len(world.catalogue), rng.randrange(0, 6)))
    rows[favourites] = [
        {"user_id": user_id, "track_id": track, "created_at": _moment(rng, 400)}
        for track, _, _ in liked
    ]
    own_devices = [device_id for device_id, _ in world.devices[user_id]]
    for _ in range(rng.randrange(2, 12)):
        rows[activity_logs].append(
            _log(world, rng, fake, user_id, rng.choice([None, *own_devices]))
        )
    for _ in range(rng.randrange(0, 3)):  # browsing on one's own device before signing in
        rows[activity_logs].append(_log(world, rng, fake, None, rng.choice(own_devices)))
    if is_creator(user_id):
        creator_id = (user_id - 1) // CREATOR_EVERY + 1
        rows[artists_shares] = [
            {
                "id": world.next(artists_shares),
                "creator_id": creator_id,
                "full_name": person["full_name"],
                "postal_code": person["postal_code"],
                "address": f"{person['prefecture'] or ''}{person['address_line']}",
                "phone": person["phone"],
                "email": person["email"],
                "device_uuid": world.devices[user_id][0][1],
                "shared_at": _moment(rng, 500),
            }
            for _ in range(rng.randrange(1, 3))
        ]
    return rows


def _order(
    user_id: int,
    person: dict[str, object],
    world: _World,
    rows: Rows,
    rng: random.Random,
    fake: Faker,
) -> None:
    order_id = world.next(orders)
    ordered = _moment(rng, 800)
    lines = rng.sample(world.catalogue, min(len(world.catalogue), rng.randrange(1, 4)))
    subtotal = 0
    for track_id, creator_id, price in lines:
        licence_type = rng.choice([1, 1, 1, 2, 3])
        line_price = price * LICENCES[licence_type - 1][2]
        subtotal += line_price
        item_id = world.next(order_items)
        rows[order_items].append(
            {
                "id": item_id,
                "order_id": order_id,
                "track_id": track_id,
                "licence_type_id": licence_type,
                "price_yen": line_price,
                "created_at": ordered,
            }
        )
        licence_id = world.next(licences)
        rows[licences].append(
            {
                "id": licence_id,
                "order_item_id": item_id,
                "user_id": user_id,
                "licence_code": f"AS-{ordered:%Y}-{item_id:08d}",
                "licensee_name": person["full_name"],
                "project_title": fake["ja_JP"].catch_phrase() if rng.random() < 0.6 else None,
                "issued_at": ordered,
            }
        )
        rows[downloads].extend(
            {
                "id": world.next(downloads),
                "licence_id": licence_id,
                "ip_address": fake.ipv4(),
                "downloaded_at": ordered + timedelta(minutes=rng.randrange(1, 5000)),
            }
            for _ in range(rng.randrange(1, 3))
        )
        payout = next((p for p, at in world.payouts[creator_id] if at > ordered), None)
        rows[royalties].append(
            {
                "id": world.next(royalties),
                "creator_id": creator_id,
                "order_item_id": item_id,
                "payout_id": payout,
                "rate_percent": ROYALTY_PERCENT,
                "amount_yen": line_price * ROYALTY_PERCENT // 100,
                "accrued_at": ordered,
            }
        )
    tax = subtotal // 10
    paid_by_card = rng.random() < 0.8
    rows[orders].append(
        {
            "id": order_id,
            "user_id": user_id,
            "subtotal_yen": subtotal,
            "tax_yen": tax,
            "total_yen": subtotal + tax,
            "payment_method": "card" if paid_by_card else rng.choice(["bank_transfer", "paypal"]),
            "card_brand": rng.choice(["VISA", "Mastercard", "JCB"]) if paid_by_card else None,
            "card_last4": f"{rng.randrange(10000):04d}" if paid_by_card else None,
            "billing_name": person["full_name"],
            "billing_postal_code": person["postal_code"],
            "billing_address": f"{person['prefecture'] or ''}{person['address_line']}",
            "receipt_addressee": person["full_name"]
            if rng.random() < 0.7
            else fake["ja_JP"].company(),
            "ordered_at": ordered,
        }
    )


def _log(
    world: _World, rng: random.Random, fake: Faker, user_id: int | None, device_id: int | None
) -> dict[str, object]:
    action, path = rng.choice(ACTIONS)
    track = rng.choice(world.catalogue)[0] if "{track}" in path and world.catalogue else None
    return {
        "id": world.next(activity_logs),
        "user_id": user_id,
        "device_id": device_id,
        "ip_address": fake.ipv4(),
        "action": action,
        "path": path.format(track=track) if track else path.replace("/{track}", ""),
        "track_id": track,
        "requested_at": _moment(rng, 300),
    }


def _guests(count: int, world: _World, rng: random.Random, fake: Faker) -> Rows:
    """Visitors who never signed in: devices and logs that belong to no account."""
    rows: Rows = {devices: [], activity_logs: []}
    for _ in range(count):
        device_id = world.next(devices)
        rows[devices].append(_device(device_id, None, rng))
        rows[activity_logs].extend(
            _log(world, rng, fake, None, device_id) for _ in range(rng.randrange(1, 6))
        )
    return rows
