"""The privacy center and admin console under test: the site, its mail, and form helpers."""

import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from store.kit import FakeClock, quick_settings

from policykeeper.examples.generation import generate
from policykeeper.web.app import create_app

# --- the privacy center and admin console (test_center, test_admin) ------------------------
STAFF_PASSWORD = "console-test-password"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ainema"


@dataclass
class Sent:
    """Email the pages caused, kept in memory (the browser tests use a real SMTP server)."""

    messages: list[tuple[str, str, str]] = field(default_factory=list)

    def send(self, to: str, subject: str, body: str) -> None:
        self.messages.append((to, subject, body))

    def code(self, to: str) -> str:
        body = next(b for t, _s, b in reversed(self.messages) if t == to)
        found = re.search(r"(?:Verification code|確認コード)[:：] ?(\d{6})", body)
        assert found, body
        return found.group(1)

    def status(self, to: str) -> str:
        body = next(b for t, _s, b in reversed(self.messages) if t == to)
        found = re.search(r"/status/([0-9a-f]{32}\.[A-Za-z0-9_-]{22})(?![A-Za-z0-9_-])", body)
        assert found, body
        return found.group(1)

    def link(self, to: str) -> str:
        body = next(b for t, _s, b in reversed(self.messages) if t == to)
        found = re.search(r"/verify/([A-Za-z0-9_\-]+)", body)
        assert found, body
        return found.group(1)


@dataclass
class Site:
    app: FastAPI
    mail: Sent
    clock: FakeClock
    service_url: str

    def client(self, **headers: str) -> TestClient:
        client = TestClient(self.app, headers=headers, follow_redirects=False)
        client.mail = self.mail  # type: ignore[attr-defined]
        return client


@contextmanager
def ainema_site(folder: Path, vary: Callable[[Path], None] | None = None) -> Iterator[Site]:
    """The app over a small AInema database in `folder`, with staff of each role and a
    hand-moved clock; `vary` may change the copied project first (a variant of the example)."""
    project = folder / "ainema"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".*", "*.sqlite3"))
    if vary is not None:
        vary(project)
    service_url = f"sqlite:///{project / 'ainema.sqlite3'}"
    generate("ainema", service_url, 20, progress=False)
    mail = Sent()
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    app = create_app(
        project,
        database_url=f"sqlite:///{folder / 'state.sqlite3'}",
        mailer=mail,
        clock=clock,
        settings=quick_settings(base_url="http://testserver"),
        secret_key=b"pages-test-secret-key-0123456789",
        run_worker=False,
    )
    for role in ("viewer", "handler", "admin"):
        app.state.staff.create(role, STAFF_PASSWORD, role)
    with TestClient(app):
        yield Site(app, mail, clock, service_url)


def form_fields(html: str) -> dict[str, str]:
    """The hidden fields of the first form on a page (csrf, form_id, next)."""
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


def sign_in(
    site: Site, username: str, password: str = STAFF_PASSWORD, **headers: str
) -> TestClient:
    client = site.client(**headers)
    fields = form_fields(client.get("/admin/login").text)
    response = client.post(
        "/admin/login", data={**fields, "username": username, "password": password}
    )
    assert response.status_code == 303, response.text
    return client


def csrf(client: TestClient, path: str = "/") -> str:
    return (
        form_fields(client.get(path).text).get("csrf")
        or form_fields(client.get("/requests/access").text)["csrf"]
    )


def submit(client: TestClient, kind: str, email: str, **extra: Any) -> tuple[str, dict[str, str]]:
    """Send a request form; the status token (from the email: the browser is only told to
    check its mail) and the form fields used."""
    fields = form_fields(client.get(f"/requests/{kind}").text)
    if kind == "erasure":  # the person ticks "I understand this cannot be undone"
        extra = {"confirm": "1", **extra}
    response = client.post(f"/requests/{kind}", data={**fields, "email": email, **extra})
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/confirm"), response.headers["location"]
    return client.mail.status(email), fields  # type: ignore[attr-defined]
