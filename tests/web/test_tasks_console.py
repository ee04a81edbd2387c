"""The console's page of places left: staff read the ready-to-send message, record the
recipient's answer with evidence or waive with a reason, and the request then completes.
Only handlers and admins act; every form needs its CSRF token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from places_kit import Everywhere
from store.kit import FakeClock, drain, quick_settings
from web_kit import STAFF_PASSWORD, Sent, Site, form_fields, sign_in

from policykeeper.web.app import create_app
from policykeeper.workflow.service import NewRequest


@pytest.fixture
def console(everywhere: Everywhere, sqlite_state_url: str) -> Iterator[Site]:
    with served(everywhere, sqlite_state_url) as site:
        yield site


@contextmanager
def served(everywhere: Everywhere, sqlite_state_url: str) -> Iterator[Site]:
    clock = FakeClock(datetime(2026, 5, 1, 3, 0, tzinfo=UTC))
    mail = Sent()
    app = create_app(
        everywhere.directory,
        database_url=sqlite_state_url,
        mailer=mail,
        clock=clock,
        settings=quick_settings(base_url="http://testserver"),
        secret_key=b"tasks-test-secret-key-0123456789",
        run_worker=False,
    )
    for role in ("viewer", "handler"):
        app.state.staff.create(role, STAFF_PASSWORD, role)
    with TestClient(app):
        yield Site(app, mail, clock, everywhere.url)


def _waiting_request(console: Site, email: str) -> tuple[str, str]:
    flow = console.app.state.workflow
    submitted = flow.submit(NewRequest(kind="erasure", email=email, language="ja"), "192.0.2.9")
    flow.verify_code(submitted.status_token, console.mail.code(email), "192.0.2.9")
    flow.decide(submitted.request_id, "staff:handler", approve=True)
    drain(flow)
    assert flow.get(submitted.request_id).state == "partially_complete"
    return submitted.request_id, submitted.status_token


def test_staff_close_each_task_and_the_request_completes(
    console: Site, everywhere: Everywhere
) -> None:
    _user, email = everywhere.person()
    request_id, token = _waiting_request(console, email)
    status = console.client().get(f"/status/{token}?lang=ja").text
    assert "現在お待ちしている対応" in status
    assert (
        "株式会社デジタルフィンテック（デジコ）：提供先に対応を依頼し、回答をお待ちしています"
        in status
    )
    handler = sign_in(console, "handler")
    listing = handler.get(f"/admin/requests/{request_id}/tasks")
    assert listing.status_code == 200
    assert "個人情報の削除のご依頼" in listing.text and "privacy@digico.example" in listing.text
    assert email in listing.text, "the message names the person to the recipient"
    assert (
        f'href="/admin/requests/{request_id}/tasks"'
        in handler.get(f"/admin/requests/{request_id}").text
    )
    forms = re.findall(r'action="(/admin/requests/[^"]+/close)"', listing.text)
    csrf = form_fields(listing.text)["csrf"]

    viewer = sign_in(console, "viewer")
    refused = viewer.post(
        forms[0],
        data={
            "csrf": form_fields(viewer.get("/admin/requests").text)["csrf"],
            "outcome": "done",
            "text": "x",
        },
    )
    assert refused.status_code == 403
    assert handler.post(forms[0], data={"outcome": "done", "text": "x"}).status_code == 403

    for index, action in enumerate(forms):
        response = handler.post(
            action,
            data={
                "csrf": csrf,
                "outcome": "done" if index == 0 else "waive",
                "text": "confirmed by reply",
            },
            files={"file": ("reply.eml", b"From: dpo@digico.example\n\nDone.", "message/rfc822")},
        )
        assert response.status_code == 303, response.text
    assert console.app.state.workflow.get(request_id).state == "completed"

    closed = handler.get(f"/admin/requests/{request_id}/tasks").text
    evidence = re.findall(r'href="(/admin/requests/[^"]+/evidence/[^"]+)"', closed)
    assert evidence
    download = handler.get(evidence[0])
    assert download.status_code == 200 and download.content.startswith(b"From: dpo@digico")
    assert viewer.get(evidence[0]).status_code == 403
    again = handler.post(forms[0], data={"csrf": csrf, "outcome": "done", "text": "twice"})
    assert again.status_code == 409


def test_the_message_to_a_recipient_names_the_operator_as_declared(
    everywhere: Everywhere, sqlite_state_url: str
) -> None:
    """An association's request to its processor says 当法人 where the default says 当社, and
    does not presume the processor is a company (貴社): the policy does not say what it is."""
    policy = everywhere.directory / "policy.yaml"
    policy.write_text(policy.read_text("utf-8") + "self_reference: 当法人\n", "utf-8")
    with served(everywhere, sqlite_state_url) as site:
        _user, email = everywhere.person()
        request_id, _token = _waiting_request(site, email)
        listing = sign_in(site, "handler").get(f"/admin/requests/{request_id}/tasks").text
    assert "当法人が業務の委託に伴い提供いたしました個人情報について" in listing
    assert "当社" not in listing
    assert "貴社" not in listing
