"""Set-based predicates: large key sets become batched IN lists of bound parameters."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa

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
    table: sa.Table, columns: Sequence[str], values: Sequence[Key]
) -> sa.ColumnElement[bool]:
    """`(columns) IN (values)`, with one column as a plain IN and several as a row-value IN."""
    if len(columns) == 1:
        return table.c[columns[0]].in_([value[0] for value in values])
    return sa.tuple_(*(table.c[name] for name in columns)).in_([tuple(v) for v in values])
