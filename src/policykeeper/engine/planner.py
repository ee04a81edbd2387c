"""Find every owned row about one person: from identity values along `via` joins to a fixpoint.

Each step is one set-based query per table (batched IN lists), so the work grows with the
person's rows, not with the database. Cycles and self-references end because a row already
found is never queued again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from policykeeper.datamap.models import DataMap, Via
from policykeeper.datamap.values import coerce
from policykeeper.engine.identity import Identity
from policykeeper.engine.keys import Key, batches, matching
from policykeeper.engine.runtime import Runtime
from policykeeper.errors import InputError, SubjectNotFound

Seeds = Mapping[str, Iterable[Key]]


@dataclass
class Reached:
    """The owned rows of one table, keyed by primary key, with the columns asked for."""

    table: str
    primary_key: tuple[str, ...]
    rows: dict[Key, dict[str, Any]] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)


@dataclass
class Subject:
    """Everything reached for one person, in the order tables were first reached."""

    tables: dict[str, Reached]

    def keys(self, table: str) -> list[Key]:
        reached = self.tables.get(table)
        return list(reached.rows) if reached else []

    def roots(self, datamap: DataMap) -> dict[str, list[list[Any]]]:
        """Primary keys of the identity tables: enough to find the person again later."""
        tables = {identity.table for identity in datamap.identities.values()}
        return {t: [list(k) for k in self.keys(t)] for t in sorted(tables) if self.keys(t)}

    def count(self) -> int:
        return sum(len(r.rows) for r in self.tables.values())


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
        self.dependents: dict[str, list[tuple[str, Via]]] = {}
        for name in self.datamap.owned():
            for via in self.datamap.tables[name].via:
                self.dependents.setdefault(via.table, []).append((name, via))

    def from_identity(self, identity: Identity) -> Subject:
        column = self.datamap.identities.get(identity.kind)
        if column is None:
            kinds = ", ".join(sorted(self.datamap.identities))
            raise InputError(
                f"unknown identity kind '{identity.kind}'; the data map declares: {kinds}"
            )
        table = self.rt.tables[column.table]
        try:
            value = coerce(table.c[column.column], identity.value)
        except ValueError as exc:
            raise InputError(f"identity {identity.kind}: {exc}") from None
        path = f"{column.table}.{column.column} = :{identity.kind}"
        new = self._fetch(column.table, [column.column], [(value,)], path)
        if not new:
            raise SubjectNotFound(f"no one with that {identity.kind} in {column.table}")
        start = [(column.table, new)]
        self._ascend(column.table, new, set(), start)
        return self._spread(start)

    def from_seeds(self, seeds: Seeds) -> Subject:
        """Start from stored primary keys (a resumed erasure, whose identity may be masked)."""
        start = []
        for table, keys in seeds.items():
            new = self._fetch(
                table, list(self.rt.primary_key(table)), [tuple(k) for k in keys], "resumed"
            )
            start.append((table, new))
        return self._spread(start)

    def _ascend(
        self, table: str, keys: list[Key], seen: set[str], found: list[tuple[str, list[Key]]]
    ) -> None:
        """From an identity held in a dependent table, up its via joins to the account."""
        seen.add(table)
        for via in self.datamap.tables[table].via:
            if via.table in seen:
                continue
            mine, theirs = list(via.join), list(via.join.values())
            values = self._values(table, keys, mine)
            path = f"{via.table}.({', '.join(theirs)}) = {table}.({', '.join(mine)})"
            new = self._fetch(via.table, theirs, values, path)
            if new:
                found.append((via.table, new))
                self._ascend(via.table, new, seen, found)

    def _spread(self, start: list[tuple[str, list[Key]]]) -> Subject:
        queue = deque(start)
        while queue:
            source, keys = queue.popleft()
            for target, via in self.dependents.get(source, []):
                mine, theirs = list(via.join), list(via.join.values())
                values = self._values(source, keys, theirs)
                path = " AND ".join(f"{target}.{m} = {source}.{t}" for m, t in via.join.items())
                new = self._fetch(target, mine, values, path)
                if new:
                    queue.append((target, new))
        return Subject(self.found)

    def _values(self, table: str, keys: list[Key], columns: list[str]) -> list[Key]:
        rows = self.found[table].rows
        values = {tuple(rows[k][c] for c in columns) for k in keys}
        return [v for v in values if None not in v]

    def _columns(self, table: str) -> list[sa.Column[Any]]:
        live = self.rt.tables[table]
        if self.everything:
            return list(live.c)
        wanted = set(self.rt.primary_key(table)) | self.extra.get(table, set())
        for via in self.datamap.tables[table].via:
            wanted |= set(via.join)
        for _target, via in self.dependents.get(table, []):
            wanted |= set(via.join.values())
        return [c for c in live.c if c.name in wanted]

    def _fetch(self, table: str, columns: list[str], values: list[Key], path: str) -> list[Key]:
        if not values:
            return []
        reached = self.found.get(table)
        if reached is None:
            reached = self.found[table] = Reached(table, self.rt.primary_key(table))
        if path not in reached.paths:
            reached.paths.append(path)
        live = self.rt.tables[table]
        connection = self.connections[self.datamap.connection_of(table)]
        selected = self._columns(table)
        new: list[Key] = []
        for batch in batches(sorted(values, key=repr)):
            query = sa.select(*selected).where(matching(live, columns, batch))
            for row in connection.execute(query).mappings():
                key = tuple(row[c] for c in reached.primary_key)
                if key not in reached.rows:
                    reached.rows[key] = dict(row)
                    new.append(key)
        return new
