"""The database scan on SQLite, PostgreSQL and MariaDB: the four findings it exists for, each
with its draft, on a schema changed the way real applications drift; and nothing changed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import sqlalchemy as sa
from checks_kit import NOW, PHONES, add_phone_column, ainema_project, state_url

from policykeeper.checks import run_checks
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
    (folder / "datamap.yaml").write_text(
        (folder / "datamap.yaml").read_text() + "  mail_copies: {rows: reference}\n"
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
