"""Sweeping one table in bounded batches: keyset pages by primary key, one short transaction each.

The page is read outside any write transaction; the write re-checks that each row is still
due, so a row that became active again in between is left alone. A run killed at any point
has committed whole batches only, and the next run selects what is still due: resuming is
the same as running.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from policykeeper.datamap.models import DataMap
from policykeeper.engine.keys import Key, matching
from policykeeper.engine.masking import HASH_PREFIX, Masking, apply_masking, masking
from policykeeper.engine.runtime import Runtime
from policykeeper.retention.conditions import due
from policykeeper.retention.rules import Sweep

DEFAULT_BATCH = 5000
"""Seconds to pause after each committed batch: lets a test kill a run in the middle."""

Advance = Callable[[int], None]


@dataclass
class SweepStats:
    """What one sweep did; `max_batch_seconds` is the longest write transaction (lock hold)."""

    rule: str
    table: str
    action: str
    done: int = 0
    held: int = 0
    blocked: int = 0
    already: int = 0
    awaiting_notice: int = 0
    batches: int = 0
    max_batch_seconds: float = 0.0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def timed(self, seconds: float) -> None:
        self.batches += 1
        self.max_batch_seconds = max(self.max_batch_seconds, seconds)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "table": self.table,
            "action": self.action,
            "rows": self.done,
            "skipped_legal_hold": self.held,
            "blocked": self.blocked,
            "already_erased": self.already,
            "awaiting_notice": self.awaiting_notice,
            "batches": self.batches,
            "max_batch_seconds": round(self.max_batch_seconds, 4),
            "seconds": round(self.seconds, 3),
            "problems": self.problems,
        }


def pages(
    connection: sa.Connection,
    live: sa.Table,
    pk: tuple[str, ...],
    condition: sa.ColumnElement[bool],
    size: int,
    extra: list[str] | None = None,
) -> Iterator[Sequence[sa.RowMapping]]:
    """Yield pages of due rows (primary key first), in key order, each read in its own snapshot."""
    columns = [live.c[c] for c in dict.fromkeys([*pk, *(extra or [])])]
    ordered = [live.c[c] for c in pk]
    last: Key | None = None
    while True:
        query = sa.select(*columns).where(condition)
        if last is not None:
            after = ordered[0] > last[0] if len(pk) == 1 else sa.tuple_(*ordered) > sa.tuple_(*last)
            query = query.where(after)
        rows = connection.execute(query.order_by(*ordered).limit(size)).mappings().all()
        connection.commit()
        if not rows:
            return
        last = tuple(rows[-1][c] for c in pk)
        yield rows


def sweep_rows(
    rt: Runtime,
    sweep: Sweep,
    now: datetime,
    held: set[Key],
    *,
    size: int = DEFAULT_BATCH,
    secret: str | None = None,
    advance: Advance | None = None,
) -> SweepStats:
    """Delete, anonymize or restrict the due rows of one table, skipping held ones."""
    stats = SweepStats(sweep.rule.id, sweep.table, sweep.kind)
    live = rt.tables[sweep.table]
    pk = rt.primary_key(sweep.table)
    condition = due(live, sweep, now)
    plan = anonymization(rt.project.datamap, sweep, live) if sweep.kind != "delete" else None
    if plan is not None:
        condition = sa.and_(condition, not_applied(live, plan))
    started = time.monotonic()
    engine = rt.source_of(sweep.table).engine
    with engine.connect() as reader, engine.connect() as writer:
        for page in pages(reader, live, pk, condition, size, plan.hashed if plan else None):
            rows = {tuple(r[c] for c in pk): dict(r) for r in page}
            keys = [k for k in rows if k not in held]
            stats.held += len(rows) - len(keys)
            if keys:
                began = time.monotonic()
                if plan is None:
                    _delete(writer, live, pk, keys, condition, stats)
                else:
                    _mask(writer, live, pk, keys, rows, condition, plan, secret, stats)
                stats.timed(time.monotonic() - began)
            if advance is not None:
                advance(len(rows))
    stats.seconds = time.monotonic() - started
    return stats


def _delete(
    writer: sa.Connection,
    live: sa.Table,
    pk: tuple[str, ...],
    keys: list[Key],
    condition: sa.ColumnElement[bool],
    stats: SweepStats,
) -> None:
    try:
        result = writer.execute(live.delete().where(among(writer, live, pk, keys), condition))
        writer.commit()
        stats.done += result.rowcount
    except sa.exc.IntegrityError:
        writer.rollback()
        _delete_one_by_one(writer, live, pk, keys, condition, stats)


def among(
    connection: sa.Connection, live: sa.Table, pk: tuple[str, ...], keys: list[Key]
) -> sa.ColumnElement[bool]:
    """`pk IN (keys)`; on PostgreSQL one array parameter (`= ANY`), so a large batch is one
    bound value rather than thousands the planner must read."""
    if connection.dialect.name == "postgresql" and len(pk) == 1:
        column = live.c[pk[0]]
        values = sa.bindparam("batch_keys", [k[0] for k in keys], type_=ARRAY(column.type))
        return column == sa.any_(values)
    return matching(live, pk, keys)


def _delete_one_by_one(
    writer: sa.Connection,
    live: sa.Table,
    pk: tuple[str, ...],
    keys: list[Key],
    condition: sa.ColumnElement[bool],
    stats: SweepStats,
) -> None:
    """A batch a foreign key refused: delete what can go, report what other rows still need."""
    for key in keys:
        try:
            result = writer.execute(live.delete().where(matching(live, pk, [key]), condition))
            writer.commit()
            stats.done += result.rowcount
        except sa.exc.IntegrityError as exc:
            writer.rollback()
            stats.blocked += 1
            if len(stats.problems) < 5:
                reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
                stats.problems.append(f"{live.name} {list(key)} is still referenced: {reason}")


def _mask(
    writer: sa.Connection,
    live: sa.Table,
    pk: tuple[str, ...],
    keys: list[Key],
    rows: dict[Key, dict[str, Any]],
    condition: sa.ColumnElement[bool],
    plan: Masking,
    secret: str | None,
    stats: SweepStats,
) -> None:
    """Lock the page's rows that are still due, then write their masked values."""
    locked = writer.execute(
        sa.select(*(live.c[c] for c in pk))
        .where(matching(live, pk, keys), condition)
        .with_for_update()
    ).all()
    still = {tuple(row) for row in locked}
    if still:
        apply_masking(writer, live, pk, still, rows, plan, secret)
    writer.commit()
    stats.done += len(still)


def anonymization(datamap: DataMap, sweep: Sweep, live: sa.Table) -> Masking:
    """The columns a rule's end action rewrites; non-personal columns are never touched.

    Anonymize: the categorised columns under the rule's categories (all, if it lists none),
    with the data map's erase actions. Block: only the table's restricted flag.
    """
    spec = datamap.tables[sweep.table]
    result = Masking()
    if sweep.kind == "restrict":
        assert spec.restricted_flag is not None
        result.constants[spec.restricted_flag] = True
        return result
    full = masking(spec, live)
    categories = sweep.rule.categories
    for name, column in spec.columns.items():
        key = column.category
        if key is None:
            continue
        if categories and not any(key == c or key.startswith(c + ".") for c in categories):
            continue
        if name in full.constants:
            result.constants[name] = full.constants[name]
        elif name in full.hashed:
            result.hashed.append(name)
    return result


def not_applied(live: sa.Table, plan: Masking) -> sa.ColumnElement[bool]:
    """Rows where at least one column does not yet hold its end value: the work left to do."""
    terms: list[sa.ColumnElement[bool]] = []
    for name, value in plan.constants.items():
        column = live.c[name]
        if value is None:
            terms.append(column.is_not(None))
        else:
            terms.append(sa.or_(column.is_(None), column != value))
    for name in plan.hashed:
        column = live.c[name]
        terms.append(
            sa.and_(column.is_not(None), column != "", sa.not_(column.startswith(HASH_PREFIX)))
        )
    return sa.or_(sa.false(), *terms)
