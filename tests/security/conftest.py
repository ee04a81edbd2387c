"""The security suite's instances: a real uvicorn server on a free port over a copy of an
example project, its state store on SQLite or PostgreSQL, its service database on SQLite,
PostgreSQL or MariaDB, its email through a real SMTP server run by the tests.

Attacks are played over HTTP against that server (httpx); where a test needs to pose as
several source addresses, it uses the TestClient on the same app, which can set the peer.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from store.kit import EXAMPLES, FakeClock, Mailbox, free_port

from policykeeper.examples.generation import generate
from policykeeper.web.app import create_app
from policykeeper.workflow.mail import SmtpMailer
from policykeeper.workflow.settings import WorkflowSettings

PASSWORD = "security-suite-password"
SECRET = b"security-suite-secret-key-0123456789"
CODE = re.compile(r"(?:Verification code|確認コード): (\d{6})")
STATUS = re.compile(r"/status/([0-9a-f]{32}\.[0-9a-f]{64})")
LINK = re.compile(r"/verify/([A-Za-z0-9_\-]{20,})")


@dataclass
class Served:
    """One running instance: its address, app, mail, clock, project and databases."""

    base: str
    app: FastAPI
    mailbox: Mailbox
    clock: FakeClock
    project: Path
    service_url: str
    state_url: str
    tokens: dict[str, str] = field(default_factory=dict)

    def http(self, **headers: str) -> httpx.Client:
        """A fresh client with no cookies: a new visitor, an attacker, a mail scanner."""
        return httpx.Client(base_url=self.base, headers=headers, follow_redirects=False)

    def client(self, source: str = "203.0.113.7", **headers: str) -> TestClient:
        """The same app in-process, as seen from `source` (for per-address limits)."""
        return TestClient(self.app, headers=headers, follow_redirects=False, client=(source, 40000))

    def staff(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    @property
    def workflow(self) -> Any:
        return self.app.state.workflow

    def mails(self, to: str) -> list[str]:
        return [Mailbox.body(m) for m in self.mailbox.to(to)]

    def last_mail(self, to: str) -> str:
        return Mailbox.body(self.mailbox.last(to))

    def code(self, to: str) -> str:
        found = CODE.search(self.last_mail(to))
        assert found, self.last_mail(to)
        return found.group(1)

    def link(self, to: str) -> str:
        found = LINK.search(self.last_mail(to))
        assert found, self.last_mail(to)
        return found.group(1)

    def status_token(self, to: str) -> str:
        found = STATUS.search(self.last_mail(to))
        assert found, self.last_mail(to)
        return found.group(1)

    def requests(self) -> int:
        return len(self.workflow.list_requests(limit=100_000))


def form_fields(html: str) -> dict[str, str]:
    """The hidden fields of the first form on a page (csrf, form_id)."""
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


@pytest.fixture
def serve(
    tmp_path: Path,
    smtp_server: tuple[str, int, Mailbox],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[..., Served]]:
    """Start an instance: `serve(example="ainema", service_url=None, state_url=None, users=12,
    **settings)`. Each test gets its own copy of the project and its own databases."""
    host, smtp_port, mailbox = smtp_server
    running: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(
        example: str = "ainema",
        *,
        service_url: str | None = None,
        state_url: str | None = None,
        users: int = 12,
        **settings: Any,
    ) -> Served:
        project = tmp_path / example
        shutil.copytree(
            EXAMPLES / example, project, ignore=shutil.ignore_patterns(".*", "*.sqlite3")
        )
        service = service_url or f"sqlite:///{tmp_path / f'{example}-service.sqlite3'}"
        if (project / "datamap.yaml").is_file():
            generate(example, service, users, progress=False)
            monkeypatch.setenv(f"{example.upper().replace('-', '_')}_DATABASE_URL", service)
        state = state_url or f"sqlite:///{project / '.policykeeper' / 'state.sqlite3'}"
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
        app = create_app(
            project,
            database_url=state,
            mailer=SmtpMailer(host, smtp_port, "privacy@example.test"),
            settings=WorkflowSettings(base_url=base, **settings),
            clock=clock,
            secret_key=SECRET,
            run_worker=False,
        )
        served = Served(base, app, mailbox, clock, project, service, state)
        for role in ("viewer", "handler", "admin"):
            member = app.state.staff.create(role, PASSWORD, role)
            served.tokens[role] = app.state.staff.api_token(member)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        running.append((server, thread))
        return served

    yield start
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(params=["sqlite", "postgres"])
def state_store(request: pytest.FixtureRequest) -> str | None:
    """The state store on each database PolicyKeeper keeps it in (None: the embedded file)."""
    if request.param == "sqlite":
        return None
    return str(request.getfixturevalue("postgres_url"))


def submit_form(
    http: httpx.Client, kind: str, email: str, **extra: str
) -> tuple[httpx.Response, dict[str, str]]:
    """Fill and send a request form as a browser does; the response and the fields used."""
    fields = form_fields(http.get(f"/requests/{kind}").text)
    response = http.post(f"/requests/{kind}", data={**fields, "email": email, **extra})
    return response, fields


def a_person(url: str, offset: int = 0) -> tuple[int, str]:
    """A user of the service database with an email address: (id, email)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                sa.text("SELECT id, email FROM users ORDER BY id LIMIT 1 OFFSET :o"), {"o": offset}
            ).one()
    finally:
        engine.dispose()
    return int(row[0]), str(row[1])
