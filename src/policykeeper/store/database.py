"""Connecting to the store: one engine per URL, transactions that serialise writers on SQLite."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

DATABASE_URL_ENV = "POLICYKEEPER_DATABASE_URL"
STATE_DIR = ".policykeeper"
AUDIT_KEY = "policykeeper.audit_key"
JOB_ADDED = "policykeeper.job_added"
"""Session.info flag of a transaction that queued a job (see Store.job_added)."""
"""Where a store's sessions carry the audit key (Session.info), for the audit log's appends."""


IGNORE_ALL = "# PolicyKeeper's state: never commit it.\n*\n"


def private_dir(path: Path) -> Path:
    """A folder only its owner can enter (0700), created if missing, and ignored by git: the
    state folder holds the database, its keys and the engine's journals, which a project kept
    in a repository must never commit by accident."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    ignore = path / ".gitignore"
    if path.name == STATE_DIR and not ignore.exists():
        with open(os.open(ignore, os.O_WRONLY | os.O_CREAT, 0o600), "w", encoding="utf-8") as out:
            out.write(IGNORE_ALL)
    return path


def default_url(project_dir: Path | str) -> str:
    """The embedded SQLite file inside the project: the store when no URL is configured
    (`Config.database_url`, POLICYKEEPER_DATABASE_URL at the command line)."""
    path = Path(project_dir) / STATE_DIR / "state.sqlite3"
    return f"sqlite:///{path}"  # the folder is made (private) when the store is first opened


def _private_file(url: str) -> None:
    """Create an SQLite database file readable by its owner only (SQLite gives its journal
    and WAL files the same mode), and tighten one created earlier."""
    database = sa.make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.exists():
        if not path.parent.exists():
            private_dir(path.parent)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for item in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if item.exists() and item.stat().st_mode & 0o077:
            item.chmod(0o600)


def is_postgres(url: str | sa.URL) -> bool:
    return sa.make_url(url).get_backend_name() == "postgresql"


def make_engine(url: str, *, pre_ping: bool = True) -> sa.Engine:
    """An engine; on SQLite every transaction starts with BEGIN IMMEDIATE.

    Read-then-write transactions (the audit head, state changes) would otherwise fail
    with 'database is locked' when two writers upgrade their locks at the same time.
    `pre_ping` tests a server connection before each use (see `Store`).
    """
    if sa.make_url(url).get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=pre_ping)
    _private_file(url)
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


@contextmanager
def unflushed(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction whose commit does not wait for the disk, for a write whose loss in a crash
    of the machine or the database server is harmless because it is redone (the erasure
    journal's finish when the engine commits it on its own: without it a repeat resumes from
    the journal's start). The database stays consistent and later writes stay durable: on
    PostgreSQL `synchronous_commit` is off for this transaction only; on SQLite in WAL mode
    this connection commits with `synchronous` NORMAL, then goes back to its own setting, and
    the next durable commit on the file also flushes this one. Elsewhere, an ordinary
    transaction."""
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        if engine.dialect.name != "sqlite" or _journal_mode(raw) != "wal":
            # Outside WAL, NORMAL could corrupt the file on a power loss: nothing relaxed.
            with connection.begin():
                if engine.dialect.name == "postgresql":
                    connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
                yield connection
            return
        own = raw.execute("PRAGMA synchronous").fetchone()[0]  # outside any transaction
        raw.execute("PRAGMA synchronous=NORMAL")
        try:
            with connection.begin():
                yield connection
        finally:
            _restore(connection, raw, int(own))


def _restore(connection: sa.Connection, raw: Any, synchronous: int) -> None:
    """Give the connection back its own `synchronous`. A commit that failed can leave SQLite's
    transaction open, where the setting cannot change: roll it back first; a connection that
    still cannot be restored is discarded, never pooled relaxed."""
    if connection.invalidated:
        return
    try:
        if raw.in_transaction:
            raw.rollback()
        raw.execute(f"PRAGMA synchronous={synchronous}")
    except Exception:
        connection.invalidate()


def _journal_mode(raw: Any) -> str:
    return str(raw.execute("PRAGMA journal_mode").fetchone()[0]).lower()


LOST_SQLSTATES = ("57P01", "57P02", "57P03")
"""PostgreSQL shutting down, crashed, or not yet accepting connections (class 08 too)."""
LOST_MYSQL_CODES = (2002, 2003, 2006, 2013)
"""MariaDB/MySQL: cannot connect, server gone away, connection lost."""


def connection_lost(exc: BaseException) -> bool:
    """Did this fail because the database could not be reached (down, restarting, failing
    over), rather than because of what was asked? Nothing was recorded when it did. Raw
    driver errors count too (some callers use a pooled connection directly)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sa.exc.DBAPIError) and current.connection_invalidated:
            return True
        if _driver_lost(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _driver_lost(exc: BaseException) -> bool:
    module = type(exc).__module__.split(".")[0]
    if module == "psycopg":
        state = getattr(exc, "sqlstate", None)
        if state is None:  # no answer from a server at all: refused, closed, timed out
            return type(exc).__name__ in ("OperationalError", "InterfaceError")
        return str(state).startswith("08") or state in LOST_SQLSTATES
    if module == "pymysql":
        return bool(exc.args) and exc.args[0] in LOST_MYSQL_CODES
    return False


class DatabaseUnavailable(Exception):
    """The database could not be reached; what was being done was not recorded."""


class Store:
    """The state database: an engine and a session factory. `audit_key` (kept outside the
    database) keys the audit log's hash chain; a store opened without it cannot append."""

    def __init__(self, url: str, *, audit_key: bytes | None = None, pre_ping: bool = True) -> None:
        self.url = url
        self.audit_key = audit_key
        self.engine = make_engine(url, pre_ping=pre_ping)
        info = {AUDIT_KEY: audit_key} if audit_key else {}
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, info=info)
        self.job_added = threading.Event()
        """Set when a transaction that queued a job commits: the poller of this process (the
        worker beside the server on SQLite) wakes at once instead of at its next poll."""
        event.listen(self.sessions, "after_commit", self._after_commit)

    def _after_commit(self, session: Session) -> None:
        if session.info.pop(JOB_ADDED, False):
            self.job_added.set()

    @property
    def postgres(self) -> bool:
        return is_postgres(self.url)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any error."""
        with self.sessions.begin() as session:
            yield session

    def reachable(self) -> bool:
        """Can a connection be made and used now? (The readiness probe.)"""
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()
