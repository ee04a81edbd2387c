"""Fixtures shared by the store, workflow, jobs and web tests: a migrated state database."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from policykeeper.policy import load_policy
from policykeeper.policy.models import Jurisdiction, Policy, Right
from policykeeper.store import Store, migrate
from policykeeper.web.app import create_app
from policykeeper.workflow.mail import SmtpMailer
from policykeeper.workflow.service import Workflow
from policykeeper.workflow.settings import WorkflowSettings
from policykeeper.workflow.tokens import Secrets

AUDIT_KEY = b"test-audit-key-0123456789abcdef"
QUICK_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
"""argon2id at its smallest: the tests sign staff in thousands of times. The parameters a
deployment gets are checked in tests/security/test_password_parameters.py."""


def quick_settings(**values: Any) -> WorkflowSettings:
    """The workflow settings a test asks for, with staff passwords hashed by QUICK_HASHER
    unless it names its own hasher."""
    return WorkflowSettings(**{"password_hasher": QUICK_HASHER, **values})


@pytest.fixture
def sqlite_state_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'state.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgres"])
def state_url(request: pytest.FixtureRequest) -> str:
    """A fresh, empty state database of each supported kind (not yet migrated)."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_state_url"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(state_url: str) -> Iterator[Store]:
    """A migrated store on each database."""
    migrate(state_url)
    opened = Store(state_url, audit_key=AUDIT_KEY)
    yield opened
    opened.dispose()


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Mailbox:
    """What the local SMTP server received, parsed."""

    messages: list[EmailMessage] = field(default_factory=list)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def last(self, address: str) -> EmailMessage:
        found = self.to(address)
        assert found, f"no email to {address}"
        return found[-1]

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(("plain",))
        assert part is not None
        return str(part.get_content())


class _Collector:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        message = BytesParser(policy=default_policy).parsebytes(envelope.content)
        assert isinstance(message, EmailMessage)
        self.mailbox.messages.append(message)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[str, int, Mailbox]]:
    """A real SMTP server (aiosmtpd) on a free local port, collecting what it receives."""
    mailbox = Mailbox()
    controller = Controller(_Collector(mailbox), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield "127.0.0.1", controller.port, mailbox
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp_server: tuple[str, int, Mailbox]) -> Mailbox:
    return smtp_server[2]


@pytest.fixture
def mailer(smtp_server: tuple[str, int, Mailbox]) -> SmtpMailer:
    host, port, _ = smtp_server
    return SmtpMailer(host, port, "privacy@example.test")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 5, 1, 3, 0, tzinfo=UTC))


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AINEMA = EXAMPLES / "ainema"


def ainema_policy() -> Policy:
    return load_policy(AINEMA)


def with_right(policy: Policy, kind: str, **changes: Any) -> Policy:
    """The policy with one right's fields replaced (validated, as if declared in YAML)."""
    rights = []
    for right in policy.rights:
        if right.kind == kind:
            data = right.model_dump(mode="json", exclude_unset=True) | changes
            right = Right.model_validate(data)
        rights.append(right)
    if not any(r.kind == kind for r in policy.rights):
        base = {"kind": kind, "channels": [{"contact": "email"}], "verification": ["email_code"]}
        rights.append(Right.model_validate(base | changes))
    return policy.model_copy(update={"rights": rights})


def with_jurisdictions(policy: Policy, *names: str) -> Policy:
    return policy.model_copy(update={"jurisdictions": [Jurisdiction(n) for n in names]})


@pytest.fixture
def make_workflow(store: Store, mailer: SmtpMailer, clock: FakeClock) -> Callable[..., Workflow]:
    """A workflow on the migrated store, the local SMTP server and the fake clock."""

    def make(policy: Policy | None = None, **settings: Any) -> Workflow:
        return Workflow(
            store,
            policy or ainema_policy(),
            secrets=Secrets(b"test-secret-key-0123456789abcdef"),
            mailer=mailer,
            settings=quick_settings(**settings),
            clock=clock,
            project_dir=AINEMA,
        )

    return make


def code_in(mailbox: Mailbox, address: str) -> tuple[str, str]:
    """The six-digit code and the verification link token of the last email to `address` that
    carries them (the acknowledgement with the status link may arrive before or after it)."""
    bodies = [Mailbox.body(message) for message in mailbox.to(address)]
    for body in reversed(bodies):
        code = re.search(r"(?:Verification code|確認コード)[:：] ?(\d{6})", body)
        link = re.search(r"/verify/([A-Za-z0-9_\-]+)", body)
        if code and link:
            return code.group(1), link.group(1)
    raise AssertionError(f"no verification email to {address}: {bodies}")


def status_in(mailbox: Mailbox, address: str) -> str:
    """The status token of the last email to `address` that carries one: the only place it
    is delivered."""
    bodies = [Mailbox.body(message) for message in mailbox.to(address)]
    for body in reversed(bodies):
        found = re.search(r"/status/([0-9a-f]{32}\.[A-Za-z0-9_-]{22})(?![A-Za-z0-9_-])", body)
        if found:
            return found.group(1)
    raise AssertionError(f"no status link in an email to {address}: {bodies}")


def drain(workflow: Workflow) -> int:
    """Run every due job in-process, as the default worker would."""
    from policykeeper.job_handlers import JOB_HANDLERS
    from policykeeper.jobs.worker import Worker

    return Worker(workflow, JOB_HANDLERS).run_until_idle()


@pytest.fixture
def make_client(
    state_url: str, mailer: SmtpMailer, clock: FakeClock
) -> Iterator[Callable[..., TestClient]]:
    """A TestClient on the app over each database, with staff of every role signed in by token."""
    clients: list[TestClient] = []

    def make(policy: Policy | None = None, project: Path = AINEMA) -> TestClient:
        app = create_app(
            project,
            database_url=state_url,
            mailer=mailer,
            settings=quick_settings(),
            clock=clock,
            secret_key=b"test-secret-key-0123456789abcdef",
            audit_key=AUDIT_KEY,
            run_worker=False,
        )
        if policy is not None:
            app.state.workflow.policy = policy
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        tokens = {}
        for role in ("viewer", "handler", "admin"):
            member = app.state.staff.create(role, f"{role}-password-long", role)
            tokens[role] = {"Authorization": f"Bearer {app.state.staff.api_token(member)}"}
        client.staff = tokens  # type: ignore[attr-defined]
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
