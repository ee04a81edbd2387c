"""The worker runs beside the server by default (the table poller on SQLite, procrastinate on
PostgreSQL), and on PostgreSQL several worker processes share one queue without doubles."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient
from store.kit import AINEMA, Mailbox

from policykeeper.job_handlers import JOB_HANDLERS
from policykeeper.jobs.runner import run_worker
from policykeeper.store.models import Job
from policykeeper.web.app import create_app
from policykeeper.workflow.mail import SmtpMailer
from policykeeper.workflow.service import NewRequest
from policykeeper.workflow.setup import open_workflow

SECRET = "workers-test-secret-key-0123456789"


def wait_for(check, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def received(mailbox: Mailbox, address: str) -> int:
    return sum(1 for m in mailbox.to(address) if "received" in str(m["Subject"]))


def test_the_app_runs_its_worker(
    state_url: str, smtp_server: tuple[str, int, Mailbox], tmp_path: Path
) -> None:
    host, port, mailbox = smtp_server
    app = create_app(
        AINEMA,
        database_url=state_url,
        mailer=SmtpMailer(host, port, "privacy@example.test"),
        secret_key=SECRET.encode(),
    )
    with TestClient(app) as client:
        response = client.post("/api/requests", json={"kind": "access", "email": "a@example.jp"})
        assert response.status_code == 202
        assert wait_for(lambda: received(mailbox, "a@example.jp") == 1)


def test_two_worker_processes_share_the_postgres_queue(
    postgres_url: str, smtp_server: tuple[str, int, Mailbox]
) -> None:
    host, port, mailbox = smtp_server
    workflow = open_workflow(
        AINEMA,
        database_url=postgres_url,
        mailer=SmtpMailer(host, port, "privacy@example.test"),
        secret_key=SECRET.encode(),
    )
    people = [f"p{i}@example.jp" for i in range(8)]
    for person in people:
        workflow.submit(NewRequest(kind="erasure", email=person), f"192.0.2.{len(person)}")
    env = os.environ | {
        "POLICYKEEPER_SMTP_URL": f"smtp://{host}:{port}",
        "POLICYKEEPER_SECRET_KEY": SECRET,
    }
    command = [
        str(Path(sys.executable).parent / "policykeeper"),
        "worker",
        str(AINEMA),
        "--db",
        postgres_url,
    ]
    workers = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(2)
    ]
    try:

        def all_done() -> bool:
            with workflow.store.transaction() as session:
                states = session.execute(sa.select(Job.state)).scalars().all()
            return bool(states) and all(state == "done" for state in states)

        assert wait_for(all_done)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)
    assert Counter(received(mailbox, p) for p in people) == Counter({1: len(people)})
    with workflow.store.transaction() as session:
        leftover = session.execute(
            sa.text(
                "SELECT count(*) FROM procrastinate_jobs WHERE status NOT IN ('succeeded')"
                " AND task_name = 'policykeeper.run_job'"
            )
        ).scalar_one()
    assert leftover == 0
    workflow.store.dispose()


class Unsent:
    """A mailer that keeps nothing: this test only watches the queue."""

    def send(self, to: str, subject: str, body: str) -> None:
        return None


def test_a_queued_job_wakes_the_sqlite_worker_at_once(sqlite_state_url: str) -> None:
    """The poller beside the server on SQLite waits for its next poll only for jobs another
    process queued: a job queued here wakes it when its transaction commits."""
    workflow = open_workflow(
        AINEMA,
        database_url=sqlite_state_url,
        mailer=Unsent(),
        secret_key=SECRET.encode(),
        audit_key=b"workers-test-audit-key-0123456789",
    )
    ran = threading.Event()
    handlers = {**JOB_HANDLERS, "notify": lambda _workflow, _job: ran.set()}
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(workflow, handlers, stop, 60.0))
    worker.start()
    try:
        time.sleep(0.5)  # it found nothing to do and waits for its next poll, a minute away
        workflow.submit(NewRequest(kind="access", email="a@example.jp"), "192.0.2.1")
        assert ran.wait(10), "the queued notification waited for the next poll"
    finally:
        stop.set()
        worker.join(5)
    assert not worker.is_alive(), "the worker did not stop at once"
    workflow.store.dispose()
