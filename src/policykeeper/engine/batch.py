"""Statements sent together: in one round trip on PostgreSQL through psycopg (its pipeline
mode), one after another through SQLAlchemy on other databases.

An erasure's reads of one table's children, and its changes with their verification, do not
depend on each other's answers: sent one by one, each waits for the server, and the waits,
not the work, were most of an erasure's time. In the pipeline the statements still run in
order, in the connection's transaction; a failing one aborts those after it, and the error is
raised when the batch ends. Each statement is compiled by SQLAlchemy once (the engine's
statements are built once per reflected schema) and its parameters and rows pass through the
same bind and result processors SQLAlchemy's own execution applies, so rows are the same
values either way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.compiler import SQLCompiler

from policykeeper.engine.keys import Statements

Parameters = dict[str, Any] | list[dict[str, Any]]
"""One execution's parameters, or a list of them (one statement run for each)."""


@dataclass
class Done:
    """What one statement returned: its rows (as mappings by column key), rows it changed."""

    rows: list[dict[str, Any]]
    rowcount: int


@dataclass
class Work:
    """A statement of a batch: its parameters, the rows it must change (None: any number),
    the error when it changes another number, and what to do once it passed."""

    statement: sa.Executable
    parameters: Parameters
    expect: int | None = None
    missed: Callable[[int], Exception] | None = None
    after: Callable[[], None] | None = None

    def check(self, done: Done) -> Done:
        if self.expect is not None and done.rowcount != self.expect:
            assert self.missed is not None
            raise self.missed(done.rowcount)
        if self.after is not None:
            self.after()
        return done


@dataclass(frozen=True)
class _Mark:
    """Stands for a given value while SQLAlchemy expands a statement once per shape: where
    it lands in the expanded parameters says which value goes there."""

    key: str
    index: int | None
    part: int | None


SHAPES = 64
"""Expanded forms kept per statement (one per length of its IN lists)."""


@dataclass
class _Plan:
    """A statement compiled once for psycopg, with what SQLAlchemy would do around it."""

    compiled: SQLCompiler
    keys: list[str]
    types: list[Any]
    expanding: frozenset[str]
    loaders: dict[tuple[Any, ...], list[Callable[[Any], Any] | None]] = field(default_factory=dict)
    shapes: dict[tuple[Any, ...], tuple[str, list[tuple[Any, ...]]]] = field(default_factory=dict)

    def sql(self, parameters: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The statement with its IN lists expanded, and the parameters as the driver gets them
        (SQLAlchemy's expansion and bind processors, worked out once per shape)."""
        shape = tuple(
            (key, len(value) if key in self.expanding else None)
            for key, value in parameters.items()
        )
        known = self.shapes.get(shape)
        if known is None:
            known = self._expand(parameters)
            if len(self.shapes) < SHAPES:
                self.shapes[shape] = known
        statement, recipe = known
        values = {}
        for name, key, index, part, process in recipe:
            if key is None:
                value = index
            else:
                value = parameters[key]
                if index is not None:
                    value = value[index]
                if part is not None:
                    value = value[part]
            values[name] = value if process is None else process(value)
        return statement, values

    def _expand(self, parameters: dict[str, Any]) -> tuple[str, list[tuple[Any, ...]]]:
        probe: dict[str, Any] = {}
        for key, value in parameters.items():
            if key not in self.expanding:
                probe[key] = _Mark(key, None, None)
                continue
            probe[key] = [
                tuple(_Mark(key, i, j) for j in range(len(item)))
                if isinstance(item, tuple)
                else _Mark(key, i, None)
                for i, item in enumerate(value)
            ]
        state = self.compiled.construct_expanded_state(probe, escape_names=False)
        processors = {**self.compiled._bind_processors, **state.processors}
        recipe: list[tuple[Any, ...]] = []
        for name, value in state.parameters.items():
            process = processors.get(name)
            if isinstance(value, _Mark):
                recipe.append((name, value.key, value.index, value.part, process))
            else:  # a value the statement holds itself
                recipe.append((name, None, value, None, process))
        return state.statement, recipe

    def rows(self, cursor: Any) -> list[dict[str, Any]]:
        result = cursor.pgresult
        if result is None or not result.nfields:
            return []
        codes = tuple(result.ftype(i) for i in range(result.nfields))
        loaders = self.loaders.get(codes)
        if loaders is None:
            dialect = self.compiled.dialect
            loaders = self.loaders[codes] = [
                kind._cached_result_processor(dialect, code)
                for kind, code in zip(self.types, codes, strict=True)
            ]
        if not any(loaders):
            return [dict(zip(self.keys, row, strict=True)) for row in cursor.fetchall()]
        return [
            {
                key: load(value) if load is not None else value
                for key, load, value in zip(self.keys, loaders, row, strict=True)
            }
            for row in cursor.fetchall()
        ]


def _compile(dialect: sa.Dialect, statement: sa.Executable) -> _Plan | None:
    """The plan, or None where SQLAlchemy's execution does more than bind and load values
    (names it escapes, Python-side column defaults): such statements go through it."""
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    if (
        compiled.escaped_bind_names
        or compiled.insert_prefetch
        or compiled.update_prefetch
        or compiled.positional
        or compiled.literal_execute_params
    ):
        return None
    columns = compiled._result_columns
    expanding = frozenset(compiled.bind_names[b] for b in compiled.post_compile_params)
    return _Plan(compiled, [c.keyname for c in columns], [c.type for c in columns], expanding)


def pipelined(connection: sa.Connection) -> bool:
    """Does this connection send batches in one round trip (PostgreSQL through psycopg, with
    a libpq that has pipeline mode)?"""
    dialect = connection.dialect
    return dialect.name == "postgresql" and dialect.driver == "psycopg" and _supported()


@cache
def _supported() -> bool:
    import psycopg

    return bool(psycopg.Pipeline.is_supported())


def run_all(
    connection: sa.Connection,
    work: Sequence[Work | tuple[sa.Executable, Parameters]],
    statements: Statements | None = None,
) -> list[Done]:
    """Run each statement in order, in `connection`'s transaction, and check each step; on
    PostgreSQL in one round trip, so every statement has run before the first check (the
    caller's transaction is rolled back on an error either way). `statements` (the runtime's)
    keeps the compiled form of the statements it built; any other statement in the batch is
    compiled for this call. Without it the statements go through SQLAlchemy one by one (and
    its cache of compiled statements), as a caller running a few statements many times wants.
    """
    steps = [item if isinstance(item, Work) else Work(*item) for item in work]
    if not steps:
        return []
    if statements is not None and pipelined(connection):
        dialect = connection.dialect
        compiled = [
            statements.derived(step.statement, partial(_compile, dialect, step.statement))
            for step in steps
        ]
        if all(plan is not None for plan in compiled):
            done = _pipeline(connection, compiled, [step.parameters for step in steps])  # type: ignore[arg-type]
            return [step.check(one) for step, one in zip(steps, done, strict=True)]
    return [step.check(_one(connection, step.statement, step.parameters)) for step in steps]


def _one(connection: sa.Connection, statement: sa.Executable, parameters: Parameters) -> Done:
    result = connection.execute(statement, parameters)
    if result.returns_rows:
        return Done([dict(row) for row in result.mappings()], result.rowcount)
    return Done([], result.rowcount)


def _pipeline(
    connection: sa.Connection, plans: list[_Plan], parameters: list[Parameters]
) -> list[Done]:
    if not connection.in_transaction():
        connection.begin()  # SQLAlchemy's transaction: its commit and rollback end these too
    raw = connection.connection.driver_connection
    assert raw is not None
    # Listeners of the engine's statements (logs, counts) hear these too, as SQLAlchemy tells
    # them; there is no execution context to give them.
    events = connection._has_events or connection.engine._has_events
    sent = []
    cursors = []
    # One statement alone is sent as it is: pipeline mode's entry, sync and exit would only add
    # to its one round trip.
    with raw.pipeline() if len(plans) > 1 else nullcontext():
        for plan, given in zip(plans, parameters, strict=True):
            cursor = raw.cursor()
            many = isinstance(given, list)
            if many:
                expanded = [plan.sql(one) for one in given]
                sql, values = expanded[0][0], [values for _, values in expanded]
                if any(text != sql for text, _ in expanded):
                    # One text is sent for every set: sets whose lists expand to other
                    # lengths would be bound to the wrong placeholders.
                    raise ValueError("an executemany's parameter sets expand differently")
            else:
                sql, values = plan.sql(given)  # type: ignore[arg-type]
            if events:
                for listener in connection.dispatch.before_cursor_execute:
                    sql, values = listener(connection, cursor, sql, values, None, many)
            if many:
                cursor.executemany(sql, values)
            else:
                cursor.execute(sql, values)
            sent.append((sql, values, many))
            cursors.append(cursor)
    if events:
        for cursor, (sql, values, many) in zip(cursors, sent, strict=True):
            connection.dispatch.after_cursor_execute(connection, cursor, sql, values, None, many)
    done = [
        Done(plan.rows(cursor), cursor.rowcount)
        for plan, cursor in zip(plans, cursors, strict=True)
    ]
    for cursor in cursors:
        cursor.close()
    return done
