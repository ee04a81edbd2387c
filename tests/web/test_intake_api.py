"""The staff API for requests received by post, email, phone or the counter, on Audiostock:
record, attach a scan, check it, set and pay the registered-mail cost, decide, execute, fetch
the letter and record its dispatch; handlers only, JSON errors with the right status."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from store.kit import EXAMPLES

from policykeeper.examples.generation import generate
from policykeeper.policy import load_policy

Make = Callable[..., TestClient]
SCAN = b"%PDF-1.4 scanned driver's licence"


@pytest.fixture(scope="module")
def audiostock(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("intake-api") / "audiostock"
    shutil.copytree(EXAMPLES / "audiostock", folder, ignore=shutil.ignore_patterns("*.sqlite3"))
    with (folder / "datamap.yaml").open("a", encoding="utf-8") as datamap:  # see test_intake
        datamap.write(
            "\nrecipients:\n  audiostock_artists:\n"
            "    nothing_to_erase: {ja: 試験用の仮の記述, en: a stand-in for the test}\n"
        )
    url = f"sqlite:///{folder / 'audiostock.sqlite3'}"
    generate("audiostock", url, 20, progress=False)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        email = connection.execute(sa.text("SELECT email FROM users WHERE id = 3")).scalar_one()
    engine.dispose()
    return folder, str(email)


def test_a_postal_request_through_the_api(make_client: Make, audiostock: tuple[Path, str]) -> None:
    folder, email = audiostock
    client = make_client(load_policy(folder), project=folder)
    handler, viewer = client.staff["handler"], client.staff["viewer"]
    body = {
        "kind": "access",
        "channel": "post",
        "received_on": "2026-04-27",
        "name": "鈴木 一郎",
        "email": email,
        "postal_code": "150-0021",
        "address": "東京都渋谷区恵比寿西2-4-8",
    }
    assert client.post("/api/staff/intake", json=body, headers=viewer).status_code == 403
    assert client.post("/api/staff/intake", json=body).status_code == 401
    bad = client.post("/api/staff/intake", json=body | {"channel": "fax"}, headers=handler)
    assert bad.status_code == 422
    recorded = client.post("/api/staff/intake", json=body, headers=handler)
    assert recorded.status_code == 201, recorded.text
    request_id = recorded.json()["id"]
    assert recorded.json()["intake"]["channel"] == "post"
    assert recorded.json()["received_at"].startswith("2026-04-26T15:00")  # 00:00 JST
    base = f"/api/staff/requests/{request_id}/intake"

    html = {"purpose": "id_document"}, {"file": ("x.html", b"<html>", "application/pdf")}
    refused = client.post(f"{base}/documents", data=html[0], files=html[1], headers=handler)
    assert refused.status_code == 422 and "PDF, JPEG or PNG" in refused.json()["message"]
    sent = client.post(
        f"{base}/documents",
        data={"purpose": "id_document"},
        files={"file": ("licence.pdf", SCAN, "application/pdf")},
        headers=handler,
    )
    assert sent.status_code == 201
    checked = client.post(
        f"{base}/check",
        json={"document": "health_insurance_card", "approved": True},
        headers=handler,
    )
    assert checked.status_code == 422 and "masked" in checked.json()["message"]
    checked = client.post(
        f"{base}/check",
        json={"document": "health_insurance_card", "numbers_masked": True, "approved": True},
        headers=handler,
    )
    assert checked.json()["state"] == "awaiting_fee"
    assert checked.json()["intake"]["document_check"]["numbers_masked"] is True

    early = client.post(
        f"/api/staff/requests/{request_id}/decision", json={"outcome": "approve"}, headers=handler
    )
    assert early.status_code == 409  # not paid: cannot proceed
    client.post(f"{base}/fee", json={"amount": 590}, headers=handler)
    paid = client.post(
        f"{base}/payment",
        json={"amount": 590, "method": "postal_money_order", "paid_on": "2026-04-30"},
        headers=handler,
    )
    assert paid.json()["state"] == "in_review"
    assert paid.json()["intake"]["payment"]["method"] == "postal_money_order"
    assert client.get(f"{base}/letter.pdf", headers=handler).status_code == 409
    client.post(
        f"/api/staff/requests/{request_id}/decision", json={"outcome": "approve"}, headers=handler
    )
    done = client.post(f"/api/staff/requests/{request_id}/execute", headers=handler)
    assert done.json()["state"] == "completed"
    pdf = client.get(f"{base}/letter.pdf?dated=2026-05-01", headers=handler)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    posted = client.post(
        f"{base}/dispatch",
        json={"registered_mail_number": "1234-5678-9012", "sent_on": "2026-05-01"},
        headers=handler,
    )
    assert posted.json()["intake"]["dispatch"]["registered_mail_number"] == "123456789012"
    missing = client.get("/api/staff/requests/nope/intake", headers=handler)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    spec = client.get("/openapi.json").json()
    documented = spec["paths"]["/api/staff/requests/{request_id}/intake/payment"]["post"]
    assert {"403", "409", "422"} <= set(documented["responses"])
