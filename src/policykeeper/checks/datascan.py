"""The database scan: a bounded, read-only sample of every text column of every connection.

Only counts, the kind found and one masked example per column leave this module; the sampled
values are classified in memory and dropped. Each query is a `SELECT column ... LIMIT n` inside
a read-only transaction (PostgreSQL and MariaDB refuse writes in it; SQLite's connection is
switched to query_only for the scan).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from policykeeper.checks.classify import ColumnProfile, profile
from policykeeper.datamap.schema import reflect
from policykeeper.engine.runtime import runtime
from policykeeper.project import Project

SAMPLE = 200


@dataclass(frozen=True)
class ColumnScan:
    connection: str
    table: str
    """The data map's name for the table, or the live name when the map does not list it."""
    column: str
    mapped_table: bool
    profile: ColumnProfile

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
        }


def scan_databases(
    project: Project,
    *,
    sample: int = SAMPLE,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[ColumnScan]:
    """Every text column of every table on the data map's connections, mapped or not, as the
    schema is now (reflected again: a column added since the data map was checked counts)."""
    rt = runtime(project)
    found: list[ColumnScan] = []
    for source in rt.sources.values():
        with source.engine.connect() as connection:
            _read_only(connection, True)
            try:
                schemas = {t.schema for t in source.metadata.tables.values()}
                current = reflect(connection, schemas)
                for live in current.sorted_tables:
                    name = rt.mapped_name(live.fullname)
                    if progress is not None:
                        progress(live.fullname)
                    for column in live.columns:
                        if not _is_text(column):
                            continue
                        values = (
                            connection.execute(
                                sa.select(column).where(column.is_not(None)).limit(sample)
                            )
                            .scalars()
                            .all()
                        )
                        found.append(
                            ColumnScan(
                                source.name,
                                name or live.fullname,
                                column.name,
                                name is not None,
                                profile(column.name, list(values), today=today),
                            )
                        )
            finally:
                connection.rollback()
                _read_only(connection, False)
    return found


def _is_text(column: sa.Column[Any]) -> bool:
    try:
        return column.type.python_type is str
    except NotImplementedError:
        return False


def _read_only(connection: sa.Connection, on: bool) -> None:
    dialect = connection.dialect.name
    if dialect == "sqlite":
        connection.exec_driver_sql(f"PRAGMA query_only = {'ON' if on else 'OFF'}")
    elif on and dialect in ("postgresql", "mysql", "mariadb"):
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
