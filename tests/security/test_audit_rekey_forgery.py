"""A database writer cannot launder a rewritten audit log through the re-keying of old logs:
clearing the head's key mark and re-chaining with the old unkeyed scheme leaves `audit verify`
failing, no start or append re-keys it, and `audit rekey` refuses it against a saved head."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from security_kit import Served

from policykeeper.store.models import AuditEntry, AuditHead
from policykeeper.workflow import audit

Serve = Callable[..., Served]
CLI = str(Path(sys.executable).parent / "policykeeper")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120)


def forge_unkeyed(url: str) -> int:
    """Rewrite entry 1 and re-chain every entry with the unkeyed scheme, clearing the key mark,
    as someone who can write the database but lacks the key would."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            log = AuditEntry.__table__
            rows = connection.execute(sa.select(log).order_by("seq")).all()
            prev = audit.GENESIS
            for row in rows:
                data = '{"kind":"nothing"}' if row.seq == 1 else row.data
                digest = audit.legacy_hash(
                    row.seq, row.at, row.actor, row.action, row.request_id, data, prev
                )
                connection.execute(
                    sa.update(log)
                    .where(log.c.seq == row.seq)
                    .values(data=data, prev_hash=prev, hash=digest)
                )
                prev = digest
            connection.execute(
                sa.update(AuditHead.__table__).values(hash=prev, key_id=None, seq=len(rows))
            )
            return len(rows)
    finally:
        engine.dispose()


def test_clearing_the_key_mark_does_not_launder_a_rewrite(serve: Serve, state_store) -> None:
    site = serve(state_url=state_store)
    http = site.http()
    for n in range(3):
        http.post("/api/requests", json={"kind": "access", "email": f"p{n}@example.jp"})
    where = [str(site.project), "--db", site.state_url]
    saved = site.project / "head.json"
    assert cli("audit", "head", *where, "-o", str(saved)).returncode == 0
    entries = forge_unkeyed(site.state_url)

    # The server keeps running: its next entry must not silently re-key the forged chain.
    refused = http.post("/api/requests", json={"kind": "access", "email": "later@example.jp"})
    assert refused.status_code == 503 and "audit" not in refused.text  # nothing for the caller
    verify = cli("audit", "verify", *where)
    assert verify.returncode == 1, verify.stdout
    assert "not keyed" in verify.stderr and "Traceback" not in verify.stderr
    assert cli("audit", "verify", *where).returncode == 1  # verifying re-keys nothing either
    head = cli("audit", "head", *where)
    assert head.returncode != 0 and "not keyed" in head.stderr

    refused = cli("audit", "rekey", *where, "--anchor", str(saved))
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "differs from the anchor" in refused.stderr
    assert cli("audit", "verify", *where).returncode == 1
    engine = sa.create_engine(site.state_url)
    try:
        with engine.connect() as connection:
            seq, key = connection.execute(sa.select(AuditHead.seq, AuditHead.key_id)).one()
    finally:
        engine.dispose()
    assert (seq, key) == (entries, None)
