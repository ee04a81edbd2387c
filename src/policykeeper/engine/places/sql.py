"""The service's SQL tables as one place: a thin adapter over the engine's planner and executors.

It adds nothing to how tables are searched, erased, corrected or restricted; it only turns
their reports into place results, and finds the values other places are located from.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from policykeeper.datamap.values import jsonable
from policykeeper.engine.access import AccessResult
from policykeeper.engine.access import access as access_tables
from policykeeper.engine.erase import ErasureReport
from policykeeper.engine.erase import erase as erase_tables
from policykeeper.engine.identity import Identity, canonical
from policykeeper.engine.places.base import Kept, Location, Person, PlaceResult, Status
from policykeeper.engine.places.manual import ANY_ROW
from policykeeper.engine.plan import Plan
from policykeeper.engine.plan import plan as plan_tables
from policykeeper.engine.planner import Collector, Subject
from policykeeper.engine.rectify import RectificationReport
from policykeeper.engine.rectify import rectify as rectify_tables
from policykeeper.engine.restrict import restrict as restrict_tables
from policykeeper.engine.runtime import runtime
from policykeeper.engine.state import Write, state_for
from policykeeper.errors import InputError
from policykeeper.progress import Progress
from policykeeper.project import Project

NAME = "database"


class SqlPlace:
    """Every table of the data map, across its connections."""

    kind = "sql"

    def __init__(
        self, project: Project, identity: Identity, progress: Progress | None = None
    ) -> None:
        self.project = project
        self.identity = identity
        self.progress = progress
        self.name = NAME
        hosts = [r for r, reach in project.datamap.recipients.items() if reach.hosts]
        self.recipient: str | None = hosts[0] if len(hosts) == 1 else None
        self.last_plan: Plan | None = None
        self.last_access: AccessResult | None = None
        self.last_rectification: RectificationReport | None = None
        self.found: Subject | None = None
        """The person as `find_person` searched them, every column read: the access or erasure
        that follows at once starts from it instead of searching again."""
        self.first: Write | None = None
        """The run's journal start, when erasure is to commit it with its own (see
        `engine.erase.erase`)."""
        self.finishing: list[Write] = []
        """The SQL erasure's journal finish, for the run to commit with its next write."""

    def columns(self) -> set[str]:
        return set()

    def find_person(self, references: set[str]) -> Person:
        """Search the person (SubjectNotFound if nobody) and read the referenced columns.

        Every column is read, so the SQL access or erasure right after reuses the search."""
        datamap = self.project.datamap
        identities = {kind: str(column) for kind, column in datamap.identities.items()}
        wanted: dict[str, set[str]] = {}
        for reference in references:
            table, _, column = identities.get(reference, reference).partition(".")
            wanted.setdefault(table, set())
            if column != ANY_ROW:
                wanted[table].add(column)
        rt = runtime(self.project)
        for table, columns in wanted.items():
            live = rt.tables.get(table)
            missing = sorted(c for c in columns if live is None or c not in live.c)
            if missing:
                raise InputError(
                    f"a place of the data map refers to {table}.{missing[0]}, "
                    "which the database lacks"
                )
        with ExitStack() as stack:
            connections = {
                name: stack.enter_context(source.engine.connect())
                for name, source in rt.sources.items()
            }
            subject = Collector(rt, connections, everything=True).from_identity(self.identity)
        self.found = subject
        rows = {
            table: [
                {c: jsonable(row[c]) for c in columns if c in row}
                for _key, row in sorted(subject.tables[table].rows.items(), key=repr)
            ]
            for table, columns in wanted.items()
            if table in subject.tables
        }
        return Person(self.identity, identities, rows)

    def locate(self, person: Person) -> Location:
        return {}

    def count(self, location: Location) -> int:
        self.last_plan = plan_tables(self.project, self.identity)
        return sum(t.rows for t in self.last_plan.tables)

    def erasure_begun(self) -> bool:
        """Has an erasure of this person begun to change the SQL tables (its journal is in the
        store)? Then a search now may find them half erased, or not at all."""
        identity = canonical(self.project.datamap, self.identity)
        return state_for(self.project).journal(identity.digest(), "erase") is not None

    def _taken(self) -> Subject | None:
        """The search `find_person` made, handed on once (a later action searches anew)."""
        found, self.found = self.found, None
        return found

    def read(self, location: Location) -> PlaceResult:
        self.last_access = access_tables(self.project, self.identity, found=self._taken())
        rows = {table: len(found) for table, found in self.last_access.tables.items()}
        return PlaceResult(Status.read, {"rows": sum(rows.values())}, detail={"tables": rows})

    def erase(self, location: Location) -> PlaceResult:
        first, self.first = self.first, None
        report = erase_tables(
            self.project,
            self.identity,
            progress=self.progress,
            found=self._taken(),
            first=first,
            finish=self.finishing,
        )
        return erasure_result(report)

    def dry_run(self) -> ErasureReport:
        return erase_tables(self.project, self.identity, dry_run=True, found=self._taken())

    def rectify(self, location: Location, changes: dict[str, Any]) -> PlaceResult:
        report = rectify_tables(
            self.project, self.identity, {k: str(v) for k, v in changes.items()}
        )
        self.last_rectification = report
        rows = sum(change.rows for change in report.changes)
        return PlaceResult(Status.corrected, {"rows": rows}, detail=report.to_json())

    def restrict(self, location: Location, lift: bool) -> PlaceResult:
        report = restrict_tables(self.project, self.identity, lift=lift)
        status = Status.lifted if lift else Status.restricted
        return PlaceResult(status, {"rows": sum(report.flagged.values())}, detail=report.to_json())


def erasure_result(report: ErasureReport) -> PlaceResult:
    """The SQL erasure report as a place result: counts, and each kept row with its rule."""
    data = report.to_json()
    totals = data.get("totals", {})
    kept = [
        Kept(
            item=f"{table}:{'/'.join(str(v) for v in row['key'].values())}",
            rule=row.get("rule"),
            reason=row.get("reason", ""),
            delete_after=row.get("delete_after"),
        )
        for table, found in data.get("tables", {}).items()
        for row in found.get("kept_rows", [])
    ]
    counts = {k: int(totals.get(k, 0)) for k in ("deleted", "masked", "kept")}
    if counts["deleted"]:
        status = Status.deleted
    elif counts["masked"]:
        status = Status.masked
    elif counts["kept"]:
        status = Status.kept
    else:
        status = Status.nothing_found
    return PlaceResult(status, counts, kept, detail=data)
