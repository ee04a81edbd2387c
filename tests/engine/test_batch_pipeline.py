"""Statements sent together (`engine.batch`): on PostgreSQL through psycopg's pipeline, the
rows are the values SQLAlchemy's own execution returns, column types included; a failing
statement stops the batch and its transaction; elsewhere they run one by one, alike."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from policykeeper.engine.batch import Work, run_all
from policykeeper.engine.keys import Statements, bound, in_values

COLUMNS = [
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(40), nullable=False),
    sa.Column("price", sa.Numeric(10, 2)),
    sa.Column("ratio", sa.Float),
    sa.Column("flag", sa.Boolean),
    sa.Column("born", sa.Date),
    sa.Column("seen", sa.DateTime(timezone=True)),
    sa.Column("blob", sa.LargeBinary),
    sa.Column("data", sa.JSON),
]
ON_POSTGRES = [
    sa.Column("tags", postgresql.ARRAY(sa.Text)),
    sa.Column("ref", sa.Uuid),
    sa.Column("address", postgresql.INET),
    sa.Column("during", postgresql.TSTZRANGE),
    sa.Column("doc", postgresql.JSONB),
]
ROWS = [
    {
        "id": 1,
        "name": "ａ一",
        "price": Decimal("12.50"),
        "ratio": 0.25,
        "flag": True,
        "born": dt.date(2001, 2, 3),
        "seen": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        "blob": b"\x00\x01",
        "data": {"a": [1, 2]},
        "tags": ["x", "y"],
        "ref": uuid.UUID(int=7),
        "address": "10.0.0.1",
        "during": postgresql.Range(
            dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
        ),
        "doc": {"b": True},
    },
    {"id": 2, "name": "b", "flag": False},
    {"id": 3, "name": "c"},
]


@pytest.fixture
def things(database_url: str) -> Iterator[sa.Table]:
    """A table of many column types (PostgreSQL's own too), with three rows."""
    engine = sa.create_engine(database_url)
    extra = ON_POSTGRES if engine.dialect.name == "postgresql" else []
    table = sa.Table("things", sa.MetaData(), *(c._copy() for c in [*COLUMNS, *extra]))
    table.metadata.create_all(engine)
    rows = [{c.name: row.get(c.name) for c in table.c} for row in ROWS]
    with engine.begin() as connection:
        connection.execute(table.insert(), rows)
    table.info["engine"] = engine
    yield table
    engine.dispose()


def test_rows_are_what_sqlalchemy_returns(things: sa.Table) -> None:
    table = things.info["engine"]
    statements = Statements()
    query = statements.get("q", lambda: sa.select(things).where(in_values(things, ["id"])))
    by_name = statements.get("n", lambda: sa.select(things.c.id).where(things.c.name == "b"))
    with table.connect() as connection:
        expected = [dict(r) for r in connection.execute(query, {"values": [1, 2, 3]}).mappings()]
        connection.rollback()
        done = run_all(
            connection,
            [(query, bound(["id"], [(1,), (2,), (3,)])), (by_name, {}), (query, {"values": [9]})],
            statements,
        )
    assert sorted(done[0].rows, key=lambda r: r["id"]) == sorted(expected, key=lambda r: r["id"])
    assert [type(v) for v in done[0].rows[0].values()] == [type(v) for v in expected[0].values()]
    assert done[1].rows == [{"id": 2}]
    assert done[2].rows == []
    if table.dialect.name == "postgresql":
        assert isinstance(next(r for r in done[0].rows if r["id"] == 1)["during"], postgresql.Range)


def test_changes_count_their_rows_and_a_miss_raises_after_the_batch(things: sa.Table) -> None:
    table = things.info["engine"]
    flip = things.update().where(in_values(things, ["id"])).values(flag=True)
    gone = things.delete().where(in_values(things, ["id"]))

    class Missed(Exception):
        pass

    told: list[int] = []
    with table.connect() as connection:
        done = run_all(
            connection,
            [
                Work(flip, {"values": [2, 3]}, 2, Missed, lambda: told.append(1)),
                Work(gone, {"values": [3]}, 1, Missed, lambda: told.append(2)),
            ],
            Statements(),
        )
        assert [d.rowcount for d in done] == [2, 1]
        assert told == [1, 2]
        with pytest.raises(Missed):
            run_all(
                connection,
                [Work(gone, {"values": [2, 3]}, 2, Missed), Work(flip, {"values": [1]})],
                Statements(),
            )
        connection.rollback()
    with table.connect() as connection:
        left = connection.execute(sa.select(things.c.id, things.c.flag).order_by("id")).all()
    assert [tuple(r) for r in left] == [(1, True), (2, False), (3, None)], "all rolled back"


def test_a_failing_statement_stops_the_batch(things: sa.Table) -> None:
    table = things.info["engine"]
    clash = things.insert().values(id=sa.bindparam("id"), name="again")
    gone = things.delete().where(in_values(things, ["id"]))
    with table.connect() as connection:
        with pytest.raises((sa.exc.IntegrityError, psycopg.errors.UniqueViolation)):
            run_all(
                connection,
                [(gone, {"values": [3]}), (clash, {"id": 1}), (gone, {"values": [2]})],
                Statements(),
            )
        connection.rollback()
        assert connection.execute(sa.select(sa.func.count()).select_from(things)).scalar() == 3


def test_each_execution_binds_its_own_values(things: sa.Table) -> None:
    """Statements are expanded once per length of their IN lists: a second batch of the same
    length, or a key of two columns, still finds exactly its own rows."""
    statements = Statements()
    one = statements.get("one", lambda: sa.select(things.c.id).where(in_values(things, ["id"])))
    two = statements.get(
        "two", lambda: sa.select(things.c.id).where(in_values(things, ["id", "name"]))
    )
    with things.info["engine"].connect() as connection:
        done = run_all(
            connection,
            [
                (one, bound(["id"], [(1,), (2,)])),
                (one, bound(["id"], [(3,), (9,)])),
                (two, bound(["id", "name"], [(1, "ａ一"), (2, "x")])),
                (two, bound(["id", "name"], [(2, "b"), (3, "c")])),
                (one, bound(["id"], [])),
            ],
            statements,
        )
    assert [sorted(r["id"] for r in d.rows) for d in done] == [[1, 2], [3], [1], [2, 3], []]


def test_an_executemany_whose_sets_expand_differently_changes_nothing(things: sa.Table) -> None:
    """One text is sent for all the sets of an executemany: sets whose IN lists have other
    lengths are refused (on PostgreSQL by the batch, elsewhere by SQLAlchemy), never bound to
    another set's placeholders."""
    flip = things.update().where(in_values(things, ["id", "name"])).values(flag=True)
    sets = [bound(["id", "name"], [(1, "ａ一")]), bound(["id", "name"], [(2, "b"), (3, "c")])]
    with things.info["engine"].connect() as connection:
        with pytest.raises((ValueError, sa.exc.StatementError, sa.exc.InvalidRequestError)):
            run_all(connection, [Work(flip, sets)], Statements())
        connection.rollback()
        flags = connection.execute(sa.select(things.c.flag).order_by("id")).scalars().all()
    assert flags == [True, False, None]


def test_a_batch_of_one_statement_reads_counts_and_fails_as_sqlalchemy_does(
    things: sa.Table,
) -> None:
    """On PostgreSQL a batch of one statement is sent without pipeline mode: its rows are
    SQLAlchemy's, with their types, an executemany counts every set's rows, and a failure
    raises and leaves a transaction that rolls back."""
    statements = Statements()
    query = statements.get("q", lambda: sa.select(things).where(in_values(things, ["id"])))
    flip = things.update().where(things.c.id == sa.bindparam("key")).values(flag=True)
    clash = things.insert().values(id=sa.bindparam("id"), name="again")
    with things.info["engine"].connect() as connection:
        expected = [dict(r) for r in connection.execute(query, {"values": [1]}).mappings()]
        connection.rollback()
        (read,) = run_all(connection, [(query, {"values": [1]})], statements)
        assert read.rows == expected
        assert [type(v) for v in read.rows[0].values()] == [type(v) for v in expected[0].values()]
        (changed,) = run_all(connection, [(flip, [{"key": 2}, {"key": 3}])], Statements())
        assert changed.rowcount == 2
        with pytest.raises((sa.exc.IntegrityError, psycopg.errors.UniqueViolation)):
            run_all(connection, [(clash, {"id": 1})], Statements())
        connection.rollback()
    with things.info["engine"].connect() as connection:
        left = connection.execute(sa.select(things.c.id, things.c.flag).order_by("id")).all()
    assert [tuple(r) for r in left] == [(1, True), (2, False), (3, None)], "all rolled back"
