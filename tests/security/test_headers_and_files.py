"""Headers and files: personal data is never cached, uploaded files are never rendered, the API
docs load nothing from elsewhere and carry the CSP, the language switch cannot leave the site,
and the state folder is readable by its owner only."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from security_kit import PASSWORD, Served, a_person, form_fields, submit_form

Serve = Callable[..., Served]
PERSON = "hanako@example.jp"


def test_no_store_on_every_response_with_personal_data(serve: Serve) -> None:
    site = serve()
    http = site.http()
    submit_form(http, "access", PERSON)
    token = site.status_token(PERSON)
    request_id = token.split(".")[0]
    viewer = site.staff("viewer")
    private = [
        http.post("/api/requests", json={"kind": "access", "email": "b@example.jp"}),
        http.get(f"/api/status/{token}"),
        http.get(f"/status/{token}"),
        http.get("/confirm"),
        http.get(f"/verify/{site.link(PERSON)}"),
        http.get("/api/staff/requests", headers=viewer),
        http.get(f"/api/staff/requests/{request_id}", headers=viewer),
        http.get("/api/staff/tokens", headers=viewer),
        http.get(
            "/api/consent/allowed?subject=email=a@example.jp&purpose=analytics", headers=viewer
        ),
        http.get("/api/consent/subjects/email=a@example.jp", headers=viewer),
        http.get("/consent/preferences"),
        http.get("/api/status/nope.nope"),
        http.get("/admin/login"),
    ]
    for response in private:
        assert response.headers.get("cache-control") == "no-store", response.request.url
    public = http.get("/static/site.css")
    assert public.headers.get("cache-control") != "no-store"


def test_uploaded_files_are_attachments_of_no_type_on_every_path(serve: Serve) -> None:
    from store.kit import with_right

    site = serve()
    site.workflow.policy = with_right(site.workflow.policy, "access", verification=["id_document"])
    http = site.http()
    http.post("/api/requests", json={"kind": "access", "email": PERSON})
    token = site.status_token(PERSON)
    http.post(f"/api/status/{token}/verify", json={"code": site.code(PERSON)})
    payload = b"<script>alert(document.cookie)</script>"
    uploaded = http.post(
        f"/api/status/{token}/documents",
        data={"purpose": "id_document"},
        files={"file": ("id.html", payload, "text/html")},
    ).json()["upload"]
    request_id = token.split(".")[0]
    api = http.get(
        f"/api/staff/requests/{request_id}/documents/{uploaded}", headers=site.staff("handler")
    )
    console = site.client()
    fields = form_fields(console.get("/admin/login").text)
    console.post("/admin/login", data={**fields, "username": "handler", "password": PASSWORD})
    page = console.get(f"/admin/requests/{request_id}/documents/{uploaded}")
    for response in (api, page):
        assert response.status_code == 200 and response.content == payload
        assert response.headers["content-type"] == "application/octet-stream"
        assert response.headers["content-disposition"].startswith("attachment;")
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"


def test_the_api_docs_need_no_cdn_and_carry_the_csp(serve: Serve, chromium: Any) -> None:
    site = serve()
    docs = site.http().get("/docs")
    assert docs.status_code == 200
    assert "default-src 'self'" in docs.headers["content-security-policy"]
    assert "cdn" not in docs.text and "https://" not in docs.text
    page = chromium.new_page()
    elsewhere: list[str] = []
    violations: list[str] = []
    page.on(
        "request",
        lambda r: elsewhere.append(r.url) if not r.url.startswith((site.base, "data:")) else None,
    )
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    page.goto(site.base + "/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.locator(".opblock").count() > 10
    assert "/api/requests" in page.content()
    assert elsewhere == []
    assert not [v for v in violations if "script" in v.lower()], violations
    page.close()


def test_the_language_switch_never_leads_off_the_site(serve: Serve) -> None:
    site = serve()
    http = site.http()
    for path in ("//evil.example/", "/\\evil.example/", "/%2F%2Fevil.example/", "/policy"):
        page = http.get(path + "?next=https://evil.example/", headers={"accept": "text/html"})
        links = [href for href in _hrefs(page.text) if "lang=" in href]
        assert links, path
        assert all(href.startswith("?") for href in links), (path, links)
    login = http.get("/admin/login?next=/%09/evil.example/")
    fields = form_fields(login.text)
    assert fields.get("next") == "/admin/requests"


def test_the_state_folder_is_readable_by_its_owner_only(serve: Serve) -> None:
    from typer.testing import CliRunner

    from policykeeper.cli import app
    from policykeeper.workflow.tokens import load_secret_key

    site = serve()
    site.http().post("/api/requests", json={"kind": "access", "email": PERSON})
    state = site.project / ".policykeeper"
    load_secret_key(state)
    export = site.project / "export.zip"
    _id, someone = a_person(site.service_url)
    ran = CliRunner().invoke(
        app,
        ["access", str(site.project), "--identity", f"email={someone}", "-o", str(export)],
    )
    assert ran.exit_code == 0, ran.output
    assert _mode(export) == 0o600
    assert _mode(state) == 0o700
    files = [p for p in state.iterdir() if p.is_file()]
    names = {p.name for p in files}
    assert {"state.sqlite3", "audit.key", "secret.key"} <= names
    for path in files:
        assert _mode(path) == 0o600, path


def test_the_demo_outbox_is_private(tmp_path: Path) -> None:
    from policykeeper.web.outbox import OutboxMailer

    outbox = OutboxMailer(tmp_path / "outbox")
    outbox.send(PERSON, "code", "Verification code: 123456")
    assert _mode(tmp_path / "outbox") == 0o700
    assert [_mode(p) for p in (tmp_path / "outbox").iterdir()] == [0o600]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _hrefs(html: str) -> list[str]:
    import re

    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]*)"', html)]
