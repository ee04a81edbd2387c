"""The engine's own small state: erasure journals, restrictions and held rows.

It lives in PolicyKeeper's main store (`project.store_url`: PostgreSQL in production, else the
project's SQLite state file), so a job one worker host started is resumed by another after a
crash. Identity values are never stored: journals are keyed by a digest, subjects by their
primary keys. A `DIR/.policykeeper/engine.sqlite3` left by an older version is imported on
first use and renamed `engine.sqlite3.imported`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from policykeeper.project import Project
from policykeeper.store import Store, migrated_store
from policykeeper.store.database import unflushed
from policykeeper.store.engine_models import (
    EngineHold,
    EngineJournal,
    EnginePlaceRun,
    EngineRestriction,
)

STATE_DIR = ".policykeeper"
LEGACY_FILE = "engine.sqlite3"
"""Where versions before the store held the engine's state; imported, then renamed."""
IMPORTED_SUFFIX = ".imported"

_journal = EngineJournal.__table__
_restrictions = EngineRestriction.__table__
_holds = EngineHold.__table__
_runs = EnginePlaceRun.__table__
_ENTRY = (
    _journal.c.request == sa.bindparam("entry_request"),
    _journal.c.action == sa.bindparam("entry_action"),
)
_READ = sa.select(_journal).where(*_ENTRY)
_CLEARED = _journal.delete().where(*_ENTRY)
_STARTED = _journal.insert()
_FINISHED = (
    _journal.update()
    .where(*_ENTRY)
    .values(
        report=sa.bindparam("entry_report", type_=_journal.c.report.type),
        finished_at=sa.bindparam("entry_finished", type_=_journal.c.finished_at.type),
    )
)
"""The journal's statements on every erasure, built once (SQLAlchemy then only looks up
their compiled form): an entry is named by its request and action."""


def _recording(insert: Any) -> Any:
    """Records of held rows written over earlier records of the same rows (an upsert on the
    primary key, table and key: the index finds them, never a scan of the records kept so
    far): one statement for every kept row of an erasure."""
    statement = insert(_holds)
    replaced = ("rule", "reason", "delete_after", "recorded_at")
    return statement.on_conflict_do_update(
        index_elements=[_holds.c.table_name, _holds.c.row_key],
        set_={name: statement.excluded[name] for name in replaced},
    )


_RECORD_HOLDS = {"sqlite": _recording(sqlite_insert), "postgresql": _recording(postgres_insert)}
"""Per store database (SQLite or PostgreSQL), built once."""


@dataclass(frozen=True)
class Journal:
    """An erasure under way or done: where it started, which connections committed, its report."""

    roots: dict[str, list[list[Any]]]
    done: list[str]
    report: dict[str, Any] | None


@dataclass(frozen=True)
class Hold:
    table: str
    key: list[Any]
    rule: str | None
    reason: str
    delete_after: Any


Write = Callable[[sa.Connection], None]
"""A write to the store inside a transaction another write opened: journal entries that must
become durable together commit once."""


@contextmanager
def within(
    engine: sa.Engine,
    connection: sa.Connection | None,
    begin: Callable[[sa.Engine], AbstractContextManager[sa.Connection]] = sa.Engine.begin,
) -> Iterator[sa.Connection]:
    """`connection` (its caller commits), else a transaction of its own, opened by `begin`."""
    if connection is not None:
        yield connection
        return
    with begin(engine) as own:
        yield own


class EngineState(Protocol):
    def journal(self, request: str, action: str) -> Journal | None: ...
    def start(self, request: str, action: str, roots: dict[str, list[list[Any]]]) -> None: ...
    def committed(self, request: str, action: str, connection: str) -> None: ...
    def finish(
        self, request: str, action: str, report: dict[str, Any], holds: list[Hold]
    ) -> None: ...
    def set_restricted(self, subject: str, restricted: bool) -> None: ...
    def is_restricted(self, subject: str) -> bool: ...


class StoreState:
    """EngineState in PolicyKeeper's main store, migrated to head on first use."""

    def __init__(self, url: str, directory: Path) -> None:
        # No test query before each use, as for the service's own databases: the engine's
        # journals are written several times per request, and a connection the database
        # dropped fails the job as an outage, which the worker gives back and runs again.
        self.store: Store = migrated_store(url, pre_ping=False)
        self.engine = self.store.engine
        if self.engine.dialect.name not in _RECORD_HOLDS:
            raise ValueError(
                f"the store must be SQLite or PostgreSQL, not {self.engine.dialect.name}"
            )
        import_legacy(self.engine, directory)

    def journal(
        self, request: str, action: str, connection: sa.Connection | None = None
    ) -> Journal | None:
        """The journal entry, read on `connection` when the caller reads more beside it."""
        entry = {"entry_request": request, "entry_action": action}
        if connection is None:
            with self.engine.connect() as own:
                row = own.execute(_READ, entry).first()
        else:
            row = connection.execute(_READ, entry).first()
        if row is None:
            return None
        return Journal(
            json.loads(row.roots),
            json.loads(row.done),
            json.loads(row.report) if row.report else None,
        )

    def start(
        self,
        request: str,
        action: str,
        roots: dict[str, list[list[Any]]],
        connection: sa.Connection | None = None,
    ) -> None:
        """Written before any change; inside `connection`'s transaction when given."""
        with within(self.engine, connection) as connection:
            connection.execute(_CLEARED, {"entry_request": request, "entry_action": action})
            connection.execute(
                _STARTED,
                {
                    "request": request,
                    "action": action,
                    "roots": json.dumps(roots, default=str),
                    "done": "[]",
                    "started_at": _now(),
                },
            )

    def committed(self, request: str, action: str, connection_name: str) -> None:
        journal = self.journal(request, action)
        done = sorted({*(journal.done if journal else []), connection_name})
        with self.engine.begin() as connection:
            connection.execute(
                _journal.update()
                .where(_journal.c.request == request, _journal.c.action == action)
                .values(done=json.dumps(done))
            )

    def finish(
        self,
        request: str,
        action: str,
        report: dict[str, Any],
        holds: list[Hold],
        connection: sa.Connection | None = None,
    ) -> None:
        """Mark the request done and record its held rows, in one transaction (`connection`'s
        when given: a request's erasure leaves it to the places journal, which commits it with
        its own durable write). Its own transaction (`erase` called directly, as the retention
        sweep and the engine's API do) does not wait for the disk (`unflushed`): the service
        database has committed, and a finish a crash loses is redone from the journal's start
        (tests/engine/test_journal_finish.py)."""
        with within(self.engine, connection, unflushed) as connection:
            connection.execute(
                _FINISHED,
                {
                    "entry_request": request,
                    "entry_action": action,
                    "entry_report": json.dumps(report, default=str),
                    "entry_finished": _now(),
                },
            )
            recorded = _now()
            rows = {  # one record per row, the last word on it
                (hold.table, json.dumps(hold.key, default=str)): hold for hold in holds
            }
            if rows:
                connection.execute(
                    _RECORD_HOLDS[connection.dialect.name],
                    [
                        {
                            "table_name": table,
                            "row_key": key,
                            "rule": hold.rule,
                            "reason": hold.reason,
                            "delete_after": hold.delete_after,
                            "recorded_at": recorded,
                        }
                        for (table, key), hold in sorted(rows.items())
                    ],
                )

    def holds(self) -> list[Hold]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(_holds).order_by(_holds.c.table_name)).all()
        return [
            Hold(r.table_name, json.loads(r.row_key), r.rule, r.reason, r.delete_after)
            for r in rows
        ]

    def set_restricted(self, subject: str, restricted: bool) -> None:
        with self.engine.begin() as connection:
            connection.execute(_restrictions.delete().where(_restrictions.c.subject == subject))
            if restricted:
                connection.execute(_restrictions.insert().values(subject=subject, since=_now()))

    def is_restricted(self, subject: str) -> bool:
        with self.engine.connect() as connection:
            found = connection.execute(
                sa.select(_restrictions.c.subject).where(_restrictions.c.subject == subject)
            ).first()
        return found is not None


def state_directory(directory: Path) -> Path:
    """`DIR/.policykeeper`, created owner-only and ignored by git: it holds keys and journals."""
    folder = directory / STATE_DIR
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# PolicyKeeper's state: never commit it.\n*\n", "utf-8")
    return folder


ENGINE_STATE = "engine_state"
"""The project cache's key for its StoreState."""


def state_for(project: Project) -> StoreState:
    """The project's engine state, opened once per project object (kept in its cache, like
    the runtime, so a reloaded project or another store URL never sees the old one)."""
    with project.lock:
        cached: StoreState | None = project.cache.get(ENGINE_STATE)
        if cached is None:
            cached = project.cache[ENGINE_STATE] = StoreState(project.store_url, project.directory)
        return cached


def release_state(project: Project) -> None:
    """Close the project's connections to the store."""
    with project.lock:
        cached: StoreState | None = project.cache.pop(ENGINE_STATE, None)
    if cached is not None:
        cached.store.dispose()


_LEGACY_TABLES = (
    ("journal", _journal),
    ("restrictions", _restrictions),
    ("holds", _holds),
    ("place_runs", _runs),
)


def import_legacy(engine: sa.Engine, directory: Path) -> int:
    """Copy the rows of an older `DIR/.policykeeper/engine.sqlite3` into the store, then rename
    the file: a restricted person stays restricted and a held row stays held after an upgrade.
    Rows the store already has win (they are newer); running it again adds nothing."""
    path = directory / STATE_DIR / LEGACY_FILE
    if not path.is_file():
        return 0
    found = _legacy_rows(path)
    added = 0
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(727171)")
        for table, rows in found:
            key = [column.name for column in table.primary_key.columns]
            for row in rows:
                exists = connection.execute(
                    sa.select(sa.literal(1))
                    .select_from(table)
                    .where(*(table.c[name] == row[name] for name in key))
                ).first()
                if exists is None:
                    connection.execute(table.insert().values(row))
                    added += 1
    for suffix in ("", "-wal", "-shm"):
        source = path.with_name(path.name + suffix)
        if source.exists():
            source.replace(path.with_name(path.name + IMPORTED_SUFFIX + suffix))
    return added


def _legacy_rows(path: Path) -> list[tuple[sa.Table, list[dict[str, Any]]]]:
    """Every row of the old file's tables (a table it never created is empty), typed for the
    store: its naive timestamps were UTC."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        present = {
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        found = []
        for name, table in _LEGACY_TABLES:
            if name not in present:
                continue
            columns = [column.name for column in table.columns]
            cursor = connection.execute(f"SELECT {', '.join(columns)} FROM {name}")
            rows = [dict(zip(columns, values, strict=True)) for values in cursor]
            found.append((table, [_typed(table, row) for row in rows]))
        return found
    finally:
        connection.close()


def _typed(table: sa.Table, row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for name, value in row.items():
        if value is None or not isinstance(value, str):
            continue
        if isinstance(table.c[name].type, sa.Date):
            out[name] = date.fromisoformat(value[:10])
        elif name in ("started_at", "finished_at", "since", "recorded_at"):
            out[name] = datetime.fromisoformat(value).replace(tzinfo=UTC)
    return out


def subject_key(table: str, key: list[Any] | tuple[Any, ...]) -> str:
    return f"{table}:{json.dumps(list(key), default=str)}"


def _now() -> datetime:
    return datetime.now(UTC)
