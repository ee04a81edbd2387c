"""Enqueueing inside the caller's transaction, so a committed state change always has its job.

Every job is a row in `jobs` (its state is the truth the worker trusts). On PostgreSQL the
same transaction also defers a procrastinate job that carries the row's id, so worker
processes on several hosts share the queue.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from policykeeper.store.database import JOB_ADDED
from policykeeper.store.models import Job

PROCRASTINATE_TASK = "policykeeper.run_job"
PROCRASTINATE_QUEUE = "policykeeper"


def enqueue(
    session: Session,
    kind: str,
    *,
    now: datetime,
    request_id: str | None = None,
    payload: dict[str, Any] | None = None,
    job_id: str,
    run_after: datetime | None = None,
) -> Job:
    job = Job(
        id=job_id,
        kind=kind,
        request_id=request_id,
        payload=payload or {},
        state="queued",
        attempts=0,
        run_after=run_after or now,
        created_at=now,
    )
    session.add(job)
    session.flush()
    defer(session, job.id, run_after)
    return job


def next_daily(now: datetime, at: time) -> datetime:
    """The next time of day `at` strictly after `now`, in `now`'s zone."""
    today = datetime.combine(now.date(), at, tzinfo=now.tzinfo)
    return today if today > now else today + timedelta(days=1)


def queue_daily(
    session: Session,
    kind: str,
    now: datetime,
    at: time,
    payload: dict[str, Any] | None = None,
    *,
    besides: str | None = None,
) -> Job | None:
    """Queue the next daily run of `kind` unless one is already waiting (other than `besides`,
    the job that is queueing its successor); None when one is."""
    waiting = session.execute(
        sa.select(Job.id).where(
            Job.kind == kind, Job.state.in_(("queued", "running")), Job.id != (besides or "")
        )
    ).first()
    if waiting is not None:
        return None
    return enqueue(
        session,
        kind,
        now=now,
        payload=payload,
        job_id=uuid.uuid4().hex,
        run_after=next_daily(now, at),
    )


def defer(session: Session, job_id: str, scheduled_at: datetime | None) -> None:
    """On PostgreSQL, hand the job row to procrastinate in the caller's transaction (its
    workers hear of it by NOTIFY); elsewhere, mark the transaction, so that its commit wakes
    this process's worker (Store.job_added)."""
    if session.get_bind().dialect.name != "postgresql":
        session.info[JOB_ADDED] = True
        return
    session.execute(
        sa.text(
            "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, NULL,"
            " CAST(:args AS jsonb), :at)::procrastinate_job_to_defer_v1])"
        ),
        {
            "queue": PROCRASTINATE_QUEUE,
            "task": PROCRASTINATE_TASK,
            "args": json.dumps({"job_id": job_id}),
            "at": scheduled_at,
        },
    )
