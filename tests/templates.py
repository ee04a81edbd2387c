"""Example databases and migrated stores built once per test session, then copied.

Generating an example (Faker, thousands of inserts) and migrating a fresh state store take
most of a typical test's set-up time, and every test used to redo both. `install()` wraps
`generate` and `migrate` so that the first call for a given example, size and seed (or for
the newest schema) builds a template, and each later call copies it: a file copy for SQLite,
`CREATE DATABASE ... TEMPLATE` for PostgreSQL, and a server-side table copy for MariaDB. The
copy is the same database the wrapped function would have produced, so what the tests assert
is unchanged; anything the wrapper is not sure about (a target that is not empty, progress
bars asked for, an in-memory database) goes to the real function.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from policykeeper.examples import generation
from policykeeper.store.database import private_dir

migration = importlib.import_module(
    "policykeeper.store.migrate"
)  # the package exports a function of that name
_lock = threading.RLock()
_folder: Path | None = None
_session = uuid.uuid4().hex[:8]
_sqlite: dict[tuple[Any, ...], tuple[Path, dict[str, int]]] = {}
_servers: dict[tuple[Any, ...], tuple[str, dict[str, int]]] = {}
_created: list[str] = []  # server URLs of template databases, dropped by cleanup()


def install() -> None:
    """Replace the module attributes the tests and the app call with the copying versions."""
    real_generate = generation.generate
    real_migrate = migration.migrate

    def generate(
        name: str,
        url: str,
        users: int,
        *,
        seed: int = 1,
        progress: bool = True,
        replace: bool = True,
    ) -> dict[str, int]:
        if progress or not replace:
            return real_generate(name, url, users, seed=seed, progress=progress, replace=replace)
        return _copied_example(real_generate, name, url, users, seed)

    def migrate(url: str) -> None:
        target = sa.make_url(url)
        path = _sqlite_file(target)
        if path is None or path.exists() or not path.parent.is_dir():
            real_migrate(url)
            return
        with _lock:
            template = _sqlite.get(("store",))
            if template is None:
                file = _template_folder() / "store.sqlite3"
                real_migrate(f"sqlite:///{file}")
                template = _sqlite[("store",)] = (file, {})
        private_dir(path.parent)  # as the real migrate's engine does for a new file
        shutil.copyfile(template[0], path)

    # Modules imported before this ran (the kits the root conftest imports) hold the real
    # functions under their own names: point those at the copying versions too.
    for module in list(sys.modules.values()):
        for name, real, wrapper in (
            ("generate", real_generate, generate),
            ("migrate", real_migrate, migrate),
        ):
            if getattr(module, name, None) is real:
                setattr(module, name, wrapper)


def cleanup() -> None:
    """Drop the template databases made on the servers and the template folder."""
    for url in _created:
        target = sa.make_url(url)
        admin_db = "postgres" if target.get_backend_name() == "postgresql" else None
        admin = sa.create_engine(target._replace(database=admin_db), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                if admin_db:
                    connection.exec_driver_sql(
                        f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'
                    )
                else:
                    connection.exec_driver_sql(f"DROP DATABASE IF EXISTS `{target.database}`")
        except sa.exc.SQLAlchemyError:
            pass  # the server went away; its databases went with it
        finally:
            admin.dispose()
    if _folder is not None:
        shutil.rmtree(_folder, ignore_errors=True)


def _template_folder() -> Path:
    global _folder
    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="pk-templates-"))
    return _folder


def _sqlite_file(url: sa.URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _copied_example(
    real: Callable[..., dict[str, int]], name: str, url: str, users: int, seed: int
) -> dict[str, int]:
    target = sa.make_url(url)
    backend = target.get_backend_name()
    path = _sqlite_file(target)
    if path is not None:
        if path.exists() and path.stat().st_size > 0:
            return real(name, url, users, seed=seed, progress=False)
        key = ("sqlite", name, users, seed)
        with _lock:
            if key not in _sqlite:
                file = _template_folder() / f"{name}-{users}-{seed}.sqlite3"
                counts = real(name, f"sqlite:///{file}", users, seed=seed, progress=False)
                _sqlite[key] = (file, counts)
            file, counts = _sqlite[key]
        shutil.copyfile(file, path)
        return dict(counts)
    if backend not in ("postgresql", "mysql", "mariadb") or not _empty(target):
        return real(name, url, users, seed=seed, progress=False)
    server = target._replace(database=None, query={}).render_as_string(hide_password=False)
    key = (backend, server, name, users, seed)
    with _lock:
        if key not in _servers:
            template = target.set(database=f"pk_tmpl_{_session}_{name}_{users}_{seed}")
            _create_database(template)
            rendered = template.render_as_string(hide_password=False)
            _created.append(rendered)
            counts = real(name, rendered, users, seed=seed, progress=False)
            _servers[key] = (rendered, counts)
        template_url, counts = _servers[key]
        if backend == "postgresql":
            _copy_postgres(sa.make_url(template_url), target)
        else:
            _copy_mariadb(sa.make_url(template_url), target)
    return dict(counts)


def _empty(url: sa.URL) -> bool:
    engine = sa.create_engine(url)
    try:
        return not sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _admin(url: sa.URL) -> sa.Engine:
    database = "postgres" if url.get_backend_name() == "postgresql" else None
    return sa.create_engine(url._replace(database=database), isolation_level="AUTOCOMMIT")


def _create_database(url: sa.URL) -> None:
    admin = _admin(url)
    try:
        with admin.connect() as connection:
            if url.get_backend_name() == "postgresql":
                connection.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
            else:
                connection.exec_driver_sql(
                    f"CREATE DATABASE `{url.database}` "
                    "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                )
    finally:
        admin.dispose()


def _copy_postgres(template: sa.URL, target: sa.URL) -> None:
    """Recreate the (empty) target database as a copy of the template."""
    admin = _admin(target)
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{target.database}" WITH (FORCE)')
            connection.exec_driver_sql(
                f'CREATE DATABASE "{target.database}" TEMPLATE "{template.database}"'
            )
    finally:
        admin.dispose()


def _copy_mariadb(template: sa.URL, target: sa.URL) -> None:
    """Each table's own CREATE statement (keys, collations, counters) then its rows."""
    engine = sa.create_engine(target)
    try:
        with engine.begin() as connection:
            tables = [
                row[0]
                for row in connection.exec_driver_sql(
                    "SELECT TABLE_NAME FROM information_schema.TABLES "
                    "WHERE TABLE_SCHEMA = %s AND TABLE_TYPE = 'BASE TABLE'",
                    (template.database,),
                )
            ]
            connection.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
            for table in tables:
                create = connection.exec_driver_sql(
                    f"SHOW CREATE TABLE `{template.database}`.`{table}`"
                ).one()[1]
                connection.exec_driver_sql(create)
                connection.exec_driver_sql(
                    f"INSERT INTO `{table}` SELECT * FROM `{template.database}`.`{table}`"
                )
            connection.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1")
    finally:
        engine.dispose()
