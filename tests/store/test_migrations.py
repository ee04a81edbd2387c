"""The store migrates itself on both databases, idempotently, to exactly the models' schema."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from policykeeper.config import Config
from policykeeper.store import Store, migrate
from policykeeper.store.database import default_url
from policykeeper.store.migrate import alembic_config
from policykeeper.store.models import Base


def test_migrate_twice_matches_models(state_url: str) -> None:
    migrate(state_url)
    migrate(state_url)
    store = Store(state_url)
    try:
        with store.engine.connect() as connection:
            context = MigrationContext.configure(connection)
            head = ScriptDirectory.from_config(alembic_config(state_url)).get_current_head()
            assert context.get_current_revision() == head
            ours = set(Base.metadata.tables)
            diff = [
                change
                for change in compare_metadata(context, Base.metadata)
                if _table_of(change) in ours
            ]
            assert diff == []
            tables = set(sa.inspect(connection).get_table_names())
        assert {"requests", "audit_log", "jobs", "staff"} <= tables
        assert ("procrastinate_jobs" in tables) is store.postgres
    finally:
        store.dispose()


def _table_of(change: object) -> str | None:
    """The table a difference is about; other packages' tables live in their own metadata."""
    item = change[0] if isinstance(change, list) else change
    for part in item[1:] if isinstance(item, tuple) else ():
        name = getattr(part, "name", None) if not isinstance(part, str) else None
        table = getattr(part, "table", None)
        if table is not None:
            return str(table.name)
        if name is not None and hasattr(part, "columns"):
            return str(name)
        if isinstance(part, str):
            return part
    return None


def test_default_url_is_the_embedded_file(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("POLICYKEEPER_DATABASE_URL", raising=False)
    assert default_url(tmp_path) == f"sqlite:///{tmp_path / '.policykeeper' / 'state.sqlite3'}"
    monkeypatch.setenv("POLICYKEEPER_DATABASE_URL", "postgresql+psycopg://x@h/db")
    assert Config.from_environment().database_url == "postgresql+psycopg://x@h/db"
    assert default_url(tmp_path).startswith("sqlite:///")  # the library reads no variable


def test_0300_carries_document_checks_over(state_url: str) -> None:
    """Requests waiting for a document check before 0300 still wait for it after."""
    from datetime import UTC, datetime

    from alembic import command

    from policykeeper.store.models import Request

    command.upgrade(alembic_config(state_url), "0200")
    now = datetime(2026, 5, 1, tzinfo=UTC).replace(tzinfo=None)
    requests = sa.table(
        "requests",
        *(sa.column(c) for c in ("id", "kind", "state", "email", "identity_kind")),
        *(sa.column(c) for c in ("identity_value", "language", "needs_documents")),
        *(sa.column(c) for c in ("received_at", "due_at", "max_due_at", "fee_status", "version")),
        sa.column("jurisdictions", sa.JSON),
        sa.column("details", sa.JSON),
    )
    engine = sa.create_engine(state_url)
    with engine.begin() as connection:
        for request_id, documents in (("a" * 32, True), ("b" * 32, False)):
            connection.execute(
                requests.insert().values(
                    id=request_id,
                    kind="access",
                    state="verifying",
                    email="a@example.jp",
                    identity_kind="email",
                    identity_value="a@example.jp",
                    language="ja",
                    needs_documents=documents,
                    received_at=now,
                    due_at=now,
                    max_due_at=now,
                    fee_status="none",
                    version=1,
                    jurisdictions=["appi"],
                    details={},
                )
            )
    engine.dispose()
    migrate(state_url)
    store = Store(state_url)
    try:
        with store.transaction() as session:
            rows = session.execute(sa.select(Request)).scalars()
            checks = {r.id[0]: r.identity_checks for r in rows}
    finally:
        store.dispose()
    assert checks == {"a": ["documents"], "b": []}
