"""Enqueueing inside the caller's transaction, so a committed state change always has its job.

Every job is a row in `jobs` (its state is the truth the worker trusts). On PostgreSQL the
same transaction also defers a procrastinate job that carries the row's id, so worker
processes on several hosts share the queue.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

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
) -> Job:
    job = Job(
        id=job_id,
        kind=kind,
        request_id=request_id,
        payload=payload or {},
        state="queued",
        attempts=0,
        run_after=now,
        created_at=now,
    )
    session.add(job)
    session.flush()
    defer(session, job.id, None)
    return job


def defer(session: Session, job_id: str, scheduled_at: datetime | None) -> None:
    """On PostgreSQL, hand the job row to procrastinate in the caller's transaction."""
    if session.get_bind().dialect.name != "postgresql":
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
