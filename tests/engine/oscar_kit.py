"""django-oscar's real schema on PostgreSQL, as its own Django migrations create it.

The migrations run once into a template database (about 40 s) named after what they depend on
(django-oscar's and Django's versions and tests/engine/oscar_settings.py), which later test
processes and later runs reuse; each test then gets its own copy with CREATE DATABASE ...
TEMPLATE, which takes a fraction of a second. Drop the `pk_oscar_*` database to rebuild it.
django-oscar is a test dependency only (the `test` extra).

    def test_something(oscar_url: str) -> None: ...   # a fresh, migrated, empty shop
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from servers import unavailable

HERE = Path(__file__).resolve().parent
ADMIN_URL = os.environ.get(
    "POLICYKEEPER_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _url(database: str) -> str:
    return sa.make_url(ADMIN_URL).set(database=database).render_as_string(hide_password=False)


def _admin() -> sa.Engine:
    return sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")


def _template_name() -> str:
    """The template's name: the same migrations give the same name in every process."""
    recipe = "\0".join(
        [
            metadata.version("django-oscar"),
            metadata.version("django"),
            (HERE / "oscar_settings.py").read_text("utf-8"),
        ]
    )
    return f"pk_oscar_{hashlib.sha256(recipe.encode()).hexdigest()[:16]}"


def _migrate(name: str) -> None:
    migrated = subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--noinput", "--skip-checks"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "oscar_settings",
            "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
            "POLICYKEEPER_OSCAR_DATABASE": _url(name),
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert migrated.returncode == 0, migrated.stderr[-3000:]


@pytest.fixture(scope="session")
def oscar_template() -> Iterator[str]:
    """A database holding django-oscar's migrated, empty schema: copy it, never change it.
    Built under an advisory lock into a scratch database that is renamed only once the
    migrations succeeded, so a process sees the whole template or builds it."""
    try:
        import oscar  # noqa: F401
    except ImportError:
        unavailable("django-oscar is not installed (pip install -e '.[test]')")
    name = _template_name()
    admin = _admin()
    try:
        connection = admin.connect()
    except sa.exc.OperationalError as exc:
        admin.dispose()
        unavailable(f"PostgreSQL is unreachable at {ADMIN_URL}: {exc.orig}")
    try:
        lock = int(hashlib.sha256(name.encode()).hexdigest()[:15], 16)
        connection.exec_driver_sql(f"SELECT pg_advisory_lock({lock})")
        exists = connection.exec_driver_sql(
            "SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": name}
        ).first()
        if exists is None:
            scratch = f"pk_oscar_build_{uuid.uuid4().hex[:12]}"
            connection.exec_driver_sql(f'CREATE DATABASE "{scratch}"')
            try:
                _migrate(scratch)
                connection.exec_driver_sql(f'ALTER DATABASE "{scratch}" RENAME TO "{name}"')
            finally:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        connection.exec_driver_sql(f"SELECT pg_advisory_unlock({lock})")
        yield name
    finally:
        connection.close()
        admin.dispose()


@pytest.fixture
def oscar_url(oscar_template: str) -> Iterator[str]:
    """A fresh copy of django-oscar's schema for one test."""
    name = f"pk_test_{uuid.uuid4().hex[:12]}"
    admin = _admin()
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{oscar_template}"')
    try:
        yield _url(name)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def insert(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows as Django would: every NOT NULL column the row leaves out gets Django's
    empty value ('' for text, 0, false, a fixed moment), since Django sets no database
    defaults."""
    connection.execute(table.insert(), [{**_empty(table, row), **row} for row in rows])


_MOMENT = datetime(2025, 1, 1, tzinfo=UTC)


def _empty(table: sa.Table, given: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column in table.c:
        if column.name in given or column.nullable:
            continue
        kind = column.type
        if isinstance(kind, sa.Boolean):
            values[column.name] = False
        elif isinstance(kind, sa.DateTime):
            values[column.name] = _MOMENT
        elif isinstance(kind, sa.Date):
            values[column.name] = date(2025, 1, 1)
        elif isinstance(kind, sa.String | sa.Text):
            values[column.name] = ""
        elif isinstance(kind, sa.Integer | sa.Numeric | sa.Float):
            values[column.name] = 0
    return values
