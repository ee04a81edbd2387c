"""django-oscar's real schema on PostgreSQL, as its own Django migrations create it.

The migrations run once per test session, into a template database (about 40 s); each test
then gets its own copy with CREATE DATABASE ... TEMPLATE, which takes a fraction of a second.
django-oscar is a test dependency only (the `test` extra).

    def test_something(oscar_url: str) -> None: ...   # a fresh, migrated, empty shop
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
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


@pytest.fixture(scope="session")
def oscar_template() -> Iterator[str]:
    """A database holding django-oscar's migrated, empty schema: copy it, never change it."""
    try:
        import oscar  # noqa: F401
    except ImportError:
        unavailable("django-oscar is not installed (pip install -e '.[test]')")
    name = f"pk_oscar_{uuid.uuid4().hex[:12]}"
    admin = _admin()
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        unavailable(f"PostgreSQL is unreachable at {ADMIN_URL}: {exc.orig}")
    try:
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
        yield name
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
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
