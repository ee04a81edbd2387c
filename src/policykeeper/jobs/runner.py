"""Running the worker beside the server (the default) or on its own (`policykeeper worker`).

The worker survives its database: when the database goes away it waits and reconnects, gives
back the jobs it was running, re-queues requests left executing, and runs every job that
waited. It beats a `Heartbeat` whenever it reached the database, which `/readyz` reads. When
it has not reached the database for `give_up_after` seconds it stops with `WorkerGaveUp`, so
a supervisor (the `policykeeper worker` process exits non-zero) can restart it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from policykeeper.errors import WorkerGaveUp
from policykeeper.jobs.worker import Handlers, Worker
from policykeeper.workflow.service import Workflow

log = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 600.0


@dataclass
class Heartbeat:
    """When the worker last reached the database (monotonic seconds), and why it stopped."""

    last: float | None = None
    stopped: str | None = None
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)

    def beat(self) -> None:
        self.last = self.clock()

    def age(self) -> float | None:
        """Seconds since the last beat; None before the first."""
        return None if self.last is None else self.clock() - self.last


@dataclass(frozen=True)
class Patience:
    """How the worker waits out an outage."""

    give_up_after: float = 300.0
    retry_every: float = 1.0


def _recovered(worker: Worker) -> None:
    """What the worker does each time it (re)connects: nothing accepted stays stuck."""
    given = worker.give_back()
    resumed = worker.resume_executing()
    if given or resumed:
        log.warning("database back: %d jobs given back, %d executions queued", given, resumed)


def _supervised(
    attempt: Callable[[], None],
    stop: threading.Event,
    heartbeat: Heartbeat,
    patience: Patience,
) -> None:
    """Run `attempt` until `stop`; after a failure wait and run it again, until the worker
    has not reached the database for `patience.give_up_after` seconds."""
    started = time.monotonic()
    while not stop.is_set():
        try:
            attempt()
            return
        except Exception as exc:
            last = heartbeat.last if heartbeat.last is not None else started
            away = time.monotonic() - last
            log.warning("worker lost the database (%.0f s): %s", away, _first_line(exc))
            if away > patience.give_up_after:
                heartbeat.stopped = f"no database for {away:.0f} s"
                raise WorkerGaveUp(
                    f"worker: the database has been out of reach for {away:.0f} s; stopping"
                ) from None
            stop.wait(patience.retry_every)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).splitlines()
    return lines[0] if lines else type(exc).__name__


def run_worker(
    workflow: Workflow,
    handlers: Handlers,
    stop: threading.Event,
    poll_seconds: float = 1.0,
    heartbeat: Heartbeat | None = None,
    patience: Patience | None = None,
) -> None:
    """Work until `stop` is set; purges and the staff digest run along the way."""
    beat = heartbeat or Heartbeat()
    worker = Worker(workflow, handlers)
    last_purge = 0.0

    def attempt() -> None:
        nonlocal last_purge
        _recovered(worker)
        beat.beat()
        while not stop.is_set():
            if time.monotonic() - last_purge > PURGE_EVERY_SECONDS:
                workflow.purge_uploads()
                workflow.prune_rate_events()
                workflow.purge_exports()
                workflow.remind()
                last_purge = time.monotonic()
            worked = worker.run_one()
            beat.beat()
            if not worked:
                _idle(workflow.store.job_added, stop, poll_seconds)

    _supervised(attempt, stop, beat, patience or Patience())


STOP_CHECK_SECONDS = 0.1


def _idle(job_added: threading.Event, stop: threading.Event, seconds: float) -> None:
    """Wait until a job is queued in this process, `stop` is set, or `seconds` passed (a job
    another process queued, or one whose time came). `stop` is looked at every tenth of a
    second, so the worker still stops at once."""
    deadline = time.monotonic() + seconds
    while not stop.is_set():
        left = deadline - time.monotonic()
        if left <= 0 or job_added.wait(min(left, STOP_CHECK_SECONDS)):
            break
    job_added.clear()


def run_shared_worker(
    workflow: Workflow,
    handlers: Handlers,
    stop: threading.Event,
    heartbeat: Heartbeat | None = None,
    patience: Patience | None = None,
    stalled_after: float = 30.0,
) -> None:
    """On PostgreSQL: a procrastinate worker, sharing the queue with other processes and hosts."""
    from policykeeper.jobs.postgres import serve_jobs

    beat = heartbeat or Heartbeat()
    worker = Worker(workflow, handlers)

    def attempt() -> None:
        _recovered(worker)
        beat.beat()
        asyncio.run(
            serve_jobs(
                workflow,
                handlers,
                stop=stop,
                heartbeat=max(stalled_after / 3, 1),
                stalled_after=stalled_after,
                pulse=lambda: _pulse(workflow, beat),
            )
        )

    _supervised(attempt, stop, beat, patience or Patience())


def _pulse(workflow: Workflow, beat: Heartbeat) -> None:
    """Every few seconds beside procrastinate: reach the database (the heartbeat) and hand
    procrastinate again any due job row that no live procrastinate job carries (one whose
    procrastinate job was lost as the database went away)."""
    from policykeeper.jobs.postgres import requeue_orphans

    handed = requeue_orphans(workflow)
    beat.beat()
    if handed:
        log.warning("%d jobs no worker had taken were queued again", handed)


def start_worker(
    workflow: Workflow,
    handlers: Handlers,
    stop: threading.Event,
    heartbeat: Heartbeat | None = None,
    patience: Patience | None = None,
) -> threading.Thread:
    """The worker beside the server: procrastinate on PostgreSQL, the table poller on SQLite."""
    target = run_shared_worker if workflow.store.postgres else run_worker
    kwargs = {"heartbeat": heartbeat, "patience": patience}

    def run() -> None:
        try:
            target(workflow, handlers, stop, **kwargs)  # type: ignore[operator]
        except WorkerGaveUp as exc:
            log.error("%s", exc)

    thread = threading.Thread(target=run, name="policykeeper-worker", daemon=True)
    thread.start()
    return thread
