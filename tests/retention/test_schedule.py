"""Daily sweeps through the job worker; a missed day is caught up by the next run."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from retention_kit import NOW, naive, scalar
from store.kit import FakeClock

from policykeeper.job_handlers import JOB_HANDLERS
from policykeeper.jobs.worker import Worker
from policykeeper.policy.loading import load_policy
from policykeeper.project import load_project
from policykeeper.retention.schedule import JOB_KIND, catch_up, schedule
from policykeeper.store import Store
from policykeeper.store.models import Job
from policykeeper.store.retention_models import RetentionRun
from policykeeper.workflow.mail import SmtpMailer
from policykeeper.workflow.service import Workflow
from policykeeper.workflow.tokens import Secrets

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
OLD = "SELECT count(*) FROM access_logs WHERE created_at < :c"


def test_daily_job_runs_requeues_and_catches_up(
    ainema_dir: Path, database_url: str, state_store: Store, mailer: SmtpMailer, loaded: list
) -> None:
    clock = FakeClock(NOW)
    workflow = Workflow(
        state_store,
        load_policy(ainema_dir),
        secrets=Secrets(b"test-secret-key-0123456789abcdef"),
        mailer=mailer,
        clock=clock,
        project_dir=ainema_dir,
    )
    with state_store.transaction() as session:
        first = schedule(session, clock())
        assert first is not None and first.run_after == NOW.replace(hour=3)
        assert schedule(session, clock()) is None, "one daily job at a time"
    worker = Worker(workflow, JOB_HANDLERS)
    assert worker.run_until_idle() == 0, "not before 03:00"
    clock.advance(hours=4)
    assert worker.run_until_idle() == 1
    year_ago = naive(clock()) - timedelta(days=365)
    assert scalar(database_url, OLD, c=year_ago) == 0

    clock.advance(days=3)
    assert worker.run_until_idle() == 1, "three days late, the waiting job runs once"
    with state_store.transaction() as session:
        runs = session.execute(sa.select(RetentionRun).order_by(RetentionRun.as_of)).scalars().all()
        jobs = (
            session.execute(sa.select(Job).where(Job.kind == JOB_KIND).order_by(Job.created_at))
            .scalars()
            .all()
        )
    assert [r.state for r in runs] == ["done", "done"]
    assert runs[1].report["missed_days"] == 2
    assert [j.state for j in jobs] == ["done", "done", "queued"]
    assert jobs[2].run_after > clock()

    project = load_project(ainema_dir)
    loaded.append(project)
    assert catch_up(project, clock(), store_url=state_store.url) is None, "today's run is done"
