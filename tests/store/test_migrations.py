"""The store migrates itself on both databases, idempotently, to exactly the models' schema."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from policykeeper.store import Store, migrate
from policykeeper.store.database import default_url
from policykeeper.store.models import Base


def test_migrate_twice_matches_models(state_url: str) -> None:
    migrate(state_url)
    migrate(state_url)
    store = Store(state_url)
    try:
        with store.engine.connect() as connection:
            context = MigrationContext.configure(connection)
            assert context.get_current_revision() == "0002"
            diff = [
                change
                for change in compare_metadata(context, Base.metadata)
                if not _is_procrastinate(change)
            ]
            assert diff == []
            tables = set(sa.inspect(connection).get_table_names())
        assert {"requests", "audit_log", "jobs", "staff"} <= tables
        assert ("procrastinate_jobs" in tables) is store.postgres
    finally:
        store.dispose()


def _is_procrastinate(change: object) -> bool:
    return "procrastinate" in repr(change)


def test_default_url_is_the_embedded_file(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("POLICYKEEPER_DATABASE_URL", raising=False)
    assert default_url(tmp_path) == f"sqlite:///{tmp_path / '.policykeeper' / 'state.sqlite3'}"
    monkeypatch.setenv("POLICYKEEPER_DATABASE_URL", "postgresql+psycopg://x@h/db")
    assert default_url(tmp_path) == "postgresql+psycopg://x@h/db"
