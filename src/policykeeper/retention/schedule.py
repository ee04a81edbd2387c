"""Daily sweeps through the job worker: each sweep job runs, then queues the next day's.

A sweep acts on everything due as of its clock, so missed days need no replay: the next run
catches them all up, and its report counts the days missed since the last finished run.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from policykeeper.project import Project, load_project
from policykeeper.retention.run import RunReport, last_run, retention_run
from policykeeper.retention.store import aware, open_store
from policykeeper.store.models import Job
from policykeeper.store.queue import queue_daily
from policykeeper.workflow.mail import Mailer

JOB_KIND = "retention_sweep"
RUN_AT = time(3, 0)
"""Daily, at 03:00 UTC."""
SAME_DAY = timedelta(hours=20)
"""A finished run this recent means today's sweep is done."""


def schedule(session: Session, now: datetime, *, besides: str | None = None) -> Job | None:
    """Queue the next daily sweep unless one is already waiting; None when it is."""
    return queue_daily(session, JOB_KIND, now, RUN_AT, besides=besides)


def catch_up(
    project: Project,
    now: datetime | None = None,
    *,
    mailer: Mailer | None = None,
    store_url: str | None = None,
) -> RunReport | None:
    """Run unless today's sweep already finished; None when it had."""
    at = aware(now)
    store = open_store(project, store_url)
    try:
        last = last_run(store)
    finally:
        store.dispose()
    if last is not None and at - last.as_of < SAME_DAY:
        return None
    missed = max((at - last.as_of).days - 1, 0) if last is not None else 0
    return retention_run(
        project, at, mailer=mailer, actor="worker", store_url=store_url, missed_days=missed
    )


def sweep_job(workflow: Any, job: Job) -> None:
    """The worker's handler: sweep the workflow's project, then queue tomorrow's sweep."""
    if workflow.project_dir is None:
        raise LookupError("the worker has no project directory to sweep")
    project = (
        workflow.project_source()
        if workflow.project_source is not None
        else load_project(workflow.project_dir, workflow.store.url)
    )
    catch_up(project, workflow.clock(), mailer=workflow.mailer, store_url=workflow.store.url)
    with workflow.store.transaction() as session:
        schedule(session, workflow.clock(), besides=job.id)
