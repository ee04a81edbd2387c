"""Find every owned row about one person: from identity values along `via` joins to a fixpoint.

Each step is one set-based query per table (batched IN lists), so the work grows with the
person's rows, not with the database. Cycles and self-references end because a row already
found is never queued again.

A join goes down (orders.user_id = users.id: the person's orders) or up (addresses.id =
users.address_id: a row the person's row points at). A row reached only upward may be used by
other people too (a country, an address two customers share), so it leads nowhere further
down until it is shown to be the person's alone: every row pointing at it through the map's
joins is already theirs. The search therefore never goes up into a shared row and back down
to other people's rows; rows still shared at the end are listed as such.

Identity values are matched exactly (see `policykeeper.engine.identity`), and so are text
join values: a row whose join column only equals under the database's collation is dropped.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter
from typing import Any

import sqlalchemy as sa

from policykeeper.datamap.models import DataMap, Table, Via
from policykeeper.datamap.values import coerce
from policykeeper.engine.batch import Done, run_all
from policykeeper.engine.identity import Identity, candidates, canonical, same
from policykeeper.engine.keys import (
    Key,
    batches,
    bound,
    in_values,
    matching,
    rows_of,
    satisfying,
)
from policykeeper.engine.runtime import Runtime
from policykeeper.errors import InputError, SubjectNotFound

Seeds = Mapping[str, Iterable[Key]]
IDENTITY = "identity"
"""The parameter the identity's value is bound to."""


@dataclass
class Reached:
    """The owned rows of one table, keyed by primary key, with the columns asked for."""

    table: str
    primary_key: tuple[str, ...]
    rows: dict[Key, dict[str, Any]] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)
    shared: dict[Key, str] = field(default_factory=dict)
    """Rows reached only upward that someone else's rows point at too: key -> 'table.column'."""
    sides: dict[Key, set[int]] = field(default_factory=dict)
    """Rows two people share (the table's vias name sides): the vias this person came by."""


@dataclass(frozen=True)
class Link:
    """One via join, oriented: rows of `source` lead to rows of `target`."""

    target: str
    via: Via
    index: int
    up: bool
    """Target rows are parents of source rows (addresses.id = users.address_id)."""

    @property
    def source(self) -> str:
        return self.via.table


@dataclass
class Subject:
    """Everything reached for one person, in the order tables were first reached."""

    tables: dict[str, Reached]
    links: list[Link] = field(default_factory=list)

    def keys(self, table: str) -> list[Key]:
        reached = self.tables.get(table)
        return list(reached.rows) if reached else []

    def roots(self, datamap: DataMap) -> dict[str, list[list[Any]]]:
        """Primary keys of the identity tables: enough to find the person again later."""
        tables = {identity.table for identity in datamap.identities.values()}
        return {t: [list(k) for k in self.keys(t)] for t in sorted(tables) if self.keys(t)}

    def count(self) -> int:
        return sum(len(r.rows) for r in self.tables.values())

    def is_up(self, table: str, index: int) -> bool:
        return any(link.up for link in self.links if (link.target, link.index) == (table, index))


def links(rt: Runtime) -> list[Link]:
    """Every via join of the owned tables, oriented by the live schema's keys."""
    datamap = rt.project.datamap
    return [
        Link(name, via, index, is_upward(rt, name, via))
        for name in datamap.owned()
        for index, via in enumerate(datamap.tables[name].via)
        if name in rt.tables and via.table in rt.tables
    ]


def is_upward(rt: Runtime, table: str, via: Via) -> bool:
    """Is `table` the parent in this join? A foreign key decides; without one, a unique key."""
    mine, theirs = rt.tables[table], rt.tables[via.table]
    pairs = set(via.join.items())
    for fk in rt.source_of(table).foreign_keys:
        joined = set(zip(fk.columns, fk.referred, strict=True))
        if fk.child == mine.fullname and fk.parent == theirs.fullname and joined == pairs:
            return False
        reverse = {(b, a) for a, b in joined}
        if fk.child == theirs.fullname and fk.parent == mine.fullname and reverse == pairs:
            return True
    if _unique(theirs, set(via.join.values())):
        return False
    return _unique(mine, set(via.join))


def _unique(table: sa.Table, columns: set[str]) -> bool:
    keyed = {c.name for c in table.primary_key.columns}
    if keyed and keyed <= columns:
        return True
    for constraint in table.constraints:
        if (
            isinstance(constraint, sa.UniqueConstraint)
            and {c.name for c in constraint.columns} <= columns
        ):
            return bool(constraint.columns)
    return any(
        index.unique and {c.name for c in index.columns} <= columns for index in table.indexes
    )


class Collector:
    """Runs the search on open connections (one per data map connection)."""

    def __init__(
        self,
        rt: Runtime,
        connections: Mapping[str, sa.Connection],
        *,
        everything: bool = False,
        extra: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.rt = rt
        self.datamap = rt.project.datamap
        self.connections = connections
        self.everything = everything
        self.extra = {table: set(columns) for table, columns in (extra or {}).items()}
        self.found: dict[str, Reached] = {}
        self.pending: dict[str, set[Key]] = {}
        """Rows reached only upward, not yet shown to be the person's alone."""
        self.links = rt.statements.get(("links",), partial(links, rt))  # once per schema
        self.dependents: dict[str, list[Link]] = {}
        for link in self.links:
            self.dependents.setdefault(link.source, []).append(link)

    def from_identity(self, identity: Identity) -> Subject:
        identity = canonical(self.datamap, identity)
        spec = self.datamap.identities[identity.kind]
        table = self.rt.tables[spec.table]
        column = table.c[spec.column]
        try:
            value = coerce(column, identity.value)
        except ValueError as exc:
            raise InputError(f"identity {identity.kind}: {exc}") from None
        path = f"{spec.table}.{spec.column} = :{identity.kind}"
        new = self._fetch(
            spec.table,
            [spec.column],
            [(value,)],
            path,
            where=candidates(column, value, spec.match, IDENTITY),
            accept=lambda row: same(row[spec.column], value, spec.match),
        )
        if not new:
            raise SubjectNotFound(f"no one with that {identity.kind} in {spec.table}")
        start = [(spec.table, new)]
        self._ascend(spec.table, new, set(), start)
        return self._search(start)

    def from_seeds(self, seeds: Seeds) -> Subject:
        """Start from stored primary keys (a resumed erasure, whose identity may be masked)."""
        start = []
        for table, keys in seeds.items():
            new = self._fetch(
                table, list(self.rt.primary_key(table)), [tuple(k) for k in keys], "resumed"
            )
            start.append((table, new))
        return self._search(start)

    def _ascend(
        self, table: str, keys: list[Key], seen: set[str], found: list[tuple[str, list[Key]]]
    ) -> None:
        """From an identity held in a dependent table, up its via joins to the account.

        Only to parents: from a row that others' rows point at (an address), the rows pointing
        at it are other people, not the owner of the identity.
        """
        seen.add(table)
        for index, via in enumerate(self.datamap.tables[table].via):
            if via.table in seen or self._link(table, index).up:
                continue
            mine, theirs = list(via.join), list(via.join.values())
            values = self._values(table, self._meeting(table, keys, via), mine)
            path = f"{via.table}.({', '.join(theirs)}) = {table}.({', '.join(mine)})"
            new = self._fetch(via.table, theirs, values, path)
            if new:
                found.append((via.table, new))
                self._ascend(via.table, new, seen, found)

    def _link(self, table: str, index: int) -> Link:
        return next(link for link in self.links if (link.target, link.index) == (table, index))

    def _search(self, start: list[tuple[str, list[Key]]]) -> Subject:
        """Spread to a fixpoint; then claim upward rows no one else uses, and spread again."""
        self._spread(start)
        while True:
            claimed = []
            for table, keys in self.pending.items():
                if not keys:
                    continue
                others = self._other_users(table, keys)
                mine = [key for key in keys if key not in others]
                if mine:
                    claimed.append((table, mine))
            if not claimed:
                break
            for table, mine in claimed:
                self.pending[table].difference_update(mine)
            self._spread(claimed)
        for table, keys in self.pending.items():
            if keys:
                self.found[table].shared = self._other_users(table, keys)
        return Subject(self.found, self.links)

    def _spread(self, start: list[tuple[str, list[Key]]]) -> None:
        queue = deque(start)
        while queue:
            source, keys = queue.popleft()
            waiting = self.pending.get(source, set())
            claimed = [key for key in keys if key not in waiting]
            links = self.dependents.get(source, [])
            fetches = []
            for link in links:
                use = keys if link.up else claimed
                mine, theirs = list(link.via.join), list(link.via.join.values())
                values = self._values(source, use, theirs)
                path = " AND ".join(
                    f"{link.target}.{m} = {source}.{t}" for m, t in link.via.join.items()
                )
                spec = self.datamap.tables[link.target]
                fetches.append(
                    self._prepare(
                        link.target,
                        mine,
                        values,
                        path,
                        upward=link.up,
                        side=link.index if spec.has_sides() else None,
                        conditions=link.via.where,
                    )
                )
            # A source's children are fetched together: which rows each link asks for comes
            # from the source's rows alone, never from what another link finds.
            for link, new in zip(links, self._run(fetches), strict=True):
                if new:
                    queue.append((link.target, new))

    def _other_users(self, table: str, keys: Iterable[Key]) -> dict[Key, str]:
        """Rows of `table` that rows outside the person's claimed rows point at, and by what.

        Every join of the map along which rows point at `table` counts (the one the row was
        reached up by, and tables reached down from it): one grouped count per batch of values,
        compared with the person's own claimed rows holding each value.
        """
        rows = self.found[table].rows
        used: dict[Key, str] = {}
        for referencing, columns, referred in self._pointers(table):
            by_value: dict[Key, list[Key]] = {}
            for key in keys:
                value = tuple(rows[key][c] for c in referred)
                if None not in value:
                    by_value.setdefault(value, []).append(key)
            ours: dict[Key, int] = {}
            source = self.found.get(referencing)
            waiting = self.pending.get(referencing, set())
            others = self._others(referencing, table)
            for key, row in source.rows.items() if source else ():
                if key in waiting or not (
                    others is None or any(_meets(row, v.where) for v in others)
                ):
                    continue
                value = tuple(row[c] for c in columns)
                ours[value] = ours.get(value, 0) + 1
            live = self.rt.tables[referencing]
            connection = self.connections[self.datamap.connection_of(referencing)]
            grouped = [live.c[c] for c in columns]
            claimable = list(rows_of(self.datamap.tables[referencing], live))
            if others is not None:
                claimable.append(sa.or_(*(sa.and_(*satisfying(live, v.where)) for v in others)))
            for batch in batches(sorted(by_value, key=repr)):
                query = (
                    sa.select(*grouped, sa.func.count())
                    .where(matching(live, columns, batch), *claimable)
                    .group_by(*grouped)
                )
                for *value, count in connection.execute(query):
                    group = tuple(value)
                    if group in by_value and count <= ours.get(group, 0):
                        continue
                    # More users than ours; or a collation grouped variants under another
                    # spelling, so which of ours it holds is unknown: all of them are shared.
                    for key in by_value.get(group) or [k for b in batch for k in by_value[b]]:
                        used.setdefault(key, f"{referencing}.{', '.join(columns)}")
        return used

    def _others(self, referencing: str, table: str) -> list[Via] | None:
        """The joins by which rows of `referencing` pointing at `table` may be someone's, when
        each only reaches some rows (a `where`); None when any of its rows may be.

        An entry's meta rows all point at the entry, but only its _from_email row belongs to a
        person by another join: its other keys are the entry's own details, not other users.
        """
        roots = {identity.table for identity in self.datamap.identities.values()}
        others = [v for v in self.datamap.tables[referencing].via if v.table != table]
        if referencing in roots or not others or any(not v.where for v in others):
            return None
        return others

    def _meeting(self, table: str, keys: list[Key], via: Via) -> list[Key]:
        """The keys of rows that meet the join's `where`."""
        rows = self.found[table].rows
        return [k for k in keys if _meets(rows[k], via.where)]

    def _pointers(self, table: str) -> Iterator[tuple[str, list[str], list[str]]]:
        """(table, its columns, the columns of `table` they hold) for each join along which
        other people's rows may point at rows of `table`: the rows it is reached up from, and
        rows below it that also belong to someone by another join (orders shipped to an
        address). Rows whose only join is from `table` are its own details, not other users.
        """
        for link in self.links:
            mine, theirs = list(link.via.join), list(link.via.join.values())
            if link.up and link.target == table:
                yield link.source, theirs, mine
            elif not link.up and link.source == table and link.target != table:
                vias = self.datamap.tables[link.target].via
                if any(via.table != table for via in vias):
                    yield link.target, mine, theirs

    def _values(self, table: str, keys: list[Key], columns: list[str]) -> list[Key]:
        rows = self.found[table].rows
        values = {tuple(rows[k][c] for c in columns) for k in keys}
        return [v for v in values if None not in v]

    def _columns(self, table: str, matched: list[str]) -> list[sa.Column[Any]]:
        live = self.rt.tables[table]
        if self.everything:
            return list(live.c)
        wanted = set(self.rt.primary_key(table)) | self.extra.get(table, set()) | set(matched)
        spec = self.datamap.tables[table]
        for via in spec.via:
            wanted |= set(via.join) | set(via.where)
        if spec.meta is not None:
            wanted |= {spec.meta.key, spec.meta.value}
        for link in self.dependents.get(table, []):
            wanted |= set(link.via.join.values())
        return [c for c in live.c if c.name in wanted]

    def _fetch(
        self,
        table: str,
        columns: list[str],
        values: list[Key],
        path: str,
        **options: Any,
    ) -> list[Key]:
        """Rows whose `columns` equal one of `values`: the keys new to the search, or newly
        reached from the person's own rows (no longer only upward)."""
        return self._run([self._prepare(table, columns, values, path, **options)])[0]

    def _run(self, fetches: list[_Fetch | None]) -> list[list[Key]]:
        """Each fetch's new keys. The fetches on one connection go together (one round trip
        on PostgreSQL), then their rows are taken in order, as if fetched one by one."""
        by_connection: dict[str, list[_Fetch]] = {}
        for fetch in fetches:
            if fetch is not None:
                by_connection.setdefault(fetch.connection, []).append(fetch)
        for name, group in by_connection.items():
            done = run_all(
                self.connections[name], [w for f in group for w in f.work], self.rt.statements
            )
            for fetch in group:
                fetch.done, done = done[: len(fetch.work)], done[len(fetch.work) :]
        return [[] if fetch is None else fetch.absorb(fetch.done) for fetch in fetches]

    def _prepare(
        self,
        table: str,
        columns: list[str],
        values: list[Key],
        path: str,
        *,
        upward: bool = False,
        side: int | None = None,
        where: tuple[bool, sa.ColumnElement[bool]] | None = None,
        accept: Callable[[Mapping[str, Any]], bool] | None = None,
        conditions: Mapping[str, Any] | None = None,
    ) -> _Fetch | None:
        """The statements of a fetch, and how its rows join the search (`_run`)."""
        if not values:
            return None
        reached = self.found.get(table)
        if reached is None:
            reached = self.found[table] = Reached(table, self.rt.primary_key(table))
        if path not in reached.paths:
            reached.paths.append(path)
        live = self.rt.tables[table]
        selected = self._columns(table, columns)
        waiting = self.pending.setdefault(table, set())

        def build() -> sa.Select[Any]:
            # Built here, not per fetch: the conditions are part of the statement, built once.
            spec = self.datamap.tables[table]
            limits = [*rows_of(spec, live), *satisfying(live, conditions or {})]
            if where is not None:  # the identity: its own comparison (identity.candidates)
                return sa.select(*selected).where(where[1], *limits)
            return sa.select(*selected).where(in_values(live, columns), *limits)

        shape = ("fetch", table, tuple(c.name for c in selected), tuple(columns))
        if where is not None:
            shape = (*shape, "identity", where[0])
        statement = self.rt.statements.get(
            (*shape, repr(sorted((conditions or {}).items()))), build
        )
        ordered = list(batches(sorted(values, key=repr)))
        if where is not None:
            work = [(statement, {IDENTITY: value[0]}) for batch in ordered for value in batch]
            ordered = [[value] for batch in ordered for value in batch]
        else:
            work = [(statement, bound(columns, batch)) for batch in ordered]

        def absorb(done: list[Done]) -> list[Key]:
            new: list[Key] = []
            keyof = values_of(reached.primary_key)
            for batch, result in zip(ordered, done, strict=True):
                exact = accept or _exact_text(live, columns, batch)
                for row in result.rows:
                    if exact is not None and not exact(row):
                        continue
                    key = keyof(row)
                    if side is not None:
                        reached.sides.setdefault(key, set()).add(side)
                    if key not in reached.rows:
                        reached.rows[key] = row
                        if upward:
                            waiting.add(key)
                        new.append(key)
                    elif not upward and key in waiting:
                        waiting.discard(key)
                        new.append(key)
            return new

        return _Fetch(self.datamap.connection_of(table), work, absorb)


@dataclass
class _Fetch:
    """A fetch's statements on its connection, and how its rows join the search."""

    connection: str
    work: list[tuple[sa.Select[Any], dict[str, Any]]]
    absorb: Callable[[list[Done]], list[Key]]
    done: list[Done] = field(default_factory=list)


def values_of(columns: Sequence[str]) -> Callable[[Mapping[str, Any]], Key]:
    """A row's values of these columns as a tuple, taken by one C call (a row's key or join
    values, for every row read)."""
    if len(columns) == 1:
        (name,) = columns
        return lambda row: (row[name],)
    if not columns:
        return lambda row: ()
    return itemgetter(*columns)  # type: ignore[return-value]


def _exact_text(
    live: sa.Table, columns: list[str], batch: list[Key]
) -> Callable[[Mapping[str, Any]], bool] | None:
    """A filter keeping rows whose text join values equal a wanted value exactly: a collation
    that ignores case, accents or trailing spaces must not join another person's rows."""
    positions = [
        i
        for i, name in enumerate(columns)
        if isinstance(live.c[name].type, sa.String) and all(isinstance(v[i], str) for v in batch)
    ]
    if not positions:
        return None
    wanted = {tuple(value[i] for i in positions) for value in batch}
    names = [columns[i] for i in positions]
    return lambda row: tuple(row[name] for name in names) in wanted


def _meets(row: Mapping[str, Any], conditions: Mapping[str, Any]) -> bool:
    """Does the row hold these values (a list: any of them; None: null)?"""
    for name, wanted in conditions.items():
        value = row.get(name)
        if isinstance(wanted, list) and value not in wanted:
            return False
        if not isinstance(wanted, list) and value != wanted:
            return False
    return True


def side_columns(spec: Table, sides: set[int]) -> tuple[set[str], set[str]]:
    """For a row two people share: (this person's side columns, the other sides' columns)."""
    own: set[str] = set()
    other: set[str] = set()
    for index, via in enumerate(spec.via):
        (own if index in sides else other).update(via.side_columns())
    return own, other - own
