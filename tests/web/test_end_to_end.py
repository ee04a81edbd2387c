"""Every right from submission to completion through the API alone, executed by the real engine
on the AInema example database, with the emails read from a real SMTP server."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from store.kit import AINEMA, FakeClock, Mailbox, code_in, drain, status_in, with_right

from policykeeper.examples.generation import generate

Make = Callable[..., TestClient]


@pytest.fixture
def ainema_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """A copy of the AInema project over a freshly generated service database."""
    project = tmp_path / "ainema"
    shutil.copytree(AINEMA, project, ignore=shutil.ignore_patterns("*.sqlite3", ".policykeeper"))
    url = f"sqlite:///{tmp_path / 'service.sqlite3'}"
    generate("ainema", url, 30, progress=False)
    monkeypatch.setenv("AINEMA_DATABASE_URL", url)
    return project, url


def person(url: str, user_id: int = 2) -> dict[str, object]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        row = connection.execute(
            sa.text("SELECT email, display_name, processing_restricted FROM users WHERE id = :id"),
            {"id": user_id},
        ).one()
    engine.dispose()
    return dict(row._mapping)


def run_to_completion(client: TestClient, mailbox: Mailbox, email: str, **body: object) -> dict:
    submitted = client.post("/api/requests", json={"email": email} | body)
    assert submitted.status_code == 202, submitted.text
    token = status_in(mailbox, email)
    code, _ = code_in(mailbox, email)
    assert client.post(f"/api/status/{token}/verify", json={"code": code}).status_code == 200
    request_id = client.get(f"/api/status/{token}").json()["reference"]
    handler = client.staff["handler"]
    approved = client.post(
        f"/api/staff/requests/{request_id}/decision", json={"outcome": "approve"}, headers=handler
    )
    assert approved.status_code == 200, approved.text
    executed = client.post(f"/api/staff/requests/{request_id}/execute", headers=handler)
    assert executed.status_code == 200, executed.text
    assert executed.json()["state"] == "completed", executed.json()
    drain(client.app.state.workflow)  # type: ignore[attr-defined]
    audit = client.get("/api/staff/audit", headers=client.staff["admin"]).json()
    assert audit["ok"], audit
    return executed.json()


def test_access_delivers_the_export_by_an_expiring_link(
    make_client: Make, mailbox: Mailbox, ainema_copy: tuple[Path, str], clock: FakeClock
) -> None:
    project, url = ainema_copy
    me = person(url)
    client = make_client(project=project)
    run_to_completion(client, mailbox, str(me["email"]), kind="access", language="ja")
    completed = mailbox.last(str(me["email"]))
    assert "完了" in str(completed["Subject"])
    link = re.search(r"/download/(\S+)", Mailbox.body(completed))
    assert link
    download = client.get(f"/api/download/{link.group(1)}")
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    assert str(me["email"]) in archive.read("users.csv").decode("utf-8-sig")
    tampered = client.get(f"/api/download/{link.group(1)[:-2]}xx")
    assert tampered.status_code == 404
    clock.advance(days=7, seconds=1)
    expired = client.get(f"/api/download/{link.group(1)}")
    assert expired.status_code == 410
    assert client.app.state.workflow.purge_exports() == 1  # type: ignore[attr-defined]
    request_id = client.get("/api/staff/requests", headers=client.staff["viewer"]).json()[0]["id"]
    gone = client.get(f"/api/staff/requests/{request_id}/export", headers=client.staff["handler"])
    assert gone.status_code == 404


def test_partial_disclosure_withholds_history(
    make_client: Make, mailbox: Mailbox, ainema_copy: tuple[Path, str]
) -> None:
    project, url = ainema_copy
    me = person(url)
    client = make_client(project=project)
    email = str(me["email"])
    client.post("/api/requests", json={"email": email, "kind": "portability"})
    token = status_in(mailbox, email)
    client.post(f"/api/status/{token}/verify", json={"code": code_in(mailbox, email)[0]})
    request_id = client.get(f"/api/status/{token}").json()["reference"]
    handler = client.staff["handler"]
    client.post(
        f"/api/staff/requests/{request_id}/decision",
        json={"outcome": "approve", "withhold": ["user.behavior"]},
        headers=handler,
    )
    done = client.post(f"/api/staff/requests/{request_id}/execute", headers=handler).json()
    assert done["state"] == "completed"
    link = client.get(f"/api/staff/requests/{request_id}/export", headers=handler).json()["url"]
    exported = client.get(link.split("http://localhost:8000", 1)[1]).json()
    assert not [key for key in exported["categories"] if key.startswith("user.behavior")]
    assert email in str(exported["tables"]["users"])


@pytest.mark.parametrize(
    ("kind", "details"),
    [
        ("rectification", {"changes": {"users.display_name": "山田 花子"}}),
        ("erasure", {}),
        ("restriction", {}),
        ("objection", {"purposes": ["recommendations"]}),
    ],
)
def test_each_right_changes_the_service_data(
    make_client: Make,
    mailbox: Mailbox,
    ainema_copy: tuple[Path, str],
    kind: str,
    details: dict[str, object],
) -> None:
    project, url = ainema_copy
    me = person(url)
    client = make_client(project=project)
    if kind == "objection":
        client.app.state.workflow.policy = with_right(  # type: ignore[attr-defined]
            client.app.state.workflow.policy,  # type: ignore[attr-defined]
            "objection",
            verification=["email_code"],
        )
    email = str(me["email"])
    result = run_to_completion(client, mailbox, email, kind=kind, details=details)
    after = person(url)
    if kind == "rectification":
        assert after["display_name"] == "山田 花子"
    elif kind == "erasure":
        assert after["email"] != email and result["result"]["erasure"]
    else:
        assert after["processing_restricted"]
    if kind == "objection":
        assert result["result"]["objection"] == {"purposes": ["recommendations"]}
    assert "complete" in str(mailbox.last(email)["Subject"])


def test_a_failed_execution_returns_to_review(
    make_client: Make, mailbox: Mailbox, ainema_copy: tuple[Path, str]
) -> None:
    project, url = ainema_copy
    email = str(person(url)["email"])
    client = make_client(project=project)
    details = {"changes": {"users.display_name": "x"}}
    submitted = client.post(
        "/api/requests", json={"email": email, "kind": "rectification", "details": details}
    )
    assert submitted.status_code == 202, submitted.text
    token = status_in(mailbox, email)
    client.post(f"/api/status/{token}/verify", json={"code": code_in(mailbox, email)[0]})
    # The service's schema changes under the data map: the engine refuses to run.
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE users RENAME COLUMN display_name TO screen_name")
    engine.dispose()
    request_id = client.get(f"/api/status/{token}").json()["reference"]
    handler = client.staff["handler"]
    client.post(
        f"/api/staff/requests/{request_id}/decision", json={"outcome": "approve"}, headers=handler
    )
    after = client.post(f"/api/staff/requests/{request_id}/execute", headers=handler).json()
    assert after["state"] == "in_review"
    detail = client.get(f"/api/staff/requests/{request_id}", headers=handler).json()
    failure = [e for e in detail["history"] if e["action"] == "execution_failed"]
    assert failure and "display_name" in failure[0]["data"]
    again = client.post(f"/api/staff/requests/{request_id}/execute", headers=handler)
    assert again.status_code == 409
