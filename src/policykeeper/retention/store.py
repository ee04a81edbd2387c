"""PolicyKeeper's own store as retention uses it: migrated once per process and URL."""

from __future__ import annotations

from datetime import UTC, datetime

from policykeeper.project import Project
from policykeeper.store import Store, migrated_store
from policykeeper.store.database import STATE_DIR


def open_store(project: Project, url: str | None = None) -> Store:
    """The project's store (`url`, else the project's own), at head, with the project's audit
    key (its runs and holds go to the audit log)."""
    from policykeeper.workflow.audit import load_audit_key

    key = load_audit_key(project.directory / STATE_DIR)
    return migrated_store(url or project.store_url, audit_key=key)


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(now: datetime | None) -> datetime:
    """The fake clock's `now` (naive means UTC), or the real one."""
    if now is None:
        return utcnow()
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
