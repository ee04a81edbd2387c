"""The append-only audit log: each entry hashes its content with the previous entry's hash.

Editing an entry breaks its own hash; inserting or deleting one breaks the sequence or the
next entry's link; truncating the tail disagrees with the head row that every append updates.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from policykeeper.store.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(
    seq: int, at: datetime, actor: str, action: str, request_id: str | None, data: str, prev: str
) -> str:
    body = canonical(
        {
            "seq": seq,
            "at": at.isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "request_id": request_id,
            "data": data,
            "prev": prev,
        }
    )
    return hashlib.sha256(body.encode()).hexdigest()


def append(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    request_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry inside the caller's transaction, so it commits with the change it records."""
    head = session.execute(
        sa.select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    text = canonical(data or {})
    at = at.astimezone(UTC)
    seq = head.seq + 1
    digest = entry_hash(seq, at, actor, action, request_id, text, head.hash)
    entry = AuditEntry(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        request_id=request_id,
        data=text,
        prev_hash=head.hash,
        hash=digest,
    )
    session.add(entry)
    head.seq, head.hash = seq, digest
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(session: Session) -> ChainReport:
    """Walk the chain from the start; report the first link that does not hold."""
    expected_seq, prev, count = 1, GENESIS, 0
    rows = session.execute(sa.select(AuditEntry).order_by(AuditEntry.seq)).scalars()
    for entry in rows.yield_per(500):
        if entry.seq != expected_seq:
            return ChainReport(count, expected_seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != prev:
            return ChainReport(
                count, entry.seq, f"entry {entry.seq} does not link to entry {entry.seq - 1}"
            )
        digest = entry_hash(
            entry.seq, entry.at, entry.actor, entry.action, entry.request_id, entry.data, prev
        )
        if digest != entry.hash:
            return ChainReport(count, entry.seq, f"entry {entry.seq} was altered")
        prev, expected_seq, count = entry.hash, expected_seq + 1, count + 1
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != count or head_hash != prev:
        return ChainReport(
            count, count + 1, f"the log ends at entry {count} but the head records {head_seq}"
        )
    return ChainReport(count, None, None)


def verify_store(url: str) -> ChainReport:
    """Migrate the store at `url`, then verify its whole audit chain."""
    from policykeeper.store import Store, migrate

    migrate(url)
    store = Store(url)
    try:
        with store.transaction() as session:
            return verify_chain(session)
    finally:
        store.dispose()
