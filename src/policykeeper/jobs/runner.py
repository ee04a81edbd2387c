"""Running the worker beside the server (the default) or on its own (`policykeeper worker`)."""

from __future__ import annotations

import threading
import time

from policykeeper.jobs.worker import Worker
from policykeeper.workflow.service import Workflow

PURGE_EVERY_SECONDS = 600.0


def run_worker(workflow: Workflow, stop: threading.Event, poll_seconds: float = 1.0) -> None:
    """Work until `stop` is set; expired identity documents are purged along the way."""
    worker = Worker(workflow)
    last_purge = 0.0
    while not stop.is_set():
        if time.monotonic() - last_purge > PURGE_EVERY_SECONDS:
            workflow.purge_uploads()
            last_purge = time.monotonic()
        if not worker.run_one():
            stop.wait(poll_seconds)


def start_worker(workflow: Workflow, stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(
        target=run_worker, args=(workflow, stop), name="policykeeper-worker", daemon=True
    )
    thread.start()
    return thread
