"""Bring a store to the newest schema with the Alembic migrations shipped in this package."""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from policykeeper.store.database import Store, make_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Upgrade to head; safe to call on every start, from several processes."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(727170)")
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


_migrated: set[str] = set()
_migrating = threading.Lock()


def migrated_store(url: str, *, audit_key: bytes | None = None, pre_ping: bool = True) -> Store:
    """The store at `url`, migrated to head once per process before first use (again when its
    SQLite file was removed since: that is a new, empty store)."""
    with _migrating:
        if url not in _migrated or _file_gone(url):
            migrate(url)
            _migrated.add(url)
    return Store(url, audit_key=audit_key, pre_ping=pre_ping)


def _file_gone(url: str) -> bool:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return False
    return parsed.database != ":memory:" and not Path(parsed.database).is_file()
