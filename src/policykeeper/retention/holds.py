"""Legal holds (litigation, investigation): a held person or record is never swept or erased.

A hold on a person stores the primary keys of their account rows (never the identity value),
and every run finds their rows again from there, so rows added after the hold are held too.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from policykeeper.datamap.values import jsonable
from policykeeper.engine.holds import connect, record_key
from policykeeper.engine.identity import Identity
from policykeeper.engine.planner import Collector
from policykeeper.engine.runtime import runtime
from policykeeper.errors import InputError
from policykeeper.project import Project
from policykeeper.retention.store import aware, open_store
from policykeeper.store.retention_models import LegalHold
from policykeeper.workflow import audit


@dataclass(frozen=True)
class HoldView:
    id: int
    scope: str
    target: str
    reason: str
    created_by: str
    created_at: datetime
    released_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "scope": self.scope,
            "target": self.target,
            "reason": self.reason,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "released_at": self.released_at.isoformat() if self.released_at else None,
        }


def _view(hold: LegalHold) -> HoldView:
    if hold.scope == "person":
        roots = ", ".join(f"{t} {keys}" for t, keys in (hold.roots or {}).items())
        target = f"person {hold.identity_kind}=… ({roots})"
    else:
        target = f"record {hold.table_name} {hold.row_key}"
    return HoldView(
        hold.id,
        hold.scope,
        target,
        hold.reason,
        hold.created_by,
        hold.created_at,
        hold.released_at,
    )


def add_hold(
    project: Project,
    *,
    reason: str,
    identity: Identity | None = None,
    table: str | None = None,
    key: list[str] | None = None,
    actor: str = "cli",
    now: datetime | None = None,
) -> HoldView:
    """Hold a person (identity) or one record (table and primary-key values)."""
    if not reason.strip():
        raise InputError("a legal hold needs a reason, e.g. --reason 'litigation 2026-014'")
    if (identity is None) == (table is None):
        raise InputError(
            "hold either a person (--identity KIND=VALUE) or a record (--table, --key)"
        )
    rt = runtime(project)
    at = aware(now)
    hold = LegalHold(reason=reason.strip(), created_by=actor, created_at=at)
    if identity is not None:
        with ExitStack() as stack:
            connections = connect(rt, stack)
            subject = Collector(rt, connections).from_identity(identity)
        hold.scope, hold.identity_kind = "person", identity.kind
        hold.identity_digest = identity.digest()
        hold.roots = {
            t: [[jsonable(v) for v in k] for k in keys]
            for t, keys in subject.roots(project.datamap).items()
        }
    else:
        assert table is not None
        hold.scope, hold.table_name = "record", table
        hold.row_key = [jsonable(v) for v in record_key(rt, table, key or [])]
    store = open_store(project)
    try:
        with store.transaction() as session:
            session.add(hold)
            session.flush()
            audit.append(
                session,
                at=at,
                actor=actor,
                action="legal_hold_added",
                data={"hold": hold.id, "scope": hold.scope, "table": hold.table_name},
            )
            return _view(hold)
    finally:
        store.dispose()


def release_hold(
    project: Project, hold_id: int, *, actor: str = "cli", now: datetime | None = None
) -> HoldView:
    at = aware(now)
    store = open_store(project)
    try:
        with store.transaction() as session:
            hold = session.get(LegalHold, hold_id)
            if hold is None:
                raise InputError(f"no legal hold with id {hold_id}")
            if hold.released_at is None:
                hold.released_at, hold.released_by = at, actor
                audit.append(
                    session,
                    at=at,
                    actor=actor,
                    action="legal_hold_released",
                    data={"hold": hold.id},
                )
            return _view(hold)
    finally:
        store.dispose()


def list_holds(project: Project, *, released: bool = False) -> list[HoldView]:
    store = open_store(project)
    try:
        with store.transaction() as session:
            query = sa.select(LegalHold).order_by(LegalHold.id)
            if not released:
                query = query.where(LegalHold.released_at.is_(None))
            return [_view(h) for h in session.execute(query).scalars()]
    finally:
        store.dispose()
