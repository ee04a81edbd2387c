"""Rows that go together, and due rows that stay because rows which stay still point at them.

A swept table's group is the tables bound `with:` it. Rows below the root (an order's lines,
their prices, its payment events) point at it and are deleted first; rows above it (the
order's own copies of an address) are what it points at, deleted after it once nothing else
points at them. One batch deletes whole groups in one transaction, so a run killed at any
moment leaves every order either whole or gone.

A due row stays while a row outside its group that stays points at it through a reflected
foreign key: a licence the buyer holds keeps its order line, and the line its order. Such
rows are reported as kept, with the reason the pointing rows stay: the rule they are kept
under, their own sweep, or the decision the data map has not made (a table bound to no rule).
Where every reason is a declared rule, the kept row's personal columns that none of those
rules' categories covers are masked: the row's own period is over, only its place is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from policykeeper.datamap.schema import ForeignKey
from policykeeper.engine.masking import Masking, masking
from policykeeper.engine.runtime import Runtime
from policykeeper.errors import SchemaConflict
from policykeeper.retention import conditions as c
from policykeeper.retention.rules import Member, Sweep, how, keeping, members, sweeps

RELEASING = {"CASCADE", "SET NULL", "SET DEFAULT"}
"""ON DELETE actions under which a pointing row does not stop a deletion."""


def exists_in(table: sa.FromClause, *conditions: sa.ColumnElement[bool]) -> sa.Exists:
    """EXISTS (SELECT FROM table WHERE ...), correlated to the enclosing queries however deep
    (SQLAlchemy's automatic correlation looks one level up only)."""
    return sa.exists().select_from(table).where(*conditions).correlate_except(table)


@dataclass(frozen=True)
class Part:
    """One table of a group; `above`: its parent points at it (the order's address copy)."""

    member: Member
    above: bool

    @property
    def table(self) -> str:
        return self.member.table


@dataclass(frozen=True)
class Group:
    """A swept table and the tables whose rows go with its rows, parents before children."""

    root: str
    parts: tuple[Part, ...]

    @property
    def tables(self) -> set[str]:
        return {self.root, *(p.table for p in self.parts)}

    @property
    def below(self) -> list[Part]:
        return [p for p in self.parts if not p.above]

    @property
    def above(self) -> list[Part]:
        return [p for p in self.parts if p.above]

    def part(self, table: str) -> Part | None:
        return next((p for p in self.parts if p.table == table), None)


@dataclass
class KeptFor:
    """Due rows of a sweep that rows of `table` still point at, and why those stay."""

    table: str
    rows: int
    reason: str
    decided: bool
    """False when no rule of the data map says why `table`'s rows stay: a missing decision."""

    def to_json(self) -> dict[str, Any]:
        return {"table": self.table, "rows": self.rows, "reason": self.reason}


def kept_lines(table: str, rule: str, kept_for: list[KeptFor], waiting: int = 0) -> list[str]:
    """Why rows past their period stay, one line per reason (the plan's and the run's)."""
    lines = [f"{table}: {k.rows} rows past '{rule}' stay: {k.reason}" for k in kept_for]
    if waiting:
        lines.append(
            f"{table}: {waiting} rows past '{rule}' wait for a row that goes with them "
            "(a later payment) to pass the period too"
        )
    return lines


@dataclass
class Links:
    """The SQL of groups and references for one project as of `now`."""

    rt: Runtime
    now: datetime
    _groups: dict[tuple[str, str], Group] = field(default_factory=dict)

    def __post_init__(self) -> None:
        project = self.rt.project
        self.deleting: dict[str, list[Sweep]] = {}
        for sweep in sweeps(project.policy, project.datamap):
            if sweep.kind == "delete":
                self.deleting.setdefault(sweep.table, []).append(sweep)

    def group(self, sweep: Sweep) -> Group:
        key = (sweep.table, sweep.rule.id)
        if key not in self._groups:
            found = members(self.rt.project.datamap, sweep.table, sweep.rule.id)
            parts: list[Part] = []
            for member in found:
                parent = next((p for p in parts if p.table == member.parent), None)
                if parent is not None and parent.above:
                    raise SchemaConflict(
                        f"{member.table}: with: {member.parent}, which is itself pointed at by "
                        "the rows it goes with; bind it with: a table below them instead"
                    )
                parts.append(Part(member, self._points_up(member)))
            self._groups[key] = Group(sweep.table, tuple(parts))
        return self._groups[key]

    def _points_up(self, member: Member) -> bool:
        """Does the parent point at this table's rows? By the declared foreign key, else by
        whether the join names this table's primary key."""
        mine, theirs = self.rt.tables[member.table], self.rt.tables[member.parent]
        pairs = set(member.join.items())
        for fk in self.rt.source_of(member.table).foreign_keys:
            down = set(zip(fk.columns, fk.referred, strict=True))
            up = set(zip(fk.referred, fk.columns, strict=True))
            if (fk.child, fk.parent, down) == (mine.fullname, theirs.fullname, pairs):
                return False
            if (fk.child, fk.parent, up) == (theirs.fullname, mine.fullname, pairs):
                return True
        return set(member.join) == set(self.rt.primary_key(member.table))

    def involved(self, sweep: Sweep) -> bool:
        """Does anything go with this sweep's rows, or point at them from outside?"""
        group = self.group(sweep)
        return bool(group.parts) or next(self.pointing(group), None) is not None

    # --- which rows go -----------------------------------------------------------------

    def goes(
        self, sweep: Sweep, root: sa.FromClause, seen: frozenset[str] = frozenset()
    ) -> sa.ColumnElement[bool]:
        """Due, everything kept with it past its period too, and nothing that stays points at
        it or at a row below it."""
        group = self.group(sweep)
        return sa.and_(
            self.ripe(sweep, root),
            sa.not_(self.needed(group, root, seen | {sweep.table})),
        )

    def ripe(self, sweep: Sweep, root: sa.FromClause) -> sa.ColumnElement[bool]:
        """Due, and no row kept with it is still inside its own period."""
        return sa.and_(c.due(root, sweep, self.now), sa.not_(self.waiting(sweep, root)))

    def waiting(self, sweep: Sweep, root: sa.FromClause) -> sa.ColumnElement[bool]:
        """A row below or above it whose own clock has not yet run the rule's period."""
        group = self.group(sweep)
        cutoff = c.cutoff(sweep.rule, self.now)
        terms = []
        for part in group.parts:
            if part.member.clock is None:
                continue
            alias = self.rt.tables[part.table].alias()
            column = alias.c[part.member.clock]
            linked = self.linked(group, part, alias, root)
            terms.append(exists_in(alias, linked, column >= c.moment(column, cutoff)))
        return sa.or_(sa.false(), *terms)

    def linked(
        self, group: Group, part: Part, alias: sa.FromClause, root: sa.FromClause
    ) -> sa.ColumnElement[bool]:
        """The row `alias` of `part` belongs to the root row `root`."""
        parent_part = group.part(part.member.parent)
        parent = root if parent_part is None else self.rt.tables[parent_part.table].alias()
        joined = sa.and_(*(alias.c[m] == parent.c[p] for m, p in part.member.join.items()))
        if parent_part is None:
            return joined
        return exists_in(parent, joined, self.linked(group, parent_part, parent, root))

    def needed(
        self, group: Group, root: sa.FromClause, seen: frozenset[str], only: str | None = None
    ) -> sa.ColumnElement[bool]:
        """A row outside the group that stays points at the root row or a row below it
        (`only`: pointing rows of that table alone)."""
        terms = []
        for target, fk in self.pointing(group):
            if only is not None and fk.child != only:
                continue
            source = self.rt.source_of(group.root)
            pointing = source.metadata.tables[fk.child].alias()
            part = group.part(target)
            at = root if part is None else self.rt.tables[target].alias()
            refers = sa.and_(
                *(
                    pointing.c[col] == at.c[ref]
                    for col, ref in zip(fk.columns, fk.referred, strict=True)
                )
            )
            term = exists_in(pointing, refers, self.stays(fk.child, pointing, seen))
            if part is not None:
                term = exists_in(at, self.linked(group, part, at, root), term)
            terms.append(term)
        return sa.or_(sa.false(), *terms)

    def pointing(self, group: Group) -> Iterator[tuple[str, ForeignKey]]:
        """Each foreign key from outside the group into its root or a table below it."""
        source = self.rt.source_of(group.root)
        inside = {self.rt.tables[t].fullname for t in group.tables}
        targets = [group.root, *(p.table for p in group.below)]
        for target in targets:
            full = self.rt.tables[target].fullname
            for fk in source.foreign_keys:
                releases = (fk.ondelete or "").upper() in RELEASING
                if fk.parent == full and fk.child not in inside and not releases:
                    yield target, fk

    def stays(
        self, fullname: str, alias: sa.FromClause, seen: frozenset[str]
    ) -> sa.ColumnElement[bool]:
        """Will this row of another table still be there after the run?"""
        name = self.rt.mapped_name(fullname)
        swept = self.deleting.get(name, []) if name is not None else []
        if not swept or name in seen:
            return sa.true()
        return sa.not_(sa.or_(*(self.goes(s, alias, seen) for s in swept)))

    # --- why due rows stay ----------------------------------------------------------------

    def kept_for(self, sweep: Sweep, connection: sa.Connection) -> list[KeptFor]:
        """Due rows that rows which stay still point at, per pointing table, with the reason."""
        live = self.rt.tables[sweep.table]
        group = self.group(sweep)
        found = []
        for fullname in dict.fromkeys(fk.child for _, fk in self.pointing(group)):
            kept = connection.execute(
                sa.select(sa.func.count())
                .select_from(live)
                .where(
                    self.ripe(sweep, live),
                    self.needed(group, live, frozenset({sweep.table}), only=fullname),
                )
            ).scalar_one()
            if kept:
                reason, decided = self.reason(fullname, sweep)
                found.append(
                    KeptFor(self.rt.mapped_name(fullname) or fullname, kept, reason, decided)
                )
        return found

    def reason(self, fullname: str, sweep: Sweep) -> tuple[str, bool]:
        """Why rows of this table stay, and whether a rule says so."""
        name = self.rt.mapped_name(fullname)
        if name is None:
            return (
                f"{fullname} points at them and is not in the data map, so no rule says how long "
                "its rows are kept: map it and bind it to a rule",
                False,
            )
        policy, datamap = self.rt.project.policy, self.rt.project.datamap
        kept_under = keeping(policy, datamap, name)
        if kept_under:
            return (
                "; ".join(
                    f"{name} points at them and is kept under '{r.id}' "
                    f"({r.label.get('en')}; {how(r)})"
                    for r in kept_under
                ),
                True,
            )
        if name in self.deleting:
            return (
                f"{name} points at them, and those rows stay: not yet due, held, or kept for "
                f"rows that point at them (see {name})",
                True,
            )
        rules = sorted({b.rule for b in datamap.tables[name].retention})
        if rules:
            return f"{name} points at them and is kept under {', '.join(rules)}", True
        return (
            f"{name} points at them and is bound to no retention rule, so nothing declares how "
            f"long its rows are kept: in datamap.yaml bind it to a rule ({{rule: RULE}} alone "
            f"for a rule without a period) or to {sweep.table} ({{rule: {sweep.rule.id}, "
            f"with: {sweep.table}}})",
            False,
        )

    def kept_masking(self, sweep: Sweep) -> Masking:
        """What a due row that stays for others gets: its personal columns that no rule
        keeping the pointing rows covers. Nothing, where a pointing table has no rule."""
        covering = self._covering(self.group(sweep), {sweep.table})
        if covering is None or "" in covering:
            return Masking()
        datamap = self.rt.project.datamap
        spec = datamap.tables[sweep.table]
        full = masking(spec, self.rt.tables[sweep.table])
        result = Masking()
        for name, column in spec.columns.items():
            key = column.category
            if key is None or any(key == k or key.startswith(k + ".") for k in covering):
                continue
            if name in full.constants:
                result.constants[name] = full.constants[name]
            elif name in full.hashed:
                result.hashed.append(name)
        return result

    def _covering(self, group: Group, seen: set[str]) -> set[str] | None:
        """The categories of every rule the rows pointing at the group stay under ("" for a
        rule naming none, i.e. all); None when some pointing table has no rule."""
        policy, datamap = self.rt.project.policy, self.rt.project.datamap
        found: set[str] = set()
        for _, fk in self.pointing(group):
            name = self.rt.mapped_name(fk.child)
            if name is None or not datamap.tables[name].retention:
                return None
            for binding in datamap.tables[name].retention:
                rule = policy.rule(binding.rule)
                if rule is not None:
                    found |= set(rule.categories) or {""}
            if name in self.deleting and name not in seen:
                for other in self.deleting[name]:
                    deeper = self._covering(self.group(other), seen | {name})
                    if deeper is None:
                        return None
                    found |= deeper
        return found
