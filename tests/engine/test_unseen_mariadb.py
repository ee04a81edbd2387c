"""`init`, `access` and `erase` from the shell on a MariaDB schema PolicyKeeper has never seen:
an event-booking service on utf8mb4_general_ci, with a key-value meta table, denormalised
copies of the attendee's name and address on bookings, payments kept by law, referrals between
two members, staff, and venues and events shared by everyone. Row counts are checked against
SQL written here; every row of every other person is byte-identical afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from engine_kit import snapshot
from shop_kit import rows_of
from typer.testing import CliRunner

from policykeeper.cli import app

runner = CliRunner()
CI = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci"
SCHEMA = [
    f"CREATE TABLE staff (id int PRIMARY KEY, name varchar(60) NOT NULL) {CI}",
    f"CREATE TABLE venues (id int PRIMARY KEY, name varchar(80) NOT NULL, city varchar(40)) {CI}",
    f"CREATE TABLE shows (id int PRIMARY KEY, venue_id int NOT NULL, title varchar(80) NOT NULL, "
    f"starts_at datetime NOT NULL, FOREIGN KEY (venue_id) REFERENCES venues(id)) {CI}",
    f"CREATE TABLE members (id int PRIMARY KEY, email varchar(120) NOT NULL UNIQUE, "
    f"display_name varchar(60), birthday date, created_at datetime NOT NULL) {CI}",
    f"CREATE TABLE member_meta (member_id int NOT NULL, meta_key varchar(40) NOT NULL, "
    f"meta_value text, PRIMARY KEY (member_id, meta_key), "
    f"FOREIGN KEY (member_id) REFERENCES members(id)) {CI}",
    f"CREATE TABLE bookings (id int PRIMARY KEY, member_id int NOT NULL, show_id int NOT NULL, "
    f"attendee_name varchar(60) NOT NULL, attendee_address varchar(200), "
    f"booked_at datetime NOT NULL, total int NOT NULL, "
    f"FOREIGN KEY (member_id) REFERENCES members(id), "
    f"FOREIGN KEY (show_id) REFERENCES shows(id)) {CI}",
    f"CREATE TABLE payments (id int PRIMARY KEY, booking_id int NOT NULL, amount int NOT NULL, "
    f"card_brand varchar(20), paid_at datetime NOT NULL, "
    f"FOREIGN KEY (booking_id) REFERENCES bookings(id)) {CI}",
    f"CREATE TABLE referrals (id int PRIMARY KEY, referrer_id int, referred_id int, "
    f"note varchar(100), created_at datetime NOT NULL, "
    f"FOREIGN KEY (referrer_id) REFERENCES members(id), "
    f"FOREIGN KEY (referred_id) REFERENCES members(id)) {CI}",
    f"CREATE TABLE inquiries (id int PRIMARY KEY, member_id int, handled_by int, "
    f"body text NOT NULL, created_at datetime NOT NULL, "
    f"FOREIGN KEY (member_id) REFERENCES members(id), "
    f"FOREIGN KEY (handled_by) REFERENCES staff(id)) {CI}",
]
MIKA, REN, SORA = 1, 2, 3


def _fill(connection: sa.Connection) -> None:
    def run(sql: str, *rows: dict[str, object]) -> None:
        connection.execute(sa.text(sql), list(rows))

    run("INSERT INTO staff VALUES (:id, :name)", {"id": 1, "name": "佐藤"})
    run(
        "INSERT INTO venues VALUES (:id, :name, :city)", {"id": 1, "name": "武道館", "city": "東京"}
    )
    run(
        "INSERT INTO shows VALUES (:id, 1, :title, :at)",
        {"id": 1, "title": "Live", "at": datetime(2025, 10, 1)},
        {"id": 2, "title": "Encore", "at": datetime(2025, 11, 1)},
    )
    run(
        "INSERT INTO members VALUES (:id, :email, :name, NULL, :at)",
        {"id": MIKA, "email": "mika@example.jp", "name": "ミカ", "at": datetime(2024, 1, 1)},
        {"id": REN, "email": "ren@example.jp", "name": "レン", "at": datetime(2024, 2, 1)},
        {"id": SORA, "email": "sora@example.jp", "name": "ソラ", "at": datetime(2024, 3, 1)},
    )
    run(
        "INSERT INTO member_meta VALUES (:m, :k, :v)",
        {"m": MIKA, "k": "newsletter", "v": "yes"},
        {"m": MIKA, "k": "favourite_artist", "v": "YOASOBI"},
        {"m": REN, "k": "newsletter", "v": "no"},
    )
    run(
        "INSERT INTO bookings VALUES (:id, :m, :s, :name, :addr, :at, :total)",
        *(
            {
                "id": i,
                "m": m,
                "s": s,
                "name": n,
                "addr": "東京都渋谷区1-1",
                "at": datetime(2025, 9, i),
                "total": 8800,
            }
            for i, m, s, n in (
                (1, MIKA, 1, "ミカ"),
                (2, MIKA, 2, "ミカ"),
                (3, REN, 1, "レン"),
                (4, SORA, 2, "ソラ"),
            )
        ),
    )
    run(
        "INSERT INTO payments VALUES (:id, :b, 8800, 'VISA', :at)",
        *({"id": i, "b": i, "at": datetime(2025, 9, i)} for i in (1, 2, 3, 4)),
    )
    run(
        "INSERT INTO referrals VALUES (:id, :a, :b, :note, :at)",
        {"id": 1, "a": MIKA, "b": REN, "note": "友達", "at": datetime(2024, 2, 1)},
        {"id": 2, "a": REN, "b": SORA, "note": "同僚", "at": datetime(2024, 3, 1)},
    )
    run(
        "INSERT INTO inquiries VALUES (:id, :m, 1, :body, :at)",
        {"id": 1, "m": MIKA, "body": "席について", "at": datetime(2025, 8, 1)},
        {"id": 2, "m": SORA, "body": "返金", "at": datetime(2025, 8, 2)},
    )


@pytest.fixture
def service(mariadb_url: str) -> Iterator[str]:
    engine = sa.create_engine(mariadb_url)
    with engine.begin() as connection:
        for statement in SCHEMA:
            connection.exec_driver_sql(statement)
        _fill(connection)
    engine.dispose()
    yield mariadb_url


MIKAS = {
    "members": "SELECT id FROM members WHERE id = :u",
    "member_meta": "SELECT member_id, meta_key FROM member_meta WHERE member_id = :u",
    "bookings": "SELECT id FROM bookings WHERE member_id = :u",
    "payments": "SELECT id FROM payments WHERE booking_id IN "
    "(SELECT id FROM bookings WHERE member_id = :u)",
    # referrer_id names someone else (as invited_by does): a referral is the referred member's.
    "referrals": "SELECT id FROM referrals WHERE referred_id = :u",
    "inquiries": "SELECT id FROM inquiries WHERE member_id = :u",
}
KEYS = {"member_meta": ("member_id", "meta_key")}


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_init_access_erase_on_an_unseen_mariadb_schema(service: str, tmp_path: Path) -> None:
    directory = tmp_path / "tickets"
    code, _, err = run("init", str(directory), "--db", service, "--identity", "members.email")
    assert code == 0, err
    assert run("validate", str(directory))[0] == 0
    drafted = (directory / "datamap.yaml").read_text(encoding="utf-8")
    # utf8mb4_general_ci compares the address without case: the map says so, and no more.
    assert "email: {column: members.email, match: casefold}" in drafted

    expected = {table: rows_of(service, sql, u=MIKA) for table, sql in MIKAS.items()}
    code, out, err = run("access", str(directory), "--identity", "email=Mika@Example.JP")
    assert code == 0, err
    tables = json.loads(out)["tables"]
    assert set(tables) == {table for table, keys in expected.items() if keys}
    for table, keys in expected.items():
        rows = tables.get(table, [])
        found = {tuple(row[c] for c in KEYS.get(table, ("id",))) for row in rows}
        assert len(rows) == len(keys) and found == keys, table
    assert run("access", str(directory), "--identity", "email=mika@exämple.jp")[0] == 1

    before = snapshot(service)
    code, out, err = run("erase", str(directory), "--identity", "email=mika@example.jp", "--json")
    assert code == 0, err
    report = json.loads(out)
    after = snapshot(service)
    assert report["verified"]
    totals = {name: (t["deleted"], t["kept"]) for name, t in report["tables"].items()}
    assert totals["member_meta"] == (2, 0) and totals["inquiries"] == (1, 0)
    assert totals["payments"] == (0, 2) and totals["members"] == (0, 1)
    # Kept payments keep their amounts; the bookings they point at keep no name or address.
    for booking in (1, 2):
        row = after["bookings"][(booking,)]
        assert row["total"] == 8800 and row["attendee_address"] is None
        assert str(row["attendee_name"]).startswith("pk:")
    # Ren's referral still points at Mika's account row, which stays (masked) for her bookings.
    for table, rows in before.items():
        mine = expected.get(table, set())
        for key, row in rows.items():
            if key not in mine:
                assert after[table].get(key) == row, (table, key)
