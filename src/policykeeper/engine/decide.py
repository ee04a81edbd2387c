"""Decide what erasure does to each owned row, using only reads.

Owned rows start as the data map says (delete, mask, or keep under a rule). Then every
reflected foreign key into a row to be deleted is checked: a held row pointing at it keeps it
(masked, so the hold stays intact); someone else's row pointing at it is detached when its
column may be null, and otherwise keeps it too. Nothing kept is ever deleted by a cascade.

Rows the person reached only upward and others use too (see the planner) are never changed:
where the data map says such rows may be shared they are left as they are, and otherwise the
erasure stops before any change, naming the table and the column that shares them. Rows two
people share (a via with a `side`) change only on the person's own side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any

import sqlalchemy as sa

from policykeeper.datamap.models import Keep, Table
from policykeeper.datamap.schema import ForeignKey
from policykeeper.engine.batch import run_all
from policykeeper.engine.keys import Key, batches, bound, in_values
from policykeeper.engine.planner import Reached, Subject, side_columns, values_of
from policykeeper.engine.runtime import Runtime, Source
from policykeeper.errors import SchemaConflict
from policykeeper.policy.models import Policy


@dataclass
class KeptRow:
    key: Key
    reason: str
    rule: str | None = None
    delete_after: date | None = None
    sides: frozenset[int] | None = None
    """A row two people share: only these sides (vias) are the person's, and only they change."""
    untouched: bool = False
    """A row others use too (a shared address): left exactly as it is."""
    meta_key: str | None = None
    """A meta table's row: the key whose erasure action masks its value."""


@dataclass
class Detach:
    """Rows of another table whose foreign key is nulled so our row can go."""

    table: sa.Table
    columns: tuple[str, ...]
    values: set[Key] = field(default_factory=set)
    rows: int = 0


@dataclass
class Decision:
    """The erasure of one connection: deletions in order, masks, holds and detaches."""

    source: Source
    delete: dict[str, set[Key]] = field(default_factory=dict)
    kept: dict[str, dict[Key, KeptRow]] = field(default_factory=dict)
    detach: list[Detach] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    break_first: list[tuple[str, tuple[str, ...], set[Key]]] = field(default_factory=list)
    parents_by_value: dict[tuple[str, tuple[str, ...]], dict[Key, list[Key]]] = field(
        default_factory=dict
    )
    outside: list[_Reference] = field(default_factory=list)
    """Rows outside the person's data that point at rows erasure changes (checked after)."""


@dataclass
class _Reference:
    fk: ForeignKey
    child: str | None
    child_key: Key | None
    values: Key


def decide(rt: Runtime, source: Source, subject: Subject, connection: sa.Connection) -> Decision:
    datamap = rt.project.datamap
    policy = rt.project.policy
    decision = Decision(source)
    for name, reached in subject.tables.items():
        if datamap.connection_of(name) != source.name:
            continue
        spec = datamap.tables[name]
        keys = set(reached.rows)
        kept = decision.kept.setdefault(name, {})
        for key, user in _shared(name, spec, reached).items():
            keys.discard(key)
            kept[key] = KeptRow(
                key,
                f"shared: rows of {user} outside this person's data point at it; left as it is",
                untouched=True,
            )
        hold = spec.held_by() or (_column_hold(spec) or (None, None))[1]
        for key, sides in _one_side(spec, reached).items():
            keys.discard(key)
            theirs = sorted(side_columns(spec, set(sides))[1])
            held = _held(policy, spec, hold, reached.rows[key], key) if hold else None
            kept[key] = KeptRow(
                key,
                f"shared with another person ({', '.join(theirs)}): only this person's side "
                "is masked" + (f"; {held.reason}" if held else ""),
                hold,
                held.delete_after if held else None,
                sides,
            )
        if spec.meta is not None:
            _per_key(policy, spec, reached, keys, decision, name)
            continue
        column_hold = _column_hold(spec)
        if spec.erase == "delete" and column_hold is None:
            decision.delete[name] = keys
        elif column_hold is not None and not isinstance(spec.erase, Keep):
            column, rule = column_hold
            for k in keys:
                held = _held(policy, spec, rule, reached.rows[k], k)
                reason = f"column {column} is kept: {held.reason}"
                kept[k] = KeptRow(k, reason, None, held.delete_after)
        elif spec.erase == "mask":
            kept.update({k: KeptRow(k, "the data map masks these rows") for k in keys})
        elif isinstance(spec.erase, Keep):
            kept.update({k: _held(policy, spec, spec.erase.keep, reached.rows[k], k) for k in keys})
    references = _references(rt, source, subject, decision, connection)
    pointed = _pointed(rt, decision, subject, references)
    _settle(decision, subject, references, pointed)
    _order(decision, pointed)
    return decision


def _per_key(
    policy: Policy, spec: Table, reached: Reached, keys: set[Key], decision: Decision, name: str
) -> None:
    """A meta table's rows, each by its key's action: deleted, held, or its value masked."""
    assert spec.meta is not None
    delete = decision.delete.setdefault(name, set())
    kept = decision.kept.setdefault(name, {})
    for key in keys:
        row = reached.rows[key]
        meta_key = str(row[spec.meta.key])
        action = spec.meta.keys[meta_key].erase
        if action == "delete":
            delete.add(key)
        elif isinstance(action, Keep):
            held = _held(policy, spec, action.keep, row, key)
            held.meta_key = meta_key
            kept[key] = held
        else:
            kept[key] = KeptRow(
                key, f"the data map masks the value of '{meta_key}'", meta_key=meta_key
            )


def _shared(name: str, spec: Table, reached: Reached) -> dict[Key, str]:
    """Rows the person reached only upward that others use too: left alone, or, when the map
    does not say its rows may be shared, the erasure stops before changing anything."""
    if reached.shared and not spec.shared:
        key, user = next(iter(sorted(reached.shared.items(), key=repr)))
        raise SchemaConflict(
            f"erasure stopped, nothing changed: {len(reached.shared)} rows of {name} that this "
            f"person's rows point at are also used by other rows of {user} (e.g. {name} "
            f"{list(key)}); mark {name} 'rows: reference' if it is lookup data, or "
            "'shared: true' if people may share its rows"
        )
    return reached.shared


def _one_side(spec: Table, reached: Reached) -> dict[Key, frozenset[int]]:
    """Rows two people share where the other person is still there: only our side changes."""
    if not spec.has_sides():
        return {}
    every = set(range(len(spec.via)))
    found = {}
    for key, sides in reached.sides.items():
        if not sides or sides == every:
            continue
        row = reached.rows[key]
        others = [v for i, v in enumerate(spec.via) if i not in sides]
        if any(all(row.get(c) is not None for c in via.join) for via in others):
            found[key] = frozenset(sides)
    return found


def _column_hold(spec: Table) -> tuple[str, str] | None:
    """A column kept under a rule keeps its row (masked): deleting the row would delete it."""
    for name, column in spec.columns.items():
        if isinstance(column.erase, Keep):
            return name, column.erase.keep
    return None


def _held(policy: Policy, spec: Table, rule_id: str, row: dict[str, Any], key: Key) -> KeptRow:
    rule = policy.rule(rule_id)
    label = rule.label.get("en") if rule else rule_id
    clock = next((b.clock for b in spec.retention if b.rule == rule_id), None)
    start = row.get(clock) if clock else None
    until = None
    if rule is not None and rule.period is not None and isinstance(start, date | datetime):
        until = rule.period.after(start)
        until = until.date() if isinstance(until, datetime) else until
    when = f", to be deleted after {until.isoformat()}" if until else ""
    return KeptRow(key, f"legal hold: {rule_id} ({label}){when}", rule_id, until)


def _references(
    rt: Runtime, source: Source, subject: Subject, decision: Decision, connection: sa.Connection
) -> list[_Reference]:
    """Every row anywhere in the connection that points at a row we would delete (the rows
    the planner did not collect are read together: one round trip on PostgreSQL)."""
    found: list[_Reference] = []
    reads: list[tuple[ForeignKey, str | None, list[str]]] = []
    work = []
    for fk in source.foreign_keys:
        parent = rt.mapped_name(fk.parent)
        if parent is None or not decision.delete.get(parent):
            continue
        rows = subject.tables[parent].rows
        values = {tuple(rows[k][c] for c in fk.referred) for k in decision.delete[parent]}
        values = {v for v in values if None not in v}
        if not values:
            continue
        child_table = source.metadata.tables[fk.child]
        child = rt.mapped_name(fk.child)
        if child is not None and _covered_by_via(rt, fk, child, parent) and child in subject.tables:
            found.extend(_known(fk, child, subject, values))
            continue
        pk = [c.name for c in child_table.primary_key.columns]
        statement = rt.statements.get(
            ("referencing", fk.child, tuple(fk.columns)), partial(_pointing, child_table, pk, fk)
        )
        for batch in batches(sorted(values, key=repr)):
            reads.append((fk, child, pk))
            work.append((statement, bound(fk.columns, batch)))
    for (fk, child, pk), done in zip(reads, run_all(connection, work, rt.statements), strict=True):
        for row in done.rows:
            key = tuple(row[n] for n in pk) if pk else None
            found.append(_Reference(fk, child, key, tuple(row[n] for n in fk.columns)))
    return found


def _pointing(child: sa.Table, pk: list[str], fk: ForeignKey) -> sa.Select[Any]:
    selected = [child.c[n] for n in dict.fromkeys([*pk, *fk.columns])]
    return sa.select(*selected).where(in_values(child, fk.columns))


def _covered_by_via(rt: Runtime, fk: ForeignKey, child: str, parent: str) -> bool:
    """Is the key also a via join of an owned table? Then every referencing row was collected."""
    spec = rt.project.datamap.tables[child]
    join = dict(zip(fk.columns, fk.referred, strict=True))
    return spec.rows == "owned" and any(v.table == parent and v.join == join for v in spec.via)


def _known(fk: ForeignKey, child: str, subject: Subject, values: set[Key]) -> list[_Reference]:
    """The referencing rows, read from what the planner already collected."""
    found = []
    pointing = values_of(fk.columns)
    for key, row in subject.tables[child].rows.items():
        pointed = pointing(row)
        if pointed in values:
            found.append(_Reference(fk, child, key, pointed))
    return found


_NONE: frozenset[Key] = frozenset()


@dataclass
class _Pointed:
    """A reference and the rows of its parent table it points at (to be deleted when the
    decisions began): worked out once, then checked against what is still to be deleted."""

    ref: _Reference
    parent: str
    candidates: list[Key]

    def targets(self, decision: Decision) -> list[Key]:
        """The parent rows still to be deleted that the reference points at."""
        deleting = decision.delete.get(self.parent, _NONE)
        return [key for key in self.candidates if key in deleting]

    def blocks(self, decision: Decision) -> bool:
        return not decision.delete.get(self.parent, _NONE).isdisjoint(self.candidates)


def _pointed(
    rt: Runtime, decision: Decision, subject: Subject, refs: list[_Reference]
) -> list[_Pointed]:
    """The references that point at a row to be deleted, with those rows (indexed by value,
    not scanned). Deletions only ever turn into kept rows while deciding, so a reference that
    points at none now never will."""
    found = []
    parents: dict[str, str | None] = {}
    for ref in refs:
        parent = parents.get(ref.fk.parent)
        if parent is None:
            parent = parents[ref.fk.parent] = rt.mapped_name(ref.fk.parent)
            assert parent is not None
        by_value = decision.parents_by_value.get((parent, ref.fk.referred))
        if by_value is None:
            by_value = decision.parents_by_value[(parent, ref.fk.referred)] = {}
            referred = values_of(ref.fk.referred)
            for key, row in subject.tables[parent].rows.items():
                by_value.setdefault(referred(row), []).append(key)
        candidates = by_value.get(ref.values)
        if candidates and not decision.delete.get(parent, _NONE).isdisjoint(candidates):
            found.append(_Pointed(ref, parent, candidates))
    return found


def _settle(
    decision: Decision, subject: Subject, refs: list[_Reference], pointed: list[_Pointed]
) -> None:
    """Move blocked rows from delete to kept (masked) until nothing changes; then detach.

    A reference whose row is not held and whose columns may be null never keeps its parent,
    and whether a row is held does not change here (rows kept here are held by no rule): such
    references are left out of the repeated passes at once."""
    tables = decision.source.metadata.tables
    nullable: dict[ForeignKey, bool] = {}
    keeping = []
    for one in pointed:
        held = _held_child(decision, one.ref)
        if held is None:
            fk = one.ref.fk
            free = nullable.get(fk)
            if free is None:
                free = nullable[fk] = fk.nullable(tables)
            if free:
                continue
        keeping.append((one, held))
    moved: set[tuple[str, Key]] = set()
    changed = True
    while changed:
        changed = False
        for one, held in keeping:
            ref, parent = one.ref, one.parent
            targets = one.targets(decision)
            if not targets or _deleted(decision, ref):
                continue
            reason = _kept_for(ref, held)
            for key in targets:
                decision.delete[parent].discard(key)
                existing = decision.kept.setdefault(parent, {}).get(key)
                until = held.delete_after if held else None
                if existing is None:
                    decision.kept[parent][key] = KeptRow(key, reason, None, until)
                    moved.add((parent, key))
                elif until and (existing.delete_after is None or until > existing.delete_after):
                    existing.delete_after = until
            changed = True
    _hold_until_the_last(decision, keeping, moved)
    detaches: dict[ForeignKey, Detach] = {}
    for one in pointed:
        ref = one.ref
        if one.blocks(decision) and not _deleted(decision, ref):
            detach = detaches.setdefault(ref.fk, Detach(tables[ref.fk.child], ref.fk.columns))
            detach.values.add(ref.values)
            detach.rows += 1
    decision.detach = list(detaches.values())
    decision.outside = [ref for ref in refs if not _inside(subject, ref)]


def _kept_for(ref: _Reference, child: KeptRow | None) -> str:
    """Why a row is kept for the row that points at it: that row is held under a rule, kept
    for another reason, or not erased at all (and its key cannot be null)."""
    if child is None:
        return (
            f"referenced by rows of {ref.child or ref.fk.child} that are not erased "
            f"and whose {', '.join(ref.fk.columns)} cannot be null"
        )
    if child.rule:
        return f"referenced by rows of {ref.child} kept under '{child.rule}'"
    return f"referenced by rows of {ref.child} that are kept"


_FOREVER = date.max
"""A row kept with no date (not erased, held by no dated rule, masked): it holds for good."""


def _hold_until_the_last(
    decision: Decision,
    keeping: list[tuple[_Pointed, KeptRow | None]],
    moved: set[tuple[str, Key]],
) -> None:
    """A row kept (moved from delete) for the rows that point at it is held as long as the
    longest of them, through every link (a creator's profile kept for its payouts keeps its
    user as long), whatever the order the references were read in. A row that points at it and
    is kept with no date (another person's row, a row not erased, a row held or masked for good)
    keeps it with no date too: a date would say it goes then while that row still needs it.
    Its reason names the reference that holds it longest (the first by text among equals).

    Worked out from scratch for every moved row (the first reference to move it decided its
    date and reason before); a row is worked out again only when a moved row pointing at it
    grew. Values only grow, from the earliest date up to no date, and each can take only the
    dates of the rows kept, so the work ends, cycles of kept rows included, and a heavy
    person's long chains cost a pass per change, not a pass over everything per link."""
    holding: dict[tuple[str, Key], list[_Reference]] = {}
    for one, _held in keeping:
        if _deleted(decision, one.ref):
            continue
        for key in one.candidates:
            if (one.parent, key) in moved:
                holding.setdefault((one.parent, key), []).append(one.ref)
    until: dict[tuple[str, Key], date] = dict.fromkeys(holding, date.min)

    def reach(ref: _Reference) -> tuple[date, str]:
        child = (
            decision.kept.get(ref.child, {}).get(ref.child_key)
            if ref.child is not None and ref.child_key is not None
            else None
        )
        if child is None:
            return _FOREVER, _kept_for(ref, None)
        assert ref.child is not None and ref.child_key is not None
        held = until.get((ref.child, ref.child_key))
        if held is None:
            held = _FOREVER if child.delete_after is None else child.delete_after
        return held, _kept_for(ref, child)

    dependents: dict[tuple[str, Key], list[tuple[str, Key]]] = {}
    for row, refs in holding.items():
        for ref in refs:
            if ref.child is not None and (ref.child, ref.child_key) in holding:
                assert ref.child_key is not None
                dependents.setdefault((ref.child, ref.child_key), []).append(row)
    work = list(holding)
    while work:
        row = work.pop()
        longest = max(reach(ref)[0] for ref in holding[row])
        if longest > until[row]:
            until[row] = longest
            work.extend(dependents.get(row, ()))
    for (table, key), refs in holding.items():
        kept = decision.kept[table][key]
        reached = [reach(ref) for ref in refs]
        kept.reason = min(reason for held, reason in reached if held == until[(table, key)])
        kept.delete_after = None if until[(table, key)] == _FOREVER else until[(table, key)]


def _inside(subject: Subject, ref: _Reference) -> bool:
    reached = subject.tables.get(ref.child) if ref.child else None
    return reached is not None and ref.child_key in reached.rows


def _deleted(decision: Decision, ref: _Reference) -> bool:
    return ref.child is not None and ref.child_key in decision.delete.get(ref.child, ())


def _held_child(decision: Decision, ref: _Reference) -> KeptRow | None:
    if ref.child is None or ref.child_key is None:
        return None
    kept = decision.kept.get(ref.child, {}).get(ref.child_key)
    return kept if kept is not None and kept.rule is not None else None


def _order(decision: Decision, pointed: list[_Pointed]) -> None:
    """Children before parents; a cycle is broken by nulling a back-reference first."""
    tables = decision.source.metadata.tables
    edges: dict[tuple[str, str], ForeignKey] = {}
    rows_by_fk: dict[ForeignKey, set[Key]] = {}
    for one in pointed:
        ref, parent = one.ref, one.parent
        if ref.child is None or ref.child_key is None:
            continue
        if not _deleted(decision, ref) or not one.blocks(decision):
            continue
        edges[(ref.child, parent)] = ref.fk
        rows_by_fk.setdefault(ref.fk, set()).add(ref.child_key)
    remaining = {t for t, keys in decision.delete.items() if keys}
    order: list[str] = []
    while remaining:
        active = {e: fk for e, fk in edges.items() if e[0] in remaining and e[1] in remaining}
        selfish = {e: fk for e, fk in active.items() if e[0] == e[1]}
        ready = [t for t in sorted(remaining) if not any(p == t and c != t for (c, p) in active)]
        nullable = {e: fk for e, fk in active.items() if fk.nullable(tables)}
        breaking = selfish if ready else (nullable or active)
        for (child, parent), fk in breaking.items():
            if not fk.nullable(tables):
                raise SchemaConflict(
                    f"{child}.({', '.join(fk.columns)}) -> {parent} is part of a cycle of "
                    "NOT NULL foreign keys; erasure cannot order these deletions"
                )
            decision.break_first.append((child, fk.columns, rows_by_fk[fk]))
            del edges[(child, parent)]
        order.extend(ready)
        remaining.difference_update(ready)
    decision.order = order
