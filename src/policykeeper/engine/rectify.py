"""Rectification: correct named columns of the person's rows, each value checked against its type."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from policykeeper.datamap.models import Keep
from policykeeper.datamap.values import coerce, jsonable
from policykeeper.engine.identity import Identity
from policykeeper.engine.keys import Key, batches, matching
from policykeeper.engine.planner import Collector, Subject, side_columns
from policykeeper.engine.runtime import Runtime, runtime
from policykeeper.errors import InputError
from policykeeper.policy.checks import suggestion
from policykeeper.project import Project


@dataclass
class Change:
    table: str
    column: str
    value: Any
    rows: int


@dataclass
class RectificationReport:
    identity_kind: str
    changes: list[Change]

    def to_json(self) -> dict[str, Any]:
        return {
            "action": "rectify",
            "identity": self.identity_kind,
            "changes": [
                {"table": c.table, "column": c.column, "value": jsonable(c.value), "rows": c.rows}
                for c in self.changes
            ],
        }


def rectify(project: Project, identity: Identity, changes: dict[str, str]) -> RectificationReport:
    if not changes:
        raise InputError("nothing to correct: give at least one --set NAME=VALUE")
    rt = runtime(project)
    targets = [(*_target(rt, name), text) for name, text in changes.items()]
    values = {
        (table, column, key): _value(rt, table, column, text)
        for table, column, key, text in targets
    }
    with ExitStack() as stack:
        connections = {
            name: stack.enter_context(source.engine.connect())
            for name, source in rt.sources.items()
        }
        subject = Collector(rt, connections).from_identity(identity)
        report = []
        for (table, column, meta_key), value in values.items():
            keys = _own(project, subject, table, column, meta_key)
            live = rt.tables[table]
            connection = connections[project.datamap.connection_of(table)]
            for batch in batches(sorted(keys, key=repr)):
                connection.execute(
                    live.update()
                    .where(matching(live, rt.primary_key(table), batch))
                    .values({column: value})
                )
            report.append(Change(table, meta_key or column, value, len(keys)))
        for connection in connections.values():
            connection.commit()
    return RectificationReport(identity.kind, report)


def _own(
    project: Project, subject: Subject, table: str, column: str, meta_key: str | None
) -> list[Key]:
    """The person's rows of `table`; of rows two people share, those where `column` is not
    on the other person's side; of a meta table, the rows of that key."""
    reached = subject.tables.get(table)
    if reached is None:
        return []
    spec = project.datamap.tables[table]
    if spec.meta is not None and meta_key is not None:
        meta = spec.meta
        return [k for k, row in reached.rows.items() if str(row[meta.key]) == meta_key]
    if not spec.has_sides():
        return list(reached.rows)
    own = []
    for key in reached.rows:
        sides = reached.sides.get(key)
        if not sides or column not in side_columns(spec, sides)[1]:
            own.append(key)
    return own


def _target(rt: Runtime, name: str) -> tuple[str, str, str | None]:
    """`table.column`, or a bare column when exactly one owned table maps it; a meta table's
    key is named like a column (`wp_usermeta.first_name`, or `first_name`)."""
    datamap = rt.project.datamap
    personal: dict[tuple[str, str], tuple[str, str | None]] = {}
    for table in datamap.owned():
        for column, _category, meta_key in datamap.tables[table].categorised():
            personal[(table, meta_key or column)] = (column, meta_key)
    table, dot, column = name.rpartition(".")
    if dot:
        candidates = [(table, column)] if (table, column) in personal else []
    else:
        candidates = sorted(t for t in personal if t[1] == name)
    if len(candidates) > 1:
        options = ", ".join(f"{t}.{c}" for t, c in candidates)
        raise InputError(f"'{name}' is in several tables ({options}); name one as TABLE.COLUMN")
    if not candidates:
        known = sorted(f"{t}.{c}" for t, c in personal)
        raise InputError(
            f"'{name}' is not personal data the data map lists for this person"
            + suggestion(name, known)
        )
    table, named = candidates[0]
    erase = datamap.tables[table].erase
    if isinstance(erase, Keep):
        raise InputError(
            f"'{table}' is kept under the legal hold '{erase.keep}'; its records are not corrected"
        )
    return table, *personal[(table, named)]


def _value(rt: Runtime, table: str, column: str, text: str) -> Any:
    live_column: sa.Column[Any] = rt.tables[table].c[column]
    raw: str | None = text
    if text == "" and live_column.nullable and not isinstance(live_column.type, sa.String):
        raw = None
    try:
        return coerce(live_column, raw)
    except ValueError as exc:
        raise InputError(f"--set {table}.{column}: {exc}") from None
