"""Request engine benchmark: access and erasure of one person in a 1M-user AInema database.

PolicyKeeper's set-based executors against the naive approach (one statement per row, as
Fides's SQL erasure issues one UPDATE per row), on different people of the same database,
in the same run. Prints p50 and p95 over the subjects, and the ratios.

    .venv/bin/python bench/engine_bench.py [--users 1000000] [--subjects 50] [--cold] [--places]

The database (pk_bench on the local PostgreSQL) is generated once, server-side with
INSERT ... SELECT generate_series (about 21M activity rows), and reused by later runs;
each run erases about 4 x --subjects people who were not erased before (half of them among
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

from policykeeper.engine import Identity, access, erase
from policykeeper.engine.decide import decide
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
        raise SystemExit(f"only {len(candidates)} unerased people among 1..{pool}: regenerate")
    return random.Random(seed).sample(candidates, count)


class Costs:
    """Figures a busy machine does not skew: statements the engine sends and the client CPU it
    spends per person, beside the wall-clock times."""

    def __init__(self, project: Project) -> None:
        self.statements = 0
        self.calls: dict[str, list[tuple[int, float]]] = {}
        for source in runtime(project).sources.values():
            sa.event.listen(source.engine, "before_cursor_execute", self._count)

    def _count(self, *_: Any) -> None:
        self.statements += 1

    def timed(self, name: str, call: Callable[[], Any]) -> float:
        statements, cpu = self.statements, time.process_time()
        wall = timed(call)
        spent = (time.process_time() - cpu) * 1000
        self.calls.setdefault(name, []).append((self.statements - statements, spent))
        return wall


def measure(
    project: Project, ours: list[int], theirs: list[int], costs: Costs, label: str = ""
) -> dict[str, Any]:
    """Each side reads its own people first (cold pages), then erases them (now warm)."""
    return {
        "access": (
            [
                costs.timed(
                    f"access{label}", lambda u=u: access(project, Identity("user_id", str(u)))
                )
                for u in ours
            ],
            [timed(lambda u=u: naive_access(project, u)) for u in theirs],
        ),
        "erase": (
            [
                costs.timed(
                    f"erase{label}", lambda u=u: erase(project, Identity("user_id", str(u)))
                )
                for u in ours
            ],
            [timed(lambda u=u: naive_erase(project, u)) for u in theirs],
        ),
    }


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
    options = parser.parse_args()
    prepare(options.users)
    if not options.cold:
        prewarm()
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary) / "ainema"
        shutil.copytree(EXAMPLE, directory, ignore=shutil.ignore_patterns("*.sqlite3", ".*"))
        os.environ["AINEMA_DATABASE_URL"] = database_url()
        project = load_project(directory)
        people = subjects(3 * options.subjects + 3, options.users, options.seed)
        heavy = subjects(2 * options.subjects, HEAVY_POOL, options.seed)
        n = options.subjects
        access(project, Identity("user_id", str(people[-1])))
        naive_access(project, people[-1])
        erase(project, Identity("user_id", str(people[-2])))
        naive_erase(project, people[-3])
        costs = Costs(project)
        results = {
            **measure(project, people[:n], people[n : 2 * n], costs),
            **{
                f"{name} (heavy)": figures
                for name, figures in measure(
                    project, heavy[:n], heavy[n:], costs, " (heavy)"
                ).items()
            },
        }
        release(project)
    if options.places:
        from places_bench import places_figures

        places_figures(options.users, options.subjects, options.seed, database_url())
    goals = {"access": 50.0, "erase": 200.0}
    print(f"\n{options.users:,} users, {options.subjects} subjects per figure (ms)")
    print(f"heavy: people among the {HEAVY_POOL:,} most active (hundreds of rows each)")
    print(
        f"{'':8} {'p50':>8} {'p95':>8} {'naive p50':>10} {'naive p95':>10} {'p95 ratio':>10}  goal"
    )
    for name, (fast, slow) in results.items():
        p50, p95 = percentiles(fast)
        n50, n95 = percentiles(slow)
        goal = goals[name.split()[0]]
        verdict = "met" if p95 < goal else "missed"
        print(
            f"{name:15} {p50:8.1f} {p95:8.1f} {n50:10.1f} {n95:10.1f} {n95 / p95:9.1f}x"
            f"  p95 < {goal:.0f} ms: {verdict}"
        )
    print(f"\n{'engine, per person':18} {'statements':>10} {'client CPU p50 (ms)':>20}")
    for name, calls in costs.calls.items():
        sent = statistics.mean(n for n, _ in calls)
        print(f"{name:18} {sent:10.1f} {statistics.median(c for _, c in calls):20.1f}")


if __name__ == "__main__":
    main()
