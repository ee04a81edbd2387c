"""Set-based predicates: large key sets become batched IN lists of bound parameters."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from policykeeper.datamap.models import Scalar, Table

BATCH = 1000

Key = tuple[Any, ...]


def batches(values: Iterable[Key], size: int = BATCH) -> Iterator[list[Key]]:
    batch: list[Key] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def matching(
    table: sa.FromClause, columns: Sequence[str], values: Sequence[Key]
) -> sa.ColumnElement[bool]:
    """`(columns) IN (values)`, with one column as a plain IN and several as a row-value IN."""
    if len(columns) == 1:
        return table.c[columns[0]].in_([value[0] for value in values])
    return sa.tuple_(*(table.c[name] for name in columns)).in_([tuple(v) for v in values])


def satisfying(live: sa.Table, conditions: Mapping[str, Scalar | list[Scalar] | None]) -> list[Any]:
    """Column = value (a list: IN, None: IS NULL) for each condition, as bound parameters."""
    clauses: list[Any] = []
    for name, value in conditions.items():
        column = live.c[name]
        if value is None:
            clauses.append(column.is_(None))
        elif isinstance(value, list):
            clauses.append(column.in_(value))
        else:
            clauses.append(column == value)
    return clauses


def rows_of(spec: Table, live: sa.Table) -> list[Any]:
    """The rows a table's spec can mean at all: a meta table's rows with a listed key."""
    if spec.meta is None:
        return []
    return satisfying(live, {spec.meta.key: list(spec.meta.keys)})
