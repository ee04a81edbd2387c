"""The engine's own small state: erasure journals, restrictions and held rows.

It lives in `DIR/.policykeeper/engine.sqlite3` behind the EngineState protocol, so it can move
into PolicyKeeper's main store later without the executors noticing. Identity values are never
stored: journals are keyed by a digest, subjects by their primary keys.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa

from policykeeper.datamap.connections import open_engine

STATE_DIR = ".policykeeper"
STATE_FILE = "engine.sqlite3"

_metadata = sa.MetaData()
_journal = sa.Table(
    "journal",
    _metadata,
    sa.Column("request", sa.String(64), primary_key=True),
    sa.Column("action", sa.String(20), primary_key=True),
    sa.Column("roots", sa.Text, nullable=False),
    sa.Column("done", sa.Text, nullable=False, default="[]"),
    sa.Column("report", sa.Text),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),
)
_restrictions = sa.Table(
    "restrictions",
    _metadata,
    sa.Column("subject", sa.String(255), primary_key=True),
    sa.Column("since", sa.DateTime, nullable=False),
)
_holds = sa.Table(
    "holds",
    _metadata,
    sa.Column("table_name", sa.String(255), primary_key=True),
    sa.Column("row_key", sa.String(255), primary_key=True),
    sa.Column("rule", sa.String(100)),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("delete_after", sa.Date),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
)


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


class EngineState(Protocol):
    def journal(self, request: str, action: str) -> Journal | None: ...
    def start(self, request: str, action: str, roots: dict[str, list[list[Any]]]) -> None: ...
    def committed(self, request: str, action: str, connection: str) -> None: ...
    def finish(
        self, request: str, action: str, report: dict[str, Any], holds: list[Hold]
    ) -> None: ...
    def set_restricted(self, subject: str, restricted: bool) -> None: ...
    def is_restricted(self, subject: str) -> bool: ...


class SqliteState:
    """EngineState in a SQLite file inside the project directory."""

    def __init__(self, path: Path) -> None:
        state_directory(path.parent.parent)
        self.engine = open_engine(f"sqlite:///{path}")
        sa.event.listen(self.engine, "connect", _write_ahead)
        _metadata.create_all(self.engine)

    def journal(self, request: str, action: str) -> Journal | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(_journal).where(
                    _journal.c.request == request, _journal.c.action == action
                )
            ).first()
        if row is None:
            return None
        return Journal(
            json.loads(row.roots),
            json.loads(row.done),
            json.loads(row.report) if row.report else None,
        )

    def start(self, request: str, action: str, roots: dict[str, list[list[Any]]]) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                _journal.delete().where(_journal.c.request == request, _journal.c.action == action)
            )
            connection.execute(
                _journal.insert().values(
                    request=request,
                    action=action,
                    roots=json.dumps(roots, default=str),
                    done="[]",
                    started_at=_now(),
                )
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

    def finish(self, request: str, action: str, report: dict[str, Any], holds: list[Hold]) -> None:
        """Mark the request done and record its held rows, in one transaction."""
        with self.engine.begin() as connection:
            connection.execute(
                _journal.update()
                .where(_journal.c.request == request, _journal.c.action == action)
                .values(report=json.dumps(report, default=str), finished_at=_now())
            )
            for table in sorted({hold.table for hold in holds}):
                keys = [json.dumps(h.key, default=str) for h in holds if h.table == table]
                for start in range(0, len(keys), 500):
                    connection.execute(
                        _holds.delete().where(
                            _holds.c.table_name == table,
                            _holds.c.row_key.in_(keys[start : start + 500]),
                        )
                    )
            if holds:
                connection.execute(
                    _holds.insert(),
                    [
                        {
                            "table_name": hold.table,
                            "row_key": json.dumps(hold.key, default=str),
                            "rule": hold.rule,
                            "reason": hold.reason,
                            "delete_after": hold.delete_after,
                            "recorded_at": _now(),
                        }
                        for hold in holds
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


def _write_ahead(dbapi_connection: Any, _record: Any) -> None:
    """WAL with NORMAL sync: a killed process loses nothing, and each write costs no fsync."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


_states: dict[Path, SqliteState] = {}


def state_for(directory: Path) -> SqliteState:
    """The project's state store, opened once per process while its file exists."""
    path = (directory / STATE_DIR / STATE_FILE).resolve()
    cached = _states.get(path)
    if cached is None or not path.is_file():
        if cached is not None:
            cached.engine.dispose()
        cached = _states[path] = SqliteState(path)
    return cached


def subject_key(table: str, key: list[Any] | tuple[Any, ...]) -> str:
    return f"{table}:{json.dumps(list(key), default=str)}"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
