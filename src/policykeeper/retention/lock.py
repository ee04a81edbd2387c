"""One retention run at a time, whoever starts it (cron, a worker, a second host).

The lock lives where the run records live, the state store: a session advisory lock on
PostgreSQL, a named lock on MariaDB/MySQL, an exclusive file lock beside a SQLite file. The
second run does not wait behind the first: it stops at once with a clear message, and the run
records stay true (a run still marked running while nobody holds the lock was killed).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from policykeeper.errors import RetentionBusy
from policykeeper.store.database import Store

LOCK_NAME = "policykeeper_retention_run"
LOCK_KEY = 727171  # PostgreSQL advisory lock key; the migrations use 727170


BUSY = "another retention run is in progress on this state store; this one stopped without sweeping"


@contextmanager
def retention_lock(store: Store) -> Iterator[None]:
    """Hold the store's retention lock for the block, or raise RetentionBusy at once."""
    url = sa.make_url(store.url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        with _file_lock(url):
            yield
        return
    with store.engine.connect() as connection:
        if backend == "postgresql":
            taken = connection.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY})
            release = sa.text("SELECT pg_advisory_unlock(:k)")
            params: dict[str, object] = {"k": LOCK_KEY}
        else:
            taken = connection.execute(sa.text("SELECT GET_LOCK(:n, 0)"), {"n": LOCK_NAME})
            release = sa.text("SELECT RELEASE_LOCK(:n)")
            params = {"n": LOCK_NAME}
        if not taken.scalar():
            connection.rollback()
            raise RetentionBusy(BUSY)
        connection.commit()
        try:
            yield
        finally:
            connection.execute(release, params)
            connection.commit()


@contextmanager
def _file_lock(url: sa.URL) -> Iterator[None]:
    database = url.database or ""
    if database in ("", ":memory:"):
        yield  # a private in-memory store: no other process can see it
        return
    path = Path(f"{database}.retention-lock")
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RetentionBusy(BUSY) from None
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
