"""The append-only audit log: each entry is an HMAC of its content and the previous entry's
hash, keyed with a secret kept outside the state database.

Someone who can write the database but lacks the key cannot edit, insert, delete or re-chain
entries without `verify_chain` noticing: every recomputed link needs the key. Truncating the
tail is caught by the head row every append updates and, against a writer who rewrites the
head too, by an exported head (`anchor`): the daily digest prints it and
`policykeeper audit head` writes it to a file kept elsewhere.

Logs written before the key existed (plain SHA-256 links) are re-keyed only when the operator
asks (`policykeeper audit rekey`), never on open: a database writer can forge an unkeyed chain
and clear the head's key mark, so an automatic re-key would launder any rewrite. Re-keying
checks the old chain (and any saved heads), recomputes every link with the key, and an
`audit_keyed` entry records how many entries there were, the old head hash (so an anchor
exported before the upgrade can still be checked) and whether the old chain was intact.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from policykeeper.errors import AuditKeyError, InputError
from policykeeper.store.database import AUDIT_KEY, Store, private_dir
from policykeeper.store.models import AuditEntry, AuditHead

GENESIS = "0" * 64
KEY_FILE = "audit.key"
KEYED = "audit_keyed"
"""The entry that marks where a log written before the key was re-keyed."""


def load_audit_key(state_dir: Path) -> bytes:
    """The key in `state_dir/audit.key`, created once (random, owner-only) when missing."""
    path = state_dir / KEY_FILE
    if not path.exists():
        private_dir(state_dir)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
    return read_audit_key(path)


def read_audit_key(path: Path) -> bytes:
    """An audit key kept in a file (the whole file, trimmed)."""
    try:
        key = path.read_text().strip().encode()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the audit key ({exc.strerror})") from None
    if len(key) < 16:
        raise InputError(f"{path}: an audit key needs at least 16 characters")
    return key


def key_id(key: bytes) -> str:
    """Names the key without revealing it, so a host with another key refuses to write."""
    return hmac.new(key, b"policykeeper audit key id", hashlib.sha256).hexdigest()[:16]


def canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _body(
    seq: int, at: datetime, actor: str, action: str, request_id: str | None, data: str, prev: str
) -> bytes:
    return canonical(
        {
            "seq": seq,
            "at": at.isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "request_id": request_id,
            "data": data,
            "prev": prev,
        }
    ).encode()


def entry_hash(
    key: bytes,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    request_id: str | None,
    data: str,
    prev: str,
) -> str:
    """The keyed link: HMAC-SHA256 over the entry's content and the previous hash."""
    body = _body(seq, at, actor, action, request_id, data, prev)
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def legacy_hash(
    seq: int, at: datetime, actor: str, action: str, request_id: str | None, data: str, prev: str
) -> str:
    """The unkeyed link of logs written before the audit key (checked once, when re-keying)."""
    return hashlib.sha256(_body(seq, at, actor, action, request_id, data, prev)).hexdigest()


def session_key(session: Session) -> bytes:
    key = session.info.get(AUDIT_KEY)
    if not key:
        raise AuditKeyError("the state store was opened without the audit key")
    return bytes(key)


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
    key = session_key(session)
    head = _keyed_head(session, key)
    return _add(session, head, key, at, actor, action, request_id, canonical(data or {}))


def _add(
    session: Session,
    head: AuditHead,
    key: bytes,
    at: datetime,
    actor: str,
    action: str,
    request_id: str | None,
    text: str,
) -> AuditEntry:
    at = at.astimezone(UTC)
    seq = head.seq + 1
    digest = entry_hash(key, seq, at, actor, action, request_id, text, head.hash)
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


NOT_KEYED = (
    "the audit log is not keyed: it was written before the audit key, or someone cleared its "
    "key mark; check it, then run `policykeeper audit rekey` (with --anchor FILE if you kept one)"
)


def _keyed_head(session: Session, key: bytes) -> AuditHead:
    """The locked head of a keyed log (a new log is keyed at once); refuses another key, and
    an unkeyed log with entries, which only `rekey` may move onto the key."""
    head = session.execute(
        sa.select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        if session.execute(sa.select(AuditEntry.seq).limit(1)).first() is not None:
            raise AuditKeyError(f"{NOT_KEYED} (its head is missing)")
        head = AuditHead(id=1, seq=0, hash=GENESIS, key_id=key_id(key))
        session.add(head)
        session.flush()
    elif head.key_id is None:
        if head.seq or session.execute(sa.select(AuditEntry.seq).limit(1)).first() is not None:
            raise AuditKeyError(NOT_KEYED)
        head.key_id = key_id(key)
        session.flush()
    elif head.key_id != key_id(key):
        raise AuditKeyError(
            f"the audit log was written with another key (id {head.key_id}, this one is "
            f"{key_id(key)}): give every host the same audit key"
        )
    return head


def _rekey(
    session: Session, head: AuditHead, key: bytes, now: datetime, anchors: list[Anchor]
) -> ChainReport:
    """Move a log written before the key onto it, recording the old head as its anchor.

    Refuses a log that was keyed before (it holds an `audit_keyed` entry: someone cleared the
    key mark) and one that no longer holds a saved head."""
    keyed_before = session.execute(
        sa.select(AuditEntry.seq).where(AuditEntry.action == KEYED).limit(1)
    ).scalar_one_or_none()
    if keyed_before is not None:
        raise AuditKeyError(
            f"the audit log was already keyed (entry {keyed_before}) and its key mark was "
            "cleared: it was rewritten by someone without the key, so it is not re-keyed"
        )
    for kept in anchors:
        problem = check_anchor(session, kept)
        if problem is not None:
            raise AuditKeyError(f"not re-keyed: {problem.reason}")
    legacy = _walk(session, None)
    prev, count = GENESIS, 0
    rows = session.execute(sa.select(AuditEntry).order_by(AuditEntry.seq)).scalars()
    for entry in rows:
        entry.prev_hash = prev
        entry.hash = entry_hash(
            key, entry.seq, entry.at, entry.actor, entry.action, entry.request_id, entry.data, prev
        )
        prev, count = entry.hash, count + 1
    old_head = head.hash
    head.seq, head.hash, head.key_id = count, prev, key_id(key)
    session.flush()
    record = {
        "rekeyed_entries": count,
        "legacy_head": {"seq": legacy.entries, "hash": old_head},
        "legacy_intact": legacy.ok,
    }
    if not legacy.ok:
        record["legacy_broken_at"] = legacy.broken_at
        record["legacy_reason"] = legacy.reason
    _add(session, head, key, now, "system", KEYED, None, canonical(record))
    return legacy


def ensure_keyed(store: Store) -> None:
    """Key a new log now rather than at its next entry; refuse an unkeyed or foreign one."""
    with store.transaction() as session:
        _keyed_head(session, session_key(session))


def rekey(store: Store, now: datetime, anchors: list[Anchor] | None = None) -> ChainReport:
    """The operator's explicit upgrade of a log written before the key: the report says
    whether the old chain was intact (a break stays reported by `verify_chain`)."""
    with store.transaction() as session:
        key = session_key(session)
        head = session.execute(
            sa.select(AuditHead).where(AuditHead.id == 1).with_for_update()
        ).scalar_one_or_none()
        if head is None or head.key_id is not None:
            _keyed_head(session, key)
            raise AuditKeyError("the audit log is already keyed: nothing to re-key")
        return _rekey(session, head, key, now, anchors or [])


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(session: Session, key: bytes | None = None) -> ChainReport:
    """Walk the chain from the start with the audit key (by default the session's); report the
    first link that does not hold."""
    key = key or session_key(session)
    head = session.get(AuditHead, 1)
    if head is not None and head.key_id is None and head.seq:
        return ChainReport(0, 1, NOT_KEYED)
    if head is not None and head.key_id not in (None, key_id(key)):
        return ChainReport(0, 1, f"the log is keyed with another key (id {head.key_id})")
    return _walk(session, key)


def _walk(session: Session, key: bytes | None) -> ChainReport:
    """Check every link, keyed with `key`, or with the unkeyed scheme when `key` is None."""
    expected_seq, prev, count = 1, GENESIS, 0
    rows = session.execute(sa.select(AuditEntry).order_by(AuditEntry.seq)).scalars()
    for entry in rows.yield_per(500):
        if entry.seq != expected_seq:
            return ChainReport(count, expected_seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != prev:
            return ChainReport(
                count, entry.seq, f"entry {entry.seq} does not link to entry {entry.seq - 1}"
            )
        fields = (entry.seq, entry.at, entry.actor, entry.action, entry.request_id, entry.data)
        digest = entry_hash(key, *fields, prev) if key else legacy_hash(*fields, prev)
        if not hmac.compare_digest(digest, entry.hash):
            return ChainReport(count, entry.seq, f"entry {entry.seq} was altered")
        if key and entry.action == KEYED:
            recorded = json.loads(entry.data)
            if not recorded.get("legacy_intact", True):
                return ChainReport(
                    count,
                    entry.seq,
                    f"entry {entry.seq} records that the log before the audit key was broken "
                    f"at entry {recorded.get('legacy_broken_at')}: {recorded.get('legacy_reason')}",
                )
        prev, expected_seq, count = entry.hash, expected_seq + 1, count + 1
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != count or head_hash != prev:
        return ChainReport(
            count, count + 1, f"the log ends at entry {count} but the head records {head_seq}"
        )
    return ChainReport(count, None, None)


@dataclass(frozen=True)
class Anchor:
    """The chain's head at a moment, to keep outside the database: a later verification
    proves the log still holds this entry unchanged, so nothing before it was rewritten."""

    seq: int
    hash: str
    at: datetime

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, "at": self.at.isoformat()}

    @classmethod
    def from_json(cls, data: Any, where: str) -> Anchor:
        try:
            return cls(int(data["seq"]), str(data["hash"]), datetime.fromisoformat(data["at"]))
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{where}: not an audit anchor (seq, hash, at)") from None


def anchor(session: Session, now: datetime) -> Anchor:
    head = session.get(AuditHead, 1)
    return Anchor(head.seq, head.hash, now) if head else Anchor(0, GENESIS, now)


def check_anchor(session: Session, kept: Anchor) -> ChainReport | None:
    """None when the log still holds the anchored entry with the anchored hash."""
    if kept.seq == 0:
        return None
    entry = session.get(AuditEntry, kept.seq)
    if entry is None:
        return ChainReport(0, kept.seq, f"entry {kept.seq}, anchored on {kept.at}, is gone")
    if entry.hash != kept.hash:
        return ChainReport(
            0, kept.seq, f"entry {kept.seq} differs from the anchor taken on {kept.at}"
        )
    return None


def verify_store(url: str, key: bytes, anchors: list[Anchor] | None = None) -> ChainReport:
    """Migrate the store at `url`, then verify its whole chain and anchors (an unkeyed log
    with entries is reported, never re-keyed here)."""
    from policykeeper.store import migrate

    migrate(url)
    store = Store(url, audit_key=key)
    try:
        with store.transaction() as session:
            report = verify_chain(session)
            for kept in anchors or []:
                problem = check_anchor(session, kept) if report.ok else None
                if problem is not None:
                    return ChainReport(report.entries, problem.broken_at, problem.reason)
            return report
    finally:
        store.dispose()


def store_anchor(url: str, key: bytes, now: datetime) -> Anchor:
    """The head of the store's chain now (refusing an unkeyed log: its head proves nothing)."""
    from policykeeper.store import migrate

    migrate(url)
    store = Store(url, audit_key=key)
    try:
        ensure_keyed(store)
        with store.transaction() as session:
            return anchor(session, now)
    finally:
        store.dispose()


def rekey_store(url: str, key: bytes, now: datetime, anchors: list[Anchor]) -> ChainReport:
    """Migrate the store at `url` and re-key its old log (see `rekey`)."""
    from policykeeper.store import migrate

    migrate(url)
    store = Store(url, audit_key=key)
    try:
        return rekey(store, now, anchors)
    finally:
        store.dispose()
