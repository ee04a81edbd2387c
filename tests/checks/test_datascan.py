"""The database scan on SQLite, PostgreSQL and MariaDB: the four findings it exists for, each
with its draft, on a schema changed the way real applications drift; and nothing changed."""

from __future__ import annotations

import hashlib
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from checks_kit import NOW, PHONES, add_phone_column, ainema_project, state_url

from policykeeper.checks import run_checks
from policykeeper.checks.data_checks import data_checks
from policykeeper.checks.datascan import scan_databases
from policykeeper.project import load_project

CARDS = ["4111111111111111", "5555555555554444", "3530111333300000"]


def drift(url: str) -> None:
    """A new phone column, card numbers in the coin ledger, phone numbers in a payouts column
    declared as Stripe ids, and a 'reference' table that copies members' emails."""
    add_phone_column(url)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE coin_ledger ADD COLUMN card_number VARCHAR(20)")
        ids = connection.exec_driver_sql("SELECT id FROM coin_ledger ORDER BY id").scalars().all()
        for index, row_id in enumerate(ids):
            connection.execute(
                sa.text("UPDATE coin_ledger SET card_number = :c WHERE id = :id"),
                {"c": CARDS[index % 3], "id": row_id},
            )
        connection.execute(
            sa.text("UPDATE creator_profiles SET stripe_account_id = :p"), {"p": PHONES[0]}
        )
        connection.exec_driver_sql(
            "CREATE TABLE mail_copies (id INTEGER PRIMARY KEY, address VARCHAR(255))"
        )
        connection.exec_driver_sql(
            "INSERT INTO mail_copies (id, address) SELECT id, email FROM users"
        )
    engine.dispose()


def fingerprint(url: str) -> str:
    """Every row of every table, hashed: proves the scan changed nothing."""
    engine = sa.create_engine(url)
    digest = hashlib.sha256()
    with engine.connect() as connection:
        metadata = sa.MetaData()
        metadata.reflect(connection)
        for table in metadata.sorted_tables:
            key = list(table.primary_key.columns) or list(table.columns)
            for row in connection.execute(sa.select(table).order_by(*key)):
                digest.update(repr(tuple(row)).encode())
    engine.dispose()
    return digest.hexdigest()


def test_the_scan_finds_what_the_map_and_policy_do_not_say(
    tmp_path: Path, database_url: str
) -> None:
    folder = tmp_path / "ainema"
    project = ainema_project(folder, users=30, url=database_url)
    drift(database_url)
    text = (folder / "datamap.yaml").read_text()
    (folder / "datamap.yaml").write_text(
        text.replace("\ntables:\n", "\ntables:\n  mail_copies: {rows: reference}\n", 1)
    )
    project = load_project(folder)
    before = fingerprint(database_url)

    report = run_checks(project, store_url=state_url(folder), now=NOW).report

    assert fingerprint(database_url) == before
    failing = {(c.kind, c.subject) for c in report.failed}
    assert failing == {
        ("data.undeclared_column", "users.tel2"),
        ("data.undeclared_column", "coin_ledger.card_number"),
        ("data.category_contradicted", "creator_profiles.stripe_account_id"),
        ("data.reference_personal", "mail_copies.address"),
        ("data.not_stored_contradicted", "user.financial.credit_card"),
    }
    checks = {c.id: c for c in report.checks}
    card = checks["data.not_stored_contradicted:user.financial.credit_card"]
    assert card.facts["columns"] == ["coin_ledger.card_number"]
    assert card.facts["handled_by"] == ["stripe"]
    assert card.proposals[0].system == "data_processor"
    assert card.tie.section == "categories" and card.tie.label["ja"] == "クレジットカード情報"
    contradicted = checks["data.category_contradicted:creator_profiles.stripe_account_id"]
    assert contradicted.facts["declared"] == "user.financial.payouts"
    assert contradicted.facts["found"] == "user.contact.phone_number"
    reference = checks["data.reference_personal:mail_copies.address"]
    assert "rows: owned" in (reference.proposals[0].draft or "")
    assert checks["data.other_people:staff"].status == "pass"  # staff: someone else's data
    serialized = str(report.to_json())
    assert not any(value in serialized for value in [*CARDS, *PHONES])


def test_the_sample_is_bounded(tmp_path: Path) -> None:
    project = ainema_project(tmp_path / "ainema", users=60)
    scans = {s.where: s for s in scan_databases(project, sample=25)}
    assert scans["access_logs.ip_address"].profile.sampled == 25
    assert scans["access_logs.ip_address"].profile.kind == "ip"
    assert scans["users.email"].profile.kind == "email"


@pytest.fixture(params=["postgres", "mariadb"])
def server_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{request.param}_url"))


def test_a_column_whose_old_rows_are_empty_is_sampled_past_them(
    tmp_path: Path, database_url: str
) -> None:
    """`tel2 NOT NULL DEFAULT ''` added to a live table: every old row holds '', the new rows
    hold phone numbers. The sample skips the empty values, as it skips NULLs."""
    project = ainema_project(tmp_path / "ainema", users=10, url=database_url)
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE legacy_members (id INTEGER PRIMARY KEY, tel2 VARCHAR(32) DEFAULT '' NOT NULL)"
        )
        connection.execute(
            sa.text("INSERT INTO legacy_members (id) VALUES (:id)"),
            [{"id": n} for n in range(1, 301)],
        )
        connection.execute(
            sa.text("INSERT INTO legacy_members (id, tel2) VALUES (:id, :tel)"),
            [{"id": 300 + n, "tel": PHONES[n % len(PHONES)]} for n in range(1, 31)],
        )
    engine.dispose()
    scans = {s.where: s for s in scan_databases(project, sample=25)}
    assert scans["legacy_members.tel2"].profile.kind == "phone"
    assert scans["legacy_members.tel2"].profile.sampled == 25


@pytest.mark.timeout(150)
def test_a_table_held_by_a_migration_is_reported_not_waited_for(
    tmp_path: Path, server_url: str
) -> None:
    project = ainema_project(tmp_path / "ainema", users=10, url=server_url)
    holder = sa.create_engine(server_url).connect()
    try:
        if holder.dialect.name == "postgresql":
            holder.exec_driver_sql("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
        else:
            holder.exec_driver_sql("LOCK TABLES users WRITE")
        started = time.monotonic()
        scans = scan_databases(project, sample=25)
        elapsed = time.monotonic() - started
    finally:
        holder.rollback()
        if holder.dialect.name != "postgresql":
            holder.exec_driver_sql("UNLOCK TABLES")
        holder.close()
    assert elapsed < 60
    held = [s for s in scans if s.table == "users"]
    assert held and all("lock" in (s.problem or "").lower() for s in held)
    assert {s.where: s for s in scans}["access_logs.ip_address"].profile.kind == "ip"
    checks = {c.id: c for c in data_checks(project.policy, project.datamap, scans)}
    warning = checks["data.not_sampled:users"]
    assert warning.status == "warn"  # the whole table ("users.*") or each of its columns
    assert all(c.startswith("users.") for c in warning.facts["columns"])


def test_a_table_is_released_as_soon_as_its_columns_are_read(
    tmp_path: Path, server_url: str
) -> None:
    """While the scan reads a later table, a migration on a table it has already read goes
    through at once: the scan keeps no transaction open across tables."""
    project = ainema_project(tmp_path / "ainema", users=10, url=server_url)
    migrations = sa.create_engine(server_url)
    reported: list[str] = []
    done: list[str] = []

    def migrate_the_table_read_before(table: str) -> None:
        if reported[-1:] in (["access_logs"], ["public.access_logs"]):
            with migrations.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.exec_driver_sql("SET LOCAL lock_timeout = '1s'")
                else:
                    connection.exec_driver_sql("SET SESSION lock_wait_timeout = 1")
                connection.exec_driver_sql("ALTER TABLE access_logs ADD COLUMN note VARCHAR(20)")
            done.append(table)
        reported.append(table)

    try:
        scan_databases(project, sample=25, progress=migrate_the_table_read_before)
    finally:
        migrations.dispose()
    assert done  # the ALTER ran while the scan was on the next table, without waiting


def test_a_table_the_scan_may_not_read_is_a_warning(tmp_path: Path, postgres_url: str) -> None:
    project = ainema_project(tmp_path / "ainema", users=10, url=postgres_url)
    role = f"reader_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres_url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        connection.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
        connection.exec_driver_sql(f"REVOKE SELECT ON users FROM {role}")
    reader = sa.make_url(postgres_url).set(username=role).render_as_string(hide_password=False)
    folder = project.directory
    (folder / "datamap.yaml").write_text(
        (folder / "datamap.yaml").read_text().replace(postgres_url, reader)
    )
    try:
        scans = scan_databases(load_project(folder), sample=25)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"REASSIGN OWNED BY {role} TO CURRENT_USER")
            connection.exec_driver_sql(f"DROP OWNED BY {role}")
            connection.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()
    problems = {s.where: s.problem for s in scans if s.problem}
    assert problems and all("permission denied" in p for p in problems.values())
    assert {w.split(".")[0] for w in problems} == {"users"}
    assert {s.where: s for s in scans}["access_logs.ip_address"].profile.kind == "ip"


def test_a_query_past_its_deadline_leaves_its_column_unsampled(
    tmp_path: Path, postgres_url: str
) -> None:
    """A huge column that is almost all NULL would be read to the end to find its values; the
    deadline stops that query, and only that column is reported unsampled."""
    project = ainema_project(tmp_path / "ainema", users=10, url=postgres_url)
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE events (id BIGINT PRIMARY KEY, note TEXT)")
        connection.exec_driver_sql(
            "INSERT INTO events (id) SELECT g FROM generate_series(1, 2000000) g"
        )
    engine.dispose()
    scans = {s.where: s for s in scan_databases(project, sample=25, query_seconds=0.02)}
    assert "statement timeout" in (scans["events.note"].problem or "")


def test_number_columns_named_for_cards_or_my_numbers_are_sampled(
    tmp_path: Path, database_url: str
) -> None:
    """`card_no BIGINT`: the digits are a card number all the same. Other number columns (ids,
    amounts) are not read."""
    project = ainema_project(tmp_path / "ainema", users=10, url=database_url)
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE old_payments (id INTEGER PRIMARY KEY, card_no BIGINT, amount INTEGER)"
        )
        connection.execute(
            sa.text("INSERT INTO old_payments (id, card_no, amount) VALUES (:id, :card, 500)"),
            [{"id": n, "card": int(CARDS[n % len(CARDS)])} for n in range(1, 21)],
        )
    engine.dispose()
    scans = {s.where: s for s in scan_databases(project, sample=25)}
    assert scans["old_payments.card_no"].profile.kind == "card"
    assert "old_payments.amount" not in scans and "old_payments.id" not in scans
    assert not any(card in str(s.to_json()) for s in scans.values() for card in CARDS)
