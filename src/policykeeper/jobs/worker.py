"""The in-process worker: claims jobs from the `jobs` table with a lease, so a job whose worker
died (kill -9) is claimed again when its lease runs out and runs to the same end state.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Callable, Mapping
from datetime import timedelta

import sqlalchemy as sa

from policykeeper.errors import PolicyKeeperError
from policykeeper.store.database import DatabaseUnavailable, connection_lost
from policykeeper.store.models import Job
from policykeeper.store.models import Request as RequestRow
from policykeeper.store.queue import defer, enqueue
from policykeeper.workflow.errors import Conflict
from policykeeper.workflow.service import Workflow

log = logging.getLogger(__name__)
Handler = Callable[[Workflow, Job], None]
Handlers = Mapping[str, Handler]
"""Job kind to what runs it: handed in (policykeeper.job_handlers), so jobs import no part."""


class Worker:
    def __init__(self, workflow: Workflow, handlers: Handlers) -> None:
        self.workflow = workflow
        self.handlers = handlers
        self.interrupted: set[str] = set()
        """Jobs this worker had claimed when the database went away: given back on return."""

    def claim(self, job_id: str | None = None, grace: timedelta = timedelta(0)) -> Job | None:
        """Take the next due job (or a given one) whose lease is free; None if there is none.
        `grace`: only a job due at least that long ago (the rescue of jobs no one took)."""
        now = self.workflow.clock()
        settings = self.workflow.settings
        free = sa.or_(
            sa.and_(Job.state == "queued", Job.run_after <= now - grace),
            sa.and_(Job.state == "running", Job.lease_until < now),
        )
        query = sa.select(Job).where(free).order_by(Job.created_at).limit(1)
        if job_id is not None:
            query = query.where(Job.id == job_id)
        with self.workflow.store.transaction() as session:
            job = session.execute(query.with_for_update(skip_locked=True)).scalar_one_or_none()
            if job is None:
                return None
            job.state = "running"
            job.attempts += 1
            job.lease_until = now + settings.job_lease
            return job

    def run(self, job: Job) -> None:
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            handler(self.workflow, job)
        except Exception as exc:
            if connection_lost(exc):
                # Not the job's fault: it runs again once the database is back.
                self.interrupted.add(job.id)
                raise DatabaseUnavailable(type(exc).__name__) from exc
            self._failed(job, exc)
        else:
            self._finish(job, "done", None)

    def run_one(self, job_id: str | None = None) -> bool:
        job = self.claim(job_id)
        if job is None:
            return False
        self.run(job)
        return True

    def run_until_idle(self, limit: int = 1000) -> int:
        done = 0
        while done < limit and self.run_one():
            done += 1
        return done

    def give_back(self) -> int:
        """After an outage: the jobs it interrupted are queued again at once (their lease
        would otherwise hold them for minutes); the number given back."""
        if not self.interrupted:
            return 0
        chosen = sorted(self.interrupted)
        now = self.workflow.clock()
        with self.workflow.store.transaction() as session:
            result = session.execute(
                sa.update(Job)
                .where(Job.id.in_(chosen), Job.state == "running")
                .values(state="queued", run_after=now, lease_until=None)
            )
            for job_id in chosen:
                defer(session, job_id, now)
        self.interrupted.clear()
        return int(result.rowcount or 0)

    def resume_executing(self) -> int:
        """Approved requests left in `executing` with no execution job waiting (one was lost
        or failed while the database was away) get a new one; how many did."""
        waiting = sa.select(Job.request_id).where(
            Job.kind == "execute", Job.state.in_(("queued", "running"))
        )
        now = self.workflow.clock()
        with self.workflow.store.transaction() as session:
            stuck = list(
                session.execute(
                    sa.select(RequestRow.id).where(
                        RequestRow.state == "executing", RequestRow.id.not_in(waiting)
                    )
                ).scalars()
            )
            for request_id in stuck:
                log.warning("request %s was executing with no job: queued again", request_id)
                enqueue(session, "execute", now=now, request_id=request_id, job_id=uuid.uuid4().hex)
        return len(stuck)

    def _finish(self, job: Job, state: str, error: str | None) -> None:
        with self.workflow.store.transaction() as session:
            session.execute(
                sa.update(Job)
                .where(Job.id == job.id)
                .values(
                    state=state,
                    finished_at=self.workflow.clock(),
                    last_error=error,
                    lease_until=None,
                )
            )

    def _failed(self, job: Job, exc: Exception) -> None:
        error = "".join(traceback.format_exception_only(exc)).strip()
        log.warning("job %s (%s) failed: %s", job.id, job.kind, error)
        # Bad input (a correction naming an unknown field) will not improve with retries.
        permanent = isinstance(exc, PolicyKeeperError)
        if not permanent and job.attempts < self.workflow.settings.job_max_attempts:
            run_after = self.workflow.clock() + timedelta(seconds=min(2**job.attempts, 300))
            with self.workflow.store.transaction() as session:
                session.execute(
                    sa.update(Job)
                    .where(Job.id == job.id)
                    .values(state="queued", run_after=run_after, last_error=error, lease_until=None)
                )
                defer(session, job.id, run_after)
            return
        if job.kind == "execute" and job.request_id:
            self.workflow.execution_failed(job.request_id, error)
        self._finish(job, "failed", error)


def run_execution_now(workflow: Workflow, handlers: Handlers, request_id: str) -> None:
    """Claim this request's pending execution job and run it in the caller's thread."""
    with workflow.store.transaction() as session:
        job_id = session.execute(
            sa.select(Job.id)
            .where(
                Job.request_id == request_id,
                Job.kind == "execute",
                Job.state.in_(["queued", "running"]),
            )
            .order_by(Job.created_at)
            .limit(1)
        ).scalar_one_or_none()
    if job_id is None:
        raise Conflict("this request has no execution waiting")
    worker = Worker(workflow, handlers)
    job = worker.claim(job_id)
    if job is None:
        raise Conflict("the execution is already running")
    worker.run(job)
