"""Declared verification methods are enforced: where jasminai's declaration accepts no emailed
check (access needs an account login and further information), the code alone proves the
address, not the person, and the request waits for those steps, shown to the person and staff."""

from __future__ import annotations

from collections.abc import Callable

from security_kit import PASSWORD, Served, form_fields

Serve = Callable[..., Served]
PERSON = "member@example.eu"


def test_the_code_alone_does_not_reach_review_where_login_is_declared(serve: Serve) -> None:
    site = serve("jasminai", users=5)
    http = site.http()
    answer = http.post("/api/requests", json={"kind": "access", "email": PERSON})
    assert answer.status_code == 202, answer.text
    token = site.status_token(PERSON)
    verified = http.post(f"/api/status/{token}/verify", json={"code": site.code(PERSON)})
    assert verified.status_code == 200
    status = verified.json()
    assert status["state"] == "verifying"
    assert status["identity_checks"] == ["account_login", "additional_information"]
    page = http.get(f"/status/{token}", headers={"accept-language": "en"}).text
    assert 'data-check="account_login"' in page and 'data-check="additional_information"' in page
    assert 'value="additional_information"' in page  # the person can send it right there

    request_id = status["reference"]
    detail = http.get(f"/api/staff/requests/{request_id}", headers=site.staff("viewer")).json()
    assert detail["identity_checks"] == ["account_login", "additional_information"]
    assert detail["state"] == "verifying" and detail["email_verified_at"]
    nothing_to_decide = http.post(
        f"/api/staff/requests/{request_id}/decision",
        json={"outcome": "approve"},
        headers=site.staff("handler"),
    )
    assert nothing_to_decide.status_code == 409

    sent = http.post(
        f"/api/status/{token}/documents",
        data={"purpose": "additional_information"},
        files={"file": ("answer.txt", b"my member number is 42", "text/plain")},
    )
    assert sent.status_code == 201, sent.text
    checked = http.post(
        f"/api/staff/requests/{request_id}/identity",
        json={"approved": True, "note": "signed in from the account; answer matches"},
        headers=site.staff("handler"),
    )
    assert checked.status_code == 200 and checked.json()["state"] == "in_review"
    history = http.get(f"/api/staff/requests/{request_id}", headers=site.staff("viewer")).json()
    staff_check = [e for e in history["history"] if e["action"] == "documents_verified"]
    assert staff_check and "account_login" in staff_check[0]["data"]


def test_the_console_lists_the_missing_steps(serve: Serve) -> None:
    site = serve("jasminai", users=5)
    http = site.http()
    http.post("/api/requests", json={"kind": "access", "email": PERSON})
    token = site.status_token(PERSON)
    http.post(f"/api/status/{token}/verify", json={"code": site.code(PERSON)})
    request_id = token.split(".")[0]
    console = site.http(**{"accept-language": "en"})
    fields = form_fields(console.get("/admin/login").text)
    console.post("/admin/login", data={**fields, "username": "handler", "password": PASSWORD})
    page = console.get(f"/admin/requests/{request_id}").text
    assert 'data-check="account_login"' in page and 'data-check="additional_information"' in page
    assert f'action="/admin/requests/{request_id}/identity"' in page


def test_an_emailed_method_among_the_declared_ones_is_enough(serve: Serve) -> None:
    """AInema declares registered email *or* account information: the code suffices."""
    site = serve("ainema")
    http = site.http()
    http.post("/api/requests", json={"kind": "access", "email": "fan@example.jp"})
    token = site.status_token("fan@example.jp")
    verified = http.post(f"/api/status/{token}/verify", json={"code": site.code("fan@example.jp")})
    assert verified.json()["state"] == "in_review" and verified.json()["identity_checks"] == []
