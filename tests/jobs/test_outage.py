"""A 5-second PostgreSQL outage under a stream of submissions, measured from outside.

Every submission answered 202 is stored, every other one got 503 with Retry-After (never a
500), /readyz reported the outage and recovered, the worker reconnected by itself and ran
every queued job, and an approved request left in `executing` without its job was resumed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from postgres_instance import Instance, remove, start_instance
from store.kit import AINEMA, quick_settings

from policykeeper.config import Config
from policykeeper.examples.generation import generate
from policykeeper.jobs.runner import Patience
from policykeeper.keeper import Keeper
from policykeeper.store.models import Job
from policykeeper.store.models import Request as RequestRow
from policykeeper.web.app import app_for
from policykeeper.workflow.service import NewRequest

SECRET = b"outage-test-secret-key-0123456789"
OUTAGE_SECONDS = 5.0
# People whose erasure waits for no recipient's task, so it completes in one run.
SETTLED_IN_ONE_RUN = (
    "SELECT email FROM users WHERE id NOT IN"
    " (SELECT user_id FROM coin_ledger WHERE payment_method = 'paypay') AND id NOT IN"
    " (SELECT c.user_id FROM creator_profiles c JOIN payouts p ON p.creator_id = c.id"
    " WHERE p.method = 'digico')"
)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, str, str]] = []
        self.lock = threading.Lock()

    def send(self, to: str, subject: str, body: str) -> None:
        with self.lock:
            self.messages.append((to, subject, body))

    def code(self, to: str) -> str:
        import re

        body = next(b for t, _s, b in reversed(self.messages) if t == to)
        found = re.search(r"(?:Verification code|確認コード)[:：] ?(\d{6})", body)
        assert found, body
        return found.group(1)


@pytest.fixture
def server() -> Iterator[Instance]:
    instance = start_instance()
    try:
        yield instance
    finally:
        remove(instance)


def _wait(check, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_a_database_outage_loses_and_sticks_nothing(
    server: Instance, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "ainema"
    shutil.copytree(AINEMA, project, ignore=shutil.ignore_patterns("*.sqlite3", ".policykeeper"))
    service_url = f"sqlite:///{tmp_path / 'service.sqlite3'}"
    generate("ainema", service_url, 10, progress=False)
    monkeypatch.setenv("AINEMA_DATABASE_URL", service_url)
    inbox = Inbox()
    keeper = Keeper(
        project,
        Config(database_url=server.url),
        mailer=inbox,
        secret_key=SECRET,
        settings=quick_settings(
            base_url="http://testserver",
            codes_per_ip=100_000,
            job_lease=timedelta(seconds=30),
        ),
        patience=Patience(give_up_after=120, retry_every=0.5),
        worker_stale_after=3.0,
    )
    flow = keeper.workflow
    # An approved erasure whose execution job was lost: left in `executing` with nothing queued.
    engine = sa.create_engine(service_url)
    with engine.connect() as connection:
        email = connection.execute(sa.text(SETTLED_IN_ONE_RUN + " ORDER BY id")).scalars().first()
    engine.dispose()
    submitted = flow.submit(NewRequest(kind="erasure", email=email), "192.0.2.1")
    flow.verify_code(submitted.status_token, inbox.code(email), "192.0.2.1")
    flow.decide(submitted.request_id, "staff:alice", approve=True)
    with keeper.store.transaction() as session:
        session.execute(sa.delete(Job).where(Job.request_id == submitted.request_id))
        session.execute(sa.text("DELETE FROM procrastinate_jobs"))
    assert flow.get(submitted.request_id).state == "executing"

    answers: list[tuple[int, str | None, str | None]] = []
    readiness: list[int] = []
    stop = threading.Event()

    def submit_stream(client: TestClient) -> None:
        number = 0
        while not stop.is_set():
            number += 1
            address = f"person{number}@example.jp"
            response = client.post("/api/requests", json={"kind": "access", "email": address})
            token = response.json().get("submission_token") if response.status_code == 202 else None
            answers.append((response.status_code, address, token))
            if response.status_code == 503:
                assert response.headers["Retry-After"] == "5"
                assert "nothing was recorded" in response.json()["message"]
            time.sleep(0.05)

    def probe(client: TestClient) -> None:
        while not stop.is_set():
            readiness.append(client.get("/readyz").status_code)
            time.sleep(0.25)

    with TestClient(app_for(keeper)) as client:
        assert _wait(lambda: client.get("/readyz").status_code == 200, 30)
        threads = [
            threading.Thread(target=submit_stream, args=(client,)),
            threading.Thread(target=probe, args=(client,)),
        ]
        for thread in threads:
            thread.start()
        time.sleep(3)
        server.stop()
        during = len(answers)
        time.sleep(OUTAGE_SECONDS)
        # A page, not JSON, while the database is away.
        page = client.get(f"/status/{submitted.status_token}")
        server.start()
        time.sleep(4)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

        def settled() -> bool:
            with keeper.store.transaction() as session:
                states = session.execute(sa.select(Job.state)).scalars().all()
                row = session.get(RequestRow, submitted.request_id)
                return all(s == "done" for s in states) and row.state != "executing"

        assert _wait(settled, 90), "a queued job or the executing request never ran"
        assert client.get("/readyz").status_code == 200

    statuses = [status for status, _, _ in answers]
    assert set(statuses) <= {202, 503}, statuses
    assert 503 in statuses[during:], "nothing was refused during the outage"
    assert statuses.count(202) > 10
    accepted = {address for status, address, _ in answers if status == 202}
    with keeper.store.transaction() as session:
        stored = set(session.execute(sa.select(RequestRow.email)).scalars())
        jobs = session.execute(sa.select(Job.kind, Job.state)).all()
    assert accepted <= stored, accepted - stored
    refused = {address for status, address, _ in answers if status == 503}
    assert not refused & stored
    assert jobs and all(state == "done" for _kind, state in jobs)
    assert 503 in readiness and readiness[-1] == 200
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    keeper.close()


def test_a_worker_that_cannot_reach_the_database_exits_non_zero(
    server: Instance, tmp_path: Path
) -> None:
    project = tmp_path / "ainema"
    shutil.copytree(AINEMA, project, ignore=shutil.ignore_patterns("*.sqlite3", ".policykeeper"))
    command = [
        str(Path(sys.executable).parent / "policykeeper"),
        "worker",
        str(project),
        "--db",
        server.url,
        "--give-up-after",
        "3",
    ]
    env = os.environ | {"POLICYKEEPER_SECRET_KEY": SECRET.decode()}
    worker = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    lines: list[str] = []

    def read() -> None:
        assert worker.stderr is not None
        for line in worker.stderr:
            lines.append(line.decode())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        assert _wait(lambda: any("worker started" in line for line in lines), 120), lines
        time.sleep(3)
        assert worker.poll() is None, lines
        server.stop()
        worker.wait(timeout=90)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        reader.join(timeout=10)
    errors = "".join(lines)
    assert worker.returncode == 3, errors
    last = [line for line in errors.splitlines() if line.startswith("error:")]
    assert last and "out of reach" in last[-1], errors
    assert "Traceback" not in errors


def test_a_worker_started_without_its_database_is_one_line(tmp_path: Path) -> None:
    project = tmp_path / "ainema"
    shutil.copytree(AINEMA, project, ignore=shutil.ignore_patterns("*.sqlite3", ".policykeeper"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    command = [str(Path(sys.executable).parent / "policykeeper"), "worker", str(project)]
    done = subprocess.run(
        [*command, "--db", url], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 3, done.stderr
    assert done.stderr.strip().startswith("error: the database cannot be reached")
    assert "Traceback" not in done.stderr
