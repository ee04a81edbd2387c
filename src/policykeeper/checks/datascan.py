"""The database scan: a bounded, read-only sample of every text column of every connection
(and of number columns named for card numbers, My Numbers or phone numbers).

Only counts, the kind found and one masked example per column leave this module; the sampled
values are classified in memory and dropped. Each column is one `SELECT column ... LIMIT n` in a
read-only transaction of its own (PostgreSQL and MariaDB refuse writes in it; SQLite's
connection is switched to query_only for the scan), so a table is locked only while its column is
read, never for the whole scan. On PostgreSQL and MariaDB each query also has a deadline and
waits only briefly for a lock: a huge, sparse column or a migration holding the table makes that
column "not sampled", with the reason, instead of holding up the service or the scan. A column
the scan may not read (no privilege) is reported the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from policykeeper.checks.classify import ColumnProfile, hint, profile
from policykeeper.datamap.values import python_type
from policykeeper.engine.runtime import runtime
from policykeeper.project import Project

SAMPLE = 200
QUERY_SECONDS = 10.0
"""How long one column's sample query may run on PostgreSQL and MariaDB."""
LOCK_SECONDS = 2.0
"""How long it may wait for a lock (a migration holding the table) before giving up."""


@dataclass(frozen=True)
class ColumnScan:
    connection: str
    table: str
    """The data map's name for the table, or the live name when the map does not list it."""
    column: str
    mapped_table: bool
    profile: ColumnProfile
    problem: str | None = None
    """Why the column was not sampled (no privilege, deadline, lock), or None."""

    @property
    def where(self) -> str:
        return f"{self.table}.{self.column}"

    def to_json(self) -> dict[str, Any]:
        return {
            "connection": self.connection,
            "column": self.where,
            "in_data_map": self.mapped_table,
            "sampled": self.profile.sampled,
            "kind": self.profile.kind,
            "matched": self.profile.matched,
            "example": self.profile.example,
            "problem": self.problem,
        }


def scan_databases(
    project: Project,
    *,
    sample: int = SAMPLE,
    today: date | None = None,
    query_seconds: float = QUERY_SECONDS,
    progress: Callable[[str], None] | None = None,
) -> list[ColumnScan]:
    """Every text column of every table on the data map's connections, mapped or not, as the
    schema is now (reflected again: a column added since the data map was checked counts)."""
    rt = runtime(project)
    found: list[ColumnScan] = []
    for source in rt.sources.values():
        connection = source.engine.connect()
        try:
            _read_only_session(connection, query_seconds)
            schemas = {t.schema for t in source.metadata.tables.values()}
            for schema, table in _table_names(connection, schemas):
                fullname = f"{schema}.{table}" if schema else table
                name = rt.mapped_name(fullname)
                if progress is not None:
                    progress(fullname)
                found += _scan_table(
                    connection, schema, table, sample, today, source.name, name or fullname, name
                )
        finally:
            # The session's read-only switch and deadlines leave with the connection.
            connection.invalidate()
            connection.close()
    return found


def _table_names(
    connection: sa.Connection, schemas: set[str | None]
) -> list[tuple[str | None, str]]:
    inspector = sa.inspect(connection)
    names = [
        (schema, table)
        for schema in sorted(schemas, key=lambda s: s or "")
        for table in sorted(inspector.get_table_names(schema=schema))
    ]
    connection.rollback()
    return names


def _scan_table(
    connection: sa.Connection,
    schema: str | None,
    table: str,
    sample: int,
    today: date | None,
    source: str,
    shown: str,
    mapped: str | None,
) -> list[ColumnScan]:
    """The table's text columns, each sampled in a transaction of its own; the whole table as
    one unread entry ("*") when even its columns cannot be listed (a lock, no privilege)."""
    empty = ColumnProfile(None, 0, 0, None, {})
    try:
        live = sa.Table(
            table, sa.MetaData(), schema=schema, autoload_with=connection, resolve_fks=False
        )
    except sa.exc.DBAPIError as exc:
        return [ColumnScan(source, shown, "*", mapped is not None, empty, _reason(exc))]
    finally:
        connection.rollback()
    found = []
    for column in live.columns:
        if not _sampled(column):
            continue
        try:
            values = _sample(connection, column, sample)
        except sa.exc.DBAPIError as exc:
            found.append(
                ColumnScan(source, shown, column.name, mapped is not None, empty, _reason(exc))
            )
            continue
        found.append(
            ColumnScan(
                source,
                shown,
                column.name,
                mapped is not None,
                profile(column.name, values, today=today),
            )
        )
    return found


def _sample(connection: sa.Connection, column: sa.Column[Any], sample: int) -> list[object]:
    """Up to `sample` values that say something (not NULL, not empty), in a transaction that
    ends, and so releases the table, as soon as they are read; numbers as their digits."""
    query = sa.select(column).where(column.is_not(None)).limit(sample)
    if isinstance(column.type, sa.String) and not isinstance(column.type, sa.Enum):
        query = query.where(column != "")  # a NOT NULL DEFAULT '' column's old rows
    try:
        values = connection.execute(query).scalars().all()
    finally:
        connection.rollback()
    return [v if isinstance(v, str) else str(v) for v in values]


def _sampled(column: sa.Column[Any]) -> bool:
    """Text columns, and number columns whose name says they hold a card number, a My Number or
    a phone number (a `card_no BIGINT` holds the digits all the same)."""
    if python_type(column) is str:
        return True
    return isinstance(column.type, sa.Integer | sa.Numeric) and hint(column.name) in NUMBERS


NUMBERS = frozenset({"card", "my_number", "phone"})
"""Kinds that number columns hold too; other number columns (ids, amounts) are not sampled."""


def _read_only_session(connection: sa.Connection, seconds: float) -> None:
    """For the scan's own connection only: every transaction read-only, and on PostgreSQL and
    MariaDB/MySQL a deadline per statement and a short wait for locks."""
    dialect = connection.dialect
    lock = max(int(LOCK_SECONDS), 1)
    if dialect.name == "sqlite":
        statements = ["PRAGMA query_only = ON"]
    elif dialect.name == "postgresql":
        statements = [
            "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
            f"SET statement_timeout = {max(int(seconds * 1000), 1)}",
            f"SET lock_timeout = {lock * 1000}",
        ]
    elif getattr(dialect, "is_mariadb", False):
        statements = [
            "SET SESSION TRANSACTION READ ONLY",
            f"SET SESSION max_statement_time = {seconds:g}",
            f"SET SESSION lock_wait_timeout = {lock}",
        ]
    else:  # MySQL
        statements = [
            "SET SESSION TRANSACTION READ ONLY",
            f"SET SESSION max_execution_time = {max(int(seconds * 1000), 1)}",
            f"SET SESSION lock_wait_timeout = {lock}",
        ]
    for statement in statements:
        connection.exec_driver_sql(statement)
    connection.commit()


def _reason(exc: sa.exc.DBAPIError) -> str:
    lines = str(exc.orig or exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
