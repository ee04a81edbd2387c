"""What the security suite's tests share: a served instance (`Served`) and helpers to act on
it as a browser, an attacker or staff. The fixtures that start instances are in conftest.py."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from store.kit import FakeClock, Mailbox

PASSWORD = "security-suite-password"
SECRET = b"security-suite-secret-key-0123456789"
CODE = re.compile(r"(?:Verification code|確認コード)[:：] ?(\d{6})")
STATUS = re.compile(r"/status/([0-9a-f]{32}\.[A-Za-z0-9_-]{22})(?![A-Za-z0-9_-])")
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
        return httpx.Client(  # a served instance shares two cores with the other test worker
            base_url=self.base, headers=headers, follow_redirects=False, timeout=30
        )

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


def submit_form(
    http: httpx.Client, kind: str, email: str, **extra: str
) -> tuple[httpx.Response, dict[str, str]]:
    """Fill and send a request form as a browser does; the response and the fields used."""
    fields = form_fields(http.get(f"/requests/{kind}").text)
    if kind == "erasure":  # the person ticks "I understand this cannot be undone"
        extra = {"confirm": "1", **extra}
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
