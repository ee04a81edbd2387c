"""Inputs are bounded and well-formed everywhere: the form and the JSON API refuse the same
values with one rule, a 422 naming the problem, and nothing stored or sent."""

from __future__ import annotations

from collections.abc import Callable

from security_kit import Served, submit_form
from store.kit import with_right

Serve = Callable[..., Served]
BAD_ADDRESSES = [
    "a@example.jp, b@example.jp",
    "a@example.jp;b@example.jp",
    "Hanako <a@example.jp>",
    "a@example.jp\r\nBcc: everyone@example.jp",
    "a@example.jp\nb@example.jp",
    '"a b"@example.jp',
    "a@localhost",
    "a" * 250 + "@example.jp",
]


def test_one_address_per_email_field_on_the_form_and_the_api(serve: Serve) -> None:
    site = serve()
    site.workflow.policy = with_right(site.workflow.policy, "access", agents={"allowed": True})
    before, sent = site.requests(), len(site.mailbox.messages)
    for address in BAD_ADDRESSES:
        api = site.http().post("/api/requests", json={"kind": "access", "email": address})
        assert api.status_code == 422 and api.json()["message"].startswith("email:"), address
        form, _ = submit_form(site.http(**{"accept-language": "en"}), "access", address)
        assert form.status_code == 422 and "valid email address" in form.text, address
        agent = {"name": "A", "email": address}
        by_agent = site.http().post(
            "/api/requests", json={"kind": "access", "email": "ok@example.jp", "agent": agent}
        )
        assert by_agent.status_code == 422
        assert by_agent.json()["message"].startswith("agent.email:"), address
    assert site.requests() == before and len(site.mailbox.messages) == sent


def test_a_correction_names_only_the_fields_offered(serve: Serve) -> None:
    site = serve()
    http = site.http(**{"accept-language": "en"})
    before = site.requests()
    for field in ("users.password_hash", "users.id", "payouts.bank_account", "users.email "):
        details = {"changes": {field: "x"}}
        api = http.post(
            "/api/requests",
            json={"kind": "rectification", "email": "a@example.jp", "details": details},
        )
        assert api.status_code == 422 and "cannot be corrected" in api.json()["message"], field
        form, _ = submit_form(http, "rectification", "a@example.jp", field=field, value="x")
        assert form.status_code == 422, field
    ok = http.post(
        "/api/requests",
        json={
            "kind": "rectification",
            "email": "a@example.jp",
            "details": {"changes": {"users.display_name": "はなこ"}},
        },
    )
    assert ok.status_code == 202
    assert site.requests() == before + 1


def test_details_are_bounded_and_only_what_the_right_takes(serve: Serve) -> None:
    site = serve()
    http = site.http()
    before = site.requests()
    cases = [
        {"kind": "access", "details": {"note": "x"}},
        {"kind": "erasure", "details": {"ground": "boredom"}},
        {"kind": "objection", "details": {"purposes": ["no-such-purpose"]}},
        {"kind": "objection", "details": {"purposes": ["x"] * 500}},
        {"kind": "rectification", "details": {"changes": {"users.display_name": "x" * 5000}}},
        {"kind": "rectification", "details": {"changes": {"users.display_name": "a\x00b"}}},
        {"kind": "access", "agent": {"name": "Agent"}},  # AInema accepts no agents
        {"kind": "access", "agent": {"name": "A", "ssn": "123"}},
    ]
    for body in cases:
        response = http.post("/api/requests", json={"email": "a@example.jp"} | body)
        assert response.status_code == 422, (body, response.text)
        assert set(response.json()) == {"error", "message"}
    huge = {"kind": "access", "email": "a@example.jp", "details": {"x": "y" * 100_000}}
    too_large = http.post("/api/requests", json=huge)
    assert too_large.status_code == 413 and too_large.json()["error"] == "too_large"

    def chunks():
        yield b'{"kind": "access", "email": "a@example.jp", "details": {"x": "'
        for _ in range(200):
            yield b"y" * 1024
        yield b'"}}'

    streamed = http.post(
        "/api/requests", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    assert site.requests() == before


def test_uploads_are_bounded_in_size_and_count(serve: Serve) -> None:
    site = serve(upload_max_bytes=2048, uploads_per_request=2)
    site.workflow.policy = _with_documents(site.workflow.policy)
    http = site.http()
    http.post("/api/requests", json={"kind": "access", "email": "doc@example.jp"})
    token = site.status_token("doc@example.jp")
    http.post(f"/api/status/{token}/verify", json={"code": site.code("doc@example.jp")})

    def send(content: bytes) -> int:
        files = {"file": ("id.png", content, "image/png")}
        response = http.post(
            f"/api/status/{token}/documents", data={"purpose": "id_document"}, files=files
        )
        return response.status_code

    assert send(b"x" * 5000) in (413, 422)
    assert send(b"") == 422
    assert [send(b"scan"), send(b"scan")] == [201, 201]
    assert send(b"scan") == 422
    request_id = token.split(".")[0]
    detail = http.get(f"/api/staff/requests/{request_id}", headers=site.staff("viewer")).json()
    assert [e["action"] for e in detail["history"]].count("document_uploaded") == 2


def _with_documents(policy):
    return with_right(policy, "access", verification=["id_document"])
