"""Running the worker beside the server (the default) or on its own (`policykeeper worker`)."""

from __future__ import annotations

import asyncio
import threading
import time

from policykeeper.jobs.worker import Handlers, Worker
from policykeeper.workflow.service import Workflow

PURGE_EVERY_SECONDS = 600.0


def run_worker(
    workflow: Workflow, handlers: Handlers, stop: threading.Event, poll_seconds: float = 1.0
) -> None:
    """Work until `stop` is set; purges and the staff digest run along the way."""
    worker = Worker(workflow, handlers)
    last_purge = 0.0
    while not stop.is_set():
        if time.monotonic() - last_purge > PURGE_EVERY_SECONDS:
            workflow.purge_uploads()
            workflow.prune_rate_events()
            workflow.purge_exports()
            workflow.remind()
            last_purge = time.monotonic()
        if not worker.run_one():
            stop.wait(poll_seconds)


def run_shared_worker(workflow: Workflow, handlers: Handlers, stop: threading.Event) -> None:
    """On PostgreSQL: a procrastinate worker, sharing the queue with other processes and hosts."""
    from policykeeper.jobs.postgres import serve_jobs

    asyncio.run(serve_jobs(workflow, handlers, stop=stop))


def start_worker(workflow: Workflow, handlers: Handlers, stop: threading.Event) -> threading.Thread:
    """The worker beside the server: procrastinate on PostgreSQL, the table poller on SQLite."""
    target = run_shared_worker if workflow.store.postgres else run_worker
    thread = threading.Thread(
        target=target, args=(workflow, handlers, stop), name="policykeeper-worker", daemon=True
    )
    thread.start()
    return thread
