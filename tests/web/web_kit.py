"""The privacy center and admin console under test: the site, its mail, and form helpers."""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from store.kit import FakeClock

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
