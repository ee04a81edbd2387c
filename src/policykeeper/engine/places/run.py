"""Requests over every place of the data map: plan, access, erase, rectify and restrict.

SQL goes first: it finds the person and the values other places are found from
(users.avatar_key, users.stripe_customer_id, users.id). The person is journaled before any
change, then each place acts in turn; one that fails is recorded and the others go on, and the
next run with the same key tries only what failed.
"""

from __future__ import annotations

import io
import json
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from policykeeper.engine.identity import Identity
from policykeeper.engine.places.base import (
    SETTLED,
    Handoff,
    Location,
    Person,
    Place,
    PlaceError,
    PlaceResult,
    Status,
)
from policykeeper.engine.places.journal import RunJournal, StoreJournal
from policykeeper.engine.places.manual import ManualPlace
from policykeeper.engine.places.registry import SkippedPlace, build_places
from policykeeper.engine.places.sql import SqlPlace, erasure_result
from policykeeper.engine.state import Write
from policykeeper.errors import SubjectNotFound
from policykeeper.output import write_atomic
from policykeeper.progress import Progress
from policykeeper.project import Project


@dataclass
class PlaceEntry:
    """One place in a report: what it is, who holds it, and what happened there."""

    name: str
    kind: str
    recipient: str | None
    result: PlaceResult
    attempts: int = 0
    seconds: float | None = None
    """How long the action took at this place, in this run."""

    def to_json(self) -> dict[str, Any]:
        out = {"place": self.name, "kind": self.kind, "recipient": self.recipient}
        out |= self.result.to_json()
        if self.attempts:
            out["attempts"] = self.attempts
        if self.seconds is not None:
            out["seconds"] = round(self.seconds, 4)
        return out


@dataclass
class PlacesReport:
    """What one action did at every place; the SQL place's own report is kept whole."""

    action: str
    identity_kind: str
    places: list[PlaceEntry]
    sql: dict[str, Any] = field(default_factory=dict)
    dry_run: bool = False
    stored: dict[str, Any] | None = None
    """The report of a run that already finished: repeating it changed nothing."""
    located_seconds: float | None = None
    """How long finding the person and the values other places are found from took."""

    @property
    def complete(self) -> bool:
        return all(p.result.status in SETTLED for p in self.places)

    def failed(self) -> list[PlaceEntry]:
        return [p for p in self.places if p.result.status is Status.failed]

    def handoffs(self) -> list[PlaceEntry]:
        return [p for p in self.places if p.result.handoff is not None]

    def to_json(self) -> dict[str, Any]:
        if self.stored is not None:
            return {**self.stored, "repeated": True}
        out = dict(self.sql) or {"action": self.action, "identity": self.identity_kind}
        out["places"] = [
            {k: v for k, v in p.to_json().items() if not (p.kind == "sql" and k == "detail")}
            for p in self.places
        ]
        out["complete"] = self.complete
        out["pending"] = [p.name for p in self.failed()]
        if self.dry_run:
            out["dry_run"] = True
        return out


@dataclass
class PlacesAccess:
    """The SQL export plus every other place's data; the archive adds their files."""

    sql: Any
    report: PlacesReport
    files: dict[str, bytes] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = self.sql.to_json()
        data["places"] = [
            {**entry.to_json(), "data": entry.result.data} for entry in self.report.places
        ]
        return data

    def write_zip(self, path: Path | str, lang: str = "en", zone: str = "UTC") -> None:
        """The SQL archive (README.html, one CSV per table), the place files, and access.json
        for all, in the person's language and time zone."""
        with tempfile.TemporaryDirectory() as folder:
            tables = Path(folder) / "tables.zip"
            tables.write_bytes(self.sql.zip_bytes(lang, zone, sorted(self.files)))
            buffer = io.BytesIO()
            with (
                zipfile.ZipFile(tables) as source,
                zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
            ):
                for item in source.infolist():
                    if item.filename != "access.json":
                        archive.writestr(item, source.read(item))
                archive.writestr(
                    "access.json", json.dumps(self.to_json(), ensure_ascii=False, indent=2)
                )
                for name, content in sorted(self.files.items()):
                    archive.writestr(name, content)
        write_atomic(path, buffer.getvalue())


def _references(places: list[Place]) -> set[str]:
    return {r for place in places for r in place.columns()}


def _attempt(place: Place, act: Any) -> PlaceResult:
    """Run one place's action; a failure there is a result, not the end of the run."""
    try:
        return act()  # type: ignore[no-any-return]
    except PlaceError as exc:
        return PlaceResult(Status.failed, error=str(exc))


def _entry(place: Place, result: PlaceResult, attempts: int = 0) -> PlaceEntry:
    return PlaceEntry(place.name, place.kind, place.recipient, result, attempts)


def _locate(place: Place, person: Person) -> Location | PlaceResult:
    try:
        return place.locate(person)
    except PlaceError as exc:
        return PlaceResult(Status.failed, error=str(exc))


def _close(places: list[Place]) -> None:
    for place in places:
        closer = getattr(place, "close", None)
        if callable(closer):
            closer()


# --- plan ----------------------------------------------------------------------------------


def plan(project: Project, identity: Identity) -> dict[str, Any]:
    """SQL tables, stores, processor calls and manual tasks for one person, read-only."""
    sql, others = build_places(project, identity)
    person = sql.find_person(_references(others))
    entries = [_entry(sql, PlaceResult(Status.planned, {"rows": sql.count({})}))]
    entries += _planned_entries(others, person)
    assert sql.last_plan is not None
    data = sql.last_plan.to_json()
    data["places"] = [e.to_json() for e in entries]
    return data


def _planned_entries(others: list[Place], person: Person) -> list[PlaceEntry]:
    """What each place outside SQL would do for the person, without doing it; closes them."""
    entries = []
    try:
        for place in others:
            located = _locate(place, person)
            if isinstance(located, PlaceResult):
                entries.append(_entry(place, located))
                continue
            entries.append(
                _entry(place, _attempt(place, lambda p=place, loc=located: _planned(p, loc)))
            )
    finally:
        _close(others)
    return entries


def _planned(place: Place, location: Location) -> PlaceResult:
    if isinstance(place, SkippedPlace):
        return place.erase(location)
    items = place.count(location)
    return PlaceResult(Status.planned, {"items": items}, note=intent(place, location, items))


def intent(place: Place, location: Location, items: int) -> str:
    """What erasure would do at a place, in one line."""
    spec = getattr(place, "spec", None)
    if place.kind == "connector":
        config = place.config  # type: ignore[attr-defined]
        calls = ", ".join(f"{s.call.method} {s.call.path}" for s in config.erase)
        found = "ids kept in the database" if location.get("ids") is not None else "search"
        return f"{config.name}: {calls} for each record ({found})"
    if place.kind == "manual" and spec is not None:
        if not items:
            return "no task: none of the person's data went to this recipient"
        return f"a task for staff: tell {spec.contact} within {spec.due_within}"
    if place.kind in ("s3", "files"):
        groups = getattr(spec, "objects", None) or getattr(spec, "paths", [])
        kept = sorted({g.erase.keep for g in groups if not isinstance(g.erase, str)})
        suffix = f"; kept under {', '.join(kept)}" if kept else ""
        versions = ", every version and delete marker" if place.kind == "s3" else ""
        return f"delete {items} items{versions}{suffix}"
    return f"delete {items} items"


# --- access --------------------------------------------------------------------------------


def access(project: Project, identity: Identity) -> PlacesAccess:
    sql, others = build_places(project, identity)
    person = sql.find_person(_references(others))
    sql_result = sql.read({})
    entries = [_entry(sql, sql_result)]
    files: dict[str, bytes] = {}
    try:
        for place in others:
            located = _locate(place, person)
            if isinstance(located, PlaceResult):
                entries.append(_entry(place, located))
                continue
            result = _attempt(place, lambda p=place, loc=located: p.read(loc))
            files |= result.files
            entries.append(_entry(place, result))
    finally:
        _close(others)
    report = PlacesReport("access", identity.kind, entries)
    return PlacesAccess(sql.last_access, report, files)


# --- changes: erase, rectify, restrict -----------------------------------------------------


def erase(
    project: Project,
    identity: Identity,
    *,
    dry_run: bool = False,
    run_key: str | None = None,
    journal: RunJournal | None = None,
    progress: Progress | None = None,
    finish: list[Write] | None = None,
) -> PlacesReport:
    """Erase everywhere; `run_key` (default: the identity's digest) names the journal entry;
    `progress` hears how far the SQL erasure has come. `finish`: when given, the journal's
    finish of a run that settled every place is left there for the caller to commit with its
    own write (the request's completion), instead of committed here."""
    sql, others = build_places(project, identity, run_key or "", progress)
    if dry_run:
        return _dry_run(sql, others, identity)
    return _change(
        "erase",
        project,
        identity,
        sql,
        others,
        run_key,
        journal,
        lambda place, location: place.erase(location),
        finish=finish,
    )


def rectify(
    project: Project,
    identity: Identity,
    changes: dict[str, str],
    *,
    run_key: str | None = None,
    journal: RunJournal | None = None,
) -> PlacesReport:
    """Correct the SQL rows, then pass each corrected value on where the map says it is kept."""
    sql, others = build_places(project, identity, run_key or "")
    earlier: dict[str, Any] = {}

    def act(place: Place, location: Location) -> PlaceResult:
        if place is sql:
            return sql.rectify(location, changes)
        done = sql.last_rectification
        corrected = (
            {f"{c.table}.{c.column}": c.value for c in done.changes}
            if done is not None
            else _corrected_from(earlier.get(sql.name, {}))  # a retry: SQL settled before
        )
        return place.rectify(location, corrected)

    return _change("rectify", project, identity, sql, others, run_key, journal, act, earlier)


def _corrected_from(result: dict[str, Any]) -> dict[str, Any]:
    detail = result.get("detail") or {}
    return {f"{c['table']}.{c['column']}": c["value"] for c in detail.get("changes", [])}


def restrict(
    project: Project,
    identity: Identity,
    *,
    lift: bool = False,
    run_key: str | None = None,
    journal: RunJournal | None = None,
) -> PlacesReport:
    sql, others = build_places(project, identity, run_key or "")
    action = "lift" if lift else "restrict"
    return _change(
        action,
        project,
        identity,
        sql,
        others,
        run_key,
        journal,
        lambda place, location: place.restrict(location, lift),
    )


def _change(
    action: str,
    project: Project,
    identity: Identity,
    sql: SqlPlace,
    others: list[Place],
    run_key: str | None,
    journal: RunJournal | None,
    act: Any,
    earlier: dict[str, Any] | None = None,
    finish: list[Write] | None = None,
) -> PlacesReport:
    key = run_key or identity.digest()
    book = journal or StoreJournal.of(project)
    references = _references(others)
    run = book.get(key, action)
    if run is not None and run.report is not None:
        try:
            sql.find_person(references)
        except SubjectNotFound:
            return PlacesReport(action, identity.kind, [], stored=run.report)
        run = None  # the identity leads to someone again (re-registered): a new run
    done = run.results if run is not None else {}
    if earlier is not None:
        earlier.update(done)
    sql_done = Status(done.get(sql.name, {}).get("status", "failed")) in SETTLED
    started = time.perf_counter()
    person: Person
    stored = run is not None and run.person is not None
    if stored and (sql_done or (action == "erase" and sql.erasure_begun())):
        # The SQL erasure may have committed before the journal said so: a search now finds
        # the person masked or not at all, so the places go on from the person as found.
        assert run is not None and run.person is not None
        person = Person.from_json(run.person)
    else:
        try:
            person = sql.find_person(references)
        except SubjectNotFound:
            if run is None or run.person is None:
                raise
            person = Person.from_json(run.person)  # SQL committed before the journal said so
        if run is None or not sql_done:
            start = partial(book.start, key, action, person.to_json())
            if action == "erase":
                sql.first = start  # committed with the SQL erasure's own journal start
            else:
                start()
            done = {}
    locating = time.perf_counter() - started
    entries: list[PlaceEntry] = []
    results = dict(done)
    unsaved = False
    try:
        for place in [sql, *others]:
            previous = done.get(place.name)
            if previous is not None and Status(previous["status"]) in SETTLED:
                entries.append(_stored_entry(place, previous))
                continue
            attempts = int(previous.get("attempts", 0)) if previous else 0
            outside = _acts_outside(place)
            if outside and unsaved:  # what SQL did is kept before anything else acts
                book.record(key, action, results, _taken(sql.finishing))
            started = time.perf_counter()
            if place is sql:
                result = act(sql, {})  # SQL errors (a legal hold, a conflict) stop the run
            else:
                located = _locate(place, person)
                result = (
                    located
                    if isinstance(located, PlaceResult)
                    else _attempt(place, lambda p=place, loc=located: act(p, loc))
                )
            if result.status is Status.failed:
                attempts += 1
            entry = _entry(place, result, attempts)
            entry.seconds = time.perf_counter() - started
            results[place.name] = {**result.to_json(), "attempts": attempts}
            unsaved = not outside
            if outside:
                book.record(key, action, results, _taken(sql.finishing))
            entries.append(entry)
    finally:
        _close(others)
    report = PlacesReport(action, identity.kind, entries, sql=entries[0].result.detail or {})
    report.located_seconds = locating
    also = _taken(sql.finishing)
    if report.complete:
        done_write = partial(
            book.finish, key, action, _forgetful(report.to_json()), _forgotten(results), also
        )
        if finish is not None:
            finish.append(lambda connection: done_write(connection=connection))
        else:
            done_write()
    elif unsaved or also:
        book.record(key, action, results, also)
    return report


def _taken(writes: list[Write]) -> list[Write]:
    """The writes waiting in `writes`, which is left empty."""
    taken = list(writes)
    writes.clear()
    return taken


def _acts_outside(place: Place) -> bool:
    """Does acting here change something a repeat could not simply redo from the journal? The
    SQL place's own journal resumes it, and a skipped place or a task for staff changes
    nothing until the run ends, so their results are written with the next write."""
    return not isinstance(place, SqlPlace | SkippedPlace | ManualPlace)


def _stored_entry(place: Place, stored: dict[str, Any]) -> PlaceEntry:
    result = PlaceResult(
        Status(stored["status"]),
        dict(stored.get("counts", {})),
        note=stored.get("note"),
        error=stored.get("error"),
        detail=stored.get("detail"),
    )
    handoff = stored.get("handoff")
    if handoff is not None:
        result.handoff = Handoff(**handoff)
    return _entry(place, result, int(stored.get("attempts", 0)))


def _forgetful(report: dict[str, Any]) -> dict[str, Any]:
    """The report as the journal keeps it: what identifies the person to a recipient is gone."""
    out = json.loads(json.dumps(report, default=str))
    for place in out.get("places", []):
        handoff = place.get("handoff")
        if handoff is not None:
            handoff["identifiers"] = []
    return out


def _forgotten(results: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each place's result as a finished run keeps it: without the recipient's identifiers,
    and without its detail, which the run's report keeps once."""
    brief = {name: {k: v for k, v in r.items() if k != "detail"} for name, r in results.items()}
    return {name: _forgetful({"places": [result]})["places"][0] for name, result in brief.items()}


def _dry_run(sql: SqlPlace, others: list[Place], identity: Identity) -> PlacesReport:
    person = sql.find_person(_references(others))
    report = sql.dry_run()

    entries = [_entry(sql, erasure_result(report))]
    entries += _planned_entries(others, person)
    return PlacesReport("erase", identity.kind, entries, sql=report.to_json(), dry_run=True)
