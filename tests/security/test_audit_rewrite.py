"""A database writer without the audit key cannot rewrite what a served instance recorded:
`policykeeper audit verify` names the entry, and a saved head catches a cut tail."""

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


def test_an_edited_and_rechained_log_is_named_by_audit_verify(serve: Serve, state_store) -> None:
    site = serve(state_url=state_store)
    http = site.http()
    for n in range(3):
        http.post("/api/requests", json={"kind": "access", "email": f"p{n}@example.jp"})
    where = [str(site.project), "--db", site.state_url]
    assert cli("audit", "verify", *where).returncode == 0
    saved = site.project / "head.json"
    assert cli("audit", "head", *where, "-o", str(saved)).returncode == 0

    engine = sa.create_engine(site.state_url)
    try:
        with engine.begin() as connection:
            rows = connection.execute(sa.select(AuditEntry.__table__).order_by("seq")).all()
            # Hide that request 1 was received: rewrite its entry, re-chain all after it.
            target = rows[0].seq
            prev = audit.GENESIS
            for row in rows:
                data = '{"kind":"nothing"}' if row.seq == target else row.data
                digest = audit.legacy_hash(
                    row.seq, row.at, row.actor, row.action, row.request_id, data, prev
                )
                connection.execute(
                    sa.update(AuditEntry.__table__)
                    .where(AuditEntry.__table__.c.seq == row.seq)
                    .values(data=data, prev_hash=prev, hash=digest)
                )
                prev = digest
            connection.execute(sa.update(AuditHead.__table__).values(hash=prev))
    finally:
        engine.dispose()
    broken = cli("audit", "verify", *where)
    assert broken.returncode == 1
    assert f"audit log broken at entry {target}: entry {target} was altered" in broken.stderr
    against = cli("audit", "verify", *where, "--anchor", str(saved))
    assert against.returncode == 1 and "Traceback" not in against.stderr
