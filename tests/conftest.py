"""Shared fixtures: real database servers, each test on a fresh database.

Outside CI a missing server skips its tests with the reason; with CI=true it fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import templates
from places_kit import everywhere, hotjar_api, redis_prefix, s3_bucket, s3_server, stripe_api
from servers import unavailable
from store.kit import (
    clock,
    mailbox,
    mailer,
    make_client,
    make_workflow,
    smtp_server,
    sqlite_state_url,
    state_url,
    store,
)
from wordpress.kit import wordpress, wordpress_template

from policykeeper.checks.sitescan import CHROMIUM, CHROMIUM_ARGS  # Debian's; never downloaded

__all__ = [  # fixtures of tests/store/kit.py and tests/places_kit.py, for every folder
    "clock",
    "everywhere",
    "hotjar_api",
    "mailbox",
    "mailer",
    "make_client",
    "make_workflow",
    "redis_prefix",
    "s3_bucket",
    "s3_server",
    "smtp_server",
    "sqlite_state_url",
    "state_url",
    "store",
    "stripe_api",
    "wordpress",  # ALLIN STUDIO's WordPress site (tests/wordpress/kit.py)
    "wordpress_template",
]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

POSTGRES_ADMIN_URL = os.environ.get(
    "POLICYKEEPER_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
MARIADB_ADMIN_URL = os.environ.get(
    "POLICYKEEPER_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/"
)


def pytest_configure(config: pytest.Config) -> None:
    """Example databases and migrated stores are built once and copied (tests/templates.py)."""
    templates.install()


def pytest_unconfigure(config: pytest.Config) -> None:
    templates.cleanup()


SERVER_FIXTURES = {
    "postgres": {"postgres_url", "oscar_url", "oscar_template"},
    "mariadb": {"mariadb_url", "wordpress", "wordpress_template"},
    "browser": {"chromium"},
}
"""The markers a test gets from the fixtures it uses; a test parametrised over databases
(`database_url`, `state_url`, or its own) gets them from the parameter's value."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with the servers it needs, so `-m "not postgres and not mariadb"` is a
    quick local loop on SQLite; CI runs every test (no -m)."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        params = callspec.params if callspec is not None else {}
        chosen = {value for value in params.values() if isinstance(value, str)}
        for marker, fixtures in SERVER_FIXTURES.items():
            if used & fixtures or marker in chosen:
                item.add_marker(marker)


def _server_url(admin_url: str, database: str) -> str:
    return sa.make_url(admin_url).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Chromium driven by Playwright, shared by a module's browser tests."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS)
        )
        yield browser
        browser.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'service.sqlite3'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    name = f"pk_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        unavailable(f"PostgreSQL is unreachable at {POSTGRES_ADMIN_URL}: {exc.orig}")
    try:
        yield _server_url(POSTGRES_ADMIN_URL, name)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    name = f"pk_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(MARIADB_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(
                f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
    except sa.exc.OperationalError as exc:
        admin.dispose()
        unavailable(f"MariaDB is unreachable at {MARIADB_ADMIN_URL}: {exc.orig}")
    try:
        yield _server_url(MARIADB_ADMIN_URL, name) + "?charset=utf8mb4"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def database_url(request: pytest.FixtureRequest) -> str:
    """The same test on each kind of service database PolicyKeeper supports."""
    return request.getfixturevalue(f"{request.param}_url")
