"""Fixtures: ALLIN STUDIO's WordPress site, installed and populated once per test session.

WordPress's own installer runs once on a fresh MariaDB database, and its own functions fill
it; each test then gets a copy of that database (CREATE TABLE ... LIKE, INSERT ... SELECT) and
of its content directory, so tests may export and erase freely. Set-up times are written to
artifacts/wordpress/setup.json.
"""

from __future__ import annotations

import json
import os
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from servers import unavailable

from policykeeper.examples.wordpress import allin
from policykeeper.examples.wordpress.site import (
    Site,
    copy_site,
    create_database,
    drop_database,
    install,
    missing,
    populate,
)

MARIADB_ADMIN_URL = os.environ.get(
    "POLICYKEEPER_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/"
)
ACCOUNTS = 300
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "wordpress"


@dataclass(frozen=True)
class WordPressSite:
    """A populated ALLIN STUDIO site: the content fed to WordPress and the ids it gave back."""

    site: Site
    content: dict[str, Any]
    ids: dict[str, Any]
    timings: dict[str, float]

    def user(self, index: int) -> dict[str, Any]:
        """Account `index` (1-based) as populated, with its WordPress user ID."""
        person = self.content["users"][index - 1]
        return {**person, "ID": self.ids["users"][person["login"]]}

    def query(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        engine = self.site.engine()
        try:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(sa.text(sql), params)]
        finally:
            engine.dispose()


def _database(name: str) -> str:
    try:
        return create_database(MARIADB_ADMIN_URL, name) + "?charset=utf8mb4"
    except sa.exc.OperationalError as exc:
        unavailable(f"MariaDB is unreachable at {MARIADB_ADMIN_URL}: {exc.orig}")
        raise


@pytest.fixture(scope="session")
def wordpress_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WordPressSite]:
    reason = missing()
    if reason is not None:
        unavailable(reason)
    name = f"pk_wp_{uuid.uuid4().hex[:12]}"
    site = Site(
        _database(name), tmp_path_factory.mktemp("wordpress") / "wp-content", secrets.token_hex(16)
    )
    try:
        started = time.perf_counter()
        installed = install(site, admin_password=secrets.token_urlsafe(12))
        installed_at = time.perf_counter()
        content = allin.content(ACCOUNTS)
        ids = populate(site, content)
        timings = {
            "install_seconds": installed_at - started,
            "populate_seconds": time.perf_counter() - installed_at,
            "accounts": ACCOUNTS,
        }
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "setup.json").write_text(
            json.dumps({**timings, "wordpress": installed.version}, indent=2), encoding="utf-8"
        )
        yield WordPressSite(site, content, ids, timings)
    finally:
        drop_database(MARIADB_ADMIN_URL, name)


@pytest.fixture
def wordpress(wordpress_template: WordPressSite, tmp_path: Path) -> Iterator[WordPressSite]:
    """A copy of the populated site, this test's own."""
    name = f"pk_wp_{uuid.uuid4().hex[:12]}"
    started = time.perf_counter()
    copy = copy_site(wordpress_template.site, MARIADB_ADMIN_URL, name, tmp_path / "wp-content")
    copied = {"copy_seconds": time.perf_counter() - started}
    try:
        yield replace(
            wordpress_template, site=copy, timings={**wordpress_template.timings, **copied}
        )
    finally:
        drop_database(MARIADB_ADMIN_URL, name)
