"""The Keeper: built once from explicit configuration, it loads and reflects once, reloads only
what changed, reads no environment variable, and reports progress through a callback."""

from __future__ import annotations

import gc
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from policykeeper.config import Config
from policykeeper.engine.identity import Identity
from policykeeper.engine.places import StoreJournal
from policykeeper.engine.runtime import runtime
from policykeeper.errors import InputError
from policykeeper.examples.generation import generate
from policykeeper.keeper import Keeper
from policykeeper.progress import Step
from policykeeper.workflow.service import NewRequest
from policykeeper.workflow.states import State

EXAMPLE = Path(__file__).parents[2] / "examples" / "ainema"


@pytest.fixture
def keeper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Keeper]:
    project = tmp_path / "ainema"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".*", "*.sqlite3"))
    monkeypatch.delenv("AINEMA_DATABASE_URL", raising=False)
    generate("ainema", f"sqlite:///{project / 'ainema.sqlite3'}", 12, progress=False)
    built = Keeper(project, Config(database_url=f"sqlite:///{tmp_path / 'state.sqlite3'}"))
    yield built
    built.close()


def test_the_project_is_loaded_and_reflected_once(keeper: Keeper) -> None:
    first = keeper.project
    assert keeper.project is first
    assert runtime(keeper.project) is runtime(first)
    assert keeper.workflow.project_source is not None
    assert keeper.workflow.project_source() is first


def test_a_changed_file_is_loaded_again(keeper: Keeper) -> None:
    first = keeper.project
    path = keeper.directory / "datamap.yaml"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert keeper.project is not first
    assert keeper.project is keeper.project


def test_a_changed_schema_is_reflected_again(keeper: Keeper) -> None:
    """A migration of the service's database reaches a running process before its next job:
    the Keeper asks the database for its schema version (at most once per `schema_every`
    seconds) and reflects again only after a change."""
    keeper.schema_every = 0.0
    first = runtime(keeper.live_project())
    assert runtime(keeper.live_project()) is first, "nothing changed: nothing reflected"
    assert keeper.workflow.project_source is not None
    assert runtime(keeper.workflow.project_source()) is first
    service = sqlite3.connect(keeper.directory / "ainema.sqlite3")
    service.execute("ALTER TABLE favorites ADD COLUMN note VARCHAR(40)")
    service.execute(
        "CREATE TABLE gifts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id))"
    )
    service.commit()
    service.close()
    assert keeper.live_project() is keeper.project, "the files did not change"
    again = runtime(keeper.project)
    assert again is not first
    assert "note" in again.tables["favorites"].c
    referring = {(fk.child, fk.parent) for fk in again.sources["main"].foreign_keys}
    assert ("gifts", "users") in referring
    assert runtime(keeper.live_project()) is again
    keeper.schema_every = 3600.0  # looked at just now: the next hour's requests do not ask
    service = sqlite3.connect(keeper.directory / "ainema.sqlite3")
    service.execute("ALTER TABLE gifts ADD COLUMN note VARCHAR(40)")
    service.commit()
    service.close()
    assert runtime(keeper.live_project()) is again


def test_a_settled_keeper_reflected_its_databases_and_froze_them(keeper: Keeper) -> None:
    """`serve` and `worker` settle before their first request: nothing is loaded or reflected
    in a request, and a full garbage collection does not walk what the process keeps."""
    try:
        keeper.settle()
        assert gc.get_freeze_count() > 0
        assert "runtime" in keeper.project.cache
    finally:
        gc.unfreeze()


class Letters:
    """Every email, kept: the test reads the verification code from it."""

    def __init__(self) -> None:
        self.bodies: list[str] = []

    def send(self, to: str, subject: str, body: str) -> None:
        self.bodies.append(body)

    def code(self) -> str:
        found = [
            re.search(r"(?:Verification code|確認コード)[:：] ?(\d{6})", b) for b in self.bodies
        ]
        return [m.group(1) for m in found if m][-1]


def test_an_erasure_completes_with_its_journal_in_one_commit(keeper: Keeper) -> None:
    """The engine's journal of a run that settled every place is finished in the request's
    completion: the same transaction of the workflow's store, not a commit of its own."""
    letters = Letters()
    served = Keeper(
        keeper.directory,
        keeper.config,
        mailer=letters,
        secret_key=b"keeper-test-secret-key-0123456789",
        audit_key=b"keeper-test-audit-key-0123456789",
    )
    try:
        workflow = served.workflow
        email = (
            sqlite3.connect(keeper.directory / "ainema.sqlite3")
            .execute("SELECT email FROM users WHERE id = 5")
            .fetchone()[0]
        )
        submitted = workflow.submit(NewRequest(kind="erasure", email=email), "192.0.2.9")
        workflow.verify_code(submitted.status_token, letters.code(), "192.0.2.9")
        workflow.decide(submitted.request_id, "staff:alice", approve=True)
        through_workflow: list[str] = []

        def listen(_c: object, _cur: object, statement: str, *_: object) -> None:
            if statement.startswith("UPDATE engine_place_runs"):
                through_workflow.append(statement)

        sa.event.listen(served.store.engine, "before_cursor_execute", listen)
        served.worker().run_until_idle()
        sa.event.remove(served.store.engine, "before_cursor_execute", listen)
        assert workflow.get(submitted.request_id).state == State.completed
        run = StoreJournal.of(served.project).get(f"request:{submitted.request_id}", "erase")
        assert run is not None and run.person is None and run.report is not None
        assert len(through_workflow) == 1, "the journal's finish is part of the completion"
    finally:
        served.close()


def test_one_store_for_every_part(keeper: Keeper) -> None:
    assert keeper.workflow.store is keeper.store
    assert keeper.staff.store is keeper.store
    assert keeper.consent.store is keeper.store
    assert keeper.worker().handlers is keeper.handlers


def test_configuration_comes_from_config_not_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICYKEEPER_DATABASE_URL", "postgresql+psycopg://nobody@nowhere/x")
    monkeypatch.setenv("POLICYKEEPER_BASE_URL", "https://env.example")
    keeper = Keeper(tmp_path, Config(base_url="https://given.example/"))
    assert keeper.state_url.startswith("sqlite:///")
    assert keeper.settings.base_url == "https://given.example"
    from_env = Config.from_environment()
    assert from_env.database_url == "postgresql+psycopg://nobody@nowhere/x"
    assert from_env.base_url == "https://env.example"


def test_a_bad_setting_in_the_environment_is_one_clear_line() -> None:
    with pytest.raises(InputError, match="configuration from the environment") as caught:
        Config.from_environment({"POLICYKEEPER_EXTRA_HOLIDAYS": "2026-13-40"})
    assert "\n" not in str(caught.value)


def test_erasure_reports_progress_through_a_callback(keeper: Keeper) -> None:
    steps: list[Step] = []
    report = keeper.erase(Identity("user_id", "3"), progress=steps.append)
    assert report.sql["verified"] is True
    assert steps, "no progress was reported"
    assert steps[-1].done == steps[-1].total
    assert [s.done for s in steps] == sorted(s.done for s in steps)
