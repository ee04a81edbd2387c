"""Legal holds pause erasure: the rows under a hold, found again in the service's databases.

Holds are added, listed and released by `policykeeper.retention`; they live in PolicyKeeper's own
store. Erasure and the retention sweeps both ask here which rows are held.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import ExitStack
from typing import Any

import sqlalchemy as sa

from policykeeper.datamap.values import coerce
from policykeeper.engine.keys import Key
from policykeeper.engine.planner import Collector
from policykeeper.engine.runtime import Runtime, runtime
from policykeeper.engine.state import state_for
from policykeeper.errors import HeldByLaw, InputError
from policykeeper.project import Project
from policykeeper.store import Store
from policykeeper.store.retention_models import LegalHold

HeldKeys = dict[str, set[Key]]


_HOLDS = LegalHold.__table__


def active_holds(connection: sa.Connection) -> list[sa.Row[Any]]:
    """The holds not released yet, as rows of `retention_holds`."""
    query = sa.select(_HOLDS).where(_HOLDS.c.released_at.is_(None))
    return list(connection.execute(query))


def held_keys(
    project: Project, connections: Mapping[str, sa.Connection], store: Store | None = None
) -> HeldKeys:
    """Every row under an active hold, per data map table: the records and each held person's
    rows. The store defaults to the engine's own (opened once per project, not per call)."""
    engine = (store or state_for(project).store).engine
    with engine.connect() as connection:
        holds = active_holds(connection)
    return keys_under(project, connections, holds)


def keys_under(
    project: Project, connections: Mapping[str, sa.Connection], holds: list[sa.Row[Any]]
) -> HeldKeys:
    """The rows these holds keep, per data map table (a held person's found again)."""
    rt = runtime(project)
    held: HeldKeys = {}
    for hold in holds:
        if hold.scope == "record" and hold.table_name in rt.tables:
            held.setdefault(hold.table_name, set()).add(
                record_key(rt, hold.table_name, [str(v) for v in hold.row_key or []])
            )
        elif hold.scope == "person" and hold.roots:
            subject = Collector(rt, connections).from_seeds(hold.roots)
            for table, reached in subject.tables.items():
                held.setdefault(table, set()).update(reached.rows)
    return held


def refuse_held_erasure(
    project: Project,
    tables: dict[str, list[Key]],
    connections: Mapping[str, sa.Connection],
    holds: list[sa.Row[Any]],
) -> None:
    """The engine's erasure hook: refuse, changing nothing, when a held row would be erased.
    `holds` were read with the erasure's journal; `connections` are the erasure's own (a held
    person's rows are found through them)."""
    held = keys_under(project, connections, holds)
    for table, keys in tables.items():
        clash = held.get(table, set()) & set(keys)
        if clash:
            raise HeldByLaw(
                f"{len(clash)} rows of {table} are under a legal hold; erasure refused, "
                "nothing changed (see: policykeeper retention hold list)"
            )


def record_key(rt: Runtime, table: str, values: list[str]) -> Key:
    if table not in rt.tables:
        raise InputError(f"unknown table '{table}'; the data map lists: {', '.join(rt.tables)}")
    pk = rt.primary_key(table)
    if len(values) != len(pk):
        raise InputError(f"{table} is keyed by ({', '.join(pk)}): give --key once per column")
    live = rt.tables[table]
    try:
        return tuple(coerce(live.c[c], v) for c, v in zip(pk, values, strict=True))
    except ValueError as exc:
        raise InputError(f"--key: {exc}") from None


def connect(rt: Runtime, stack: ExitStack) -> dict[str, sa.Connection]:
    return {
        name: stack.enter_context(source.engine.connect()) for name, source in rt.sources.items()
    }
