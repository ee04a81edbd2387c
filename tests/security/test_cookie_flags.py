"""Behind a TLS proxy that is not trusted for forwarded headers, requests reach the app as plain
http; a site whose public address is https still sets every cookie Secure (and HttpOnly,
SameSite), so a session never travels in clear."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from security_kit import PASSWORD, SECRET, form_fields
from store.kit import AINEMA, FakeClock, Mailbox, quick_settings

from policykeeper.web.app import create_app
from policykeeper.workflow.mail import SmtpMailer


def test_cookies_are_secure_when_the_site_is_https(
    tmp_path: Path, smtp_server: tuple[str, int, Mailbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POLICYKEEPER_DATABASE_URL", raising=False)
    host, port, _mailbox = smtp_server
    project = tmp_path / "ainema"
    shutil.copytree(AINEMA, project, ignore=shutil.ignore_patterns(".*", "*.sqlite3"))
    app = create_app(
        project,
        mailer=SmtpMailer(host, port, "privacy@example.test"),
        settings=quick_settings(base_url="https://privacy.example.jp"),
        clock=FakeClock(datetime.now(UTC)),
        secret_key=SECRET,
        run_worker=False,
    )
    app.state.staff.create("admin", PASSWORD, "admin")
    with TestClient(app, base_url="http://privacy.example.jp", follow_redirects=False) as http:
        page = http.get("/admin/login")
        fields = form_fields(page.text)
        # The browser saw https and returns the Secure cookie; the test client, on http, would not.
        seed = page.headers["set-cookie"].split(";")[0]
        signed = http.post(
            "/admin/login",
            data={**fields, "username": "admin", "password": PASSWORD},
            headers={"cookie": seed},
        )
        assert signed.status_code == 303
        cookies = page.headers.get_list("set-cookie") + signed.headers.get_list("set-cookie")
    assert len(cookies) >= 2
    for cookie in cookies:
        flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert {"secure", "httponly", "samesite"} <= flags, cookie
