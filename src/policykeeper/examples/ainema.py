"""AInema's service database, as the example project's engine tests and demo use it.

A streaming site where viewers buy coins, purchase episodes and tip creators; creators are
paid out. Transactions carry foreign keys to the account (NOT NULL), as real apps do, so an
erasure that must keep them for seven years has to keep a masked account row too.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

import sqlalchemy as sa
from faker import Faker

from policykeeper.examples.generation import Rows

metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("email", sa.String(255), nullable=False, unique=True),
    sa.Column("display_name", sa.String(100)),
    sa.Column("password_hash", sa.String(100)),
    sa.Column("language", sa.String(5), nullable=False, server_default="ja"),
    sa.Column("invited_by", sa.Integer, sa.ForeignKey("users.id"), index=True),
    sa.Column("processing_restricted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_activity_at", sa.DateTime),
    sa.Column("deleted_at", sa.DateTime),
    # Where the person's data lives outside this database: an object key, a processor's id.
    sa.Column("avatar_key", sa.String(255)),
    sa.Column("stripe_customer_id", sa.String(64)),
)

staff = sa.Table(
    "staff",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("email", sa.String(255), nullable=False),
)

creator_profiles = sa.Table(
    "creator_profiles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, unique=True),
    sa.Column("handle", sa.String(100), nullable=False, unique=True),
    sa.Column("bio", sa.Text),
    sa.Column("stripe_account_id", sa.String(64)),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

series = sa.Table(
    "series",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column(
        "creator_id", sa.Integer, sa.ForeignKey("creator_profiles.id"), nullable=False, index=True
    ),
    sa.Column("title", sa.String(200), nullable=False),
)

episodes = sa.Table(
    "episodes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("series_id", sa.Integer, sa.ForeignKey("series.id"), nullable=False, index=True),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("price_coins", sa.Integer, nullable=False),
    sa.Column("duration_seconds", sa.Integer, nullable=False),
)

coin_ledger = sa.Table(
    "coin_ledger",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("delta", sa.Integer, nullable=False),
    sa.Column("reason", sa.String(20), nullable=False),
    sa.Column("balance_after", sa.Integer, nullable=False),
    sa.Column("payment_method", sa.String(20)),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

purchases = sa.Table(
    "purchases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("episode_id", sa.Integer, sa.ForeignKey("episodes.id"), nullable=False),
    sa.Column("coins", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

tips = sa.Table(
    "tips",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("from_user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column(
        "to_creator_id",
        sa.Integer,
        sa.ForeignKey("creator_profiles.id"),
        nullable=False,
        index=True,
    ),
    sa.Column("coins", sa.Integer, nullable=False),
    sa.Column("message", sa.String(200)),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

payouts = sa.Table(
    "payouts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column(
        "creator_id", sa.Integer, sa.ForeignKey("creator_profiles.id"), nullable=False, index=True
    ),
    sa.Column("amount_yen", sa.Integer, nullable=False),
    sa.Column("method", sa.String(20), nullable=False),
    sa.Column("stripe_transfer_id", sa.String(64)),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

viewing_history = sa.Table(
    "viewing_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("episode_id", sa.Integer, sa.ForeignKey("episodes.id"), nullable=False),
    sa.Column("watched_seconds", sa.Integer, nullable=False),
    sa.Column("position_seconds", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

favorites = sa.Table(
    "favorites",
    metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("episode_id", sa.Integer, sa.ForeignKey("episodes.id"), primary_key=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("ip_address", sa.String(45)),
    sa.Column("user_agent", sa.String(255)),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
)

access_logs = sa.Table(
    "access_logs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), index=True),
    sa.Column("ip_address", sa.String(45), nullable=False),
    sa.Column("user_agent", sa.String(255)),
    sa.Column("path", sa.String(255), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
)

content_reports = sa.Table(
    "content_reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("reporter_id", sa.Integer, sa.ForeignKey("users.id"), index=True),
    sa.Column("episode_id", sa.Integer, sa.ForeignKey("episodes.id"), nullable=False),
    sa.Column("reason", sa.String(40), nullable=False),
    sa.Column("details", sa.Text),
    sa.Column("resolved_by", sa.Integer, sa.ForeignKey("staff.id")),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("resolved_at", sa.DateTime),
)

inquiries = sa.Table(
    "inquiries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), index=True),
    sa.Column("email", sa.String(255), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("handled_by", sa.Integer, sa.ForeignKey("staff.id")),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

EPOCH = datetime(2026, 3, 1)
PATHS = ["/", "/browse", "/episodes", "/mypage", "/coins", "/search", "/creators"]
REASONS = ["copyright", "violence", "spam", "other"]
CREATOR_EVERY = 20
EPISODES_PER_SERIES = 4


def stream(users_count: int, rng: random.Random, fake: Faker) -> Iterator[Rows]:
    """Every row of a service with `users_count` people, parents always before children."""
    for user_id in range(1, users_count + 1):
        yield _account(user_id, rng, fake)
    creators = [_creator_id(u) for u in range(1, users_count + 1) if _is_creator(u)]
    yield {
        staff: [{"id": i, "name": fake.name(), "email": f"staff{i}@ainema.tv"} for i in range(1, 6)]
    }
    yield _catalogue(creators, rng, fake)
    episode_ids = list(range(1, len(creators) * EPISODES_PER_SERIES + 1))
    counters: dict[str, int] = {}
    for user_id in range(1, users_count + 1):
        yield _activity(user_id, episode_ids, creators, counters, rng, fake)


def units(users_count: int) -> int:
    """How many chunks `stream` yields: the progress bar's total."""
    return 2 * users_count + 2


def _is_creator(user_id: int) -> bool:
    return user_id % CREATOR_EVERY == 1


def _creator_id(user_id: int) -> int:
    return user_id // CREATOR_EVERY + 1


def _moment(rng: random.Random, days: int = 900) -> datetime:
    return EPOCH - timedelta(seconds=rng.randrange(days * 86400))


def _account(user_id: int, rng: random.Random, fake: Faker) -> Rows:
    created = _moment(rng)
    inviter = rng.randrange(1, user_id) if user_id > 1 and rng.random() < 0.2 else None
    rows: Rows = {
        users: [
            {
                "id": user_id,
                "email": f"user{user_id}.{fake.user_name()}@{fake.free_email_domain()}",
                "display_name": fake.name() if rng.random() < 0.5 else fake.user_name(),
                "password_hash": "$2b$12$" + fake.sha256()[:53],
                "language": rng.choice(["ja", "ja", "en"]),
                "invited_by": inviter,
                "processing_restricted": False,
                "created_at": created,
                "last_activity_at": _moment(rng, 60),
                "deleted_at": None,
                **_elsewhere(user_id),
            }
        ]
    }
    if _is_creator(user_id):
        rows[creator_profiles] = [
            {
                "id": _creator_id(user_id),
                "user_id": user_id,
                "handle": f"{fake.user_name()}_{_creator_id(user_id)}",
                "bio": fake.text(120),
                "stripe_account_id": f"acct_{fake.sha1()[:16]}",
                "created_at": created,
            }
        ]
    return rows


def _elsewhere(user_id: int) -> dict[str, str | None]:
    """The avatar's object key and the Stripe customer id, from their own random stream so
    the rest of the data stays as it was."""
    own = random.Random(f"ainema-elsewhere-{user_id}")
    token = f"{own.getrandbits(64):016x}"
    return {
        "avatar_key": f"avatars/{user_id}-{token[:8]}.png" if own.random() < 0.7 else None,
        "stripe_customer_id": f"cus_{token[8:]}{user_id}" if own.random() < 0.6 else None,
    }


def _catalogue(creators: list[int], rng: random.Random, fake: Faker) -> Rows:
    return {
        series: [{"id": c, "creator_id": c, "title": fake.catch_phrase()[:200]} for c in creators],
        episodes: [
            {
                "id": (c - 1) * EPISODES_PER_SERIES + n,
                "series_id": c,
                "number": n,
                "title": f"第{n}話 {fake.word()}",
                "price_coins": rng.choice([0, 100, 150]),
                "duration_seconds": rng.randrange(600, 1800),
            }
            for c in creators
            for n in range(1, EPISODES_PER_SERIES + 1)
        ],
    }


def _activity(
    user_id: int,
    episode_ids: list[int],
    creators: list[int],
    counters: dict[str, int],
    rng: random.Random,
    fake: Faker,
) -> Rows:
    def next_id(table: sa.Table) -> int:
        counters[table.name] = counters.get(table.name, 0) + 1
        return counters[table.name]

    rows: Rows = {}
    balance = 0
    ledger: list[dict[str, object]] = []
    for _ in range(rng.randrange(0, 4)):
        balance += 500
        ledger.append(
            {
                "id": next_id(coin_ledger),
                "user_id": user_id,
                "delta": 500,
                "reason": "purchase",
                "balance_after": balance,
                "payment_method": rng.choice(["card", "paypay"]),
                "created_at": _moment(rng),
            }
        )
    bought = rng.sample(episode_ids, min(len(episode_ids), rng.randrange(0, 4)))
    rows[purchases] = []
    for episode in bought:
        rows[purchases].append(
            {
                "id": next_id(purchases),
                "user_id": user_id,
                "episode_id": episode,
                "coins": 100,
                "created_at": _moment(rng),
            }
        )
        balance -= 100
        ledger.append(
            {
                "id": next_id(coin_ledger),
                "user_id": user_id,
                "delta": -100,
                "reason": "episode",
                "balance_after": balance,
                "payment_method": None,
                "created_at": _moment(rng),
            }
        )
    rows[coin_ledger] = ledger
    if creators and rng.random() < 0.3:
        rows[tips] = [
            {
                "id": next_id(tips),
                "from_user_id": user_id,
                "to_creator_id": rng.choice(creators),
                "coins": 50,
                "message": fake.sentence()[:200] if rng.random() < 0.5 else None,
                "created_at": _moment(rng),
            }
        ]
    if _is_creator(user_id):
        rows[payouts] = [
            {
                "id": next_id(payouts),
                "creator_id": _creator_id(user_id),
                "amount_yen": rng.randrange(1000, 90000),
                "method": rng.choice(["stripe", "digico"]),
                "stripe_transfer_id": f"tr_{rng.getrandbits(64):016x}",
                "created_at": _moment(rng),
            }
            for _ in range(rng.randrange(1, 4))
        ]
    rows[viewing_history] = [
        {
            "id": next_id(viewing_history),
            "user_id": user_id,
            "episode_id": episode,
            "watched_seconds": rng.randrange(30, 1500),
            "position_seconds": rng.randrange(0, 1500),
            "updated_at": _moment(rng),
        }
        for episode in rng.sample(episode_ids, min(len(episode_ids), rng.randrange(1, 8)))
    ]
    rows[favorites] = [
        {"user_id": user_id, "episode_id": episode, "created_at": _moment(rng)}
        for episode in rng.sample(episode_ids, min(len(episode_ids), rng.randrange(0, 3)))
    ]
    rows[sessions] = []
    for _ in range(rng.randrange(0, 3)):
        started = _moment(rng, 30)
        rows[sessions].append(
            {
                "token": f"{rng.getrandbits(256):064x}",
                "user_id": user_id,
                "ip_address": fake.ipv4(),
                "user_agent": fake.user_agent()[:255],
                "created_at": started,
                "expires_at": started + timedelta(days=30),
            }
        )
    rows[access_logs] = [
        {
            "id": next_id(access_logs),
            "user_id": user_id,
            "ip_address": fake.ipv4(),
            "user_agent": fake.user_agent()[:255],
            "path": rng.choice(PATHS),
            "created_at": _moment(rng, 500),
        }
        for _ in range(rng.randrange(1, 10))
    ]
    if rng.random() < 0.15:
        resolved = rng.random() < 0.6
        rows[content_reports] = [
            {
                "id": next_id(content_reports),
                "reporter_id": user_id,
                "episode_id": rng.choice(episode_ids),
                "reason": rng.choice(REASONS),
                "details": fake.sentence(),
                "resolved_by": rng.randrange(1, 6) if resolved else None,
                "created_at": _moment(rng, 700),
                "resolved_at": _moment(rng, 300) if resolved else None,
            }
        ]
    if rng.random() < 0.1:
        rows[inquiries] = [
            {
                "id": next_id(inquiries),
                "user_id": user_id,
                "email": fake.email(),
                "body": fake.paragraph(),
                "handled_by": rng.randrange(1, 6),
                "created_at": _moment(rng),
            }
        ]
    return rows
