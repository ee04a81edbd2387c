"""Set-based predicates: large key sets become batched IN lists of bound parameters."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from policykeeper.datamap.models import Scalar, Table

BATCH = 1000

Key = tuple[Any, ...]
VALUES = "values"
"""The parameter `in_values` binds: a batch of values, given at execution."""
Built = TypeVar("Built")
_UNMADE = object()


def batches(values: Iterable[Key], size: int = BATCH) -> Iterator[list[Key]]:
    batch: list[Key] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def matching(
    table: sa.FromClause, columns: Sequence[str], values: Sequence[Key]
) -> sa.ColumnElement[bool]:
    """`(columns) IN (values)`, with one column as a plain IN and several as a row-value IN.

    One column's values go in as one expanding parameter: SQLAlchemy then neither builds nor
    hashes an expression per value (hundreds for a heavy user's rows)."""
    if len(columns) == 1:
        column = table.c[columns[0]]
        listed = [value[0] for value in values]
        return column.in_(sa.bindparam(None, listed, expanding=True, type_=column.type))
    return sa.tuple_(*(table.c[name] for name in columns)).in_([tuple(v) for v in values])


def in_values(
    table: sa.FromClause, columns: Sequence[str], name: str = VALUES
) -> sa.ColumnElement[bool]:
    """`(columns) IN :name`, the values bound at each execution (`bound`): a statement built
    with it once serves every person and batch, so SQLAlchemy builds and hashes it once. On
    PostgreSQL one column's values go in as one array (`= ANY`): the statement's text is the
    same for every list, so it is expanded once, not once per length (see `engine.batch`)."""
    if len(columns) == 1:
        return InValues(table.c[columns[0]], name)
    return sa.tuple_(*(table.c[c] for c in columns)).in_(sa.bindparam(name, expanding=True))


class InValues(ColumnElement[bool]):
    """`column IN :name`, a list bound at execution: an expanding IN, or `= ANY(array)` on
    PostgreSQL (which is how PostgreSQL itself reads an IN list)."""

    inherit_cache = True
    _is_implicitly_boolean = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]
    type = sa.Boolean()

    def __init__(self, column: sa.ColumnElement[Any], name: str) -> None:
        self.column = column
        self.name = name


@compiles(InValues)
def _in_list(element: InValues, compiler: Any, **kw: Any) -> str:
    column: sa.ColumnElement[Any] = element.column
    if isinstance(column.type, postgresql.DOMAIN):
        # Compared as its base type: the same SQL, without SQLAlchemy's deprecation warning
        # for operators on its DOMAIN type (which names no operator classes).
        column = sa.type_coerce(column, column.type.data_type)
    listed = sa.bindparam(element.name, expanding=True, type_=column.type)
    return f"({compiler.process(column.in_(listed), **kw)})"


@compiles(InValues, "postgresql")
def _in_array(element: InValues, compiler: Any, **kw: Any) -> str:
    column = element.column
    if isinstance(column.type, sa.types.NullType | sa.JSON | sa.ARRAY):
        return _in_list(element, compiler, **kw)  # no array of these to compare with
    if _modified(column.type):
        return _in_list(element, compiler, **kw)
    array = sa.bindparam(element.name, type_=sa.ARRAY(column.type))
    return f"({compiler.process(column == sa.any_(array), **kw)})"


def _modified(kind: Any) -> bool:
    """Does the type carry a length, precision or scale? The array's explicit cast would
    truncate (`varchar(n)`) or round (`numeric(p, s)`, `timestamp(p)`) a value the column
    cannot hold into one of its rows, or fail on it: the expanding IN matches nothing. A
    domain's base type is reflected without its modifier, so any domain may carry one."""
    if isinstance(kind, postgresql.DOMAIN):
        return True
    return any(getattr(kind, name, None) is not None for name in ("length", "precision", "scale"))


def bound(columns: Sequence[str], batch: Sequence[Key], name: str = VALUES) -> dict[str, list[Any]]:
    """The parameters of `in_values` for one batch."""
    if len(columns) == 1:
        return {name: [value[0] for value in batch]}
    return {name: [tuple(value) for value in batch]}


class Statements:
    """Statements built once per reflected schema and run many times with new values: the
    engine's hot statements (a table's rows by a join, deletions and masks by key) cost no
    construction and no cache-key hashing after their first use."""

    def __init__(self) -> None:
        self._built: dict[Hashable, Any] = {}
        self._derived: dict[int, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], Built]) -> Built:
        found = self._built.get(key)
        if found is None:
            with self._lock:
                found = self._built.setdefault(key, build())
                self._derived.setdefault(id(found), _UNMADE)
        return found  # type: ignore[no-any-return]

    def derived(self, statement: Any, make: Callable[[], Built]) -> Built:
        """`make()` for a statement built here, kept as long as the statement (its compiled
        form); for any other statement, made anew each time (nothing keeps it alive)."""
        if id(statement) not in self._derived:
            return make()
        found = self._derived[id(statement)]
        if found is _UNMADE:
            with self._lock:
                found = self._derived[id(statement)] = make()
        return found  # type: ignore[no-any-return]


def satisfying(live: sa.Table, conditions: Mapping[str, Scalar | list[Scalar] | None]) -> list[Any]:
    """Column = value (a list: IN, None: IS NULL) for each condition, as bound parameters."""
    clauses: list[Any] = []
    for name, value in conditions.items():
        column = live.c[name]
        if value is None:
            clauses.append(column.is_(None))
        elif isinstance(value, list):
            clauses.append(column.in_(value))
        else:
            clauses.append(column == value)
    return clauses


def rows_of(spec: Table, live: sa.Table) -> list[Any]:
    """The rows a table's spec can mean at all: a meta table's rows with a listed key."""
    if spec.meta is None:
        return []
    return satisfying(live, {spec.meta.key: list(spec.meta.keys)})
