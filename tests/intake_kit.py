"""A request received by post, taken by the staff API from record to completion: shared by the
seed services whose declarations take requests on paper (ALLIN STUDIO, Nicori)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from store.kit import drain

SCAN = b"%PDF-1.4 scanned driver's licence"


def run_by_post(
    client: TestClient, kind: str, email: str, language: str, fee: int = 0, **body: Any
) -> dict:
    """Record, scan, check, pay the declared fixed `fee` (yen) if any, approve, execute: the
    completed request as the staff API returns it."""
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
    if fee:  # the declared fee, paid before anything proceeds
        assert checked["state"] == "awaiting_fee", checked
        wrong = client.post(
            f"{base}/payment",
            json={"amount": 500, "method": "bank_transfer", "paid_on": "2026-04-30"},
            headers=handler,
        )
        assert wrong.status_code == 422 and f"{fee} JPY" in wrong.json()["message"], wrong.text
        early = client.post(
            f"/api/staff/requests/{request_id}/decision",
            json={"outcome": "approve"},
            headers=handler,
        )
        assert early.status_code == 409
        paid = client.post(
            f"{base}/payment",
            json={"amount": fee, "method": "bank_transfer", "paid_on": "2026-04-30"},
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
