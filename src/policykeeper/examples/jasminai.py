"""jasminai's service database: members chatting with AI characters, buying credits.

Guests leave access logs without a member id; credit purchases are financial records kept
for ten years (Luxembourg accounting law), so a member's erasure keeps them and a masked
member row they point at.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

import sqlalchemy as sa
from faker import Faker

from policykeeper.examples.generation import Rows

metadata = sa.MetaData()

members = sa.Table(
    "members",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("email", sa.String(255), nullable=False, unique=True),
    sa.Column("username", sa.String(60), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(100)),
    sa.Column("google_subject", sa.String(64)),
    sa.Column("nickname", sa.String(60)),
    sa.Column("gender", sa.String(20)),
    sa.Column("date_of_birth", sa.Date),
    sa.Column("residence", sa.String(100)),
    sa.Column("interests", sa.Text),
    sa.Column("occupation", sa.String(100)),
    sa.Column("sexual_preferences", sa.Text),
    sa.Column("language", sa.String(5), nullable=False, server_default="en"),
    sa.Column("processing_restricted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_activity_at", sa.DateTime, nullable=False),
)

former_usernames = sa.Table(
    "former_usernames",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), nullable=False, index=True),
    sa.Column("username", sa.String(60), nullable=False),
    sa.Column("changed_at", sa.DateTime, nullable=False),
)

age_verifications = sa.Table(
    "age_verifications",
    metadata,
    sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), primary_key=True),
    sa.Column("result", sa.String(20), nullable=False),
    sa.Column("verified_at", sa.DateTime, nullable=False),
)

ai_models = sa.Table(
    "ai_models",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(60), nullable=False),
    sa.Column("persona", sa.Text, nullable=False),
)

favourite_models = sa.Table(
    "favourite_models",
    metadata,
    sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), primary_key=True),
    sa.Column("ai_model_id", sa.Integer, sa.ForeignKey("ai_models.id"), primary_key=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

chats = sa.Table(
    "chats",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), nullable=False, index=True),
    sa.Column("ai_model_id", sa.Integer, sa.ForeignKey("ai_models.id"), nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("last_message_at", sa.DateTime, nullable=False),
)

chat_messages = sa.Table(
    "chat_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column(
        "chat_id",
        sa.Integer,
        sa.ForeignKey("chats.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("sender", sa.String(10), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("sent_at", sa.DateTime, nullable=False),
)

prompts = sa.Table(
    "prompts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

uploads = sa.Table(
    "uploads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), nullable=False, index=True),
    sa.Column("storage_key", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

wall_posts = sa.Table(
    "wall_posts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), nullable=False, index=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

credit_purchases = sa.Table(
    "credit_purchases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), nullable=False, index=True),
    sa.Column("full_name", sa.String(120), nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("postal_code", sa.String(12), nullable=False),
    sa.Column("credits", sa.Integer, nullable=False),
    sa.Column("amount_eur", sa.Numeric(10, 2), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

access_logs = sa.Table(
    "access_logs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), index=True),
    sa.Column("ip_address", sa.String(45), nullable=False),
    sa.Column("user_agent", sa.String(255)),
    sa.Column("device_id", sa.String(64)),
    sa.Column("country", sa.String(2)),
    sa.Column("page", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
)

support_tickets = sa.Table(
    "support_tickets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), index=True),
    sa.Column("email", sa.String(255), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

consents = sa.Table(
    "consents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), nullable=False, index=True),
    sa.Column("purpose", sa.String(40), nullable=False),
    sa.Column("granted", sa.Boolean, nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
)

EPOCH = datetime(2025, 3, 1)
MODELS = 12
PAGES = ["/", "/explore", "/chat", "/credits", "/profile", "/settings"]


def units(users_count: int) -> int:
    """How many chunks `stream` yields: the progress bar's total."""
    return users_count + 2


def stream(users_count: int, rng: random.Random, fake: Faker) -> Iterator[Rows]:
    """Every row of a service with `users_count` members plus guests, parents first."""
    yield {
        ai_models: [
            {"id": i, "name": fake.first_name(), "persona": fake.sentence()}
            for i in range(1, MODELS + 1)
        ]
    }
    counters: dict[str, int] = {}
    for member_id in range(1, users_count + 1):
        yield _member(member_id, counters, rng, fake)
    yield {access_logs: [_log(None, counters, rng, fake) for _ in range(users_count // 2)]}


def _moment(rng: random.Random, days: int = 700) -> datetime:
    return EPOCH - timedelta(seconds=rng.randrange(days * 86400))


def _next(counters: dict[str, int], table: sa.Table) -> int:
    counters[table.name] = counters.get(table.name, 0) + 1
    return counters[table.name]


def _log(
    member_id: int | None, counters: dict[str, int], rng: random.Random, fake: Faker
) -> dict[str, object]:
    return {
        "id": _next(counters, access_logs),
        "member_id": member_id,
        "ip_address": fake.ipv4(),
        "user_agent": fake.user_agent()[:255],
        "device_id": f"{rng.getrandbits(128):032x}",
        "country": fake.country_code(),
        "page": rng.choice(PAGES),
        "created_at": _moment(rng, 200),
    }


def _member(member_id: int, counters: dict[str, int], rng: random.Random, fake: Faker) -> Rows:
    joined = _moment(rng)
    username = f"{fake.user_name()}{member_id}"
    rows: Rows = {
        members: [
            {
                "id": member_id,
                "email": f"m{member_id}.{fake.user_name()}@{fake.free_email_domain()}",
                "username": username,
                "password_hash": "$argon2id$" + f"{rng.getrandbits(256):064x}",
                "google_subject": str(rng.getrandbits(60)) if rng.random() < 0.3 else None,
                "nickname": fake.first_name(),
                "gender": rng.choice(["female", "male", "non-binary", None]),
                "date_of_birth": fake.date_of_birth(minimum_age=18, maximum_age=70),
                "residence": fake.city(),
                "interests": fake.sentence(),
                "occupation": fake.job()[:100],
                "sexual_preferences": fake.sentence() if rng.random() < 0.4 else None,
                "language": rng.choice(["en", "ja", "fr"]),
                "processing_restricted": False,
                "created_at": joined,
                "last_activity_at": _moment(rng, 400),
            }
        ],
        age_verifications: [{"member_id": member_id, "result": "over_18", "verified_at": joined}],
    }
    if rng.random() < 0.2:
        rows[former_usernames] = [
            {
                "id": _next(counters, former_usernames),
                "member_id": member_id,
                "username": fake.user_name() + "_old",
                "changed_at": _moment(rng),
            }
        ]
    models = rng.sample(range(1, MODELS + 1), rng.randrange(1, 4))
    rows[favourite_models] = [
        {"member_id": member_id, "ai_model_id": m, "created_at": _moment(rng)} for m in models
    ]
    rows[chats], rows[chat_messages] = [], []
    for model in models:
        chat_id = _next(counters, chats)
        started = _moment(rng)
        rows[chats].append(
            {
                "id": chat_id,
                "member_id": member_id,
                "ai_model_id": model,
                "started_at": started,
                "last_message_at": started + timedelta(hours=1),
            }
        )
        for turn in range(rng.randrange(2, 8)):
            rows[chat_messages].append(
                {
                    "id": _next(counters, chat_messages),
                    "chat_id": chat_id,
                    "sender": "member" if turn % 2 == 0 else "model",
                    "body": fake.sentence(),
                    "sent_at": started + timedelta(minutes=turn),
                }
            )
    rows[prompts] = [
        {
            "id": _next(counters, prompts),
            "member_id": member_id,
            "kind": rng.choice(["image", "voice", "video"]),
            "text": fake.sentence(),
            "created_at": _moment(rng),
        }
        for _ in range(rng.randrange(0, 3))
    ]
    if rng.random() < 0.2:
        rows[uploads] = [
            {
                "id": _next(counters, uploads),
                "member_id": member_id,
                "storage_key": f"uploads/{member_id}/{rng.getrandbits(64):016x}.jpg",
                "created_at": _moment(rng),
            }
        ]
    if rng.random() < 0.3:
        rows[wall_posts] = [
            {
                "id": _next(counters, wall_posts),
                "member_id": member_id,
                "body": fake.sentence(),
                "created_at": _moment(rng, 300),
            }
        ]
    rows[credit_purchases] = [
        {
            "id": _next(counters, credit_purchases),
            "member_id": member_id,
            "full_name": fake.name(),
            "country": fake.country_code(),
            "postal_code": fake.postcode()[:12],
            "credits": 100,
            "amount_eur": "9.99",
            "created_at": _moment(rng),
        }
        for _ in range(rng.randrange(0, 3))
    ]
    rows[access_logs] = [_log(member_id, counters, rng, fake) for _ in range(rng.randrange(1, 8))]
    if rng.random() < 0.1:
        rows[support_tickets] = [
            {
                "id": _next(counters, support_tickets),
                "member_id": member_id,
                "email": fake.email(),
                "subject": "Billing question",
                "body": fake.paragraph(),
                "created_at": _moment(rng),
            }
        ]
    rows[consents] = [
        {
            "id": _next(counters, consents),
            "member_id": member_id,
            "purpose": purpose,
            "granted": rng.random() < 0.5,
            "recorded_at": joined,
        }
        for purpose in ("marketing_email", "personalisation")
    ]
    return rows
