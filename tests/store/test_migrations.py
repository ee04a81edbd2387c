"""The store migrates itself on both databases, idempotently, to exactly the models' schema."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

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
    assert default_url(tmp_path) == "postgresql+psycopg://x@h/db"
