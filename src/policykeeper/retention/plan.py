"""The retention plan: per rule, how many rows are due now and when the next ones will be.

It only reads (counts and one MIN per binding), so it is safe against production. NULL and
future clocks are counted and reported, never guessed at.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from policykeeper.datamap.loading import datamap_path
from policykeeper.engine.holds import HeldKeys, held_keys
from policykeeper.engine.keys import Key, batches, matching
from policykeeper.engine.runtime import Runtime, runtime
from policykeeper.errors import ProblemsFound
from policykeeper.policy.models import Clock
from policykeeper.policy.source import read_yaml
from policykeeper.policy.types import Duration
from policykeeper.project import Project
from policykeeper.retention import conditions as c
from policykeeper.retention.accounts import already_erased, due_accounts
from policykeeper.retention.batches import anonymization, not_applied
from policykeeper.retention.groups import KeptFor, Links, exists_in, kept_lines
from policykeeper.retention.notices import Notices, needs_notice, notice_period
from policykeeper.retention.rules import Sweep, Unswept, binding_findings, sweeps, unswept
from policykeeper.retention.store import aware, open_store
from policykeeper.store import Store

ACTIONS = {
    "delete": "delete rows",
    "anonymize": "anonymize personal columns",
    "restrict": "block (set the restricted flag)",
    "erase_account": "erase the account through the engine (held rows kept, restricted)",
}


STARTS_LATER = {Clock.account_deletion, Clock.resolution, Clock.contract_end, Clock.superseded}
"""Clocks that are NULL until an event (deletion, resolution): NULL there is normal."""


@dataclass
class SweepPlan:
    sweep: Sweep
    cutoff: datetime
    due: int = 0
    held: int = 0
    kept_longer: int = 0
    already_erased: int = 0
    awaiting_notice: int = 0
    clock_unset: int = 0
    clock_future: int = 0
    next_due: datetime | None = None
    with_rows: dict[str, int] = field(default_factory=dict)
    """Rows of the tables bound `with:` this one that go with the due rows."""
    waiting_with: int = 0
    """Past the period, but a row kept with it (a later payment) is not yet."""
    kept_for: list[KeptFor] = field(default_factory=list)
    to_mask: int = 0
    """Rows kept for others whose uncovered personal columns the run will mask."""

    def to_json(self) -> dict[str, Any]:
        rule = self.sweep.rule
        return {
            "rule": rule.id,
            "label": rule.label.get("en"),
            "table": self.sweep.table,
            "clock": rule.clock.value,
            "clock_column": self.sweep.clock,
            "where": self.sweep.binding.where,
            "period": str(rule.period),
            "action": ACTIONS[self.sweep.kind],
            "cutoff": self.cutoff.isoformat(),
            "due": self.due,
            "held_by_legal_hold": self.held,
            "kept_by_longer_rule": self.kept_longer,
            "already_erased": self.already_erased,
            "awaiting_notice": self.awaiting_notice,
            "clock_null": self.clock_unset,
            "clock_in_future": self.clock_future,
            "next_due": self.next_due.isoformat() if self.next_due else None,
            "with": self.with_rows,
            "kept_with_later_rows": self.waiting_with,
            "kept_for": [k.to_json() for k in self.kept_for],
            "to_mask": self.to_mask,
        }


@dataclass
class RetentionPlan:
    as_of: datetime
    sweeps: list[SweepPlan]
    unswept: list[Unswept]
    problems: list[str] = field(default_factory=list)

    def total_due(self) -> int:
        return sum(s.due for s in self.sweeps)

    def to_json(self) -> dict[str, Any]:
        return {
            "action": "retention_plan",
            "as_of": self.as_of.isoformat(),
            "total_due": self.total_due(),
            "sweeps": [s.to_json() for s in self.sweeps],
            "not_swept": [{"rule": u.rule.id, "how": u.how} for u in self.unswept],
            "problems": self.problems,
        }


def check_bindings(project: Project) -> None:
    """Refuse to run when a rule cannot be bound: the same lines `policykeeper validate` prints."""
    findings = binding_findings(project.policy, project.datamap)
    if findings:
        document = read_yaml(datamap_path(project.directory))
        raise ProblemsFound([document.problem(where, message) for where, message in findings])


def retention_plan(
    project: Project,
    now: datetime | None = None,
    *,
    notice: Duration | None = None,
    store_url: str | None = None,
) -> RetentionPlan:
    check_bindings(project)
    at = aware(now)
    rt = runtime(project)
    store = open_store(project, store_url)
    with ExitStack() as stack:
        stack.callback(store.dispose)
        connections = {
            name: stack.enter_context(source.engine.connect())
            for name, source in rt.sources.items()
        }
        held = held_keys(project, connections, store)
        links = Links(rt, at)
        planned = [
            _plan(rt, s, at, held, connections, _notices(rt, s, store, notice, at), links)
            for s in sweeps(project.policy, project.datamap)
        ]
    result = RetentionPlan(at, planned, unswept(project.policy, project.datamap))
    result.problems = clock_problems(planned) + undecided(planned)
    return result


def undecided(planned: list[SweepPlan]) -> list[str]:
    """Due rows kept for rows that no rule of the data map says why they stay."""
    return [
        line
        for item in planned
        for line in kept_lines(
            item.sweep.table, item.sweep.rule.id, [k for k in item.kept_for if not k.decided]
        )
    ]


def clock_problems(planned: list[SweepPlan]) -> list[str]:
    problems = []
    for item in planned:
        where = f"{item.sweep.table}.{item.sweep.clock}"
        if item.clock_future:
            problems.append(
                f"{where}: {item.clock_future} rows have a clock in the future; "
                "they are not swept until it passes"
            )
        if item.clock_unset and item.sweep.rule.clock not in STARTS_LATER:
            problems.append(
                f"{where}: {item.clock_unset} rows have no clock value (NULL); "
                f"rule '{item.sweep.rule.id}' never applies to them until it is set"
            )
    return problems


def _notices(
    rt: Runtime, sweep: Sweep, store: Store, notice: Duration | None, now: datetime
) -> Notices | None:
    if not needs_notice(sweep):
        return None
    return Notices(rt, sweep, store, None, notice_period(sweep, notice), now)


def _plan(
    rt: Runtime,
    sweep: Sweep,
    now: datetime,
    held: HeldKeys,
    connections: dict[str, sa.Connection],
    notices: Notices | None,
    links: Links,
) -> SweepPlan:
    live = rt.tables[sweep.table]
    connection = connections[rt.project.datamap.connection_of(sweep.table)]
    result = SweepPlan(sweep, c.cutoff(sweep.rule, now))

    def count(condition: sa.ColumnElement[bool]) -> int:
        return connection.execute(
            sa.select(sa.func.count()).select_from(live).where(condition)
        ).scalar_one()

    condition = c.due(live, sweep, now)
    if sweep.kind in ("anonymize", "restrict"):
        condition = sa.and_(
            condition, not_applied(live, anonymization(rt.project.datamap, sweep, live))
        )
    mine = held.get(sweep.table, set())
    if sweep.kind == "erase_account":
        for page in due_accounts(rt, sweep, now, 1000, [sweep.clock]):
            for account in page:
                if account.key in mine:
                    result.held += 1
                elif already_erased(rt, account.identity):
                    result.already_erased += 1
                elif notices is not None and not notices.may_erase(account):
                    result.awaiting_notice += 1
                else:
                    result.due += 1
    elif sweep.kind == "delete" and links.involved(sweep):
        condition = _with_groups(result, links, connection, count, held)
        result.due = count(condition) - result.held
    else:
        result.held = _count_held(connection, live, rt.primary_key(sweep.table), condition, mine)
        result.due = count(condition) - result.held
    if sweep.others:
        result.kept_longer = count(c.kept_longer(live, sweep, now))
    result.clock_unset, result.clock_future = clock_counts(connection, live, sweep, now)
    first = connection.execute(
        sa.select(sa.func.min(live.c[sweep.clock])).where(c.waiting(live, sweep, now))
    ).scalar_one()
    start = c.as_utc(first)
    if start is not None and sweep.rule.period is not None:
        result.next_due = sweep.rule.period.after(start)
    connection.commit()
    return result


def _with_groups(
    result: SweepPlan,
    links: Links,
    connection: sa.Connection,
    count: Callable[[sa.ColumnElement[bool]], int],
    held: HeldKeys,
) -> sa.ColumnElement[bool]:
    """Rows held (themselves or by a row that goes with them), what goes with the rest, what
    waits for a later row, and what stays for others; the condition of the rows that go."""
    sweep = result.sweep
    live = links.rt.tables[sweep.table]
    pk = links.rt.primary_key(sweep.table)
    group = links.group(sweep)
    goes = links.goes(sweep, live)
    kept = _held_roots(links, sweep, goes, connection, held)
    result.held = len(kept)
    for part in group.parts:
        rows = links.rt.tables[part.table]
        root = live.alias()
        going = [links.goes(sweep, root), *_outside(root, pk, kept)]
        term: sa.ColumnElement[bool] = exists_in(
            root, links.linked(group, part, rows, root), *going
        )
        if part.above:  # and no root row that stays still points at it
            other = live.alias()
            staying = sa.not_(sa.and_(links.goes(sweep, other), *_outside(other, pk, kept)))
            term = sa.and_(
                term, sa.not_(exists_in(other, links.linked(group, part, rows, other), staying))
            )
        result.with_rows[part.table] = connection.execute(
            sa.select(sa.func.count()).select_from(rows).where(term)
        ).scalar_one()
    if any(p.member.clock for p in group.parts):
        result.waiting_with = count(
            sa.and_(c.due(live, sweep, links.now), links.waiting(sweep, live))
        )
    result.kept_for = links.kept_for(sweep, connection)
    mask = links.kept_masking(sweep)
    if mask and result.kept_for:
        result.to_mask = count(
            sa.and_(
                links.ripe(sweep, live),
                links.needed(group, live, frozenset({sweep.table})),
                not_applied(live, mask),
            )
        )
    return goes


def _held_roots(
    links: Links,
    sweep: Sweep,
    goes: sa.ColumnElement[bool],
    connection: sa.Connection,
    held: HeldKeys,
) -> set[Key]:
    """Rows that would go but are held, or a row that goes with them is (the run skips both)."""
    live = links.rt.tables[sweep.table]
    pk = links.rt.primary_key(sweep.table)
    group = links.group(sweep)
    found: set[Key] = set()

    def add(condition: sa.ColumnElement[bool]) -> None:
        query = sa.select(*(live.c[name] for name in pk)).where(goes, condition)
        found.update(tuple(row) for row in connection.execute(query))

    for batch in batches(sorted(held.get(sweep.table, set()), key=repr)):
        add(matching(live, pk, batch))
    for part in group.parts:
        alias = links.rt.tables[part.table].alias()
        part_pk = links.rt.primary_key(part.table)
        for batch in batches(sorted(held.get(part.table, set()), key=repr)):
            linked = links.linked(group, part, alias, live)
            add(exists_in(alias, linked, matching(alias, part_pk, batch)))
    return found


def _outside(live: sa.FromClause, pk: tuple[str, ...], keys: set[Key]) -> list[Any]:
    """`pk NOT IN (keys)`, or nothing when there are none."""
    return [sa.not_(matching(live, pk, sorted(keys, key=repr)))] if keys else []


def clock_counts(
    connection: sa.Connection, live: sa.Table, sweep: Sweep, now: datetime
) -> tuple[int, int]:
    """Rows whose clock is NULL (skipped when the column cannot be) and rows dated ahead."""

    def count(condition: sa.ColumnElement[bool]) -> int:
        return connection.execute(
            sa.select(sa.func.count()).select_from(live).where(condition)
        ).scalar_one()

    nullable = live.c[sweep.clock].nullable
    unset = count(c.clock_unset(live, sweep)) if nullable else 0
    return unset, count(c.clock_future(live, sweep, now))


def clock_report(rt: Runtime, sweep: Sweep, now: datetime) -> list[str]:
    """The clock problems of one sweep, for a run's report."""
    item = SweepPlan(sweep, c.cutoff(sweep.rule, now))
    with rt.source_of(sweep.table).engine.connect() as connection:
        item.clock_unset, item.clock_future = clock_counts(
            connection, rt.tables[sweep.table], sweep, now
        )
    return clock_problems([item])


def _count_held(
    connection: sa.Connection,
    live: sa.Table,
    pk: tuple[str, ...],
    condition: sa.ColumnElement[bool],
    held: set[Key],
) -> int:
    total = 0
    for batch in batches(sorted(held, key=repr)):
        total += connection.execute(
            sa.select(sa.func.count()).select_from(live).where(condition, matching(live, pk, batch))
        ).scalar_one()
    return total
