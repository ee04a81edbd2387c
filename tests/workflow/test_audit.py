"""The audit chain verifies, and any edited, inserted or deleted entry is named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from typer.testing import CliRunner

from policykeeper.cli import app
from policykeeper.store import Store
from policykeeper.store.models import AuditEntry
from policykeeper.workflow import audit

START = datetime(2026, 5, 1, tzinfo=UTC)


def fill(store: Store, count: int = 5) -> None:
    for i in range(count):
        with store.transaction() as session:
            audit.append(
                session,
                at=START + timedelta(minutes=i),
                actor="staff:alice",
                action="transition",
                request_id="r1",
                data={"to": f"state{i}", "note": "日本語"},
            )


def check(store: Store) -> audit.ChainReport:
    with store.transaction() as session:
        return audit.verify_chain(session)


def test_an_intact_chain_verifies(store: Store) -> None:
    assert check(store).ok and check(store).entries == 0
    fill(store)
    report = check(store)
    assert report.ok and report.entries == 5


def test_an_edited_entry_is_named(store: Store) -> None:
    fill(store)
    with store.transaction() as session:
        session.execute(
            sa.update(AuditEntry).where(AuditEntry.seq == 3).values(data='{"to":"completed"}')
        )
    report = check(store)
    assert (report.broken_at, report.reason) == (3, "entry 3 was altered")


def test_a_deleted_entry_is_named(store: Store) -> None:
    fill(store)
    with store.transaction() as session:
        session.execute(sa.delete(AuditEntry).where(AuditEntry.seq == 2))
    report = check(store)
    assert (report.broken_at, report.reason) == (2, "entry 2 is missing")


def test_a_deleted_tail_is_noticed(store: Store) -> None:
    fill(store)
    with store.transaction() as session:
        session.execute(sa.delete(AuditEntry).where(AuditEntry.seq == 5))
    assert check(store).broken_at == 5


def test_an_inserted_entry_is_named(store: Store) -> None:
    fill(store, 3)
    with store.transaction() as session:
        session.execute(
            sa.update(AuditEntry).where(AuditEntry.seq >= 2).values(seq=AuditEntry.seq + 10)
        )
    with store.transaction() as session:
        session.execute(
            sa.update(AuditEntry).where(AuditEntry.seq >= 12).values(seq=AuditEntry.seq - 9)
        )
        first = session.get(AuditEntry, 1)
        assert first is not None
        forged_hash = audit.entry_hash(2, START, "mallory", "approved", "r1", "{}", first.hash)
        session.add(
            AuditEntry(
                seq=2,
                at=START,
                actor="mallory",
                action="approved",
                request_id="r1",
                data="{}",
                prev_hash=first.hash,
                hash=forged_hash,
            )
        )
    report = check(store)
    assert report.broken_at == 3
    assert report.reason == "entry 3 does not link to entry 2"


def test_cli_audit_verify(store: Store) -> None:
    fill(store)
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify", "--db", store.url])
    assert ok.exit_code == 0, ok.output
    with store.transaction() as session:
        session.execute(sa.update(AuditEntry).where(AuditEntry.seq == 4).values(actor="bob"))
    broken = runner.invoke(app, ["audit", "verify", "--db", store.url])
    assert broken.exit_code == 1
    assert "audit log broken at entry 4: entry 4 was altered" in broken.output
