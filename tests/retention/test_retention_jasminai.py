"""jasminai's periods: guests 15 days, chats and logs 120 days after last activity, payments
10 years, former usernames blocked 5 years, inactive accounts deleted after a year with an
email notice first (over real SMTP), backups declared but not executed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from jasminai_kit import build, write_project
from retention_kit import EXAMPLES, NOW, execute, naive, rows, scalar
from store.kit import Mailbox

from policykeeper.datamap.connections import expand
from policykeeper.engine.masking import keyed_hash
from policykeeper.engine.runtime import release
from policykeeper.policy.types import Duration
from policykeeper.project import Project, load_project
from policykeeper.retention import retention_plan, retention_run
from policykeeper.retention.store import open_store
from policykeeper.review import validate_project
from policykeeper.store.models import Request, Upload
from policykeeper.workflow.mail import SmtpMailer

DAY = timedelta(days=1)


@pytest.fixture
def jasminai(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Project]:
    build(database_url, naive(NOW))
    monkeypatch.setenv("JASMINAI_DATABASE_URL", database_url)
    monkeypatch.delenv("POLICYKEEPER_DATABASE_URL", raising=False)
    directory = write_project(tmp_path / "jasminai", EXAMPLES)
    assert validate_project(directory) == []
    project = load_project(directory)
    yield project
    release(project)


def uploads(project: Project, ages: list[int]) -> list[str]:
    """Identity documents sent with a request `ages` days before the fake clock."""
    store = open_store(project)
    try:
        with store.transaction() as session:
            session.add(
                Request(
                    id="r1",
                    kind="erasure",
                    state="verifying",
                    email="a@example.test",
                    identity_kind="email",
                    identity_value="a@example.test",
                    language="en",
                    jurisdictions=["gdpr"],
                    details={},
                    received_at=NOW,
                    due_at=NOW,
                    max_due_at=NOW,
                )
            )
            session.flush()
            for index, age in enumerate(ages):
                session.add(
                    Upload(
                        id=f"u{index}",
                        request_id="r1",
                        purpose="id_document",
                        filename="id.png",
                        content_type="image/png",
                        size=3,
                        content=b"img",
                        uploaded_at=NOW - age * DAY,
                        delete_after=NOW + 30 * DAY,
                    )
                )
        return [f"u{index}" for index in range(len(ages))]
    finally:
        store.dispose()


def purged(project: Project) -> set[str]:
    store = open_store(project)
    try:
        with store.transaction() as session:
            found = session.execute(sa.select(Upload.id).where(Upload.purged_at.is_not(None)))
            return set(found.scalars())
    finally:
        store.dispose()


def usernames(url: str) -> list[str]:
    return [r[0] for r in rows(url, "SELECT username FROM users ORDER BY id")]


def test_every_declared_period(
    jasminai: Project, database_url: str, mailer: SmtpMailer, mailbox: Mailbox
) -> None:
    url = database_url
    plan = retention_plan(jasminai, NOW).to_json()
    how = {item["rule"]: item["how"] for item in plan["not_swept"]}
    assert how["backups"].startswith("declared, not executed here")
    assert how["member_account"].startswith("enforced by account erasure")
    assert how["identity_verification"].startswith("enforced on PolicyKeeper's own store")
    assert how["fraud_records"].startswith("no period")

    old_proof, _fresh = uploads(jasminai, [6, 1])
    first = retention_run(jasminai, NOW, mailer=mailer).to_json()

    assert purged(jasminai) == {old_proof}, "identity proofs: 5 days"

    assert sorted(m["To"] for m in mailbox.messages) == [
        "alice@example.test",
        "bob@example.test",
        "dave@example.test",
    ], "warned: a year inactive, or within the 30-day notice period"
    assert "will be deleted on" in mailbox.messages[0]["Subject"]
    assert first["totals"]["notices_sent"] == 3
    assert usernames(url)[:4] == ["alice", "bob", "carol", "dave"], "no account goes unwarned"
    assert "guest-5" not in usernames(url) and "guest-6" in usernames(url), "guests: 15 days"
    assert scalar(url, "SELECT count(*) FROM chats") == 1, "a chat idle 130 days goes"
    assert scalar(url, "SELECT count(*) FROM messages") == 3, "its messages go with it"
    assert [r[0] for r in rows(url, "SELECT id FROM device_logs")] == [2]
    assert scalar(url, "SELECT count(*) FROM payments WHERE id = 2") == 0, "10 years passed"

    again = retention_run(jasminai, NOW, mailer=mailer).to_json()
    assert again["totals"]["notices_sent"] == 0 and len(mailbox.messages) == 3, "sent once"

    execute(url, "UPDATE users SET last_activity_at = :t WHERE id = 4", t=naive(NOW + 10 * DAY))
    later = NOW + 31 * DAY
    report = retention_run(jasminai, later, mailer=mailer).to_json()

    assert report["totals"]["accounts_erased"] == 3, "alice, bob, and guest-6 (34 days)"
    left = usernames(url)
    assert "carol" in left and "dave" in left, "active again: dave stays"
    assert not {"alice", "bob", "guest-6"} & set(left)
    assert scalar(url, "SELECT count(*) FROM payments WHERE user_id = 1") == 1, "kept 10 years"
    assert rows(url, "SELECT card_last4, billing_name FROM payments WHERE user_id = 1") == [
        ("4242", "Alice A")
    ], "held financial records keep what the law needs"
    key = expand("${JASMINAI_HASH_KEY:-jasminai-demo-hash-key}", "hash_key")
    blocked = {r[0] for r in rows(url, "SELECT username_hash FROM username_blocklist")}
    assert {keyed_hash(key, n, 80) for n in ("alice", "alice_old", "bob")} <= blocked
    assert not any("alice" in b for b in blocked), "hashed, never the name itself"

    five_years = later.replace(year=later.year + 5) + DAY
    retention_run(jasminai, five_years, mailer=mailer, notice=Duration(30, "day"))
    assert scalar(url, "SELECT count(*) FROM username_blocklist") == 0, "blocked for 5 years"


def test_unreachable_mail_server_sends_nothing_and_deletes_no_one(
    jasminai: Project, database_url: str
) -> None:
    from store.kit import free_port

    mailer = SmtpMailer("127.0.0.1", free_port(), "privacy@example.test", timeout=2)
    report = retention_run(jasminai, NOW + 400 * DAY, mailer=mailer).to_json()
    assert any("could not send deletion notices" in p for p in report["problems"])
    assert report["totals"]["notices_sent"] == 0
    assert {"alice", "bob", "carol", "dave"} <= set(usernames(database_url))
