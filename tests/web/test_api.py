"""The JSON API alone carries a request from submission to a decision, with JSON errors."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from store.kit import FakeClock, Mailbox, ainema_policy, code_in, drain, status_in, with_right

PERSON = "hanako@example.jp"
Make = Callable[..., TestClient]


def submit(client: TestClient, mailbox: Mailbox, **body) -> str:
    """Submit; the status token arrives only in the email to the address."""
    response = client.post("/api/requests", json={"kind": "access", "email": PERSON} | body)
    assert response.status_code == 202, response.text
    assert response.json()["status_token"] is None
    return status_in(mailbox, body.get("email", PERSON))


def verified(client: TestClient, mailbox: Mailbox, **body) -> str:
    token = submit(client, mailbox, **body)
    code, _ = code_in(mailbox, PERSON)
    response = client.post(f"/api/status/{token}/verify", json={"code": code})
    assert response.status_code == 200, response.text
    return token


def test_submission_to_approval_through_the_api(make_client: Make, mailbox: Mailbox) -> None:
    client = make_client()
    token = verified(client, mailbox, language="ja")
    status = client.get(f"/api/status/{token}").json()
    assert status["state"] == "in_review"
    request_id = status["reference"]
    queue = client.get("/api/staff/requests?state=in_review", headers=client.staff["viewer"])
    assert [r["id"] for r in queue.json()] == [request_id]
    decided = client.post(
        f"/api/staff/requests/{request_id}/decision",
        json={"outcome": "approve"},
        headers=client.staff["handler"],
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["state"] == "executing"
    detail = client.get(f"/api/staff/requests/{request_id}", headers=client.staff["viewer"])
    actions = [entry["action"] for entry in detail.json()["history"]]
    assert actions[:2] == ["received", "transition"] and "approved" in actions
    audit = client.get("/api/staff/audit", headers=client.staff["admin"]).json()
    assert audit["ok"] and audit["entries"] >= 6


def test_the_same_answer_for_any_address(make_client: Make, mailbox: Mailbox) -> None:
    client = make_client()
    first = client.post("/api/requests", json={"kind": "access", "email": "member@example.jp"})
    second = client.post("/api/requests", json={"kind": "access", "email": "nobody@example.jp"})
    assert first.status_code == second.status_code == 202
    assert first.json()["message"] == second.json()["message"]
    assert first.json().keys() == second.json().keys()


def test_roles_on_a_need_to_know_basis(make_client: Make, mailbox: Mailbox) -> None:
    client = make_client()
    token = verified(client, mailbox)
    request_id = client.get(f"/api/status/{token}").json()["reference"]
    decide = f"/api/staff/requests/{request_id}/decision"
    assert client.post(decide, json={"outcome": "approve"}).status_code == 401
    forbidden = client.post(decide, json={"outcome": "approve"}, headers=client.staff["viewer"])
    assert forbidden.status_code == 403 and forbidden.json()["error"] == "forbidden"
    export = f"/api/staff/requests/{request_id}/export"
    assert client.get(export, headers=client.staff["viewer"]).status_code == 403
    new_user = {"username": "carol", "password": "a-long-password-1", "role": "handler"}
    users = "/api/staff/users"
    assert client.post(users, json=new_user, headers=client.staff["handler"]).status_code == 403
    assert client.post(users, json=new_user, headers=client.staff["admin"]).status_code == 201
    bad = client.post("/api/staff/login", json={"username": "carol", "password": "wrong"})
    assert bad.status_code == 401
    unknown = client.post("/api/staff/login", json={"username": "nobody", "password": "wrong"})
    assert unknown.json() == bad.json()
    login = client.post(
        "/api/staff/login", json={"username": "carol", "password": "a-long-password-1"}
    )
    assert login.status_code == 200
    assert client.post(decide, json={"outcome": "approve"}).status_code == 200
    client.post("/api/staff/logout")
    client.cookies.clear()
    assert client.get("/api/staff/requests").status_code == 401


def test_fee_and_denial_flow(make_client: Make, mailbox: Mailbox) -> None:
    policy = with_right(
        ainema_policy(),
        "access",
        fee={"kind": "fixed", "amount": 1000},
        refusal_grounds=[{"id": "business_impediment", "label": "Business impediment"}],
    )
    client = make_client(policy)
    token = verified(client, mailbox)
    status = client.get(f"/api/status/{token}").json()
    assert (status["state"], status["fee"]["amount"]) == ("awaiting_fee", 1000)
    base = f"/api/staff/requests/{status['reference']}"
    handler = client.staff["handler"]
    early = client.post(f"{base}/decision", json={"outcome": "approve"}, headers=handler)
    assert early.status_code == 409
    assert client.post(f"{base}/fee", json={"amount": 999}, headers=handler).status_code == 422
    assert client.post(f"{base}/fee", json={"waived": True}, headers=handler).status_code == 200
    no_ground = client.post(f"{base}/decision", json={"outcome": "deny"}, headers=handler)
    assert no_ground.status_code == 422 and "declared refusal ground" in no_ground.json()["message"]
    denied = client.post(
        f"{base}/decision",
        json={"outcome": "deny", "ground": "business_impediment"},
        headers=handler,
    )
    assert denied.json()["state"] == "denied"
    assert client.get(f"/api/status/{token}").json()["ground"] == "Business impediment"
    drain(client.app.state.workflow)  # type: ignore[attr-defined]
    assert "Business impediment" in Mailbox.body(mailbox.last(PERSON))


def test_extension_through_the_api(make_client: Make, mailbox: Mailbox) -> None:
    client = make_client(
        with_right(
            ainema_policy(), "erasure", deadline={"period": "2 weeks", "extension": "2 weeks"}
        )
    )
    token = verified(client, mailbox, kind="erasure")
    base = f"/api/staff/requests/{client.get(f'/api/status/{token}').json()['reference']}"
    handler = client.staff["handler"]
    too_long = client.post(
        f"{base}/extend", json={"period": "1 month", "reason": "x"}, headers=handler
    )
    assert too_long.status_code == 422
    bad = client.post(f"{base}/extend", json={"period": "soon", "reason": "x"}, headers=handler)
    assert bad.status_code == 422
    ok = client.post(
        f"{base}/extend", json={"period": "2 weeks", "reason": "backups"}, headers=handler
    )
    assert ok.status_code == 200 and ok.json()["extension_reason"] == "backups"


def test_bad_input_gets_json_errors(make_client: Make, mailbox: Mailbox, clock: FakeClock) -> None:
    client = make_client()
    cases = [
        (
            client.post(
                "/api/requests", content=b"{not json", headers={"content-type": "application/json"}
            ),
            422,
        ),
        (client.post("/api/requests", json={"kind": "access"}), 422),
        (client.post("/api/requests", json={"kind": "access", "email": PERSON, "x": 1}), 422),
        (client.post("/api/requests", json={"kind": "telepathy", "email": PERSON}), 422),
        (client.post("/api/requests", json={"kind": "access", "email": "nope"}), 422),
        (client.get("/api/status/abc.def"), 404),
        (client.post("/api/verify/guessed"), 404),
        (client.get("/api/download/abc.123.def"), 404),
    ]
    for response, status in cases:
        assert response.status_code == status, response.text
        assert set(response.json()) == {"error", "message"}
    token = submit(client, mailbox)
    bad_code = client.post(f"/api/status/{token}/verify", json={"code": "12ab"})
    assert bad_code.status_code == 422
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert client.get(f"/api/status/{tampered}").status_code == 404
    code, link = code_in(mailbox, PERSON)
    assert client.get(f"/api/verify/{link}").status_code == 405
    assert client.get(f"/api/status/{token}").json()["state"] == "verifying"
    assert client.post(f"/api/verify/{link}").status_code == 200
    reused = client.post(f"/api/verify/{link}")
    assert reused.status_code == 410 and reused.json()["error"] == "expired"
    again = client.post(f"/api/status/{token}/verify", json={"code": code})
    assert again.status_code == 409
    other = submit(client, mailbox, kind="erasure")
    other_code, _ = code_in(mailbox, PERSON)
    clock.advance(minutes=20)
    expired = client.post(f"/api/status/{other}/verify", json={"code": other_code})
    assert expired.status_code == 410


def test_documents_upload_and_staff_check(make_client: Make, mailbox: Mailbox) -> None:
    client = make_client(with_right(ainema_policy(), "access", verification=["id_document"]))
    token = verified(client, mailbox)
    files = {"file": ("id.png", b"\x89PNG scan", "image/png")}
    uploaded = client.post(
        f"/api/status/{token}/documents", data={"purpose": "id_document"}, files=files
    )
    assert uploaded.status_code == 201, uploaded.text
    bad = client.post(f"/api/status/{token}/documents", data={"purpose": "selfie"}, files=files)
    assert bad.status_code == 422
    request_id = client.get(f"/api/status/{token}").json()["reference"]
    document = f"/api/staff/requests/{request_id}/documents/{uploaded.json()['upload']}"
    assert client.get(document, headers=client.staff["viewer"]).status_code == 403
    assert client.get(document, headers=client.staff["handler"]).content == b"\x89PNG scan"
    checked = client.post(
        f"/api/staff/requests/{request_id}/identity",
        json={"approved": True, "note": "matches"},
        headers=client.staff["handler"],
    )
    assert checked.json()["state"] == "in_review"


def test_openapi_describes_the_api(make_client: Make) -> None:
    client = make_client()
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/requests",
        "/api/status/{token}/verify",
        "/api/staff/requests/{request_id}/decision",
    ):
        assert path in spec["paths"]
    decide = spec["paths"]["/api/staff/requests/{request_id}/decision"]["post"]
    assert {"403", "409", "422"} <= set(decide["responses"])
    assert "ErrorOut" in spec["components"]["schemas"]


def test_a_mail_outage_keeps_the_request_and_allows_a_new_code(
    make_client: Make, mailbox: Mailbox, smtp_server
) -> None:
    from store.kit import free_port

    from policykeeper.workflow.mail import SmtpMailer

    client = make_client()
    workflow = client.app.state.workflow  # type: ignore[attr-defined]
    working = workflow.mailer
    workflow.mailer = SmtpMailer("127.0.0.1", free_port(), "privacy@example.test")
    response = client.post("/api/requests", json={"kind": "access", "email": PERSON})
    assert response.status_code == 202 and "could not be sent" in response.json()["message"]
    token = response.json()["submission_token"]
    assert client.post(f"/api/submissions/{token}/code").status_code == 503
    workflow.mailer = working
    assert client.post(f"/api/submissions/{token}/code").status_code == 202
    code, _ = code_in(mailbox, PERSON)
    confirmed = client.post(f"/api/submissions/{token}/verify", json={"code": code})
    assert confirmed.json()["state"] == "confirmed"
    assert client.get(f"/api/status/{status_in(mailbox, PERSON)}").json()["state"] == "in_review"
