"""The plan of a request: which tables, by which joins, how many rows, and what erasure does.

Only primary keys and join columns are read, never personal columns.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from policykeeper.datamap.models import Keep
from policykeeper.engine.identity import Identity
from policykeeper.engine.planner import Collector
from policykeeper.engine.runtime import runtime
from policykeeper.project import Project


@dataclass
class PlannedTable:
    table: str
    connection: str
    rows: int
    reached_by: list[str]
    erase: str
    shared: int = 0
    """Rows others use too (reached upward, pointed at by someone else's rows)."""


@dataclass
class Plan:
    identity_kind: str
    tables: list[PlannedTable]
    unreached: list[str]
    reference: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "action": "plan",
            "identity": self.identity_kind,
            "total_rows": sum(t.rows for t in self.tables),
            "tables": [
                {
                    "table": t.table,
                    "connection": t.connection,
                    "rows": t.rows,
                    "reached_by": t.reached_by,
                    "erase": t.erase,
                    "shared_rows": t.shared,
                }
                for t in self.tables
            ],
            "owned_tables_without_rows": self.unreached,
            "reference_tables": self.reference,
        }


def plan(project: Project, identity: Identity) -> Plan:
    rt = runtime(project)
    datamap = project.datamap
    with ExitStack() as stack:
        connections = {
            name: stack.enter_context(source.engine.connect())
            for name, source in rt.sources.items()
        }
        subject = Collector(rt, connections).from_identity(identity)
    tables = []
    for name, reached in subject.tables.items():
        if not reached.rows:
            continue
        spec = datamap.tables[name]
        action = f"keep ({spec.erase.keep})" if isinstance(spec.erase, Keep) else str(spec.erase)
        tables.append(
            PlannedTable(
                name,
                datamap.connection_of(name),
                len(reached.rows),
                reached.paths,
                action,
                len(reached.shared),
            )
        )
    found = {t.table for t in tables}
    return Plan(
        identity.kind,
        tables,
        [name for name in datamap.owned() if name not in found],
        [name for name, spec in datamap.tables.items() if spec.rows == "reference"],
    )
