"""Third-party provision records: recorded through the API for a recipient declared as
third-party provision, disclosed in that person's access export, purged by the retention
sweep after three years (a hand-moved clock); refused for entrustment; receipts with the
Art. 30 confirmation items; recurring records.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from records_kit import copy_ainema, query
from store.kit import AUDIT_KEY, FakeClock, Mailbox, code_in, drain, status_in

from policykeeper.project import load_project
from policykeeper.records.provisions import list_provisions
from policykeeper.retention import retention_run
from policykeeper.workflow.audit import verify_chain
from policykeeper.workflow.staff import StaffMember

Make = Callable[..., TestClient]


def provision(user_id: int, **extra: object) -> dict[str, object]:
    return {
        "recipient": "lumen",
        "subjects": [f"user_id={user_id}"],
        "items": ["user.contact.email", "user.behavior.media_consumption"],
        "provided_at": "2026-04-30T10:00:00+09:00",
        **extra,
    }


def access_export(client: TestClient, mailbox: Mailbox, email: str) -> zipfile.ZipFile:
    """An access request through the API, approved and executed; the delivered ZIP."""
    submitted = client.post(
        "/api/requests", json={"kind": "access", "email": email, "language": "ja"}
    )
    assert submitted.status_code == 202
    token = status_in(mailbox, email)  # the status link goes only to the address
    code, _ = code_in(mailbox, email)
    assert client.post(f"/api/status/{token}/verify", json={"code": code}).status_code == 200
    request_id = client.get(f"/api/status/{token}").json()["reference"]
    handler = client.staff["handler"]  # type: ignore[attr-defined]
    decided = client.post(
        f"/api/staff/requests/{request_id}/decision", json={"outcome": "approve"}, headers=handler
    )
    assert decided.status_code == 200, decided.text
    executed = client.post(f"/api/staff/requests/{request_id}/execute", headers=handler)
    assert executed.json()["state"] == "completed", executed.text
    link = client.get(f"/api/staff/requests/{request_id}/export", headers=handler).json()["url"]
    download = client.get(link.removeprefix("http://localhost:8000"))
    assert download.status_code == 200
    return zipfile.ZipFile(io.BytesIO(download.content))


def test_a_provision_recorded_through_the_api_is_disclosed_then_purged_after_three_years(
    make_client: Make,
    mailbox: Mailbox,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project, url = copy_ainema(tmp_path, 20, monkeypatch, partner=True)
    client = make_client(project=project)
    staff = client.staff  # type: ignore[attr-defined]
    (email,) = query(url, "SELECT email FROM users WHERE id = 3")[0]
    (other,) = query(url, "SELECT email FROM users WHERE id = 4")[0]

    recorded = client.post("/api/staff/provisions", json=provision(3), headers=staff["handler"])
    assert recorded.status_code == 201, recorded.text
    record = recorded.json()
    assert record["counterparty_name"] == "Lumen Analytics, Inc." and record["basis"] == "consent"
    assert set(record["subjects"]) == {"user_id=3", f"email={email}"}
    assert record["beyond_declared"] == [] and record["keep"] == "3 years"
    assert datetime.fromisoformat(record["purge_after"]) == datetime(2029, 4, 30, 1, 0, tzinfo=UTC)
    assert (
        client.post("/api/staff/provisions", json=provision(3), headers=staff["viewer"]).status_code
        == 403
    )

    archive = access_export(client, mailbox, str(email))
    disclosed = json.loads(archive.read("provision_records.json"))
    assert disclosed == [
        {
            "direction": "provided",
            "date": "2026-04-30T01:00:00+00:00",
            "recipient": "Lumen Analytics, Inc.",
            "address": None,
            "representative": None,
            "items": [
                {
                    "key": "user.contact.email",
                    "label": {"ja": "メールアドレス", "en": "Email address"},
                },
                {
                    "key": "user.behavior.media_consumption",
                    "label": {
                        "ja": "視聴履歴（視聴したエピソード、視聴時間、再生位置）",
                        "en": "Viewing history (episodes watched, watch time, playback position)",
                    },
                },
            ],
            "basis": "consent",
            "kept_until": "2029-04-30T01:00:00+00:00",
        }
    ]
    assert "provision_records.json" not in access_export(client, mailbox, str(other)).namelist()

    flow = client.app.state.workflow  # type: ignore[attr-defined]
    # The retention run is another host of the same store: it needs the same audit key.
    state = project / ".policykeeper"
    state.mkdir(mode=0o700, exist_ok=True)
    (state / "audit.key").write_bytes(AUDIT_KEY)
    clock.now = datetime(2029, 4, 30, 0, 59, tzinfo=UTC)
    retention_run(load_project(project), clock.now, store_url=flow.store.url, actor="test")
    assert len(list_provisions(flow.store)) == 1  # not yet three years
    clock.advance(minutes=2)
    report = retention_run(load_project(project), clock.now, store_url=flow.store.url, actor="test")
    assert {s.rule: s.done for s in report.sweeps}["provision_records"] == 1
    assert list_provisions(flow.store) == []
    staff = client.app.state.staff  # type: ignore[attr-defined]
    client.staff = {  # type: ignore[attr-defined]  # API tokens expired in those three years
        a.username: {
            "Authorization": f"Bearer {staff.api_token(StaffMember(a.id, a.username, a.role))}"
        }
        for a in staff.accounts()
    }
    assert "provision_records.json" not in access_export(client, mailbox, str(email)).namelist()
    drain(flow)
    with flow.store.transaction() as session:
        assert verify_chain(session).ok


def test_only_third_party_provision_is_recorded_with_what_the_law_asks(
    make_client: Make, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    project, _url = copy_ainema(tmp_path, 5, monkeypatch, partner=True)
    client = make_client(project=project)
    handler = client.staff["handler"]  # type: ignore[attr-defined]

    def post(body: dict[str, object], path: str = "/api/staff/provisions") -> tuple[int, str]:
        answer = client.post(path, json=body, headers=handler)
        return answer.status_code, answer.json().get("message", "")

    assert post(provision(1, recipient="stripe")) == (
        422,
        "'stripe' receives data by entrustment (委託): APPI Art. 29 asks no provision record",
    )
    assert post(provision(1, recipient="nobody"))[1].startswith(
        "'nobody' is not a recipient in policy.yaml (recipients whose provisions are recorded: lumen)"
    )
    assert post(provision(1, basis="opt_out")) == (
        422,
        "a provision by opt-out records the recipient's address",
    )
    assert post(provision(1, subjects=["phone=0312345678"]))[1].startswith(
        "unknown identity kind 'phone'"
    )
    future = (clock() + timedelta(days=1)).isoformat()
    assert post(provision(1, provided_at=future))[0] == 422
    assert (
        post(provision(1, items=["user.nonsense.key"]))[1] == "unknown category 'user.nonsense.key'"
    )

    beyond = client.post(
        "/api/staff/provisions",
        json=provision(1, items=["user.device.ip_address"], contract_record=True),
        headers=handler,
    ).json()
    assert beyond["beyond_declared"] == ["user.device.ip_address"] and beyond["keep"] == "1 year"

    receipt = {
        "provider_name": "Data Broker K.K.",
        "provider_address": "東京都千代田区1-1",
        "provider_representative": "山田太郎",
        "acquisition": "自社サービスの会員から同意を得て取得",
        "subjects": ["email=New.Person@Example.JP"],
        "items": ["user.contact.email"],
        "received_at": "2026-04-01T09:00:00+09:00",
        "basis": "opt_out",
    }
    assert post(receipt, "/api/staff/provisions/received")[1].startswith(
        "data received by opt-out records that the Commission published"
    )
    received = client.post(
        "/api/staff/provisions/received", json={**receipt, "ppc_published": True}, headers=handler
    ).json()
    assert received["direction"] == "received" and received["subjects"] == [
        "email=New.Person@example.jp"
    ]

    recurring = client.post(
        "/api/staff/provisions", json=provision(2, recurring=True), headers=handler
    ).json()
    again = client.post(
        f"/api/staff/provisions/{recurring['id']}/recurrences",
        json={"at": "2026-04-30T22:00:00+09:00"},
        headers=handler,
    ).json()
    assert datetime.fromisoformat(again["purge_after"]) == datetime(2029, 4, 30, 13, 0, tzinfo=UTC)
    once = client.post(
        f"/api/staff/provisions/{beyond['id']}/recurrences",
        json={"at": "2026-04-30T22:00:00+09:00"},
        headers=handler,
    )
    assert once.status_code == 409
    listed = client.get(
        "/api/staff/provisions",
        params={"subject": "user_id=2"},
        headers=client.staff["viewer"],  # type: ignore[attr-defined]
    ).json()
    assert [r["id"] for r in listed] == [recurring["id"]]


def test_a_json_export_gets_the_records_under_their_own_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: object
) -> None:
    from policykeeper.records.provisions import NewProvision, record_provision
    from policykeeper.store.provision_export import with_provision_records

    project, _ = copy_ainema(tmp_path, 3, monkeypatch, partner=True)
    record_provision(
        load_project(project),
        store,  # type: ignore[arg-type]
        NewProvision.model_validate(provision(1, subjects=["user_id=1", "user_id=2"])),
        now=datetime(2026, 5, 1, tzinfo=UTC),
        actor="backend",
    )
    nobody = ("third_party_records-x.json", "application/json", b'{"found": false, "tables": {}}')
    _name, _kind, content = with_provision_records(store, ["user_id=2"], nobody)  # type: ignore[arg-type, misc]
    body = json.loads(content)
    assert body["found"] is False and len(body["provision_records"]) == 1
    assert "user_id=1" not in content.decode()  # the other person on the record stays private
    assert with_provision_records(store, ["user_id=3"], nobody) == nobody  # type: ignore[arg-type]
