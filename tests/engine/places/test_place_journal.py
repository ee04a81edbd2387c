"""What a run over places writes to its journal, and what it reads again: the result of a place
that acts outside is journaled before the next place acts; places that change nothing until
the run ends are journaled with the next write; a connector's configuration is parsed once
per loaded project and version of its file."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from ruamel.yaml import YAML
from toy_place_fixture import ainema_copy

from policykeeper.connectors.loading import SHIPPED
from policykeeper.engine import Identity, places
from policykeeper.engine.places import Person, PlaceResult, Status, StoreJournal
from policykeeper.engine.places import registry as registry_module
from policykeeper.engine.runtime import release
from policykeeper.engine.state import state_for
from policykeeper.project import Project, load_project

SEEN: list[dict[str, Any]] = []
"""What the spy place found in the journal when it acted."""


class JournalSpy:
    """A place outside PolicyKeeper that looks at the run's journal when it is asked to act."""

    kind = "spy"

    def __init__(self, name: str, options: dict[str, Any], identities: dict[str, str]) -> None:
        self.name, self.recipient = name, None
        self.directory = Path(options["project"])

    def columns(self) -> set[str]:
        return {"user_id"}

    def locate(self, person: Person) -> dict[str, Any]:
        return {"users": person.values("user_id")}

    def count(self, location: dict[str, Any]) -> int:
        return 1

    def _act(self) -> PlaceResult:
        project = load_project(self.directory)
        try:
            run = StoreJournal.of(project).get(Identity("user_id", "3").digest(), "erase")
        finally:
            release(project)
        SEEN.append(dict(run.results) if run is not None else {})
        return PlaceResult(Status.deleted, {"deleted": 1})

    def read(self, location: dict[str, Any]) -> PlaceResult:
        return self._act()

    def erase(self, location: dict[str, Any]) -> PlaceResult:
        return self._act()

    def rectify(self, location: dict[str, Any], changes: dict[str, Any]) -> PlaceResult:
        return PlaceResult(Status.not_applicable)

    def restrict(self, location: dict[str, Any], lift: bool) -> PlaceResult:
        return PlaceResult(Status.not_applicable)


@pytest.fixture
def directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return ainema_copy(tmp_path, monkeypatch)


def _edit(directory: Path, change: Any) -> None:
    yaml = YAML()
    path = directory / "datamap.yaml"
    data = yaml.load(path.read_text("utf-8"))
    change(data)
    with path.open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream)


def _journal_writes(project: Project) -> tuple[list[str], Any]:
    """Each INSERT or UPDATE of the place journal from now on (a listener to remove after)."""
    writes: list[str] = []

    def listen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "engine_place_runs" in statement and statement.lstrip().startswith(("INSERT", "UPD")):
            writes.append(statement.split()[0])

    engine = state_for(project).engine
    sa.event.listen(engine, "before_cursor_execute", listen)
    return writes, lambda: sa.event.remove(engine, "before_cursor_execute", listen)


def test_places_that_act_at_the_end_are_journaled_with_the_finish(directory: Path) -> None:
    """AInema here: SQL, three optional places that are not configured, two tasks for staff."""
    project = load_project(directory)
    try:
        identity = Identity("user_id", "3")
        writes, stop = _journal_writes(project)
        report = places.erase(project, identity).to_json()
        stop()
        assert report["complete"] is True
        assert writes == ["INSERT", "UPDATE"], "the start, then the finish with every result"
        run = StoreJournal.of(project).get(identity.digest(), "erase")
        assert run is not None and run.person is None and run.report is not None
        assert sorted(run.results) == sorted(p["place"] for p in report["places"])
        assert run.results["database"]["status"] == "deleted"
    finally:
        release(project)


def test_what_sql_did_is_journaled_before_a_place_outside_acts(directory: Path) -> None:
    _edit(
        directory,
        lambda data: data["stores"].insert(
            0,
            "spy",
            {
                "kind": "custom",
                "factory": f"{__name__}:JournalSpy",
                "options": {"project": str(directory)},
            },
        ),
    )
    SEEN.clear()
    project = load_project(directory)
    try:
        writes, stop = _journal_writes(project)
        report = places.erase(project, Identity("user_id", "3")).to_json()
        stop()
    finally:
        release(project)
    assert [p["place"] for p in report["places"]][:2] == ["database", "spy"]
    assert report["complete"] is True
    assert len(SEEN) == 1 and SEEN[0]["database"]["status"] == "deleted", SEEN
    # The start; SQL's result before the spy acted; the spy's at once; the finish.
    assert writes == ["INSERT", "UPDATE", "UPDATE", "UPDATE"]


def test_a_connector_is_parsed_once_per_project_and_file(
    directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = directory / "connectors" / "stripe.yaml"
    local.parent.mkdir()
    shutil.copy(SHIPPED / "stripe.yaml", local)
    _edit(
        directory, lambda data: data["connectors"]["stripe"].update(config="connectors/stripe.yaml")
    )
    parsed: list[str] = []
    load = registry_module.load_connector

    def counting(reference: str, project: Path) -> Any:
        parsed.append(reference)
        return load(reference, project)

    monkeypatch.setattr(registry_module, "load_connector", counting)
    project = load_project(directory)
    try:
        for user in ("3", "4"):
            plan = places.plan(project, Identity("user_id", user))
            assert {p["place"]: p for p in plan["places"]}["stripe"]["status"] == "skipped"
        assert parsed == ["connectors/stripe.yaml"]
        stat = local.stat()
        os.utime(local, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        places.plan(project, Identity("user_id", "5"))
        assert len(parsed) == 2, "a changed file is parsed again"
    finally:
        release(project)


class Killed(Exception):
    """Where a kill -9 would have stopped the run."""


class DiesAfterSql:
    """The store's journal, in a process killed right after the SQL erasure committed: its
    start is written, nothing after it."""

    def __init__(self, inner: StoreJournal) -> None:
        self.inner = inner

    def get(self, key: str, action: str) -> Any:
        return self.inner.get(key, action)

    def start(self, *args: Any, **kwargs: Any) -> None:
        self.inner.start(*args, **kwargs)

    def record(self, *args: Any, **kwargs: Any) -> None:
        raise Killed

    def finish(self, *args: Any, **kwargs: Any) -> None:
        raise Killed


def test_a_run_killed_after_sql_goes_on_from_the_person_as_found(directory: Path) -> None:
    """Searched again by user id after the SQL erasure committed, the person is found masked;
    the next run must tell PayPay the address they had, not its hash."""
    identity = Identity("user_id", "5")
    engine = sa.create_engine(os.environ["AINEMA_DATABASE_URL"])
    with engine.connect() as connection:
        email = connection.execute(sa.text("SELECT email FROM users WHERE id = 5")).scalar_one()
    engine.dispose()
    project = load_project(directory)
    try:
        with pytest.raises(Killed):
            places.erase(project, identity, journal=DiesAfterSql(StoreJournal.of(project)))
        report = places.erase(project, identity).to_json()
    finally:
        release(project)
    assert report["complete"] is True
    paypay = {p["place"]: p for p in report["places"]}["paypay"]
    told = [v for i in paypay["handoff"]["identifiers"] for v in i["values"]]
    assert email in told and "5" in told, told
