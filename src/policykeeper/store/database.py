"""Connecting to the store: one engine per URL, transactions that serialise writers on SQLite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

DATABASE_URL_ENV = "POLICYKEEPER_DATABASE_URL"
STATE_DIR = ".policykeeper"


def default_url(project_dir: Path | str) -> str:
    """POLICYKEEPER_DATABASE_URL, else the embedded SQLite file inside the project."""
    url = os.environ.get(DATABASE_URL_ENV)
    if url:
        return url
    path = Path(project_dir) / STATE_DIR / "state.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def is_postgres(url: str | sa.URL) -> bool:
    return sa.make_url(url).get_backend_name() == "postgresql"


def make_engine(url: str) -> sa.Engine:
    """An engine; on SQLite every transaction starts with BEGIN IMMEDIATE.

    Read-then-write transactions (the audit head, state changes) would otherwise fail
    with 'database is locked' when two writers upgrade their locks at the same time.
    """
    if sa.make_url(url).get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Store:
    """The state database: an engine and a session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def postgres(self) -> bool:
        return is_postgres(self.url)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any error."""
        with self.sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
