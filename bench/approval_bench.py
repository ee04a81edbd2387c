"""Approval to completed: the time from staff approving an erasure to the request's completed
state, with the worker running in-process, on PostgreSQL.

    .venv/bin/python bench/approval_bench.py [--users 1000000] [--requests 30]

The service database is engine_bench's AInema database (pk_bench, generated once and reused);
the state store is a fresh PostgreSQL database (pk_bench_state) made for each run. One Keeper
runs the process, as `serve` does (settled before the first request: project loaded, schema
reflected, gc.freeze), with the worker it starts beside the server (procrastinate on
PostgreSQL). Each request is
submitted and verified by its emailed code first; then, one at a time, staff approve it and
the bench waits for completion. The latency is the request's `closed_at` minus the moment
just before `decide()`; the bench reads it once the worker's handler returned (an event, not
polling the database, so the bench does not compete with the worker). Goal: p95 < 50 ms.
`closed_at` is stamped as the completion's transaction begins, so that transaction's own work
(the audit entries, the notification, the engine's journal finish, the commit) is outside it;
"approval -> handler returned" includes it.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from engine_bench import (
    ADMIN_URL,
    DATABASE,
    EXAMPLE,
    database_url,
    percentiles,
    prepare,
    prewarm,
    subjects,
)

from policykeeper.config import Config
from policykeeper.keeper import Keeper
from policykeeper.store.models import Job
from policykeeper.workflow.service import NewRequest, Workflow
from policykeeper.workflow.states import State

STATE_DATABASE = f"{DATABASE}_state"
GOAL_MS = 50.0
CODE = re.compile(r"(?:Verification code|確認コード)[:：] ?(\d{6})")


class Mailbox:
    """Keeps each message's body per address: the bench reads the codes from it."""

    def __init__(self) -> None:
        self.bodies: dict[str, list[str]] = {}
        self.lock = threading.Lock()

    def send(self, to: str, subject: str, body: str) -> None:
        with self.lock:
            self.bodies.setdefault(to, []).append(body)

    def code(self, address: str) -> str:
        for body in reversed(self.bodies.get(address, [])):
            found = CODE.search(body)
            if found:
                return found.group(1)
        raise LookupError(f"no code sent to {address}")


def state_url() -> str:
    """A fresh state database for this run."""
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{STATE_DATABASE}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{STATE_DATABASE}"')
    admin.dispose()
    url = sa.make_url(ADMIN_URL).set(database=STATE_DATABASE)
    return url.render_as_string(hide_password=False)


def idle(workflow: Workflow, timeout: float = 60.0) -> None:
    """Wait until the worker has no due job left (notifications of the previous request)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with workflow.store.transaction() as session:
            waiting = session.execute(
                sa.select(sa.func.count())
                .select_from(Job)
                .where(Job.state.in_(("queued", "running")), Job.run_after <= workflow.clock())
            ).scalar_one()
        if not waiting:
            return
        time.sleep(0.01)
    raise SystemExit("the worker did not finish its jobs within a minute")


def completed(
    workflow: Workflow, request_id: str, ran: threading.Event, timeout: float = 60.0
) -> datetime:
    """The request's closed_at, read once the worker's handler returned: waiting on an event
    rather than polling the database keeps the bench from competing with the worker for the
    two cores and the database."""
    if not ran.wait(timeout):
        raise SystemExit(f"request {request_id} was not executed within a minute")
    row = workflow.get(request_id)
    if row.state != State.completed or row.closed_at is None:
        raise SystemExit(f"request {request_id} ended {row.state}: {row.result}")
    closed = row.closed_at
    return closed if closed.tzinfo else closed.replace(tzinfo=UTC)


class Timings:
    """Where the time goes: per request, when the worker's execute handler started and how long
    it ran (the rest is the queue's pickup); `ran` is set as each handler returns."""

    def __init__(self, keeper: Keeper) -> None:
        self.runs: dict[str, tuple[datetime, float]] = {}
        self.ran = threading.Event()
        execute = keeper.handlers["execute"]

        def timed_execute(workflow: Workflow, job: Job) -> None:
            started, clock = datetime.now(UTC), time.perf_counter()
            try:
                execute(workflow, job)
            finally:
                self.runs[str(job.request_id)] = (started, (time.perf_counter() - clock) * 1000)
                self.ran.set()

        keeper.handlers = {**keeper.handlers, "execute": timed_execute}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    options = parser.parse_args()
    prepare(options.users)
    prewarm()
    url = state_url()
    mailbox = Mailbox()
    stop = threading.Event()
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary) / "ainema"
        shutil.copytree(EXAMPLE, directory, ignore=shutil.ignore_patterns("*.sqlite3", ".*"))
        os.environ["AINEMA_DATABASE_URL"] = database_url()
        # As `serve` runs it: one Keeper per process, its worker in a thread beside it.
        keeper = Keeper(
            directory,
            Config(database_url=url),
            mailer=mailbox,
            secret_key=secrets.token_bytes(32),
            audit_key=secrets.token_bytes(32),
        )
        keeper.settle()  # as `serve` does before it takes requests
        workflow = keeper.workflow
        timings = Timings(keeper)
        worker = keeper.start_worker(stop)
        people = subjects(options.requests + 1, options.users, options.seed)
        waiting = []
        for i, person in enumerate(people):
            email = f"user{person}@example.com"
            ip = f"10.9.{i // 250}.{i % 250 + 1}"
            submitted = workflow.submit(NewRequest(kind="erasure", email=email), ip)
            workflow.verify_code(submitted.status_token, mailbox.code(email), ip)
            row = workflow.get(submitted.request_id)
            if row.state != State.in_review:
                raise SystemExit(f"a verified erasure is {row.state}, not in review")
            waiting.append(submitted.request_id)
        samples, pickup, handler, committed = [], [], [], []
        for n, request_id in enumerate(waiting):
            idle(workflow)
            timings.ran.clear()
            started = datetime.now(UTC)
            workflow.decide(request_id, "bench", approve=True)
            closed = completed(workflow, request_id, timings.ran)
            milliseconds = (closed - started).total_seconds() * 1000
            if n:  # the first is the process's warm-up
                samples.append(milliseconds)
                began, ran = timings.runs[request_id]
                pickup.append((began - started).total_seconds() * 1000)
                handler.append(ran)
                committed.append((began - started).total_seconds() * 1000 + ran)
        stop.set()
        worker.join(timeout=10)
        keeper.store.dispose()
    p50, p95 = percentiles(samples)
    verdict = "met" if p95 < GOAL_MS else "MISSED"
    print(f"\n{options.users:,} users, {len(samples)} erasure requests, worker in-process")
    print(f"approval -> completed (ms): p50 {p50:.1f}  p95 {p95:.1f}  max {max(samples):.1f}")
    parts = (
        ("  approval -> job started", pickup),
        ("  execute handler", handler),
        ("  approval -> handler returned", committed),
    )
    for name, figures in parts:
        part50, part95 = percentiles(figures)
        print(f"{name:32} p50 {part50:.1f}  p95 {part95:.1f}")
    print(f"goal p95 < {GOAL_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
