"""Erasure: decide from reads, then act in one transaction per connection, then verify.

A journal committed before the first change commits keeps the person's primary keys (it is
written in a thread while the changes are made, and the first commit waits for it), so a run
killed at any point can be repeated: each connection either committed or rolled back, and
every action is idempotent, so the second run ends exactly where an uninterrupted run would.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from concurrent import futures
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from policykeeper.datamap.values import jsonable
from policykeeper.engine.batch import Done, Work, run_all
from policykeeper.engine.decide import Decision, KeptRow, decide
from policykeeper.engine.hashkey import hash_secret
from policykeeper.engine.holds import active_holds, refuse_held_erasure
from policykeeper.engine.identity import Identity, canonical
from policykeeper.engine.keys import (
    BATCH,
    Key,
    batches,
    bound,
    in_values,
    matching,
    rows_of,
    satisfying,
)
from policykeeper.engine.masking import Masking, changes, kept_columns, masking, masking_steps
from policykeeper.engine.planner import Collector, Subject
from policykeeper.engine.runtime import Runtime, runtime
from policykeeper.engine.state import Hold, Write, state_for
from policykeeper.errors import SchemaConflict, SubjectNotFound
from policykeeper.progress import Progress, Step
from policykeeper.project import Project

ACTION = "erase"


@dataclass
class TableReport:
    """Per table: rows deleted; rows kept, each with why; of those, the rows where a value
    actually changed (masked); the personal columns kept rows keep in clear; rows of other
    tables whose link to a deleted row was nulled (detached)."""

    deleted: list[list[Any]] = field(default_factory=list)
    masked: list[list[Any]] = field(default_factory=list)
    kept: list[dict[str, Any]] = field(default_factory=list)
    kept_columns: list[str] = field(default_factory=list)
    detached: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "deleted": len(self.deleted),
            "masked": len(self.masked),
            "kept": len(self.kept),
            "detached": self.detached,
            "kept_columns": self.kept_columns,
            "deleted_rows": self.deleted,
            "masked_rows": self.masked,
            "kept_rows": self.kept,
        }


@dataclass
class ErasureReport:
    identity_kind: str
    dry_run: bool
    tables: dict[str, TableReport]
    verified: bool
    stored: dict[str, Any] | None = None
    """The report of an erasure that already completed: repeating it changes nothing."""

    def to_json(self) -> dict[str, Any]:
        if self.stored is not None:
            return {**self.stored, "repeated": True}
        return {
            "action": "erase",
            "identity": self.identity_kind,
            "dry_run": self.dry_run,
            "repeated": False,
            "verified": self.verified,
            "totals": {
                "deleted": sum(len(t.deleted) for t in self.tables.values()),
                "masked": sum(len(t.masked) for t in self.tables.values()),
                "kept": sum(len(t.kept) for t in self.tables.values()),
                "detached": sum(t.detached for t in self.tables.values()),
            },
            "tables": {name: table.to_json() for name, table in self.tables.items()},
        }


def erase(
    project: Project,
    identity: Identity,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    found: Subject | None = None,
    first: Write | None = None,
    finish: list[Write] | None = None,
) -> ErasureReport:
    """Erase one person from the SQL tables; `progress` hears of every batch of deleted rows.

    `found`: the person as the caller searched them just now with every column
    (`Collector(..., everything=True)`), so they are not searched twice; a resumed erasure
    still starts from its journal, and the verification pass searches again either way.
    `first`: a write of the caller's that must be durable before any row changes (the places
    journal's start); it commits with the journal's own start, beside the changes and always
    before the first commit (at once when nothing is left to change). `finish`: when given,
    the journal's finish is left there for the caller to commit with its own next write (the
    places journal's); until it does, a repeat resumes from the journal's start.
    """
    identity = canonical(project.datamap, identity)
    rt = runtime(project)
    if dry_run:
        return _dry_run(rt, identity, found)
    state = state_for(project)
    request = identity.digest()
    with state.engine.connect() as connection:  # one read: the journal and the legal holds
        journal = state.journal(request, ACTION, connection)
        holds = active_holds(connection)
    if journal is not None and journal.report is not None:
        if not _someone_new(rt, identity, journal.roots, found):
            if first is not None:
                with state.engine.begin() as connection:
                    first(connection)
            return ErasureReport(identity.kind, False, {}, True, stored=journal.report)
        journal = None
    with ExitStack() as stack:
        connections = {
            name: stack.enter_context(source.engine.connect())
            for name, source in rt.sources.items()
        }
        collector = Collector(rt, connections, everything=True)
        if journal is not None:
            subject = collector.from_seeds(journal.roots)
        else:
            subject = found or collector.from_identity(identity)
        decisions = {
            name: decide(rt, source, subject, connections[name])
            for name, source in rt.sources.items()
        }
        plans = Plans(rt)
        report = _report(rt, identity, subject, decisions, plans, dry_run=False)
        _refuse_held(project, subject, connections, holds)
        secret = _secret(rt, decisions, plans)
        writes = [] if first is None else [first]
        if journal is None:
            roots = subject.roots(project.datamap)
            writes.append(lambda connection: state.start(request, ACTION, roots, connection))
        starting: _Beside | None = None
        if writes:
            start = partial(_commit, state.engine, writes)
            if _apart(rt, state.store.url):
                starting = _Beside(start)
            else:
                start()
        done = set(journal.done) if journal else set()
        pending = [name for name in _connection_order(rt) if name not in done]
        try:
            for name in pending:
                connection = connections[name]
                _change_and_verify(
                    rt, decisions[name], subject, connection, secret, plans, progress
                )
                if starting is not None:
                    starting.wait()  # the journal is durable before any change commits
                    starting = None
                connection.commit()
                if name != pending[-1]:
                    state.committed(request, ACTION, name)
            if starting is not None:  # nothing was left to commit: its errors still count
                starting.wait()
                starting = None
        finally:
            if starting is not None:  # a change failed: the journal write still ends first
                starting.join()
        report.verified = True
        done_write = partial(state.finish, request, ACTION, report.to_json(), _holds(decisions))
        if finish is not None:
            finish.append(done_write)
        else:
            done_write()
    return report


def _commit(engine: sa.Engine, writes: list[Write]) -> None:
    with engine.begin() as connection:
        for write in writes:
            write(connection)


class _Beside:
    """The journals' start, written by a worker thread while the changes are made in the
    service's database (on another database, so neither waits for the other); `wait` returns
    once it is committed, or raises the error that stopped it. The workers live as long as
    the process: starting a thread per erasure cost more than the write it overlapped."""

    def __init__(self, write: Callable[[], None]) -> None:
        self._future = _journal_writers(os.getpid()).submit(write)

    def join(self) -> None:
        futures.wait([self._future])

    def wait(self) -> None:
        self._future.result()


_writers: dict[int, futures.ThreadPoolExecutor] = {}
_writers_made = threading.Lock()


def _journal_writers(process: int) -> futures.ThreadPoolExecutor:
    """The writers of this process (a forked child has none of its parent's threads), made
    once even when two erasures start together."""
    found = _writers.get(process)
    if found is None:
        with _writers_made:
            found = _writers.get(process)
            if found is None:
                found = futures.ThreadPoolExecutor(
                    max_workers=4, thread_name_prefix="policykeeper-journal"
                )
                _writers[process] = found
    return found


def _apart(rt: Runtime, state_url: str) -> bool:
    """Is the store a database of its own? (Not one SQLite file with a service connection,
    where the journal's write would wait for the changes' lock and they for it.)"""
    mine = _sqlite_file(state_url)
    return mine is None or all(_sqlite_file(s.url) != mine for s in rt.sources.values())


def _sqlite_file(url: str) -> Path | None:
    return _sqlite_file_from(url, os.getcwd())


@cache
def _sqlite_file_from(url: str, cwd: str) -> Path | None:
    """Worked out once per URL and working directory (a relative path resolves against it):
    parsing the URL and resolving the path, with their file system calls, were repeated on
    every erasure."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    return (Path(cwd) / (parsed.database or ":memory:")).resolve()


def _dry_run(rt: Runtime, identity: Identity, found: Subject | None) -> ErasureReport:
    """What erasure would do, from reads alone: no journal, no state, no change."""
    with ExitStack() as stack:
        connections = {
            name: stack.enter_context(source.engine.connect())
            for name, source in rt.sources.items()
        }
        subject = found or Collector(rt, connections, everything=True).from_identity(identity)
        decisions = {
            name: decide(rt, source, subject, connections[name])
            for name, source in rt.sources.items()
        }
        return _report(rt, identity, subject, decisions, Plans(rt), dry_run=True)


def _secret(rt: Runtime, decisions: dict[str, Decision], plans: Plans) -> str | None:
    """The hash key, resolved only when some row that stays gets a keyed hash."""
    needed = any(
        plans(table, row).hashed
        for decision in decisions.values()
        for table, kept in decision.kept.items()
        for row in kept.values()
        if not row.untouched
    )
    return hash_secret(rt.project) if needed else None


class Plans:
    """What erasure writes into each kept row (see `masking`): one plan per table and kind of
    row, computed once per erasure."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._known: dict[tuple[str, bool, bool, frozenset[int] | None, str | None], Masking] = {}

    def __call__(self, table: str, row: KeptRow) -> Masking:
        key = (table, row.untouched, row.rule is not None, row.sides, row.meta_key)
        plan = self._known.get(key)
        if plan is None:
            spec = self.rt.project.datamap.tables[table]
            if row.meta_key is not None:
                spec = spec.for_key(row.meta_key)
            plan = self._known[key] = (
                Masking()
                if row.untouched
                else masking(
                    spec, self.rt.tables[table], sides=row.sides, held=row.rule is not None
                )
            )
        return plan


def _refuse_held(
    project: Project,
    subject: Subject,
    connections: dict[str, sa.Connection],
    holds: list[sa.Row[Any]],
) -> None:
    """Legal holds pause erasure: refuse before any change."""
    tables = {t: list(r.rows) for t, r in subject.tables.items()}
    refuse_held_erasure(project, tables, connections, holds)


def _someone_new(
    rt: Runtime, identity: Identity, roots: dict[str, list[list[Any]]], found: Subject | None
) -> bool:
    """After a finished erasure, does the identity now lead to another account (re-registered)?"""
    if found is None:
        with ExitStack() as stack:
            connections = {
                name: stack.enter_context(source.engine.connect())
                for name, source in rt.sources.items()
            }
            try:
                found = Collector(rt, connections).from_identity(identity)
            except SubjectNotFound:
                return False
    now = found.roots(rt.project.datamap)
    return any(key not in roots.get(table, []) for table, keys in now.items() for key in keys)


def _connection_order(rt: Runtime) -> list[str]:
    """Connections holding identity tables go last, so the person stays findable until then."""
    datamap = rt.project.datamap
    identity_connections = {datamap.connection_of(i.table) for i in datamap.identities.values()}
    return sorted(rt.sources, key=lambda name: (name in identity_connections, name))


def _change_and_verify(
    rt: Runtime,
    decision: Decision,
    subject: Subject,
    connection: sa.Connection,
    secret: str | None,
    plans: Plans,
    progress: Progress | None = None,
) -> None:
    """Make the connection's changes, then verify them before commit: sent together (one
    round trip on PostgreSQL), checked in order. A change that misses its rows, or a search
    that finds what should be gone, rolls the transaction back and raises."""
    changes = _changes(rt, decision, subject, secret, plans, progress)
    checks = _checks(rt, decision, subject)
    steps = [*changes, *(step for check in checks for step in check.steps)]
    try:
        done = run_all(connection, steps, rt.statements)[len(changes) :]
    except SchemaConflict:
        connection.rollback()
        raise
    found: dict[str, list[str]] = {"left": [], "gone": []}
    for check in checks:
        found[check.kind] += check.judge(done[: len(check.steps)])
        done = done[len(check.steps) :]
    if found["left"]:
        _fail(
            connection,
            "verification failed (did the person's data change meanwhile?): "
            + "; ".join(found["left"][:3]),
        )
    if found["gone"]:
        _fail(connection, "verification failed: " + "; ".join(found["gone"][:3]))


def _changes(
    rt: Runtime,
    decision: Decision,
    subject: Subject,
    secret: str | None,
    plans: Plans,
    progress: Progress | None,
) -> list[Work]:
    """Detaches, masks, back-references broken, then deletions children first; each deletion
    must remove exactly its rows, and `progress` hears of each batch once it did."""
    steps: list[Work] = []
    for detach in decision.detach:
        target, columns = detach.table, detach.columns
        statement = rt.statements.get(
            ("detach", target.fullname, columns), partial(_detaching, target, columns)
        )
        steps += [
            Work(statement, bound(columns, b)) for b in batches(sorted(detach.values, key=repr))
        ]
    for table, kept in decision.kept.items():
        groups: dict[tuple[bool, frozenset[int] | None, str | None], set[Key]] = {}
        for key, row in kept.items():
            if not row.untouched:
                groups.setdefault((row.rule is not None, row.sides, row.meta_key), set()).add(key)
        for group in groups.values():
            plan = plans(table, kept[next(iter(group))])
            if plan:
                steps += masking_steps(
                    rt.tables[table],
                    rt.primary_key(table),
                    group,
                    subject.tables[table].rows,
                    plan,
                    secret,
                    rt.statements,
                )
    for table, columns, keys in decision.break_first:
        live, pk = rt.tables[table], rt.primary_key(table)
        for batch in batches(sorted(keys, key=repr)):
            update = live.update().where(matching(live, pk, batch)).values(dict.fromkeys(columns))
            steps.append(Work(update, {}))
    total = sum(len(decision.delete[t]) for t in decision.order)
    done = 0
    for table in decision.order:
        live, pk = rt.tables[table], rt.primary_key(table)
        statement = rt.statements.get(("delete", table), partial(_deleting, live, pk))
        for batch in batches(sorted(decision.delete[table], key=repr)):
            done += len(batch)
            told = None
            if progress is not None:
                told = partial(progress, Step(f"erasing {total} rows", done, total))
            missed = partial(_not_deleted, table, len(batch))
            steps.append(Work(statement, bound(pk, batch), len(batch), missed, told))
    return steps


def _not_deleted(table: str, wanted: int, deleted: int) -> SchemaConflict:
    return SchemaConflict(
        f"{table}: {wanted} rows to delete, {deleted} deleted; nothing was changed"
    )


def _detaching(table: sa.Table, columns: tuple[str, ...]) -> sa.Update:
    return table.update().where(in_values(table, columns)).values(dict.fromkeys(columns))


def _deleting(table: sa.Table, primary_key: tuple[str, ...]) -> sa.Delete:
    return table.delete().where(in_values(table, primary_key))


@dataclass
class _Check:
    """Searches of the verification, and what they found wrong: rows of the person left
    (`left`), or rows of others gone or changed (`gone`)."""

    kind: str
    steps: list[Work]
    judge: Callable[[list[Done]], list[str]]


def _checks(rt: Runtime, decision: Decision, subject: Subject) -> list[_Check]:
    """Before commit, search again: no owned row is left beyond the kept ones, and every row
    outside the person's data that pointed at a changed row is still there.

    Deletions and masks were already checked by their row counts; here every owned table is
    searched again through its via joins from the rows that still exist (downward only from
    the person's own rows, as the planner searched). Small searches go together in one UNION
    ALL of counts; a table with many kept rows is checked key by key.
    """
    datamap = rt.project.datamap
    counts: list[_Count] = []
    checks: list[_Check] = []
    for table in datamap.owned():
        if datamap.connection_of(table) != decision.source.name:
            continue
        live, pk = rt.tables[table], rt.primary_key(table)
        kept = decision.kept.get(table, {})
        keys = sorted(kept, key=repr)
        for index, via in enumerate(datamap.tables[table].via):
            up = subject.is_up(table, index)
            columns = list(via.join.values())
            for batch in _remaining_values(decision, subject, via.table, columns, up):
                if len(kept) > BATCH:
                    limits = [*rows_of(datamap.tables[table], live), *satisfying(live, via.where)]
                    condition = sa.and_(matching(live, list(via.join), batch), *limits)
                    query = sa.select(*(live.c[c] for c in pk)).where(condition)
                    judge = partial(_extra, table, kept)
                    checks.append(_Check("left", [Work(query, {})], judge))
                    continue
                counts.append(_Count(table, index, batch, keys))
    for group in _groups(counts):
        shape = tuple((c.table, c.index, bool(c.kept)) for c in group)
        query = rt.statements.get(("verify", shape), partial(_counting, rt, shape))
        parameters: dict[str, list[Any]] = {}
        for position, count in enumerate(group):
            spec = datamap.tables[count.table]
            parameters |= bound(list(spec.via[count.index].join), count.values, f"v{position}")
            if count.kept:
                parameters |= bound(rt.primary_key(count.table), count.kept, f"k{position}")
        checks.append(_Check("left", [Work(query, parameters)], _left))
    return checks + _outside(rt, decision, subject)


def _extra(table: str, kept: dict[Key, KeptRow], done: list[Done]) -> list[str]:
    extra = sum(1 for row in done[0].rows if tuple(row.values()) not in kept)
    return [f"{extra} rows of {table} remain"] if extra else []


def _left(done: list[Done]) -> list[str]:
    return [f"{row['n']} rows of {row['t']} remain" for row in done[0].rows if row["n"]]


def _outside(rt: Runtime, decision: Decision, subject: Subject) -> list[_Check]:
    """Rows outside the person's data that pointed at erased rows must still exist, and rows
    shared with others must still hold exactly what they held: no cascade, trigger or stray
    statement touched anyone else's data."""
    checks = []
    tables = decision.source.metadata.tables
    expected: dict[str, set[Key]] = {}
    for ref in decision.outside:
        if ref.child_key is not None:
            expected.setdefault(ref.fk.child, set()).add(ref.child_key)
    for fullname, keys in expected.items():
        live = tables[fullname]
        pk = tuple(c.name for c in live.primary_key.columns)
        statement = rt.statements.get(("exist", fullname), partial(_existing, live, pk))
        steps = [Work(statement, bound(pk, batch)) for batch in batches(sorted(keys, key=repr))]
        checks.append(_Check("gone", steps, partial(_still_there, fullname, len(keys))))
    for table, kept in decision.kept.items():
        untouched = sorted((key for key, row in kept.items() if row.untouched), key=repr)
        if not untouched:
            continue
        live, pk = rt.tables[table], rt.primary_key(table)
        statement = rt.statements.get(("rows", table), partial(_keyed_rows, live, pk))
        ordered = list(batches(untouched))
        rows = subject.tables[table].rows
        expected_rows = {key: _detached(decision, live, rows[key]) for key in untouched}
        steps = [Work(statement, bound(pk, batch)) for batch in ordered]
        judge = partial(_unchanged, table, pk, ordered, expected_rows)
        checks.append(_Check("gone", steps, judge))
    return checks


def _existing(live: sa.Table, pk: tuple[str, ...]) -> sa.Select[Any]:
    return sa.select(sa.func.count().label("n")).select_from(live).where(in_values(live, pk))


def _keyed_rows(live: sa.Table, pk: tuple[str, ...]) -> sa.Select[Any]:
    return sa.select(live).where(in_values(live, pk))


def _still_there(fullname: str, wanted: int, done: list[Done]) -> list[str]:
    found = sum(int(one.rows[0]["n"]) for one in done)
    if found == wanted:
        return []
    return [
        f"{wanted - found} rows of {fullname} outside this person's data would be "
        "deleted with theirs (a cascade or trigger)"
    ]


def _unchanged(
    table: str,
    pk: tuple[str, ...],
    ordered: list[list[Key]],
    expected: dict[Key, dict[str, Any]],
    done: list[Done],
) -> list[str]:
    problems = []
    for batch, one in zip(ordered, done, strict=True):
        now = {tuple(row[c] for c in pk): row for row in one.rows}
        changed = [key for key in batch if now.get(key) != expected[key]]
        if changed:
            problems.append(
                f"{len(changed)} rows of {table} shared with others would change or go "
                "(a cascade or trigger)"
            )
    return problems


def _detached(decision: Decision, live: sa.Table, row: dict[str, Any]) -> dict[str, Any]:
    """A row as it should be after the planned detaches (its links to erased rows nulled)."""
    after = dict(row)
    for detach in decision.detach:
        if detach.table is live and tuple(row[c] for c in detach.columns) in detach.values:
            after.update(dict.fromkeys(detach.columns))
    return after


def _remaining_values(
    decision: Decision, subject: Subject, table: str, columns: list[str], up: bool
) -> list[list[tuple[Any, ...]]]:
    """Join values of the rows of `table` that still exist, in batches; downward joins start
    only from the person's own rows, not from rows they share with others."""
    source = subject.tables.get(table)
    if source is None:
        return []
    gone = decision.delete.get(table, set())
    values = {
        tuple(row[c] for c in columns)
        for key, row in source.rows.items()
        if key not in gone and (up or key not in source.shared)
    }
    return list(batches(sorted((v for v in values if None not in v), key=repr)))


@dataclass
class _Count:
    """One search of the verification: rows of `table` reached by its via `index` from
    `values`, other than the `kept` ones."""

    table: str
    index: int
    values: list[Key]
    kept: list[Key]


def _counting(rt: Runtime, shape: tuple[tuple[str, int, bool], ...]) -> sa.Select[Any]:
    """The verification's counts for one group of searches, as one UNION ALL whose values are
    bound by position (`v0`, `k0`, ...): built once per shape, then only executed."""
    parts = []
    for position, (table, index, kept) in enumerate(shape):
        spec, live = rt.project.datamap.tables[table], rt.tables[table]
        via = spec.via[index]
        condition = [
            in_values(live, list(via.join), f"v{position}"),
            *rows_of(spec, live),
            *satisfying(live, via.where),
        ]
        if kept:
            condition.append(sa.not_(in_values(live, rt.primary_key(table), f"k{position}")))
        parts.append(
            sa.select(sa.literal(table).label("t"), sa.func.count().label("n"))
            .select_from(live)
            .where(*condition)
        )
    return parts[0] if len(parts) == 1 else sa.union_all(*parts)  # type: ignore[return-value]


def _groups(counts: list[_Count]) -> list[list[_Count]]:
    """Searches grouped so each UNION ALL binds at most about BATCH parameters."""
    groups: list[list[_Count]] = []
    size = 0
    for count in counts:
        parameters = len(count.values) + len(count.kept)
        if not groups or size + parameters > BATCH:
            groups.append([])
            size = 0
        groups[-1].append(count)
        size += parameters
    return groups


def _fail(connection: sa.Connection, message: str) -> None:
    connection.rollback()
    raise SchemaConflict(f"{message}; nothing was changed")


def _keyed(rt: Runtime, table: str, key: tuple[Any, ...]) -> dict[str, Any]:
    return {c: jsonable(v) for c, v in zip(rt.primary_key(table), key, strict=True)}


def _report(
    rt: Runtime,
    identity: Identity,
    subject: Subject,
    decisions: dict[str, Decision],
    plans: Plans,
    *,
    dry_run: bool,
) -> ErasureReport:
    tables: dict[str, TableReport] = {}
    for name in subject.tables:
        decision = decisions[rt.project.datamap.connection_of(name)]
        spec = rt.project.datamap.tables[name]
        report = tables[name] = TableReport()
        report.deleted = [
            [jsonable(v) for v in k] for k in sorted(decision.delete.get(name, ()), key=repr)
        ]
        kept = decision.kept.get(name, {})
        rows = subject.tables[name].rows
        clear: set[str] = set()
        for key in sorted(kept, key=repr):
            row: KeptRow = kept[key]
            plan = plans(name, row)
            keyed = _keyed(rt, name, key)
            report.kept.append(
                {
                    "key": keyed,
                    "reason": row.reason,
                    "rule": row.rule,
                    "delete_after": row.delete_after.isoformat() if row.delete_after else None,
                    "restricted": not row.untouched,
                }
            )
            if changes(plan, rows[key], spec.restricted_flag):
                report.masked.append(list(keyed.values()))
            if not row.untouched and row.sides is None:
                seen = spec.for_key(row.meta_key) if row.meta_key else spec
                clear.update(kept_columns(seen, plan))
        mapped = [*spec.columns, *([spec.meta.value] if spec.meta else [])]
        report.kept_columns = [c for c in mapped if c in clear]
    for decision in decisions.values():
        for detach in decision.detach:
            name = rt.mapped_name(detach.table.fullname) or detach.table.fullname
            tables.setdefault(name, TableReport()).detached += detach.rows
    return ErasureReport(identity.kind, dry_run, tables, verified=False)


def _holds(decisions: dict[str, Decision]) -> list[Hold]:
    return [
        Hold(table, [jsonable(v) for v in key], row.rule, row.reason, row.delete_after)
        for decision in decisions.values()
        for table, kept in decision.kept.items()
        for key, row in kept.items()
        if not row.untouched
    ]


_UNTIL = re.compile(r", to be deleted after (\d{4}-\d{2}-\d{2})")


def summary(report: dict[str, Any]) -> str:
    """A short account of an erasure report for people: totals, then one line per table with
    what happened and why rows were kept. The JSON report has every row."""
    totals = report["totals"]
    if report.get("repeated"):
        head = "Already erased: nothing changed."
    else:
        verb = "Dry run, nothing changed: would delete" if report["dry_run"] else "Erased: deleted"
        head = (
            f"{verb} {totals['deleted']} rows, masked {totals['masked']}, kept {totals['kept']}"
            + (f", detached {totals['detached']} elsewhere" if totals["detached"] else "")
            + (" (verified)." if report.get("verified") else ".")
        )
    lines = [head]
    tables = {} if report.get("repeated") else report["tables"]
    width = max((len(name) for name in tables), default=0)
    for name, table in tables.items():
        parts = []
        if table["deleted"]:
            parts.append(f"deleted {table['deleted']}")
        if table["kept"]:
            parts.append(f"kept {table['kept']} (masked {table['masked']})")
        if table["detached"]:
            parts.append(f"detached {table['detached']}")
        if not parts:
            continue
        why = _reasons(table["kept_rows"])
        if table["kept_columns"]:
            why.append("keeps " + ", ".join(table["kept_columns"]))
        lines.append(
            f"  {name:{width}}  {', '.join(parts)}" + (f": {'; '.join(why)}" if why else "")
        )
    lines.append("The full report, row by row: --json")
    return "\n".join(lines)


def _reasons(kept: list[dict[str, Any]]) -> list[str]:
    """Distinct reasons for kept rows, each with the latest date a held row goes."""
    latest: dict[str, str] = {}
    for row in kept:
        reason = _UNTIL.sub("", row["reason"])
        until = row["delete_after"] or ""
        latest[reason] = max(latest.get(reason, ""), until)
    return [
        reason + (f", held until {until} at the latest" if until else "")
        for reason, until in latest.items()
    ]
