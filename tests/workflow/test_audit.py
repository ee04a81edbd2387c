"""The audit chain verifies, and any edited, inserted or deleted entry is named."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from store.kit import AUDIT_KEY
from typer.testing import CliRunner

from policykeeper.cli import app
from policykeeper.store import Store
from policykeeper.store.models import AuditEntry, AuditHead
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
        # Even with the key, an inserted entry breaks the next link.
        forged_hash = audit.entry_hash(
            AUDIT_KEY, 2, START, "mallory", "approved", "r1", "{}", first.hash
        )
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


def test_cli_audit_verify(store: Store, tmp_path: Path) -> None:
    fill(store)
    key = tmp_path / "audit.key"
    key.write_bytes(AUDIT_KEY)
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify", "--db", store.url, "--key", str(key)])
    assert ok.exit_code == 0, ok.output
    with store.transaction() as session:
        session.execute(sa.update(AuditEntry).where(AuditEntry.seq == 4).values(actor="bob"))
    broken = runner.invoke(app, ["audit", "verify", "--db", store.url, "--key", str(key)])
    assert broken.exit_code == 1
    assert "audit log broken at entry 4: entry 4 was altered" in broken.output


def rechain_from(store: Store, seq: int, link) -> None:
    """What a database writer does to hide an edit: recompute every later link and the head."""
    with store.transaction() as session:
        entries = list(session.execute(sa.select(AuditEntry).order_by(AuditEntry.seq)).scalars())
        prev = entries[seq - 2].hash if seq > 1 else audit.GENESIS
        for entry in entries[seq - 1 :]:
            fields = (entry.seq, entry.at, entry.actor, entry.action, entry.request_id, entry.data)
            entry.prev_hash, entry.hash = prev, link(*fields, prev)
            prev = entry.hash
        session.execute(
            sa.update(AuditHead).where(AuditHead.id == 1).values(seq=len(entries), hash=prev)
        )


def test_a_rechained_log_is_caught_without_the_key(store: Store) -> None:
    """Edit an entry and recompute every later link as the unkeyed chain did: the keyed check
    names the edited entry."""
    fill(store)
    with store.transaction() as session:
        session.execute(
            sa.update(AuditEntry).where(AuditEntry.seq == 2).values(actor="staff:mallory")
        )
    rechain_from(store, 2, audit.legacy_hash)
    assert (check(store).broken_at, check(store).reason) == (2, "entry 2 was altered")
    other = b"a-key-the-writer-guessed-000000"
    rechain_from(store, 2, lambda *fields: audit.entry_hash(other, *fields))
    assert check(store).broken_at == 2


def test_another_key_cannot_write_or_verify(store: Store) -> None:
    fill(store, 2)
    stranger = Store(store.url, audit_key=b"another-hosts-key-0123456789abc")
    try:
        with pytest.raises(audit.AuditKeyError, match="another key"), stranger.transaction() as s:
            audit.append(s, at=START, actor="worker", action="executed")
        with stranger.transaction() as session:
            assert "another key" in (audit.verify_chain(session).reason or "")
    finally:
        stranger.dispose()
    with pytest.raises(audit.AuditKeyError, match="without the audit key"):
        keyless = Store(store.url)
        try:
            with keyless.transaction() as session:
                audit.append(session, at=START, actor="worker", action="executed")
        finally:
            keyless.dispose()
    assert check(store).ok and check(store).entries == 2


def test_a_saved_head_catches_a_truncated_log_with_a_rewritten_head(store: Store) -> None:
    fill(store)
    with store.transaction() as session:
        kept = audit.anchor(session, START)
        assert (kept.seq, kept.hash) == (5, session.get(AuditEntry, 5).hash)
    with store.transaction() as session:
        third = session.get(AuditEntry, 3)
        session.execute(sa.delete(AuditEntry).where(AuditEntry.seq > 3))
        session.execute(sa.update(AuditHead).values(seq=3, hash=third.hash))
    assert check(store).ok  # consistent in itself...
    with store.transaction() as session:
        problem = audit.check_anchor(session, kept)
    assert problem is not None and problem.broken_at == 5 and "gone" in (problem.reason or "")


def test_cli_audit_head_and_verify_against_it(store: Store, tmp_path: Path) -> None:
    fill(store)
    key = tmp_path / "audit.key"
    key.write_bytes(AUDIT_KEY)
    runner = CliRunner()
    saved = tmp_path / "head.json"
    head = runner.invoke(app, ["audit", "head", "--db", store.url, "--key", str(key)])
    assert head.exit_code == 0, head.output
    assert json.loads(head.stdout)["seq"] == 5
    runner.invoke(app, ["audit", "head", "--db", store.url, "--key", str(key), "-o", str(saved)])
    assert json.loads(saved.read_text())["hash"] == json.loads(head.stdout)["hash"]
    verify = ["audit", "verify", "--db", store.url, "--key", str(key), "--anchor", str(saved)]
    assert runner.invoke(app, verify).exit_code == 0
    with store.transaction() as session:
        session.execute(sa.update(AuditEntry).where(AuditEntry.seq == 5).values(actor="bob"))
    rechain_from(store, 5, lambda *fields: audit.entry_hash(AUDIT_KEY, *fields))
    broken = runner.invoke(app, verify)
    assert broken.exit_code == 1
    assert "entry 5 differs from the anchor" in broken.output
    missing = runner.invoke(app, ["audit", "verify", "--db", store.url, "--key", "/nonexistent"])
    assert missing.exit_code == 2 and "no audit key" in missing.output
    assert "Traceback" not in missing.output


LEGACY_ROWS = 4


def legacy_log(url: str, edit: bool = False) -> list[str]:
    """A store at the revision before the audit key, with a log chained by plain SHA-256."""
    from alembic import command

    from policykeeper.store.migrate import alembic_config

    command.upgrade(alembic_config(url), "0200")
    log = sa.table(
        "audit_log",
        *(sa.column(c) for c in ("seq", "at", "actor", "action", "request_id", "data")),
        sa.column("prev_hash"),
        sa.column("hash"),
    )
    head = sa.table("audit_head", sa.column("id"), sa.column("seq"), sa.column("hash"))
    engine = sa.create_engine(url)
    prev, hashes = audit.GENESIS, []
    with engine.begin() as connection:
        for seq in range(1, LEGACY_ROWS + 1):
            at = START + timedelta(minutes=seq)
            data = audit.canonical({"to": f"state{seq}"})
            digest = audit.legacy_hash(seq, at, "system", "transition", "r1", data, prev)
            stored = '{"to":"forged"}' if edit and seq == 2 else data
            connection.execute(
                log.insert().values(
                    seq=seq,
                    at=at.replace(tzinfo=None),
                    actor="system",
                    action="transition",
                    request_id="r1",
                    data=stored,
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest
            hashes.append(digest)
        connection.execute(head.insert().values(id=1, seq=LEGACY_ROWS, hash=prev))
    engine.dispose()
    return hashes


def test_an_old_log_is_rekeyed_on_request_with_its_old_head_recorded(state_url: str) -> None:
    from policykeeper.store import migrate

    hashes = legacy_log(state_url)
    migrate(state_url)
    upgraded = Store(state_url, audit_key=AUDIT_KEY)
    try:
        with upgraded.transaction() as session:
            report = audit.verify_chain(session)
        assert not report.ok and "not keyed" in (report.reason or "")
        with pytest.raises(audit.AuditKeyError, match="audit rekey"):
            audit.ensure_keyed(upgraded)  # never on start: only the operator re-keys
        assert audit.rekey(upgraded, START).ok
        fill(upgraded, 1)
        report = check(upgraded)
        assert report.ok and report.entries == LEGACY_ROWS + 2
        with upgraded.transaction() as session:
            marker = session.get(AuditEntry, LEGACY_ROWS + 1)
            assert marker.action == "audit_keyed"
            recorded = json.loads(marker.data)
            assert recorded["legacy_head"] == {"seq": LEGACY_ROWS, "hash": hashes[-1]}
            assert recorded["legacy_intact"] is True
            assert session.get(AuditEntry, 1).hash != hashes[0]
        audit.ensure_keyed(upgraded)
        with pytest.raises(audit.AuditKeyError, match="already keyed"):
            audit.rekey(upgraded, START)  # once only
        assert check(upgraded).entries == LEGACY_ROWS + 2
        # After the upgrade, the old unkeyed scheme no longer verifies anything.
        rechain_from(upgraded, 1, audit.legacy_hash)
        assert check(upgraded).broken_at == 1
    finally:
        upgraded.dispose()


def test_an_old_log_broken_before_the_upgrade_stays_reported(state_url: str) -> None:
    from policykeeper.store import migrate

    legacy_log(state_url, edit=True)
    migrate(state_url)
    upgraded = Store(state_url, audit_key=AUDIT_KEY)
    try:
        assert not audit.rekey(upgraded, START).ok
        report = check(upgraded)
    finally:
        upgraded.dispose()
    assert report.broken_at == LEGACY_ROWS + 1
    assert "before the audit key was broken at entry 2" in (report.reason or "")


def test_the_daily_digest_prints_the_audit_head(make_workflow, mailbox) -> None:
    from policykeeper.workflow.service import NewRequest

    workflow = make_workflow(staff_email="dpo@example.jp")
    workflow.submit(NewRequest(kind="access", email="a@example.jp"), "192.0.2.1")
    workflow.clock.advance(days=20)  # type: ignore[attr-defined]
    with workflow.store.transaction() as session:
        head = audit.anchor(session, START)
    assert workflow.remind()
    body = mailbox.body(mailbox.last("dpo@example.jp"))
    assert f"エントリ{head.seq}、{head.hash}" in body  # AInema writes in Japanese
