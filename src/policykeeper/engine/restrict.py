"""Restriction (GDPR Art. 18, APPI Art. 35): while restricted, the data may only be stored.

The restriction is recorded in the engine state and, where the data map names the app's own
flag column, written there too so the app can honour it without asking PolicyKeeper.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from policykeeper.engine.identity import Identity
from policykeeper.engine.keys import batches, matching
from policykeeper.engine.planner import Collector, Subject
from policykeeper.engine.runtime import Runtime, runtime
from policykeeper.engine.state import state_for, subject_key
from policykeeper.project import Project


@dataclass
class RestrictionReport:
    identity_kind: str
    restricted: bool
    flagged: dict[str, int] = field(default_factory=dict)
    recorded: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "action": "restrict",
            "identity": self.identity_kind,
            "restricted": self.restricted,
            "flagged_rows": self.flagged,
            "subjects_recorded": self.recorded,
        }


def restrict(project: Project, identity: Identity, *, lift: bool = False) -> RestrictionReport:
    rt = runtime(project)
    state = state_for(project)
    report = RestrictionReport(identity.kind, not lift)
    with ExitStack() as stack:
        connections = {
            name: stack.enter_context(source.engine.connect())
            for name, source in rt.sources.items()
        }
        subject = Collector(rt, connections).from_identity(identity)
        for table, reached in subject.tables.items():
            flag = project.datamap.tables[table].restricted_flag
            if flag is None or not reached.rows:
                continue
            live = rt.tables[table]
            connection = connections[project.datamap.connection_of(table)]
            for batch in batches(sorted(reached.rows, key=repr)):
                connection.execute(
                    live.update()
                    .where(matching(live, rt.primary_key(table), batch))
                    .values({flag: not lift})
                )
            report.flagged[table] = len(reached.rows)
        for key in _subjects(rt, subject):
            state.set_restricted(key, not lift)
            report.recorded += 1
        for connection in connections.values():
            connection.commit()
    return report


def is_restricted(project: Project, identity: Identity) -> bool:
    """True while the person's processing is restricted: the app's flag, else our record."""
    rt = runtime(project)
    datamap = project.datamap
    flags = {name: spec.restricted_flag for name, spec in datamap.tables.items()}
    extra = {name: [flag] for name, flag in flags.items() if flag}
    with ExitStack() as stack:
        connections = {
            name: stack.enter_context(source.engine.connect())
            for name, source in rt.sources.items()
        }
        subject = Collector(rt, connections, extra=extra).from_identity(identity)
    roots = subject.roots(datamap)
    flagged = [table for table in roots if flags.get(table)]
    if flagged:
        return any(
            bool(row[flags[table]])
            for table in flagged
            for row in subject.tables[table].rows.values()
        )
    state = state_for(project)
    return any(state.is_restricted(key) for key in _subjects(rt, subject))


def _subjects(rt: Runtime, subject: Subject) -> list[str]:
    return [
        subject_key(table, key)
        for table, keys in subject.roots(rt.project.datamap).items()
        for key in keys
    ]
