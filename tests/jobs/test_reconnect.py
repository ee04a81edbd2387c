"""What the worker does when the database comes back: jobs it was running are given back at
once (not after their lease), and a request left executing without its job gets one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from store.kit import AINEMA

from policykeeper.config import Config
from policykeeper.jobs.worker import Worker
from policykeeper.keeper import Keeper
from policykeeper.store.database import DatabaseUnavailable, connection_lost
from policykeeper.store.models import Job
from policykeeper.store.models import Request as RequestRow
from policykeeper.store.queue import enqueue
from policykeeper.workflow.service import NewRequest


class Gone(Exception):
    """Stands for the driver's error when the server closed the connection."""


def _lost() -> sa.exc.OperationalError:
    return sa.exc.OperationalError("SELECT 1", {}, Gone("closed"), connection_invalidated=True)


@pytest.fixture
def keeper(tmp_path: Path) -> Keeper:
    project = tmp_path / "ainema"
    shutil.copytree(AINEMA, project, ignore=shutil.ignore_patterns("*.sqlite3", ".policykeeper"))
    return Keeper(
        project,
        Config(database_url=f"sqlite:///{tmp_path / 'state.sqlite3'}"),
        secret_key=b"reconnect-test-secret-key-012345",
        mailer=type("Quiet", (), {"send": lambda *a: None})(),
    )


def test_a_job_the_outage_interrupted_is_given_back_at_once(keeper: Keeper) -> None:
    flow = keeper.workflow
    with keeper.store.transaction() as session:
        enqueue(session, "flaky", now=flow.clock(), job_id="j1")
    calls: list[str] = []

    def away(_flow: object, job: Job) -> None:
        calls.append(job.id)
        raise _lost()

    with pytest.raises(DatabaseUnavailable):
        Worker(flow, {"flaky": away}).run_one()
    worker = Worker(flow, {"flaky": lambda _f, job: calls.append(job.id)})
    assert worker.run_one() is False  # still leased to the interrupted run
    interrupted = Worker(flow, {"flaky": away})
    interrupted.interrupted.add("j1")
    assert interrupted.give_back() == 1
    assert worker.run_one() is True
    with keeper.store.transaction() as session:
        job = session.get(Job, "j1")
        assert job is not None and job.state == "done" and job.attempts == 2
    assert calls == ["j1", "j1"]


def test_a_request_left_executing_gets_its_job_again(keeper: Keeper) -> None:
    flow = keeper.workflow
    submitted = flow.submit(NewRequest(kind="erasure", email="a@example.jp"), "192.0.2.1")
    with keeper.store.transaction() as session:
        session.execute(
            sa.update(RequestRow)
            .where(RequestRow.id == submitted.request_id)
            .values(state="executing")
        )
    worker = keeper.worker()
    assert worker.resume_executing() == 1
    assert worker.resume_executing() == 0  # its job now waits: nothing to do twice
    with keeper.store.transaction() as session:
        kinds = session.execute(
            sa.select(Job.kind).where(Job.request_id == submitted.request_id)
        ).scalars()
        assert "execute" in set(kinds)


def test_only_an_unreachable_database_counts_as_an_outage() -> None:
    assert connection_lost(_lost())
    assert not connection_lost(sa.exc.OperationalError("SELECT x", {}, Gone("no such column")))
    assert not connection_lost(ValueError("bad input"))
