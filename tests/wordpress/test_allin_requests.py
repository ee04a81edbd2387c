"""ALLIN STUDIO's declared rights end to end on its WordPress site: each arrives by email or post
(the declaration offers no form of its own), so staff record it, check the identity document,
take the declared 1,000 yen for disclosure, approve and execute; the person's rows change as
declared (SQL written here) and no one else's row changes. In Japanese and in English."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from store.kit import drain
from wordpress.kit import WordPressSite

from policykeeper.engine import Identity
from policykeeper.engine.restrict import is_restricted
from policykeeper.engine.runtime import release
from policykeeper.examples.wordpress.privacy import rows_changed, snapshot
from policykeeper.policy import load_policy
from policykeeper.project import load_project

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "allin-studio"
MEMBER = 2
SCAN = b"%PDF-1.4 scanned driver's licence"
Make = Callable[..., TestClient]


@pytest.fixture
def state_url(sqlite_state_url: str) -> str:
    """The state database on SQLite only: the WordPress side is what these tests are about."""
    return sqlite_state_url


def run_by_post(client: TestClient, kind: str, email: str, language: str, **body: Any) -> dict:
    """Record, scan, check, pay what the declaration asks, approve, execute: the completed
    request as the staff API returns it."""
    handler = client.staff["handler"]  # type: ignore[attr-defined]
    recorded = client.post(
        "/api/staff/intake",
        json={
            "kind": kind,
            "channel": "post",
            "received_on": "2026-04-27",
            "name": "山田 花子",
            "email": email,
            "postal_code": "700-0816",
            "address": "岡山県岡山市北区富田町2-13-10",
            "language": language,
            "reply_by": "letter" if kind == "access" else "export",
            **body,
        },
        headers=handler,
    )
    assert recorded.status_code == 201, recorded.text
    request_id = recorded.json()["id"]
    base = f"/api/staff/requests/{request_id}/intake"
    scan = {"file": ("licence.pdf", SCAN, "application/pdf")}
    sent = client.post(
        f"{base}/documents", data={"purpose": "id_document"}, files=scan, headers=handler
    )
    assert sent.status_code == 201, sent.text
    checked = client.post(
        f"{base}/check", json={"document": "drivers_license", "approved": True}, headers=handler
    ).json()
    if kind == "access":  # the declared fee: 1,000 yen a case, paid before anything proceeds
        assert checked["state"] == "awaiting_fee", checked
        wrong = client.post(
            f"{base}/payment",
            json={"amount": 500, "method": "bank_transfer", "paid_on": "2026-04-30"},
            headers=handler,
        )
        assert wrong.status_code == 422 and "1000 JPY" in wrong.json()["message"], wrong.text
        early = client.post(
            f"/api/staff/requests/{request_id}/decision",
            json={"outcome": "approve"},
            headers=handler,
        )
        assert early.status_code == 409
        paid = client.post(
            f"{base}/payment",
            json={"amount": 1000, "method": "bank_transfer", "paid_on": "2026-04-30"},
            headers=handler,
        ).json()
        assert paid["state"] == "in_review", paid
    else:
        assert checked["state"] == "in_review", checked
    approved = client.post(
        f"/api/staff/requests/{request_id}/decision", json={"outcome": "approve"}, headers=handler
    )
    assert approved.status_code == 200, approved.text
    done = client.post(f"/api/staff/requests/{request_id}/execute", headers=handler)
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "completed", done.json()
    drain(client.app.state.workflow)  # type: ignore[attr-defined]
    if kind == "access":  # the disclosure goes by post, as a Japanese letter
        letter = client.get(f"{base}/letter.pdf?dated=2026-05-01", headers=handler)
        assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    return done.json()


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("kind", ["access", "rectification", "restriction"])
def test_every_declared_right_runs_by_post_on_wordpress(
    make_client: Make,
    wordpress: WordPressSite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    language: str,
) -> None:
    monkeypatch.setenv("ALLIN_DATABASE_URL", wordpress.site.database_url)
    folder = tmp_path / "allin-studio"
    shutil.copytree(EXAMPLE, folder)
    declared = [right.kind.value for right in load_policy(folder).rights]
    assert declared == ["access", "rectification", "restriction"]
    client = make_client(load_policy(folder), project=folder)
    person = wordpress.user(MEMBER)
    before = snapshot(wordpress.site)
    details = (
        {"changes": {"wp_usermeta.billing_phone": "090-1234-5678"}}
        if kind == "rectification"
        else {}
    )
    result = run_by_post(client, kind, person["email"], language, details=details)
    changed = rows_changed(before, snapshot(wordpress.site), request_id=-1)
    if kind == "rectification":
        (umeta_id,) = wordpress.query(
            "SELECT umeta_id FROM wp_usermeta WHERE user_id = :u AND meta_key = 'billing_phone'",
            u=person["ID"],
        )[0]
        assert changed == {("wp_usermeta", (umeta_id,)): {"meta_value"}}
        assert wordpress.query(
            "SELECT meta_value FROM wp_usermeta WHERE umeta_id = :m", m=umeta_id
        ) == [("090-1234-5678",)]
    else:  # disclosure and restriction change no row of the site
        assert changed == {}
    if kind == "access":
        handler = client.staff["handler"]  # type: ignore[attr-defined]
        export = client.get(f"/api/staff/requests/{result['id']}/export", headers=handler)
        assert export.status_code == 200, export.text
    if kind == "restriction":
        project = load_project(folder)
        try:
            assert is_restricted(project, Identity("email", person["email"]))
            assert not is_restricted(project, Identity("email", wordpress.user(1)["email"]))
        finally:
            release(project)
