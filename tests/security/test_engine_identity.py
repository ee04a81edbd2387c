"""Attacks on identity matching: a look-alike, case, accent or width variant of someone's
address, under collations that fold them (MariaDB utf8mb4_general_ci and utf8mb4_unicode_ci,
PostgreSQL citext, SQLite NOCASE), never reaches that person through any right.

The attacker owns `user1@gmäil.com` (their own, verifiable mailbox) and files requests with
it; the victim is `user1@gmail.com`. A second, distinct account `USER1@GMAIL.COM` exists where
the column allows it, so a case variant is a different person too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from engine.engine_kit import snapshot

from policykeeper.datamap.starter import starter_policy
from policykeeper.engine import Identity, access, erase, is_restricted, plan, rectify, restrict
from policykeeper.engine.runtime import release
from policykeeper.errors import InputError, SubjectNotFound
from policykeeper.project import Project, load_project

VICTIM = "user1@gmail.com"
TWIN = "USER1@GMAIL.COM"
LOOK_ALIKES = [
    "user1@gmäil.com",  # the reported attack
    "user1@gmàil.com",
    "usér1@gmail.com",
    "User1@gmail.com",
    "USER1@gmail.com",
    "ｕｓｅｒ１@gmail.com",  # full-width letters and digit
    "user1@gmail.com\u200b",  # a zero-width space, ignorable under some collations
    "user1@gmail.com\u00a0x",
]

SCHEMAS = {
    "sqlite": [
        "CREATE TABLE accounts (id INTEGER PRIMARY KEY, email VARCHAR(100) NOT NULL, "
        "nick VARCHAR(50) COLLATE NOCASE, full_name VARCHAR(50))",
    ],
    "postgresql": [
        "CREATE EXTENSION IF NOT EXISTS citext",
        "CREATE TABLE accounts (id integer PRIMARY KEY, email citext NOT NULL, "
        "nick citext, full_name varchar(50))",
    ],
    "mysql": [
        "CREATE TABLE accounts (id int PRIMARY KEY, "
        "email varchar(100) COLLATE utf8mb4_general_ci NOT NULL, "
        "nick varchar(50) COLLATE utf8mb4_unicode_ci, full_name varchar(50)) "
        "DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_unicode_ci",
    ],
}
ORDERS = (
    "CREATE TABLE orders (id integer PRIMARY KEY, buyer_email varchar(100) NOT NULL, "
    "total integer NOT NULL)"
)
ACCOUNTS = [
    {"id": 1, "email": VICTIM, "nick": "Hanako", "full_name": "Victim"},
    {"id": 2, "email": "other@example.com", "nick": "taro", "full_name": "Other"},
    {"id": 3, "email": TWIN, "nick": "Hánako", "full_name": "Twin"},
]
ORDER_ROWS = [
    {"id": 1, "buyer_email": VICTIM, "total": 100},
    {"id": 2, "buyer_email": TWIN, "total": 200},
    {"id": 3, "buyer_email": "user1@gmäil.com", "total": 300},
]
DATAMAP = """\
policykeeper: 1
connections: {{main: "{url}"}}
identities:
  email: accounts.email
  nick: {{column: accounts.nick, match: casefold}}
  user_id: accounts.id
tables:
  accounts:
    rows: owned
    columns:
      email: {{category: user.contact.email}}
      nick: {{category: user.name.display}}
      full_name: {{category: user.name}}
  orders:
    rows: owned
    via: [{{table: accounts, join: {{buyer_email: email}}}}]
    columns:
      total: {{category: user.behavior.purchase_history}}
"""


@pytest.fixture
def service(database_url: str, tmp_path: Path) -> Iterator[Project]:
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        for statement in [*SCHEMAS[connection.dialect.name], ORDERS]:
            connection.exec_driver_sql(statement)
        metadata = sa.MetaData()
        metadata.reflect(connection)
        connection.execute(metadata.tables["accounts"].insert(), ACCOUNTS)
        connection.execute(metadata.tables["orders"].insert(), ORDER_ROWS)
    engine.dispose()
    directory = tmp_path / "service"
    directory.mkdir()
    (directory / "datamap.yaml").write_text(DATAMAP.format(url=database_url), encoding="utf-8")
    categories = ["user.behavior.purchase_history", "user.contact.email", "user.name"]
    (directory / "policy.yaml").write_text(
        starter_policy("service", categories, []), encoding="utf-8"
    )
    project = load_project(directory)
    yield project
    release(project)


RIGHTS: dict[str, Callable[[Project, Identity], Any]] = {
    "access": access,
    "plan": plan,
    "erase": erase,
    "erase --dry-run": lambda p, i: erase(p, i, dry_run=True),
    "rectify": lambda p, i: rectify(p, i, {"accounts.full_name": "Mallory"}),
    "restrict": restrict,
    "is_restricted": is_restricted,
}


@pytest.mark.parametrize("right", list(RIGHTS))
def test_a_look_alike_never_reaches_the_victim(service: Project, right: str) -> None:
    url = service.datamap.connections["main"]
    before = snapshot(url)
    for value in LOOK_ALIKES:
        with pytest.raises(SubjectNotFound):
            RIGHTS[right](service, Identity("email", value))
    assert snapshot(url) == before


def test_each_address_reaches_exactly_its_own_account_and_orders(service: Project) -> None:
    mine = access(service, Identity("email", VICTIM)).to_json()["tables"]
    assert [row["id"] for row in mine["accounts"]] == [1]
    assert [row["id"] for row in mine["orders"]] == [1]
    twin = access(service, Identity("email", TWIN)).to_json()["tables"]
    assert [row["id"] for row in twin["accounts"]] == [3]
    assert [row["id"] for row in twin["orders"]] == [2]


def test_erasing_the_victim_leaves_the_case_twin_and_the_look_alike(service: Project) -> None:
    url = service.datamap.connections["main"]
    before = snapshot(url)
    report = erase(service, Identity("email", f"  {VICTIM}\n")).to_json()
    after = snapshot(url)
    assert report["totals"]["deleted"] == 2
    assert set(after["accounts"]) == {(2,), (3,)} and set(after["orders"]) == {(2,), (3,)}
    for table in ("accounts", "orders"):
        assert {k: v for k, v in before[table].items() if k in after[table]} == after[table]


def test_casefold_ignores_case_and_nothing_else(service: Project) -> None:
    """`match: casefold` follows the service, which treats nick names case-insensitively;
    an accent still makes another person (Hánako is account 3, not Hanako)."""
    assert [
        r["id"] for r in access(service, Identity("nick", "HANAKO")).to_json()["tables"]["accounts"]
    ] == [1]
    assert [
        r["id"] for r in access(service, Identity("nick", "hÁnako")).to_json()["tables"]["accounts"]
    ] == [3]
    for value in ("Hanakó", "Ｈａｎａｋｏ", "Hanako\u200b"):
        with pytest.raises(SubjectNotFound):
            access(service, Identity("nick", value))


def test_decomposed_input_is_composed_once(service: Project) -> None:
    """NFC: 'a' + combining acute is the same text as 'á', so it reaches account 3 exactly."""
    decomposed = "Ha\u0301nako"
    found = access(service, Identity("nick", decomposed)).to_json()["tables"]["accounts"]
    assert [row["id"] for row in found] == [3]


@pytest.mark.parametrize("value", ["٣", "３", "1_0", "0x3", "3.0", " "])
def test_a_number_in_other_digits_is_not_an_account_number(service: Project, value: str) -> None:
    with pytest.raises(InputError):
        access(service, Identity("user_id", value))


INJECTIONS = [
    "' OR '1'='1",
    "user1@gmail.com' OR 1=1 -- ",
    "user1@gmail.com'; DROP TABLE accounts; --",
    '" OR ""="',
    "user1@gmail.com\\' OR 1=1 #",
    "%",
    "user1@%",
    "_ser1@gmail.com",
    "*",
]


@pytest.mark.parametrize("kind", ["email", "nick"])
@pytest.mark.parametrize("right", ["access", "erase", "rectify", "restrict"])
def test_sql_in_an_identity_is_only_ever_a_value(service: Project, right: str, kind: str) -> None:
    url = service.datamap.connections["main"]
    before = snapshot(url)
    for value in INJECTIONS:
        with pytest.raises(SubjectNotFound):
            RIGHTS[right](service, Identity(kind, value))
    assert snapshot(url) == before


@pytest.mark.parametrize(
    ("identity", "code", "message"),
    [
        ("email=' OR '1'='1", 1, "no one with that email"),
        ("user_id=1 OR 1=1", 2, "not a valid int"),
        ("user_id=1; DROP TABLE accounts", 2, "not a valid int"),
        ("email=user1@gmail.com\x00' OR 1=1", 2, "control character"),
        ("nick=\ud800", 2, "control character"),
    ],
)
def test_from_the_shell_an_injection_is_one_line_and_changes_nothing(
    service: Project, identity: str, code: int, message: str
) -> None:
    from typer.testing import CliRunner

    from policykeeper.cli import app

    url = service.datamap.connections["main"]
    before = snapshot(url)
    result = CliRunner().invoke(app, ["erase", str(service.directory), "--identity", identity])
    assert result.exit_code == code
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert snapshot(url) == before
