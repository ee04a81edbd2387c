"""The journal of a run over places: the person as SQL found them, and each place's result.

It is written before the first change, so a run killed at any point is finished by the next
one, even once the SQL rows that led to the other places are gone. A place that failed is
tried again; one that settled is not. When every place has settled the person is dropped and
only the report stays.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import sqlalchemy as sa

from policykeeper.engine.state import Write, state_for, within
from policykeeper.project import Project
from policykeeper.store.engine_models import EnginePlaceRun

_runs = EnginePlaceRun.__table__


@dataclass
class Run:
    person: dict[str, Any] | None
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    report: dict[str, Any] | None = None


class RunJournal(Protocol):
    """`record` and `finish` receive every place's result so far (they replace, not merge).
    `connection` and `also` are PolicyKeeper's store: a start or finish written inside another
    write's transaction, and writes (the SQL erasure's journal finish) to commit with this one."""

    def get(self, key: str, action: str) -> Run | None: ...
    def start(
        self,
        key: str,
        action: str,
        person: dict[str, Any],
        connection: sa.Connection | None = None,
    ) -> None: ...
    def record(
        self,
        key: str,
        action: str,
        results: dict[str, dict[str, Any]],
        also: Sequence[Write] = (),
    ) -> None: ...
    def finish(
        self,
        key: str,
        action: str,
        report: dict[str, Any],
        results: dict[str, dict[str, Any]],
        also: Sequence[Write] = (),
        connection: sa.Connection | None = None,
    ) -> None: ...


class StoreJournal:
    """RunJournal beside the engine's own state, in PolicyKeeper's main store; the store is
    opened on first use, so a dry run leaves no trace."""

    def __init__(self, project: Project) -> None:
        self.project = project

    @classmethod
    def of(cls, project: Project) -> StoreJournal:
        return cls(project)

    @property
    def engine(self) -> sa.Engine:
        return state_for(self.project).engine

    def get(self, key: str, action: str) -> Run | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(_runs).where(_runs.c.run_key == key, _runs.c.action == action)
            ).first()
        if row is None:
            return None
        return Run(
            json.loads(row.person) if row.person else None,
            json.loads(row.results),
            json.loads(row.report) if row.report else None,
        )

    def start(
        self,
        key: str,
        action: str,
        person: dict[str, Any],
        connection: sa.Connection | None = None,
    ) -> None:
        with within(self.engine, connection) as connection:
            connection.execute(
                _runs.delete().where(_runs.c.run_key == key, _runs.c.action == action)
            )
            connection.execute(
                _runs.insert().values(
                    run_key=key,
                    action=action,
                    person=json.dumps(person, default=str),
                    results="{}",
                    started_at=_now(),
                )
            )

    def record(
        self,
        key: str,
        action: str,
        results: dict[str, dict[str, Any]],
        also: Sequence[Write] = (),
    ) -> None:
        with self.engine.begin() as connection:
            for write in also:
                write(connection)
            connection.execute(
                _runs.update()
                .where(_runs.c.run_key == key, _runs.c.action == action)
                .values(results=json.dumps(results, default=str))
            )

    def finish(
        self,
        key: str,
        action: str,
        report: dict[str, Any],
        results: dict[str, dict[str, Any]],
        also: Sequence[Write] = (),
        connection: sa.Connection | None = None,
    ) -> None:
        with within(self.engine, connection) as connection:
            for write in also:
                write(connection)
            connection.execute(
                _runs.update()
                .where(_runs.c.run_key == key, _runs.c.action == action)
                .values(
                    person=None,
                    results=json.dumps(results, default=str),
                    report=json.dumps(report, default=str),
                    finished_at=_now(),
                )
            )


def _now() -> datetime:
    return datetime.now(UTC)
