"""Request engine benchmark: access and erasure of one person in a 1M-user AInema database.

PolicyKeeper's set-based executors against baselines, on different people of the same
database matched by activity (`dealt`), in the same run: the expert's hand-written SQL (one set-based statement per table
for the person, committed as one transaction: the bar the engine is held to, within 3x); for
erasure, the expert's SQL checked (the same changes with the safety the issue also asks:
the rows to report read first, the changes returning what they changed, a verification
before commit that nothing of the person is left and nothing else changed; three statements
and the commit); and the naive approach (one statement per row, as Fides's SQL erasure issues
one UPDATE per row). Before timing, both expert erasures are checked to leave exactly the rows
the engine leaves.
Prints p50 and p95 over the subjects, the engine/expert ratios and each goal's verdict.

    .venv/bin/python bench/engine_bench.py [--users 1000000] [--subjects 50] [--cold]
                                           [--no-naive] [--places]

The database (pk_bench on the local PostgreSQL) is generated once, server-side with
INSERT ... SELECT generate_series (about 21M activity rows), and reused by later runs;
each run erases about 6 x --subjects people who were not erased before (half of them among
the 5,000 most active, whose hundreds of rows show how per-row statements scale).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from policykeeper.engine import Identity, access, batch, erase
from policykeeper.engine.decide import decide
from policykeeper.engine.hashkey import hash_secret
from policykeeper.engine.keys import matching
from policykeeper.engine.planner import Collector
from policykeeper.engine.runtime import release, runtime
from policykeeper.examples import ainema
from policykeeper.project import Project, load_project

ADMIN_URL = os.environ.get(
    "POLICYKEEPER_BENCH_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DATABASE = os.environ.get("POLICYKEEPER_BENCH_DATABASE", "pk_bench")
"""Another name keeps engineers' runs on one server apart."""
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "ainema"

SKEWED = "least(:n, 1 + floor(:n * power(random(), 2))::integer)"
"""Activity per person is skewed, as on real services: a few heavy viewers, many light ones."""
META = "pk_bench_meta_v4"
HEAVY_POOL = 5000

# (table, rows per million users, INSERT ... SELECT body over generate_series g); :n is users.
ACTIVITY: list[tuple[str, int, str]] = [
    (
        "coin_ledger",
        2_000_000,
        f"g, {SKEWED}, 500, 'purchase', 500, 'card', "
        "timestamp '2025-01-01' + (g % 500) * interval '1 day'",
    ),
    (
        "purchases",
        1_000_000,
        "g, ((g * 7) % :n) + 1, (g % :e) + 1, 100, "
        "timestamp '2025-01-01' + (g % 400) * interval '1 day'",
    ),
    (
        "tips",
        300_000,
        "g, ((g * 13) % :n) + 1, (g % :c) + 1, 50, "
        "CASE WHEN g % 2 = 0 THEN 'thanks ' || g END, timestamp '2025-02-01'",
    ),
    (
        "payouts",
        100_000,
        "g, (g % :c) + 1, 1000 + g % 9000, 'stripe', 'tr_' || g, timestamp '2025-03-01'",
    ),
    (
        "viewing_history",
        8_000_000,
        f"g, {SKEWED}, (g % :e) + 1, g % 1500, g % 1400, "
        "timestamp '2025-06-01' + (g % 200) * interval '1 hour'",
    ),
    (
        "access_logs",
        8_000_000,
        f"g, {SKEWED}, '10.0.' || (g % 250) || '.' || (g % 200), "
        "'Mozilla/5.0', '/episodes/' || (g % 1000), "
        "timestamp '2025-06-01' + (g % 300) * interval '1 day'",
    ),
    (
        "sessions",
        1_000_000,
        "md5(g::text) || md5((g + 1)::text), (g % :n) + 1, '10.1.0.1', "
        "'Mozilla/5.0', timestamp '2026-02-01', timestamp '2026-03-01'",
    ),
    ("favorites", 500_000, "((g - 1) % :n) + 1, ((g - 1) / :n) + 1, timestamp '2026-01-01'"),
    (
        "content_reports",
        100_000,
        "g, ((g * 3) % :n) + 1, (g % :e) + 1, 'spam', 'details ' || g, "
        "(g % 5) + 1, timestamp '2025-01-01', timestamp '2025-02-01'",
    ),
    (
        "inquiries",
        50_000,
        "g, ((g * 11) % :n) + 1, 'user' || g || '@example.com', "
        "'question ' || g, (g % 5) + 1, timestamp '2025-05-01'",
    ),
]


def database_url() -> str:
    return sa.make_url(ADMIN_URL).set(database=DATABASE).render_as_string(hide_password=False)


def prepare(users: int) -> None:
    """Create and fill pk_bench once; later runs with the same size reuse it."""
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": DATABASE}
        ).first()
        if not exists:
            connection.exec_driver_sql(f'CREATE DATABASE "{DATABASE}"')
    admin.dispose()
    engine = sa.create_engine(database_url())
    with engine.connect() as connection:
        size = (
            connection.execute(sa.text(f"SELECT to_regclass('{META}') IS NOT NULL")).scalar_one()
            and connection.execute(sa.text(f"SELECT users FROM {META}")).scalar_one()
        )
    if size == users:
        print(f"reusing {DATABASE}: {users:,} users")
        engine.dispose()
        return
    started = time.perf_counter()
    _generate(engine, users)
    engine.dispose()
    print(f"generated {DATABASE} in {time.perf_counter() - started:.0f} s")


def _generate(engine: sa.Engine, users: int) -> None:
    creators = users // ainema.CREATOR_EVERY
    episodes = creators * ainema.EPISODES_PER_SERIES
    scale = users / 1_000_000
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {META}")
        ainema.metadata.drop_all(connection)
        ainema.metadata.create_all(connection)
        indexes = [i for t in ainema.metadata.sorted_tables for i in t.indexes]
        for index in indexes:
            index.drop(connection)
        connection.exec_driver_sql("SET session_replication_role = replica")
        steps: list[tuple[str, str, int]] = [
            ("staff", "g, 'staff ' || g, 'staff' || g || '@ainema.tv'", 5),
            (
                "users",
                "g, 'user' || g || '@example.com', 'name ' || g, md5(g::text), 'ja', "
                "CASE WHEN g > 1 AND g % 5 = 0 THEN g - 1 END, false, "
                "timestamp '2024-01-01' + (g % 700) * interval '1 day', "
                "timestamp '2026-02-01', NULL, 'avatars/' || g || '.png', 'cus_' || g",
                users,
            ),
        ]
        for table, body, count in steps:
            _insert(connection, table, body, count, users, creators, episodes)
        connection.execute(
            sa.text(
                "INSERT INTO creator_profiles SELECT c, (c - 1) * :k + 1, 'creator_' || c, 'bio', "
                "'acct_' || c, timestamp '2024-01-01' FROM generate_series(1, :c) c"
            ),
            {"k": ainema.CREATOR_EVERY, "c": creators},
        )
        connection.execute(
            sa.text("INSERT INTO series SELECT c, c, 'series ' || c FROM generate_series(1, :c) c"),
            {"c": creators},
        )
        connection.execute(
            sa.text(
                "INSERT INTO episodes SELECT e, ((e - 1) / :per) + 1, ((e - 1) % :per) + 1, "
                "'episode ' || e, 100, 1200 FROM generate_series(1, :e) e"
            ),
            {"per": ainema.EPISODES_PER_SERIES, "e": episodes},
        )
        for table, per_million, body in ACTIVITY:
            count = max(1, int(per_million * scale))
            _insert(connection, table, body, count, users, creators, episodes)
        for index in indexes:
            started = time.perf_counter()
            index.create(connection)
            print(f"  index {index.name}: {time.perf_counter() - started:.0f} s", flush=True)
        connection.exec_driver_sql("SET session_replication_role = DEFAULT")
        connection.exec_driver_sql(f"CREATE TABLE {META} (users integer NOT NULL)")
        connection.execute(sa.text(f"INSERT INTO {META} VALUES (:n)"), {"n": users})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")


def _insert(
    connection: sa.Connection,
    table: str,
    body: str,
    count: int,
    users: int,
    creators: int,
    episodes: int,
) -> None:
    started = time.perf_counter()
    sql = f'INSERT INTO "{table}" SELECT {body} FROM generate_series(1, :count) g'
    parameters = {"count": count, "n": users, "c": creators, "e": episodes}
    used = {k: v for k, v in parameters.items() if f":{k}" in sql}
    connection.execute(sa.text(sql), used)
    print(f"  {table}: {count:,} rows in {time.perf_counter() - started:.0f} s", flush=True)


def prewarm() -> None:
    """Read every table and index into the OS page cache, as on a warmed-up server."""
    started = time.perf_counter()
    engine = sa.create_engine(database_url())
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        connection.exec_driver_sql(
            "SELECT pg_prewarm(c.oid::regclass, 'read') FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')"
        )
    engine.dispose()
    print(f"prewarmed the OS page cache in {time.perf_counter() - started:.0f} s")


def naive_access(project: Project, user_id: int) -> int:
    """Find the keys like the engine, then read every row with its own SELECT."""
    rt = runtime(project)
    with ExitStack() as stack:
        connections = {n: stack.enter_context(s.engine.connect()) for n, s in rt.sources.items()}
        subject = Collector(rt, connections).from_identity(Identity("user_id", str(user_id)))
        rows = 0
        for table, reached in subject.tables.items():
            live, pk = rt.tables[table], rt.primary_key(table)
            connection = connections[project.datamap.connection_of(table)]
            for key in reached.rows:
                connection.execute(sa.select(live).where(matching(live, pk, [key]))).first()
                rows += 1
    return rows


def naive_erase(project: Project, user_id: int) -> int:
    """The same decisions as the engine, carried out with one statement per row."""
    rt = runtime(project)
    statements = 0
    with ExitStack() as stack:
        connections = {n: stack.enter_context(s.engine.connect()) for n, s in rt.sources.items()}
        collector = Collector(rt, connections, everything=True)
        subject = collector.from_identity(Identity("user_id", str(user_id)))
        for name, source in rt.sources.items():
            connection = connections[name]
            decision = decide(rt, source, subject, connection)
            for detach in decision.detach:
                for value in detach.values:
                    connection.execute(
                        detach.table.update()
                        .where(matching(detach.table, detach.columns, [value]))
                        .values({c: None for c in detach.columns})
                    )
                    statements += 1
            for table, kept in decision.kept.items():
                live, pk = rt.tables[table], rt.primary_key(table)
                spec = project.datamap.tables[table]
                values = {c: None for c, col in spec.columns.items() if col.category}
                values = {c: v for c, v in values.items() if live.c[c].nullable}
                for key, row in kept.items():
                    if row.rule is None and values:
                        connection.execute(
                            live.update().where(matching(live, pk, [key])).values(values)
                        )
                        statements += 1
            for table in decision.order:
                live, pk = rt.tables[table], rt.primary_key(table)
                for key in decision.delete[table]:
                    connection.execute(live.delete().where(matching(live, pk, [key])))
                    statements += 1
            connection.commit()
    return statements


EXPERT_ACCESS = {
    "users": "SELECT * FROM users WHERE id = :id",
    "creator_profiles": "SELECT * FROM creator_profiles WHERE user_id = :id",
    "coin_ledger": "SELECT * FROM coin_ledger WHERE user_id = :id",
    "purchases": "SELECT * FROM purchases WHERE user_id = :id",
    # Both sides of a tip; UNION rather than OR, so each side uses its index.
    "tips": "SELECT * FROM tips WHERE from_user_id = :id UNION SELECT t.* FROM tips t "
    "JOIN creator_profiles c ON c.id = t.to_creator_id WHERE c.user_id = :id",
    "payouts": "SELECT * FROM payouts WHERE creator_id IN "
    "(SELECT id FROM creator_profiles WHERE user_id = :id)",
    "viewing_history": "SELECT * FROM viewing_history WHERE user_id = :id",
    "favorites": "SELECT * FROM favorites WHERE user_id = :id",
    "sessions": "SELECT * FROM sessions WHERE user_id = :id",
    "access_logs": "SELECT * FROM access_logs WHERE user_id = :id",
    "content_reports": "SELECT * FROM content_reports WHERE reporter_id = :id",
    "inquiries": "SELECT * FROM inquiries WHERE user_id = :id",
}
"""What an expert writes by hand to read one AInema person: one SELECT per table."""
HASHED = "'pk:' || encode(hmac({column}, :key, 'sha256'), 'hex')"
EXPERT_ERASE = [
    # Deleted outright; nothing references these rows.
    "DELETE FROM viewing_history WHERE user_id = :id",
    "DELETE FROM favorites WHERE user_id = :id",
    "DELETE FROM sessions WHERE user_id = :id",
    "DELETE FROM access_logs WHERE user_id = :id",
    "DELETE FROM content_reports WHERE reporter_id = :id",
    "DELETE FROM inquiries WHERE user_id = :id",
    # Held under the transactions rule: only the viewer's side of a tip (its message) goes;
    # coin_ledger, purchases and payouts keep every column the rule needs, so stay as they are.
    "UPDATE tips SET message = NULL WHERE from_user_id = :id AND message IS NOT NULL",
    # Referenced by held rows, so masked rather than deleted, as the data map says.
    "UPDATE creator_profiles SET handle = "
    + HASHED.format(column="handle")
    + ", bio = NULL, stripe_account_id = NULL WHERE user_id = :id",
    "UPDATE users SET email = "
    + HASHED.format(column="email")
    + ", display_name = '退会済みユーザー', password_hash = NULL, invited_by = NULL, "
    "last_activity_at = NULL, avatar_key = NULL, stripe_customer_id = NULL, "
    "processing_restricted = true WHERE id = :id",
]
"""The same erasure as the engine's on the AInema map, hand-written: one statement per table,
children first, committed as one transaction (the hash is the engine's keyed HMAC, in SQL)."""

MINE = "(SELECT id FROM creator_profiles WHERE user_id = :id)"
KEYS = "(SELECT coalesce(json_agg({key} ORDER BY {key}), '[]') FROM {source})"
DELETED = {
    "viewing_history": ("id", "viewing_history WHERE user_id = :id"),
    "favorites": ("episode_id", "favorites WHERE user_id = :id"),
    "sessions": ("token", "sessions WHERE user_id = :id"),
    "access_logs": ("id", "access_logs WHERE user_id = :id"),
    "content_reports": ("id", "content_reports WHERE reporter_id = :id"),
    "inquiries": ("id", "inquiries WHERE user_id = :id"),
}
MASKED = {
    "tips": ("id", "tips WHERE from_user_id = :id AND message IS NOT NULL"),
    "creator_profiles": ("id", "creator_profiles WHERE user_id = :id"),
    "users": ("id", "users WHERE id = :id"),
}
KEPT = {
    "coin_ledger": ("id", "coin_ledger WHERE user_id = :id"),
    "purchases": ("id", "purchases WHERE user_id = :id"),
    "payouts": ("id", f"payouts WHERE creator_id IN {MINE}"),
    # Both sides of a tip; UNION rather than OR, so each side uses its index.
    "tips": (
        "id",
        "(SELECT id FROM tips WHERE from_user_id = :id "
        f"UNION SELECT id FROM tips WHERE to_creator_id IN {MINE}) t",
    ),
}
UNCHANGED = (
    "(SELECT md5(coalesce(string_agg(r, '|' ORDER BY r), '')) FROM ("
    "SELECT 'c' || c::text AS r FROM coin_ledger c WHERE user_id = :id "
    "UNION ALL SELECT 'p' || p::text FROM purchases p WHERE user_id = :id "
    f"UNION ALL SELECT 'o' || o::text FROM payouts o WHERE creator_id IN {MINE} "
    "UNION ALL SELECT 't' || (t.id, t.to_creator_id, t.coins, t.created_at)::text FROM tips t "
    "WHERE from_user_id = :id "
    "UNION ALL SELECT 'u' || t::text FROM tips t "
    f"WHERE to_creator_id IN {MINE} AND from_user_id <> :id "
    "UNION ALL SELECT 'i' || u::text FROM users u WHERE invited_by = :id "
    f"UNION ALL SELECT 's' || s::text FROM series s WHERE creator_id IN {MINE}) a)"
)
"""One fingerprint of every row the erasure must leave as it is: the person's held transaction
rows (a tip's message aside), tips others gave them, and rows of others that point at the
person's rows it masks (people they invited, their series). Nothing references the six tables
it deletes from, so no row outside the person's set can point at a deleted row; these are the
outside rows that point at rows it changes."""


def _object(parts: dict[str, str]) -> str:
    return "SELECT json_build_object(" + ", ".join(f"'{k}', {v}" for k, v in parts.items()) + ")"


CHECKED_READ = _object(
    {
        **{t: KEYS.format(key=k, source=f) for t, (k, f) in DELETED.items()},
        **{f"masked {t}": KEYS.format(key=k, source=f) for t, (k, f) in MASKED.items()},
        **{f"kept {t}": KEYS.format(key=k, source=f) for t, (k, f) in KEPT.items()},
        "unchanged": UNCHANGED,
    }
)
"""Before: the rows it will report (deleted, masked, kept) and the fingerprint, one statement."""
CHANGED = [*DELETED, *(f"masked {t}" for t in MASKED)]
CHECKED_CHANGE = (
    "WITH "
    + ", ".join(
        f"c{n} AS ({sql} RETURNING {(DELETED | MASKED)[name.removeprefix('masked ')][0]})"
        for n, (name, sql) in enumerate(zip(CHANGED, EXPERT_ERASE, strict=True))
    )
    + " "
    + _object(
        {
            name: KEYS.format(
                key=(DELETED | MASKED)[name.removeprefix("masked ")][0], source=f"c{n}"
            )
            for n, name in enumerate(CHANGED)
        }
    )
)
"""The expert's nine statements as one, each returning the keys it deleted or masked."""
CHECKED_VERIFY = _object(
    {
        "left": " + ".join(f"(SELECT count(*) FROM {f})" for _, f in DELETED.values())
        + " + (SELECT count(*) FROM tips WHERE from_user_id = :id AND message IS NOT NULL)",
        "users": "(SELECT count(*) FROM users WHERE id = :id AND email LIKE 'pk:%' "
        "AND display_name = '退会済みユーザー' AND password_hash IS NULL AND invited_by IS NULL "
        "AND last_activity_at IS NULL AND avatar_key IS NULL AND stripe_customer_id IS NULL "
        "AND processing_restricted)",
        "creator_profiles": "(SELECT count(*) FROM creator_profiles WHERE user_id = :id "
        "AND handle LIKE 'pk:%' AND bio IS NULL AND stripe_account_id IS NULL)",
        "unchanged": UNCHANGED,
    }
)
"""After, before commit: nothing of the person is left, their kept rows are masked, and every
row that had to stay as it was did (the same fingerprint)."""


class Expert:
    """The hand-written, set-based baseline on its own pooled engine."""

    def __init__(self, url: str, key: str) -> None:
        self.engine = sa.create_engine(url)
        self.key = key
        with self.engine.begin() as connection:
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pgcrypto")

    def access(self, user_id: int) -> int:
        with self.engine.begin() as connection:
            return sum(
                len(connection.execute(sa.text(sql), {"id": user_id}).all())
                for sql in EXPERT_ACCESS.values()
            )

    def erase(self, user_id: int, connection: sa.Connection | None = None) -> int:
        with ExitStack() as stack:
            if connection is None:
                connection = stack.enter_context(self.engine.begin())
            return sum(
                connection.execute(sa.text(sql), {"id": user_id, "key": self.key}).rowcount
                for sql in EXPERT_ERASE
            )

    def erase_checked(self, user_id: int, connection: sa.Connection | None = None) -> int:
        """The same erasure with the safety the issue asks of it, hand-written set-based: read
        what it will report, change, verify, then commit; three statements and the commit."""
        parameters = {"id": user_id, "key": self.key}
        with ExitStack() as stack:
            if connection is None:
                connection = stack.enter_context(self.engine.begin())
            before = connection.execute(sa.text(CHECKED_READ), parameters).scalar_one()
            changed = connection.execute(sa.text(CHECKED_CHANGE), parameters).scalar_one()
            after = connection.execute(sa.text(CHECKED_VERIFY), parameters).scalar_one()
            wrong = [k for k, v in changed.items() if v != before[k]]
            if after["left"] or after["unchanged"] != before["unchanged"]:
                wrong.append("verification")
            for table in ("users", "creator_profiles"):
                if after[table] != len(before[f"masked {table}"]):
                    wrong.append(f"{table} not masked")
            if wrong:
                connection.rollback()
                raise SystemExit(f"the checked expert erasure of {user_id} failed: {wrong}")
            return sum(len(v) for v in changed.values())

    def snapshot(self, connection: sa.Connection, user_id: int) -> dict[str, list[Any]]:
        return {
            table: sorted(map(tuple, connection.execute(sa.text(sql), {"id": user_id})), key=repr)
            for table, sql in EXPERT_ACCESS.items()
        }

    def same_as_engine(self, project: Project, user_id: int) -> None:
        """The baselines must do the engine's work: erase one person each way (the baselines'
        rolled back) and compare every row the person had; stop if they differ."""
        theirs = {}
        for name, baseline in (("expert", self.erase), ("checked", self.erase_checked)):
            with self.engine.connect() as connection:
                baseline(user_id, connection)
                theirs[name] = self.snapshot(connection, user_id)
                connection.rollback()
        erase(project, Identity("user_id", str(user_id)))
        with self.engine.connect() as connection:
            ours = self.snapshot(connection, user_id)
        for name, rows in theirs.items():
            differ = [table for table in ours if ours[table] != rows[table]]
            for table in differ:
                print(f"{table}: engine {ours[table]}\n{'':{len(table)}}  {name} {rows[table]}")
            if differ:
                raise SystemExit(f"the {name} baseline does not erase as the engine does: {differ}")


def timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered), p95


def subjects(count: int, pool: int, seed: int) -> list[int]:
    """People among ids 1..pool not erased by an earlier run (their email is not a hash yet)."""
    engine = sa.create_engine(database_url())
    with engine.connect() as connection:
        fresh = connection.execute(
            sa.text("SELECT id FROM users WHERE id <= :p AND email NOT LIKE 'pk:%' ORDER BY id"),
            {"p": pool},
        ).scalars()
        candidates = list(fresh)
    engine.dispose()
    if len(candidates) < count:
        raise SystemExit(
            f"only {len(candidates)} unerased people among 1..{pool} in {DATABASE}: earlier runs "
            f"erased them; drop it to have the next run build it anew "
            f"(dropdb -h 127.0.0.1 -U postgres {DATABASE})"
        )
    return random.Random(seed).sample(candidates, count)


def dealt(people: list[int], sides: list[str], seed: int) -> dict[str, list[int]]:
    """The people shared out so that every side gets people of the same activity: ordered by
    their rows in the two largest tables, taken len(sides) at a time, each handful shuffled and
    dealt one to a side. The sides then differ by their code, not by whom they drew: heavy
    people's rows range from tens to hundreds, and a random split gave one side's median person
    up to twice another's rows."""
    engine = sa.create_engine(database_url())
    with engine.connect() as connection:
        rows = dict.fromkeys(people, 0)
        for table in ("viewing_history", "access_logs"):
            counted = connection.execute(
                sa.text(
                    f"SELECT user_id, count(*) FROM {table} WHERE user_id = ANY(:ids) "
                    "GROUP BY user_id"
                ),
                {"ids": people},
            )
            for person, count in counted:
                rows[person] += count
    engine.dispose()
    ordered = sorted(people, key=lambda person: (rows[person], person))
    chance = random.Random(seed)
    shared: dict[str, list[int]] = {side: [] for side in sides}
    for start in range(0, len(ordered) - len(sides) + 1, len(sides)):
        handful = ordered[start : start + len(sides)]
        chance.shuffle(handful)
        for side, person in zip(sides, handful, strict=True):
            shared[side].append(person)
    return shared


def a_creator(taken: set[int], users: int) -> int:
    """An unerased creator not among the measured people (their rows cover every table)."""
    engine = sa.create_engine(database_url())
    with engine.connect() as connection:
        found = connection.execute(
            sa.text(
                "SELECT id FROM users WHERE id % :k = 1 AND id <= :p AND email NOT LIKE 'pk:%' "
                "ORDER BY id"
            ),
            {"k": ainema.CREATOR_EVERY, "p": users},
        ).scalars()
        chosen = next(u for u in found if u not in taken)
    engine.dispose()
    return chosen


class Costs:
    """Figures a busy machine does not skew: statements the engine sends, the times it waits
    for the service database (a batch sent together is one wait, see `engine.batch`; BEGIN
    aside) and the client CPU it spends per person, beside the wall-clock times."""

    def __init__(self, project: Project) -> None:
        self.statements = 0
        self.trips = 0
        self.calls: dict[str, list[tuple[int, int, float]]] = {}
        for source in runtime(project).sources.values():
            sa.event.listen(source.engine, "before_cursor_execute", self._count)
            sa.event.listen(source.engine, "commit", self._commit)
        pipeline = batch._pipeline

        def counted(*args: Any) -> Any:
            self.trips += 1
            return pipeline(*args)

        batch._pipeline = counted  # type: ignore[assignment]

    def _count(self, *args: Any) -> None:
        self.statements += 1
        self.trips += args[4] is not None  # SQLAlchemy's own execution: a wait of its own

    def _commit(self, *_: Any) -> None:
        self.trips += 1

    def timed(self, name: str, call: Callable[[], Any]) -> float:
        statements, trips, cpu = self.statements, self.trips, time.process_time()
        wall = timed(call)
        spent = (time.process_time() - cpu) * 1000
        sent = (self.statements - statements, self.trips - trips, spent)
        self.calls.setdefault(name, []).append(sent)
        return wall


def measure(
    project: Project,
    people: dict[str, list[int]],
    expert: Expert,
    costs: Costs,
    label: str = "",
) -> dict[str, dict[str, list[float]]]:
    """Each side reads its own people first (cold pages), then erases them (now warm)."""
    sides: dict[str, tuple[Callable[[int], Any], Callable[[int], Any]]] = {
        "engine": (
            lambda u: costs.timed(
                f"access{label}", lambda: access(project, Identity("user_id", str(u)))
            ),
            lambda u: costs.timed(
                f"erase{label}", lambda: erase(project, Identity("user_id", str(u)))
            ),
        ),
        "expert": (
            lambda u: timed(lambda: expert.access(u)),
            lambda u: timed(lambda: expert.erase(u)),
        ),
        "checked": (
            lambda u: timed(lambda: expert.access(u)),
            lambda u: timed(lambda: expert.erase_checked(u)),
        ),
        "naive": (
            lambda u: timed(lambda: naive_access(project, u)),
            lambda u: timed(lambda: naive_erase(project, u)),
        ),
    }
    results: dict[str, dict[str, list[float]]] = {"access": {}, "erase": {}}
    for step, name in enumerate(results):
        for side, ids in people.items():
            results[name][side] = [sides[side][step](u) for u in ids]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--subjects", type=int, default=50)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument(
        "--cold", action="store_true", help="Skip pg_prewarm: measure with whatever is cached."
    )
    parser.add_argument(
        "--places",
        action="store_true",
        help="Also time each place beyond SQL (S3 on SeaweedFS, Redis, a processor, a task).",
    )
    parser.add_argument(
        "--no-naive", action="store_true", help="Skip the naive per-row baseline (slow at 1M)."
    )
    options = parser.parse_args()
    prepare(options.users)
    if not options.cold:
        prewarm()
    sides = ["engine", "expert", "checked"] + ([] if options.no_naive else ["naive"])
    n = options.subjects
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary) / "ainema"
        shutil.copytree(EXAMPLE, directory, ignore=shutil.ignore_patterns("*.sqlite3", ".*"))
        os.environ["AINEMA_DATABASE_URL"] = database_url()
        project = load_project(directory)
        expert = Expert(database_url(), hash_secret(project))
        everyone = subjects(len(sides) * n + 5, options.users, options.seed)
        heavy = subjects(len(sides) * n, HEAVY_POOL, options.seed)
        # One warm-up of each code path, on people measured by nobody.
        access(project, Identity("user_id", str(everyone[-1])))
        expert.access(everyone[-1])
        taken = set(everyone) | set(heavy)
        # A heavy creator (tips both ways, payouts) and a random person, checked both ways.
        for person in (a_creator(taken, options.users), everyone[-2]):
            expert.same_as_engine(project, person)
        expert.erase(everyone[-3])
        expert.erase_checked(everyone[-5])
        if not options.no_naive:
            naive_access(project, everyone[-1])
            naive_erase(project, everyone[-4])
        costs = Costs(project)
        groups = {
            "": dealt(everyone[: len(sides) * n], sides, options.seed),
            " (heavy)": dealt(heavy, sides, options.seed),
        }
        results = {
            f"{name}{label}": figures
            for label, people in groups.items()
            for name, figures in measure(project, people, expert, costs, label).items()
        }
        release(project)
        expert.engine.dispose()
    if options.places:
        from places_bench import places_figures

        places_figures(options.users, options.subjects, options.seed, database_url())
    report(options.users, n, results, costs)


def report(users: int, n: int, results: dict[str, dict[str, list[float]]], costs: Costs) -> None:
    goals = {"access": 50.0, "erase": 200.0}
    print(f"\n{users:,} users, {n} subjects per figure (ms)")
    print(f"heavy: people among the {HEAVY_POOL:,} most active (hundreds of rows each)")
    print(
        f"{'':15} {'engine p50':>10} {'p95':>7} {'expert p50':>10} {'p95':>7} "
        f"{'engine/expert p50':>17} {'p95':>5} {'checked p50':>11} {'p95':>7} "
        f"{'engine/checked p50':>18} {'p95':>5} {'naive p50':>9} {'p95':>7}  goal"
    )
    for name, sides in results.items():
        e50, e95 = percentiles(sides["engine"])
        x50, x95 = percentiles(sides["expert"])
        checked = f"{'-':>11} {'':7} {'-':>18} {'':5}"
        if name.startswith("erase"):  # the checked baseline reads as the expert does
            c50, c95 = percentiles(sides["checked"])
            checked = f"{c50:11.1f} {c95:7.1f} {e50 / c50:17.1f}x {e95 / c95:4.1f}x"
        naive = (
            "" if "naive" not in sides else "{:9.1f} {:7.1f}".format(*percentiles(sides["naive"]))
        )
        goal = goals[name.split()[0]]
        verdict = "met" if e95 < goal else "MISSED"
        within = "met" if e50 <= 3 * x50 and e95 <= 3 * x95 else "MISSED"
        print(
            f"{name:15} {e50:10.1f} {e95:7.1f} {x50:10.1f} {x95:7.1f} {e50 / x50:16.1f}x "
            f"{e95 / x95:4.1f}x {checked} {naive:17}  p95 < {goal:.0f} ms: {verdict}; "
            f"within 3x of expert (p50 and p95): {within}"
        )
    print(
        f"\n{'engine, per person':18} {'statements':>10} {'round trips':>11} "
        f"{'client CPU p50 (ms)':>20}"
    )
    for name, calls in costs.calls.items():
        sent = statistics.mean(n for n, _, _ in calls)
        trips = statistics.mean(t for _, t, _ in calls)
        cpu = statistics.median(c for _, _, c in calls)
        print(f"{name:18} {sent:10.1f} {trips:11.1f} {cpu:20.1f}")


if __name__ == "__main__":
    main()
