"""Helpers for the engine tests: example projects and whole-database snapshots."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PEOPLE = 90


def copy_example(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(
        EXAMPLES / name, target, ignore=shutil.ignore_patterns("*.sqlite3", ".policykeeper")
    )
    return target


def snapshot(url: str) -> dict[str, dict[tuple[object, ...], dict[str, object]]]:
    """Every row of every table, keyed by primary key: to compare whole database states."""
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    out: dict[str, dict[tuple[object, ...], dict[str, object]]] = {}
    with engine.connect() as connection:
        metadata.reflect(connection)
        for table in sorted(metadata.tables.values(), key=lambda t: t.name):
            pk = [c.name for c in table.primary_key.columns]
            rows = connection.execute(sa.select(table)).mappings()
            out[table.name] = {}
            for row in rows:
                plain = {k: _plain(v) for k, v in row.items()}
                key = tuple(row[c] for c in pk) if pk else _unkeyed(out[table.name], plain)
                out[table.name][key] = plain
    engine.dispose()
    return out


def _unkeyed(
    seen: dict[tuple[object, ...], dict[str, object]], row: dict[str, object]
) -> tuple[object, ...]:
    """A table without a primary key (an inheriting table): its rows keyed by their values."""
    values = tuple(repr(v) for v in row.values())
    copy = 0
    while (*values, copy) in seen:
        copy += 1
    return (*values, copy)


def _plain(value: object) -> object:
    return int(value) if isinstance(value, bool) else value
