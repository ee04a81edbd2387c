"""On PostgreSQL, procrastinate runs the jobs: workers on any number of hosts share its queue.

Each procrastinate job carries the id of a `jobs` row; the row's lease decides who may run it.
A worker killed mid-job stops sending heartbeats; any worker that starts, and every worker once
a minute, sends such stalled jobs back to the queue, and the row's expired lease lets them run.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from datetime import timedelta

import procrastinate
import sqlalchemy as sa

from policykeeper.jobs.worker import Handlers, Worker
from policykeeper.store.database import DatabaseUnavailable
from policykeeper.store.models import Job
from policykeeper.store.queue import PROCRASTINATE_QUEUE, PROCRASTINATE_TASK, defer
from policykeeper.workflow.service import Workflow

log = logging.getLogger(__name__)


class LeaseHeld(Exception):
    """The row is leased by a worker that may still be alive: try again after the lease."""


def conninfo(url: str) -> str:
    """A libpq connection string from a SQLAlchemy URL (postgresql+psycopg://...)."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def build_app(workflow: Workflow, handlers: Handlers, stalled_after: float) -> procrastinate.App:
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(workflow.store.url))
    )
    lease = max(int(workflow.settings.job_lease.total_seconds()), 1)

    @app.task(
        name=PROCRASTINATE_TASK,
        queue=PROCRASTINATE_QUEUE,
        retry=procrastinate.RetryStrategy(wait=lease, retry_exceptions=[LeaseHeld]),
    )
    def run_job(job_id: str) -> None:
        worker = Worker(workflow, handlers)
        job = worker.claim(job_id)
        if job is None:
            if _waiting(workflow, job_id):
                raise LeaseHeld(job_id)
            return
        worker.run(job)

    @app.periodic(cron="* * * * *", periodic_id="policykeeper-stalled")
    @app.task(name="policykeeper.retry_stalled", queue=PROCRASTINATE_QUEUE)
    async def retry_stalled(timestamp: int) -> None:
        await requeue_stalled(app, stalled_after)

    @app.periodic(cron="*/10 * * * *", periodic_id="policykeeper-purge")
    @app.task(name="policykeeper.purge_uploads", queue=PROCRASTINATE_QUEUE)
    def purge_uploads(timestamp: int) -> None:
        workflow.purge_uploads()
        workflow.prune_rate_events()
        workflow.purge_exports()
        workflow.remind()

    return app


ORPHAN_GRACE = timedelta(seconds=15)


def requeue_orphans(workflow: Workflow, grace: timedelta = ORPHAN_GRACE) -> int:
    """Defer again every job row that is due (or whose lease ran out) at least `grace` ago and
    that no live procrastinate job carries; how many. The row's lease still decides who runs
    it, so a job deferred twice still runs once."""
    now = workflow.clock()
    uncarried = sa.text(
        "NOT EXISTS (SELECT 1 FROM procrastinate_jobs p WHERE p.args->>'job_id' = jobs.id"
        " AND p.status IN ('todo', 'doing', 'aborting'))"
    )
    stranded = sa.or_(
        sa.and_(Job.state == "queued", Job.run_after <= now - grace),
        sa.and_(Job.state == "running", Job.lease_until < now - grace),
    )
    with workflow.store.transaction() as session:
        ids = list(session.execute(sa.select(Job.id).where(stranded, uncarried)).scalars())
        for job_id in ids:
            defer(session, job_id, None)
    return len(ids)


def _waiting(workflow: Workflow, job_id: str) -> bool:
    with workflow.store.transaction() as session:
        job = session.get(Job, job_id)
        return job is not None and job.state in ("queued", "running")


async def requeue_stalled(app: procrastinate.App, stalled_after: float) -> int:
    stalled = list(
        await app.job_manager.get_stalled_jobs(
            queue=PROCRASTINATE_QUEUE, seconds_since_heartbeat=stalled_after
        )
    )
    for job in stalled:
        log.warning("requeueing job %s of a worker that stopped responding", job.id)
        await app.job_manager.retry_job(job)
    return len(stalled)


async def serve_jobs(
    workflow: Workflow,
    handlers: Handlers,
    *,
    stop: threading.Event | None = None,
    heartbeat: float = 10.0,
    stalled_after: float = 30.0,
    concurrency: int = 1,
    pulse: Callable[[], None] | None = None,
    pulse_every: float = 2.0,
) -> None:
    """Run a procrastinate worker until cancelled (or until `stop` is set). `pulse` runs every
    `pulse_every` seconds beside it; when it or the worker fails, this raises, so that the
    caller can reconnect (jobs.runner)."""
    app = build_app(workflow, handlers, stalled_after)
    async with app.open_async():
        await app.job_manager.prune_stalled_workers(stalled_after)
        await requeue_stalled(app, stalled_after)
        worker = asyncio.create_task(
            app.run_worker_async(
                queues=[PROCRASTINATE_QUEUE],
                concurrency=concurrency,
                update_heartbeat_interval=heartbeat,
                stalled_worker_timeout=stalled_after,
                install_signal_handlers=stop is None,
                fetch_job_polling_interval=1.0,
            )
        )
        tasks = {worker}
        if pulse is not None:
            tasks.add(asyncio.create_task(_every(pulse, pulse_every)))
        if stop is not None:
            tasks.add(asyncio.create_task(_until(stop)))
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            error = task.exception()
            if error is not None:
                raise error
        if worker in done and (stop is None or not stop.is_set()) and pulse is not None:
            raise DatabaseUnavailable("the procrastinate worker stopped")


async def _every(pulse: Callable[[], None], seconds: float) -> None:
    while True:
        await asyncio.to_thread(pulse)
        await asyncio.sleep(seconds)


async def _until(stop: threading.Event) -> None:
    """Polled, so that nothing is left waiting in a thread when the worker stops otherwise."""
    while not stop.is_set():
        await asyncio.sleep(0.2)
