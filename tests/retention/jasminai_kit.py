"""A jasminai-shaped service database: guests and members, chats, logs, payments, usernames.

Only the tables jasminai's retention rules reach, with the foreign keys a real app has:
messages cascade with their chat, payments point at the account (NOT NULL), and the
blocklist of former usernames keeps no link to any account.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from policykeeper.datamap.connections import open_engine

metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("username", sa.String(60), nullable=False, unique=True),
    sa.Column("email", sa.String(255)),
    sa.Column("is_guest", sa.Boolean, nullable=False),
    sa.Column("processing_restricted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_activity_at", sa.DateTime),
)
username_history = sa.Table(
    "username_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("username", sa.String(60), nullable=False),
    sa.Column("changed_at", sa.DateTime, nullable=False),
)
username_blocklist = sa.Table(
    "username_blocklist",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username_hash", sa.String(80), nullable=False, unique=True),
    sa.Column("blocked_at", sa.DateTime, nullable=False, index=True),
)
chats = sa.Table(
    "chats",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("character", sa.String(60), nullable=False),
    sa.Column("last_activity_at", sa.DateTime, nullable=False, index=True),
)
messages = sa.Table(
    "messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("chat_id", sa.Integer, sa.ForeignKey("chats.id", ondelete="CASCADE"), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("sent_at", sa.DateTime, nullable=False),
)
device_logs = sa.Table(
    "device_logs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), index=True),
    sa.Column("ip_address", sa.String(45), nullable=False),
    sa.Column("device_id", sa.String(64)),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
)
payments = sa.Table(
    "payments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("amount_cents", sa.Integer, nullable=False),
    sa.Column("card_last4", sa.String(4)),
    sa.Column("billing_name", sa.String(100)),
    sa.Column("country", sa.String(2)),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

DATAMAP = """\
# jasminai's retention-relevant tables (tests/retention/jasminai_kit.py builds the schema).
policykeeper: 1
connections:
  main: ${JASMINAI_DATABASE_URL}
hash_key: ${JASMINAI_HASH_KEY:-jasminai-demo-hash-key}
identities:
  user_id: users.id
  email: users.email
tables:
  users:
    rows: owned
    restricted_flag: processing_restricted
    retention:
      - {rule: guests, clock: created_at, where: {is_guest: true}}
      - {rule: inactive_accounts, clock: last_activity_at, where: {is_guest: false}}
    columns:
      username: {category: user.account.username, erase: hash}
      email: {category: user.contact.email, erase: hash}
      last_activity_at: {category: user.behavior.browsing_history}
  username_history:
    rows: owned
    via: [{table: users, join: {user_id: id}}]
    retention:
      - {rule: former_usernames, clock: changed_at}
    columns:
      username: {category: user.account.former_usernames}
  username_blocklist:
    rows: reference
    retention:
      - {rule: former_usernames, clock: blocked_at}
    columns:
      username_hash: {category: user.account.former_usernames}
  chats:
    rows: owned
    via: [{table: users, join: {user_id: id}}]
    retention:
      - {rule: activity_logs, clock: last_activity_at}
    columns:
      character: {category: user.behavior.character_preferences}
  messages:
    rows: owned
    via: [{table: chats, join: {chat_id: id}}]
    columns:
      body: {category: user.content.private.chat_messages}
  device_logs:
    rows: owned
    via: [{table: users, join: {user_id: id}}]
    retention:
      - {rule: activity_logs, clock: created_at}
    columns:
      ip_address: {category: user.device.ip_address}
      device_id: {category: user.device.device_id}
  payments:
    rows: owned
    via: [{table: users, join: {user_id: id}}]
    erase: {keep: financial_records}
    retention:
      - {rule: financial_records, clock: created_at}
    columns:
      card_last4: {category: user.financial.credit_card, erase: {keep: financial_records}}
      billing_name: {category: user.name.full, erase: {keep: financial_records}}
      country: {category: user.contact.address.country, erase: {keep: financial_records}}
recipients:  # how requests reach recipients is not what the retention tests are about
  escalion: {nothing_to_erase: outside the retention tests}
  ad_networks: {nothing_to_erase: outside the retention tests}
  analytics_providers: {nothing_to_erase: outside the retention tests}
  customer_care_providers: {nothing_to_erase: outside the retention tests}
  marketing_partners: {nothing_to_erase: outside the retention tests}
  fraud_audit_providers: {nothing_to_erase: outside the retention tests}
  payment_providers: {nothing_to_erase: outside the retention tests}
  financial_institutions: {nothing_to_erase: outside the retention tests}
"""


def build(url: str, now: datetime) -> None:
    """Create the schema and the people the notice and blocklist tests follow."""
    engine = open_engine(url)
    day = timedelta(days=1)

    def person(uid: int, name: str, guest: bool, created: int, active: int | None) -> dict:
        return {
            "id": uid,
            "username": name,
            "email": None if guest else f"{name}@example.test",
            "is_guest": guest,
            "created_at": now - created * day,
            "last_activity_at": None if active is None else now - active * day,
        }

    with engine.begin() as connection:
        metadata.drop_all(connection)
        metadata.create_all(connection)
        connection.execute(
            users.insert(),
            [
                person(1, "alice", False, 900, 400),
                person(2, "bob", False, 900, 350),
                person(3, "carol", False, 900, 2),
                person(4, "dave", False, 900, 400),
                person(5, "guest-5", True, 20, 20),
                person(6, "guest-6", True, 3, 3),
            ],
        )
        connection.execute(
            username_history.insert(),
            [{"id": 1, "user_id": 1, "username": "alice_old", "changed_at": now - 600 * day}],
        )
        connection.execute(
            chats.insert(),
            [
                {"id": 1, "user_id": 3, "character": "Mika", "last_activity_at": now - 130 * day},
                {"id": 2, "user_id": 3, "character": "Rin", "last_activity_at": now - 10 * day},
            ],
        )
        connection.execute(
            messages.insert(),
            [
                {"id": i, "chat_id": 1 + i % 2, "body": f"message {i}", "sent_at": now - 10 * day}
                for i in range(1, 7)
            ],
        )
        connection.execute(
            device_logs.insert(),
            [
                {
                    "id": 1,
                    "user_id": 3,
                    "ip_address": "192.0.2.1",
                    "device_id": "d1",
                    "created_at": now - 200 * day,
                },
                {
                    "id": 2,
                    "user_id": 3,
                    "ip_address": "192.0.2.2",
                    "device_id": "d1",
                    "created_at": now - 5 * day,
                },
                {
                    "id": 3,
                    "user_id": 5,
                    "ip_address": "192.0.2.3",
                    "device_id": "g5",
                    "created_at": now - 20 * day,
                },
            ],
        )
        connection.execute(
            payments.insert(),
            [
                {
                    "id": 1,
                    "user_id": 1,
                    "amount_cents": 999,
                    "card_last4": "4242",
                    "billing_name": "Alice A",
                    "country": "LU",
                    "created_at": now - 500 * day,
                },
                {
                    "id": 2,
                    "user_id": 3,
                    "amount_cents": 499,
                    "card_last4": "1881",
                    "billing_name": "Carol C",
                    "country": "JP",
                    "created_at": now - 11 * 365 * day,
                },
            ],
        )
    engine.dispose()


def write_project(directory: Path, examples: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "policy.yaml").write_text(
        (examples / "jasminai" / "policy.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (directory / "datamap.yaml").write_text(DATAMAP, encoding="utf-8")
    return directory
