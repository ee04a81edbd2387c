"""Sweeping one table in bounded batches: keyset pages by primary key, one short transaction each.

The page is read outside any write transaction; the write re-checks that each row is still
due, so a row that became active again in between is left alone. A row goes together with
the rows bound `with:` its table, in the same transaction. A run killed at any point has
committed whole batches only, and the next run selects what is still due: resuming is the
same as running.
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
from policykeeper.engine.holds import HeldKeys
from policykeeper.engine.keys import Key, batches, matching
from policykeeper.engine.masking import HASH_PREFIX, Masking, apply_masking, masking
from policykeeper.engine.runtime import Runtime
from policykeeper.retention.conditions import due
from policykeeper.retention.groups import Group, KeptFor, Links, Part, exists_in
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
    with_rows: dict[str, int] = field(default_factory=dict)
    """Rows of the tables bound `with:` this one, deleted together with its rows."""
    kept_for: list[KeptFor] = field(default_factory=list)
    masked: int = 0
    """Due rows kept for rows that point at them, whose uncovered personal columns were masked."""

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
            "with": self.with_rows,
            "kept_for": [k.to_json() for k in self.kept_for],
            "masked_kept": self.masked,
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
    held: HeldKeys,
    links: Links,
    *,
    size: int = DEFAULT_BATCH,
    secret: str | None = None,
    advance: Advance | None = None,
) -> SweepStats:
    """Delete, anonymize or restrict the due rows of one table, skipping held ones; rows that
    rows which stay still point at are kept, and masked where no rule covers a column."""
    stats = SweepStats(sweep.rule.id, sweep.table, sweep.kind)
    live = rt.tables[sweep.table]
    pk = rt.primary_key(sweep.table)
    mine = held.get(sweep.table, set())
    plan = anonymization(rt.project.datamap, sweep, live) if sweep.kind != "delete" else None
    group = links.group(sweep) if plan is None else None
    if plan is not None:
        condition = sa.and_(due(live, sweep, now), not_applied(live, plan))
    elif links.involved(sweep):
        condition = links.goes(sweep, live)
    else:
        condition, group = due(live, sweep, now), None
    started = time.monotonic()
    engine = rt.source_of(sweep.table).engine
    with engine.connect() as reader, engine.connect() as writer:
        for page in pages(reader, live, pk, condition, size, plan.hashed if plan else None):
            rows = {tuple(r[c] for c in pk): dict(r) for r in page}
            keys = [k for k in rows if k not in mine]
            stats.held += len(rows) - len(keys)
            if keys:
                began = time.monotonic()
                if plan is not None:
                    stats.done += _mask(writer, live, pk, keys, rows, condition, plan, secret)
                elif group is not None:
                    _delete_groups(writer, rt, group, keys, condition, held, stats)
                else:
                    _delete(writer, live, pk, keys, condition, stats)
                stats.timed(time.monotonic() - began)
            if advance is not None:
                advance(len(rows))
        if group is not None:
            _mask_kept(reader, writer, rt, sweep, links, mine, size, secret, stats)
            stats.kept_for = links.kept_for(sweep, reader)
            reader.commit()
    stats.seconds = time.monotonic() - started
    return stats


def _mask_kept(
    reader: sa.Connection,
    writer: sa.Connection,
    rt: Runtime,
    sweep: Sweep,
    links: Links,
    held: set[Key],
    size: int,
    secret: str | None,
    stats: SweepStats,
) -> None:
    """Mask the due rows that stay for rows pointing at them (see Links.kept_masking)."""
    plan = links.kept_masking(sweep)
    if not plan:
        return
    live = rt.tables[sweep.table]
    pk = rt.primary_key(sweep.table)
    kept = sa.and_(
        links.ripe(sweep, live),
        links.needed(links.group(sweep), live, frozenset({sweep.table})),
        not_applied(live, plan),
    )
    for page in pages(reader, live, pk, kept, size, plan.hashed):
        rows = {tuple(r[c] for c in pk): dict(r) for r in page}
        keys = [k for k in rows if k not in held]
        if keys:
            stats.masked += _mask(writer, live, pk, keys, rows, kept, plan, secret)


def _delete_groups(
    writer: sa.Connection,
    rt: Runtime,
    group: Group,
    keys: list[Key],
    condition: sa.ColumnElement[bool],
    held: HeldKeys,
    stats: SweepStats,
) -> None:
    """Delete due rows and every row that goes with them in one transaction; a batch a
    foreign key refuses is done again row by row, and what cannot go is reported."""
    try:
        counts = _group_batch(writer, rt, group, keys, condition, held)
        writer.commit()
    except sa.exc.IntegrityError:
        writer.rollback()
        counts = {}
        for key in keys:
            try:
                one = _group_batch(writer, rt, group, [key], condition, held)
                writer.commit()
            except sa.exc.IntegrityError as exc:
                writer.rollback()
                stats.blocked += 1
                if len(stats.problems) < 5:
                    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
                    stats.problems.append(f"{group.root} {list(key)} is still referenced: {reason}")
                continue
            for table, n in one.items():
                counts[table] = counts.get(table, 0) + n
    stats.held += counts.pop("", 0)
    stats.done += counts.pop(group.root, 0)
    for table, n in counts.items():
        stats.with_rows[table] = stats.with_rows.get(table, 0) + n


def _group_batch(
    writer: sa.Connection,
    rt: Runtime,
    group: Group,
    keys: list[Key],
    condition: sa.ColumnElement[bool],
    held: HeldKeys,
) -> dict[str, int]:
    """Rows deleted per table ("" counts roots skipped because a row of theirs is held)."""
    live = rt.tables[group.root]
    pk = rt.primary_key(group.root)
    wanted = _columns(group, group.root, pk)
    locked = (
        writer.execute(
            sa.select(*(live.c[c] for c in wanted))
            .where(among(writer, live, pk, keys), condition)
            .with_for_update()
        )
        .mappings()
        .all()
    )
    roots = {tuple(r[c] for c in pk): dict(r) for r in locked}
    found = _collect(writer, rt, group, roots)
    skipped: set[Key] = set()
    for table, rows in found.items():
        for key, owners in rows.items():
            if key in held.get(table, set()):
                skipped |= owners
    if skipped:
        roots = {k: v for k, v in roots.items() if k not in skipped}
        found = _collect(writer, rt, group, roots)
    counts = {"": len(skipped)}
    for part in _deletion_order(rt, group):
        counts[part.table] = _delete_keys(writer, rt, part.table, set(found[part.table]))
    counts[group.root] = _delete_keys(writer, rt, group.root, set(roots))
    for part in group.above:
        counts[part.table] = _delete_unused(writer, rt, part, set(found[part.table]))
    return counts


def _columns(group: Group, table: str, pk: tuple[str, ...]) -> list[str]:
    """The key and every column a table's rows are joined on by the parts below them."""
    joined = [v for p in group.parts if p.member.parent == table for v in p.member.join.values()]
    return list(dict.fromkeys([*pk, *joined]))


def _collect(
    writer: sa.Connection, rt: Runtime, group: Group, roots: dict[Key, dict[str, Any]]
) -> dict[str, dict[Key, set[Key]]]:
    """Per part, the keys of the rows that go with `roots`, each with the roots it belongs to."""
    rows: dict[str, dict[Key, dict[str, Any]]] = {group.root: roots}
    owners: dict[str, dict[Key, set[Key]]] = {group.root: {k: {k} for k in roots}}
    for part in group.parts:
        parent = part.member.parent
        mine, theirs = list(part.member.join), list(part.member.join.values())
        by_value: dict[Key, set[Key]] = {}
        for key, row in rows[parent].items():
            value = tuple(row[c] for c in theirs)
            if None not in value:
                by_value.setdefault(value, set()).update(owners[parent][key])
        live = rt.tables[part.table]
        pk = rt.primary_key(part.table)
        selected = [live.c[c] for c in dict.fromkeys([*_columns(group, part.table, pk), *mine])]
        rows[part.table], owners[part.table] = {}, {}
        for batch in batches(sorted(by_value, key=repr)):
            query = sa.select(*selected).where(matching(live, mine, batch))
            for row in writer.execute(query).mappings():
                key = tuple(row[c] for c in pk)
                rows[part.table][key] = dict(row)
                belongs = by_value[tuple(row[c] for c in mine)]
                owners[part.table].setdefault(key, set()).update(belongs)
    return {table: found for table, found in owners.items() if table != group.root}


def _deletion_order(rt: Runtime, group: Group) -> list[Part]:
    """The parts below the root, each before the parts it points at (a cycle: as declared)."""
    rest, out = list(group.below), []
    foreign_keys = rt.source_of(group.root).foreign_keys
    full = {p.table: rt.tables[p.table].fullname for p in rest}

    def pointed_at(part: Part) -> bool:
        return any(
            fk.parent == full[part.table] and fk.child == full[other.table]
            for other in rest
            if other is not part
            for fk in foreign_keys
        )

    while rest:
        ready = next((p for p in rest if not pointed_at(p)), rest[0])
        rest.remove(ready)
        out.append(ready)
    return out


def _delete_keys(writer: sa.Connection, rt: Runtime, table: str, keys: set[Key]) -> int:
    live = rt.tables[table]
    pk = rt.primary_key(table)
    done = 0
    for batch in batches(sorted(keys, key=repr)):
        done += writer.execute(live.delete().where(among(writer, live, pk, batch))).rowcount
    return done


def _delete_unused(writer: sa.Connection, rt: Runtime, part: Part, keys: set[Key]) -> int:
    """Rows above the root (the order's address copy) go once no row points at them."""
    live = rt.tables[part.table]
    pk = rt.primary_key(part.table)
    parent = rt.tables[part.member.parent]
    source = rt.source_of(part.table)
    joined = (parent.c[p] == live.c[m] for m, p in part.member.join.items())
    unused = [sa.not_(exists_in(parent, *joined))]
    for fk in source.foreign_keys:
        if fk.parent == live.fullname:
            pointing = source.metadata.tables[fk.child].alias()
            pairs = zip(fk.columns, fk.referred, strict=True)
            unused.append(
                sa.not_(exists_in(pointing, *(pointing.c[a] == live.c[b] for a, b in pairs)))
            )
    done = 0
    for batch in batches(sorted(keys, key=repr)):
        statement = live.delete().where(among(writer, live, pk, batch), *unused)
        done += writer.execute(statement).rowcount
    return done


def _delete(
    writer: sa.Connection,
    live: sa.Table,
    pk: tuple[str, ...],
    keys: list[Key],
    condition: sa.ColumnElement[bool],
    stats: SweepStats,
) -> None:
    """Delete the page's rows that are still due."""
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
) -> int:
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
    return len(still)


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
