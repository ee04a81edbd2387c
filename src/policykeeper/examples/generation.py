"""Synthetic data for an example service, streamed into any database in batched inserts."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

import sqlalchemy as sa
from faker import Faker
from rich.progress import Progress

from policykeeper.errors import InputError
from policykeeper.policy.loading import project_directory

Rows = dict[sa.Table, list[dict[str, object]]]
FLUSH_EVERY = 5000


@dataclass(frozen=True)
class Example:
    """One example service: its schema and a stream of rows, parents before children."""

    name: str
    metadata: sa.MetaData
    stream: Callable[[int, random.Random, Faker], Iterator[Rows]]
    units: Callable[[int], int]


EXAMPLES = ("ainema", "jasminai", "audiostock")


def example(name: str) -> Example:
    if name not in EXAMPLES:
        raise InputError(f"unknown example '{name}'; choose one of: {', '.join(EXAMPLES)}")
    module = import_module(f"policykeeper.examples.{name}")
    return Example(name, module.metadata, module.stream, module.units)


def generate(
    name: str, url: str, users: int, *, seed: int = 1, progress: bool = True, replace: bool = True
) -> dict[str, int]:
    """Create the example's schema at `url` (dropping it first) and fill it; rows per table."""
    from policykeeper.datamap.connections import open_engine, unreachable

    chosen = example(name)
    engine = open_engine(url)
    rng = random.Random(seed)
    fake = Faker(["ja_JP", "en_US"])
    fake.seed_instance(seed)
    counts: dict[str, int] = {t.name: 0 for t in chosen.metadata.sorted_tables}
    try:
        _fill(engine, chosen, users, rng, fake, counts, progress, replace)
    except sa.exc.OperationalError as exc:
        raise unreachable(url, exc) from None
    finally:
        engine.dispose()
    return counts


def _fill(
    engine: sa.Engine,
    chosen: Example,
    users: int,
    rng: random.Random,
    fake: Faker,
    counts: dict[str, int],
    progress: bool,
    replace: bool,
) -> None:
    """Schema first, then rows streamed in batches, parents before children."""
    with engine.begin() as connection:
        if replace:
            chosen.metadata.drop_all(connection)
        chosen.metadata.create_all(connection)
    with Progress(disable=not progress, transient=False) as bar:
        task = bar.add_task(f"{chosen.name}: {users} people", total=chosen.units(users))
        buffer: Rows = {}
        pending = 0
        for rows in chosen.stream(users, rng, fake):
            for table, batch in rows.items():
                buffer.setdefault(table, []).extend(batch)
                pending += len(batch)
            if pending >= FLUSH_EVERY:
                _flush(engine, chosen.metadata, buffer, counts)
                buffer, pending = {}, 0
            bar.advance(task)
        _flush(engine, chosen.metadata, buffer, counts)


def _flush(engine: sa.Engine, metadata: sa.MetaData, buffer: Rows, counts: dict[str, int]) -> None:
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            rows = buffer.get(table)
            if rows:
                connection.execute(table.insert(), rows)
                counts[table.name] += len(rows)


def generate_for_project(
    directory: Path, url: str | None, users: int, *, example: str | None = None, seed: int = 1
) -> dict[str, int]:
    """Fill the example database a project's data map points at (or `url`)."""
    from policykeeper.datamap.connections import resolve_url
    from policykeeper.datamap.loading import load_datamap

    base = project_directory(directory)
    if url is None:
        datamap = load_datamap(base, None)
        url = next(iter(datamap.connections.values()))
    return generate(example or base.resolve().name, resolve_url(url, base), users, seed=seed)
