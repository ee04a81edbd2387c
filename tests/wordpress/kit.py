"""Fixtures: ALLIN STUDIO's WordPress site, installed and populated once, then copied.

WordPress's own installer runs on a fresh MariaDB database, and its own functions fill it; each
test then gets a copy of that database (CREATE TABLE ... LIKE, INSERT ... SELECT) and of its
content directory, so tests may export and erase freely. The installed site is built once for
every test process and later run: its database is named after what built it (WordPress's
version, the PHP scripts, the synthetic content), its content directory and the ids WordPress
gave are kept in ~/.cache/policykeeper-tests/ (XDG_CACHE_HOME), and a file lock makes the
first process build it while the others wait. Drop the `pk_wp_<digest>` database to rebuild.
Set-up times of a build are written to artifacts/wordpress/setup.json.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import shutil
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
    PHP_SCRIPTS,
    WORDPRESS_ROOT,
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
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "policykeeper-tests"


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


def _built_name() -> str:
    """The template's name: the same WordPress, scripts and content give the same name."""
    recipe = hashlib.sha256()
    sources = [
        WORDPRESS_ROOT / "wp-includes" / "version.php",
        Path(allin.__file__),
        *sorted(PHP_SCRIPTS.glob("*.php")),
    ]
    for source in sources:
        recipe.update(source.read_bytes())
    recipe.update(str(ACCOUNTS).encode())
    return f"pk_wp_{recipe.hexdigest()[:16]}"


def _database_exists(name: str) -> bool:
    admin = sa.create_engine(MARIADB_ADMIN_URL)
    try:
        with admin.connect() as connection:
            found = connection.exec_driver_sql(
                "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (name,)
            ).first()
    except sa.exc.OperationalError as exc:
        unavailable(f"MariaDB is unreachable at {MARIADB_ADMIN_URL}: {exc.orig}")
        raise
    finally:
        admin.dispose()
    return found is not None


def _build(name: str, folder: Path) -> dict[str, Any]:
    """Install and populate the site from nothing; the manifest is written last."""
    drop_database(MARIADB_ADMIN_URL, name)
    shutil.rmtree(folder, ignore_errors=True)
    site = Site(_database(name), folder / "wp-content", secrets.token_hex(16))
    started = time.perf_counter()
    installed = install(site, admin_password=secrets.token_urlsafe(12))
    installed_at = time.perf_counter()
    ids = populate(site, allin.content(ACCOUNTS))
    timings = {
        "install_seconds": installed_at - started,
        "populate_seconds": time.perf_counter() - installed_at,
        "accounts": ACCOUNTS,
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "setup.json").write_text(
        json.dumps({**timings, "wordpress": installed.version}, indent=2), encoding="utf-8"
    )
    built = {"secret": site.secret, "ids": ids, "timings": timings}
    (folder / "site.json").write_text(json.dumps(built), encoding="utf-8")
    return built


@pytest.fixture(scope="session")
def wordpress_template() -> WordPressSite:
    """The installed, populated site: copy it, never change it."""
    reason = missing()
    if reason is not None:
        unavailable(reason)
    name = _built_name()
    folder = CACHE / name
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        manifest = folder / "site.json"
        if manifest.is_file() and _database_exists(name):
            built = json.loads(manifest.read_text(encoding="utf-8"))
        else:
            built = _build(name, folder)
    url = sa.make_url(MARIADB_ADMIN_URL).set(database=name)
    site = Site(
        url.render_as_string(hide_password=False) + "?charset=utf8mb4",
        folder / "wp-content",
        built["secret"],
    )
    return WordPressSite(site, allin.content(ACCOUNTS), built["ids"], built["timings"])


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
