"""On PostgreSQL one column's IN list is bound as one array (`= ANY(:values::TYPE[])`). The
array's cast carries the column's type modifier, and an explicit cast to `varchar(n)`
truncates, to `numeric(p, s)` rounds or overflows: a value the column cannot hold must still
match nothing, as the expanding IN it replaced did, and the same on every database."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from engine_kit import snapshot
from sqlalchemy.dialects import postgresql

from policykeeper.datamap.starter import init_project
from policykeeper.engine import Identity, erase
from policykeeper.engine.batch import run_all
from policykeeper.engine.keys import Statements, bound, in_values
from policykeeper.engine.runtime import release
from policykeeper.project import Project, load_project

SCHEMA = [
    "CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL UNIQUE)",
    # A log written when customer numbers had six digits: it holds them as text.
    "CREATE TABLE legacy_log (id integer PRIMARY KEY, uid varchar(6), note text)",
    "INSERT INTO customers VALUES (123456, 'six@example.jp'), (1234567, 'seven@example.jp')",
    "INSERT INTO legacy_log VALUES (1, '123456', 'the six-digit customer''s note')",
]


@pytest.fixture
def legacy(database_url: str, tmp_path: Path) -> Iterator[Project]:
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        for statement in SCHEMA:
            connection.exec_driver_sql(statement)
    engine.dispose()
    init_project(tmp_path / "legacy", database_url, "customers.email")
    path = tmp_path / "legacy" / "datamap.yaml"
    text = path.read_text(encoding="utf-8")
    drafted = (
        "    rows: reference  # personal-looking columns, but no join from the person reaches it\n"
    )
    assert drafted in text
    owned = "    rows: owned\n    via: [{table: customers, join: {uid: id}}]\n"
    path.write_text(text.replace(drafted, owned), encoding="utf-8")
    project = load_project(tmp_path / "legacy")
    yield project
    release(project)


def test_a_longer_key_does_not_reach_a_truncated_one(legacy: Project, database_url: str) -> None:
    before = snapshot(database_url)
    report = erase(legacy, Identity("user_id", "1234567")).to_json()
    after = snapshot(database_url)
    assert report["verified"] is True
    assert (1234567,) not in after["customers"]
    assert after["legacy_log"] == before["legacy_log"], "customer 123456's row is not theirs"


@pytest.fixture
def narrow(database_url: str) -> Iterator[sa.Table]:
    """Columns with a length or a precision, each holding one row's value."""
    engine = sa.create_engine(database_url)
    table = sa.Table(
        "narrow",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("code", sa.String(5)),
        sa.Column("amount", sa.Numeric(6, 2)),
    )
    table.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            table.insert(),
            {"id": 1, "code": "abcde", "amount": Decimal("1.01")},
        )
    table.info["engine"] = engine
    yield table
    engine.dispose()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("code", "abcdefgh"),  # varchar(5) would truncate it to the row's 'abcde'
        ("amount", Decimal("1.005")),  # numeric(6, 2) would round it to the row's 1.01
        ("amount", Decimal("99999.99")),  # numeric(6, 2) cannot hold it: no error, no row
    ],
)
def test_a_value_the_column_cannot_hold_matches_nothing(
    narrow: sa.Table, column: str, value: object
) -> None:
    statements = Statements()
    query = statements.get(
        column, lambda: sa.select(narrow.c.id).where(in_values(narrow, [column]))
    )
    with narrow.info["engine"].connect() as connection:
        done = run_all(connection, [(query, bound([column], [(value,)]))], statements)
    assert done[0].rows == []


def test_a_domain_over_a_narrow_type_truncates_nothing(postgres_url: str) -> None:
    """A domain's base type loses its length when reflected, yet the cast to the domain's
    array applies it: the value still matches nothing."""
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE DOMAIN code5 AS varchar(5)")
        connection.exec_driver_sql("CREATE TABLE coded (id integer PRIMARY KEY, code code5)")
        connection.exec_driver_sql("INSERT INTO coded VALUES (1, 'abcde')")
    table = sa.Table("coded", sa.MetaData(), autoload_with=engine)
    statements = Statements()
    query = statements.get("q", lambda: sa.select(table.c.id).where(in_values(table, ["code"])))
    with engine.connect() as connection:
        done = run_all(connection, [(query, bound(["code"], [("abcdefgh",)]))], statements)
    engine.dispose()
    assert done[0].rows == []


def test_a_domain_column_compiles_without_a_deprecation_warning() -> None:
    """SQLAlchemy warns on operators over its DOMAIN type (which names no operator classes);
    the IN list compares the column as its base type, with the same SQL."""
    table = sa.Table("t", sa.MetaData(), sa.Column("uid", postgresql.DOMAIN("uid6", sa.String(6))))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sql = str(
            sa.select(table.c.uid)
            .where(in_values(table, ["uid"]))
            .compile(dialect=postgresql.dialect())
        )
    assert "t.uid IN (__[POSTCOMPILE_values])" in sql
