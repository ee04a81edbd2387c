"""Evidence from PolicyKeeper's own records: retention rows past their period, requests against
the declared and the legal deadline, the audit chain, and recipients (not available yet)."""

from __future__ import annotations

import shutil
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from checks_kit import EXAMPLE, NOW, state_url
from store.kit import quick_settings

from policykeeper.checks.evidence import (
    audit_check,
    recipient_checks,
    request_checks,
    retention_checks,
)
from policykeeper.checks.text import phrases
from policykeeper.examples.generation import generate
from policykeeper.policy import load_policy
from policykeeper.project import load_project
from policykeeper.retention import add_hold, retention_run
from policykeeper.store import Store, default_url, migrate
from policykeeper.store.models import AuditEntry
from policykeeper.store.models import Request as RequestRow
from policykeeper.workflow import audit


def test_rows_past_their_period_fail_until_the_sweep_runs(tmp_path: Path) -> None:
    folder = tmp_path / "ainema"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns(".*", "*.sqlite3"))
    generate("ainema", f"sqlite:///{folder / 'ainema.sqlite3'}", 30, progress=False)
    project = load_project(folder)
    logs = {c.id: c for c in retention_checks(project, NOW)}["retention:access_logs:access_logs"]
    assert logs.status == "fail" and logs.facts["past_period"] > 0
    assert logs.facts["oldest_age_days"] > 365
    assert logs.tie.row == "rule:access_logs" and logs.tie.label["ja"] == "アクセスログ"
    retention_run(project, NOW, store_url=state_url(folder))
    after = {c.id: c for c in retention_checks(project, NOW)}
    assert after["retention:access_logs:access_logs"].status == "pass"
    assert after["retention:access_logs:access_logs"].facts["oldest_age_days"] <= 366
    assert after["retention:viewing_history"].kind == "retention.unswept"


def request(kind: str, received_days_ago: int, answered_after_days: int | None) -> RequestRow:
    received = NOW - timedelta(days=received_days_ago)
    return RequestRow(
        id=uuid.uuid4().hex,
        kind=kind,
        state="completed" if answered_after_days is not None else "in_review",
        email="a@example.test",
        identity_kind="email",
        identity_value="a@example.test",
        language="ja",
        jurisdictions=["appi"],
        details={},
        agent=None,
        received_at=received,
        due_at=received + timedelta(days=14),
        max_due_at=received + timedelta(days=14),
        closed_at=received + timedelta(days=answered_after_days)
        if answered_after_days is not None
        else None,
        fee_status="none",
    )


def test_requests_are_measured_against_both_deadlines(tmp_path: Path) -> None:
    url = state_url(tmp_path)
    migrate(url)
    store = Store(url)
    policy = load_policy(EXAMPLE)
    with store.transaction() as session:
        session.add_all(
            [
                request("access", 40, 3),
                request("access", 60, 10),
                request("access", 400, 90),  # older than twelve months: not counted
                request("erasure", 30, 20),  # past the declared two weeks and the APPI clock
                request("rectification", 2, None),  # open, due in twelve days
                request("restriction", 13, None),  # open, due tomorrow
            ]
        )
    checks = {c.subject: c for c in request_checks(policy, store, NOW, quick_settings())}
    assert checks["access"].status == "pass"
    access = checks["access"].facts
    assert (access["received"], access["answered"], access["within_declared"]) == (2, 2, 100.0)
    assert checks["erasure"].status == "fail" and checks["erasure"].facts["within_legal"] == 0.0
    assert checks["rectification"].status == "pass" and checks["rectification"].facts["open"] == 1
    assert checks["restriction"].status == "warn" and checks["restriction"].facts["at_risk"] == 1
    assert checks["portability"].facts["received"] == 0
    evidence = dict(phrases("ja").evidence(checks["access"]))  # the deadline, worded as a deadline
    assert evidence["記載の期限"] == "2週間" and "記載のカテゴリ" not in evidence
    assert checks["access"].tie.label["ja"] == "開示"
    store.dispose()


def test_an_edited_audit_entry_breaks_the_chain(tmp_path: Path) -> None:
    url = state_url(tmp_path)
    migrate(url)
    store = Store(url, audit_key=b"evidence-audit-key-0123456789")
    with store.transaction() as session:
        for index in range(3):
            audit.append(session, at=NOW, actor="test", action=f"step{index}")
    assert audit_check(store).status == "pass"
    with store.transaction() as session:
        session.execute(sa.update(AuditEntry).where(AuditEntry.seq == 2).values(actor="someone"))
    broken = audit_check(store)
    assert (broken.status, broken.facts["broken_at"]) == ("fail", 2)
    store.dispose()


def test_recipients_say_not_available_until_connectors_exist() -> None:
    policy = load_policy(EXAMPLE)
    checks = recipient_checks(policy, None)
    assert {c.subject for c in checks} == {r.id for r in policy.recipients}
    assert {c.status for c in checks} == {"unavailable"}
    covered = recipient_checks(
        policy, lambda r: {"by": "manual_task"} if r.id == "stripe" else None
    )
    assert {c.subject: c.status for c in covered}["stripe"] == "pass"
    assert {c.subject: c.status for c in covered}["aws"] == "fail"


def test_legal_holds_come_from_the_store_the_checks_were_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POLICYKEEPER_DATABASE_URL", raising=False)
    folder = tmp_path / "ainema"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns(".*", "*.sqlite3"))
    url = f"sqlite:///{folder / 'ainema.sqlite3'}"
    generate("ainema", url, 20, progress=False)
    project = load_project(folder)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        oldest = connection.exec_driver_sql(
            "SELECT id FROM access_logs ORDER BY created_at LIMIT 1"
        ).scalar_one()
    engine.dispose()
    add_hold(project, reason="litigation 2026-014", table="access_logs", key=[str(oldest)])
    key = "retention:access_logs:access_logs"
    with_hold = {c.id: c for c in retention_checks(project, NOW, default_url(folder))}[key]
    elsewhere = {c.id: c for c in retention_checks(project, NOW, state_url(tmp_path))}[key]
    assert with_hold.facts["held_by_legal_hold"] == 1
    assert elsewhere.facts["held_by_legal_hold"] == 0
    assert elsewhere.facts["past_period"] == with_hold.facts["past_period"] + 1
