"""The security suite's instances: a real uvicorn server on a free port over a copy of an
example project, its state store on SQLite or PostgreSQL, its service database on SQLite,
PostgreSQL or MariaDB, its email through a real SMTP server run by the tests.

Attacks are played over HTTP against that server (httpx); where a test needs to pose as
several source addresses, it uses the TestClient on the same app, which can set the peer.
Helpers live in security_kit.py (test modules import from there, never from a conftest).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from security_kit import PASSWORD, SECRET, Served
from store.kit import EXAMPLES, FakeClock, Mailbox, free_port, quick_settings

from policykeeper.examples.generation import generate
from policykeeper.web.app import create_app
from policykeeper.workflow.mail import SmtpMailer


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
            settings=quick_settings(base_url=base, **settings),
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


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite talks to 127.0.0.1 directly, whatever proxy the machine has configured."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
