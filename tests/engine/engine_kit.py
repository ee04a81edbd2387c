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
            out[table.name] = {
                tuple(row[c] for c in pk): {k: _plain(v) for k, v in row.items()} for row in rows
            }
    engine.dispose()
    return out


def _plain(value: object) -> object:
    return int(value) if isinstance(value, bool) else value
