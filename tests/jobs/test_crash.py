"""kill -9 the worker while it executes a request; after a restart the request completes once."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from store.kit import AINEMA, Mailbox, code_in

from policykeeper.examples.generation import generate
from policykeeper.store.models import AuditEntry, Job
from policykeeper.store.models import Request as RequestRow
from policykeeper.workflow import audit
from policykeeper.workflow.mail import SmtpMailer
from policykeeper.workflow.service import NewRequest, Workflow
from policykeeper.workflow.setup import open_workflow

SECRET = "crash-test-secret-key-0123456789"
SETTLED_IN_ONE_RUN = (
    "SELECT email FROM users WHERE id NOT IN"
    " (SELECT user_id FROM coin_ledger WHERE payment_method = 'paypay') AND id NOT IN"
    " (SELECT c.user_id FROM creator_profiles c JOIN payouts p ON p.creator_id = c.id"
    " WHERE p.method = 'digico')"
)
POLICYKEEPER = Path(sys.executable).parent / "policykeeper"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    copy = tmp_path / "ainema"
    shutil.copytree(AINEMA, copy, ignore=shutil.ignore_patterns("*.sqlite3", ".policykeeper"))
    url = f"sqlite:///{tmp_path / 'service.sqlite3'}"
    generate("ainema", url, 40, progress=False)
    monkeypatch.setenv("AINEMA_DATABASE_URL", url)
    return copy, url


def start_worker(
    project: Path, state_url: str, smtp: tuple[str, int, Mailbox]
) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "POLICYKEEPER_SMTP_URL": f"smtp://{smtp[0]}:{smtp[1]}",
        "POLICYKEEPER_SECRET_KEY": SECRET,
    }
    command = [
        str(POLICYKEEPER),
        "worker",
        str(project),
        "--db",
        state_url,
        "--lease",
        "2",
        "--stalled-after",
        "2",
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def approved_erasure(workflow: Workflow, mailbox: Mailbox, email: str) -> str:
    submitted = workflow.submit(NewRequest(kind="erasure", email=email), "192.0.2.1")
    code, _ = code_in(mailbox, email)
    workflow.verify_code(submitted.status_token, code, "192.0.2.1")
    workflow.decide(submitted.request_id, "staff:alice", approve=True)
    return submitted.request_id


def wait_for(check, timeout: float = 60.0, interval: float = 0.005) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return False


def test_kill_9_during_execution_then_exactly_once(
    project: tuple[Path, str],
    state_url: str,
    smtp_server: tuple[str, int, Mailbox],
) -> None:
    directory, service_url = project
    host, port, mailbox = smtp_server
    workflow = open_workflow(
        directory,
        database_url=state_url,
        mailer=SmtpMailer(host, port, "privacy@example.test"),
        secret_key=SECRET.encode(),
    )
    engine = sa.create_engine(service_url)
    with engine.connect() as connection:
        # People whose erasure waits for no recipient (no PayPay or Digico task): it completes.
        emails = (
            connection.execute(sa.text(SETTLED_IN_ONE_RUN + " ORDER BY id LIMIT 12"))
            .scalars()
            .all()
        )
    engine.dispose()

    def job_state(request_id: str) -> str | None:
        with workflow.store.transaction() as session:
            return session.execute(
                sa.select(Job.state).where(Job.request_id == request_id, Job.kind == "execute")
            ).scalar_one_or_none()

    killed_mid_run = None
    for email in emails:
        request_id = approved_erasure(workflow, mailbox, email)
        worker = start_worker(directory, state_url, smtp_server)
        try:
            # A fast job can pass from running to done between two looks: then this person's
            # erasure finished before the kill, and the next person is tried.
            assert wait_for(lambda rid=request_id: job_state(rid) in ("running", "done"))
            os.kill(worker.pid, signal.SIGKILL)
        finally:
            worker.wait(timeout=30)
        if workflow.get(request_id).state == "executing":
            killed_mid_run = (request_id, email)
            break
    assert killed_mid_run is not None, "the worker always finished before it could be killed"
    request_id, email = killed_mid_run

    time.sleep(2.5)  # the dead worker's lease and heartbeat run out
    worker = start_worker(directory, state_url, smtp_server)
    try:
        assert wait_for(lambda: workflow.get(request_id).state == "completed", interval=0.1)
        assert wait_for(lambda: job_state(request_id) == "done", interval=0.1)
        assert wait_for(
            lambda: any("complete" in str(m["Subject"]) for m in mailbox.to(email)), interval=0.1
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    with workflow.store.transaction() as session:
        actions = session.execute(
            sa.select(AuditEntry.action, AuditEntry.data).where(AuditEntry.request_id == request_id)
        ).all()
        assert [a for a, _ in actions].count("executed") == 1
        assert sum(1 for a, d in actions if a == "transition" and '"to":"completed"' in d) == 1
        assert audit.verify_chain(session).ok
        row = session.get(RequestRow, request_id)
        assert row is not None and row.result and row.result["erasure"]
    engine = sa.create_engine(service_url)
    with engine.connect() as connection:
        left = connection.execute(
            sa.text("SELECT count(*) FROM users WHERE email = :e"), {"e": email}
        ).scalar_one()
    engine.dispose()
    assert left == 0
    completed = [m for m in mailbox.to(email) if "complete" in str(m["Subject"])]
    assert len(completed) == 1
    workflow.store.dispose()
