"""Database URLs with secrets from the environment, opened as SQLAlchemy engines."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from policykeeper.config import variable
from policykeeper.errors import InputError

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def expand(text: str, what: str) -> str:
    """Replace ${NAME} (or ${NAME:-default}) with the environment's value; never log the result."""

    def value(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        found = variable(name)
        if found is not None:
            return found
        if default is not None:
            return default
        raise InputError(f"{what} needs the environment variable {name}, which is not set")

    return _VARIABLE.sub(value, text)


def resolve_url(url: str, base: Path | None, what: str = "connection") -> str:
    """Expand variables; a relative SQLite path is relative to the project directory."""
    expanded = expand(url, what)
    try:
        parsed = sa.make_url(expanded)
    except sa.exc.ArgumentError as exc:
        raise InputError(f"{what}: not a database URL ({exc})") from None
    database = parsed.database
    if (
        parsed.get_backend_name() == "sqlite"
        and base is not None
        and database
        and database != ":memory:"
        and not Path(database).is_absolute()
    ):
        parsed = parsed.set(database=str(base / database))
    return parsed.render_as_string(hide_password=False)


def require_existing(url: str) -> None:
    """A SQLite file that does not exist is unreachable: connecting would create it."""
    parsed = sa.make_url(url)
    database = parsed.database
    local = parsed.get_backend_name() == "sqlite" and database and database != ":memory:"
    if local and not Path(str(database)).is_file():
        raise InputError(f"cannot reach the database {safe_url(url)}: no such file")


def open_engine(url: str) -> sa.Engine:
    """An engine that enforces foreign keys on SQLite too, as the server databases do.

    psycopg's automatic server-side prepares are off: an IN list of each new length is a new
    statement, so preparing them costs a round trip and saves nothing.
    """
    try:
        driver = sa.make_url(url).drivername
        options = {"prepare_threshold": None} if driver == "postgresql+psycopg" else {}
        engine = sa.create_engine(url, pool_pre_ping=False, connect_args=options)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise InputError(f"cannot open {safe_url(url)}: {exc}") from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.close()


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<invalid URL>"


def unreachable(url: str, exc: Exception) -> InputError:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return InputError(f"cannot reach the database {safe_url(url)}: {reason}")
