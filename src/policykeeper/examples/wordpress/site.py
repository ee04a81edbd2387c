"""A WordPress site on MariaDB, installed and filled by WordPress itself through PHP's CLI.

WordPress comes from Debian's `wordpress` package (scripts/wordpress installs it with PHP's
command line, mysqli and zip). Nothing here writes WordPress's schema or rows by hand: the PHP
scripts next to this module call wp_install(), wp_insert_user() and the rest, and answer in
JSON. A site is a database plus a content directory (uploads, export files).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from policykeeper.config import child_environment, wordpress_root
from policykeeper.errors import InputError

PHP_SCRIPTS = Path(__file__).resolve().parent / "php"
WORDPRESS_ROOT = wordpress_root()
PHP_TIMEOUT_SECONDS = 600


class WordPressError(InputError):
    """WordPress could not be run, or one of its functions refused what it was given."""


def missing() -> str | None:
    """Why WordPress cannot run on this machine (install it with scripts/wordpress), or None."""
    php = shutil.which("php")
    if php is None:
        return "PHP's command line is missing (scripts/wordpress installs php-cli)"
    if not (WORDPRESS_ROOT / "wp-settings.php").is_file():
        return f"WordPress is missing at {WORDPRESS_ROOT} (scripts/wordpress installs it)"
    modules = subprocess.run([php, "-m"], capture_output=True, text=True, check=False).stdout
    absent = [m for m in ("mysqli", "zip") if m not in modules.split()]
    if absent:
        return f"PHP lacks {', '.join(absent)} (scripts/wordpress installs php-mysql, php-zip)"
    return None


@dataclass(frozen=True)
class Site:
    """One WordPress site: its MariaDB database (a SQLAlchemy URL), content directory, admin."""

    database_url: str
    content_dir: Path
    secret: str
    home: str = "http://allin-studio.example"
    admin_id: int = 1

    @property
    def database(self) -> str:
        return str(sa.make_url(self.database_url).database)

    def engine(self) -> sa.Engine:
        return sa.create_engine(self.database_url)

    def php(
        self, script: str, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Run one of the PHP scripts against this site; its JSON answer."""
        url = sa.make_url(self.database_url)
        variables = {
            **child_environment(),
            **(env or {}),
            "PK_WP_ROOT": str(WORDPRESS_ROOT),
            "PK_WP_DB_NAME": self.database,
            "PK_WP_DB_USER": url.username or "root",
            "PK_WP_DB_PASSWORD": url.password or "",
            "PK_WP_DB_HOST": f"{url.host or '127.0.0.1'}:{url.port or 3306}",
            "PK_WP_CONTENT_DIR": str(self.content_dir),
            "PK_WP_URL": self.home,
            "PK_WP_SECRET": self.secret,
            "PK_WP_ADMIN_ID": str(self.admin_id),
        }
        done = subprocess.run(
            ["php", "-d", "display_errors=stderr", str(PHP_SCRIPTS / script), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=variables,
            timeout=PHP_TIMEOUT_SECONDS,
            check=False,
        )
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            problem = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
            raise WordPressError(f"WordPress {script} failed: {problem}")
        return json.loads(lines[-1])

    def table_names(self) -> list[str]:
        engine = self.engine()
        try:
            return sorted(sa.inspect(engine).get_table_names())
        finally:
            engine.dispose()


@dataclass(frozen=True)
class Installed:
    version: str
    tables: list[str]
    seconds: float


def install(
    site: Site,
    *,
    admin_password: str,
    title: str = "ALLIN STUDIO",
    admin_login: str = "studio-admin",
    admin_email: str = "admin@allin-studio.example",
) -> Installed:
    """Run WordPress's installer on the site's empty database (as wp-admin/install.php does)."""
    for folder in ("uploads", "plugins", "themes"):
        (site.content_dir / folder).mkdir(parents=True, exist_ok=True)
    answer = site.php(
        "install.php",
        env={
            "PK_WP_TITLE": title,
            "PK_WP_ADMIN_LOGIN": admin_login,
            "PK_WP_ADMIN_EMAIL": admin_email,
            "PK_WP_ADMIN_PASSWORD": admin_password,
        },
    )
    return Installed(answer["version"], answer["tables"], answer["seconds"])


def populate(site: Site, content: dict[str, Any]) -> dict[str, Any]:
    """Fill the site through WordPress's functions; the ids WordPress gave, and the time taken."""
    return site.php("populate.php", stdin=json.dumps(content, ensure_ascii=False))


def create_database(admin_url: str, name: str) -> str:
    """An empty utf8mb4 database on the MariaDB server of `admin_url`; its URL."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(
                f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
    finally:
        admin.dispose()
    return sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        admin.dispose()


def copy_site(site: Site, admin_url: str, name: str, content_dir: Path) -> Site:
    """A copy of the site in a new database on the same server, with its own content directory.

    Tables are copied server-side (CREATE TABLE ... LIKE, INSERT ... SELECT), so a test gets a
    fresh installed site in well under a second instead of running the installer again.
    """
    create_database(admin_url, name)
    url = sa.make_url(site.database_url).set(database=name).render_as_string(hide_password=False)
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for table in site.table_names():
                connection.exec_driver_sql(
                    f"CREATE TABLE `{name}`.`{table}` LIKE `{site.database}`.`{table}`"
                )
                connection.exec_driver_sql(
                    f"INSERT INTO `{name}`.`{table}` SELECT * FROM `{site.database}`.`{table}`"
                )
    finally:
        admin.dispose()
    shutil.copytree(site.content_dir, content_dir)
    return replace(site, database_url=url, content_dir=content_dir)
