"""The live schema: reflected tables, and the data map checked against them before any work."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from policykeeper.datamap.models import DataMap, SetValue, Table
from policykeeper.policy.checks import Finding, suggestion


@dataclass(frozen=True)
class ForeignKey:
    """One reflected foreign key: child columns pointing at parent columns."""

    child: str
    columns: tuple[str, ...]
    parent: str
    referred: tuple[str, ...]
    ondelete: str | None

    def nullable(self, tables: dict[str, sa.Table]) -> bool:
        table = tables[self.child]
        return all(table.c[name].nullable for name in self.columns)


def reflect(connection: sa.Connection, schemas: set[str | None]) -> sa.MetaData:
    """Every table of the default schema and of each schema the map names."""
    metadata = sa.MetaData()
    for schema in sorted(schemas, key=lambda s: s or ""):
        metadata.reflect(connection, schema=schema, resolve_fks=False)
    return metadata


def foreign_keys(metadata: sa.MetaData) -> list[ForeignKey]:
    found = []
    for table in metadata.tables.values():
        for constraint in table.foreign_key_constraints:
            parent = constraint.referred_table
            found.append(
                ForeignKey(
                    child=table.fullname,
                    columns=tuple(c.name for c in constraint.columns),
                    parent=parent.fullname,
                    referred=tuple(e.column.name for e in constraint.elements),
                    ondelete=(constraint.ondelete or "").upper() or None,
                )
            )
    return found


def full_name(name: str, table: Table) -> str:
    return f"{table.schema_name}.{name}" if table.schema_name else name


def check_live(datamap: DataMap, tables: dict[str, sa.Table]) -> list[Finding]:
    """Every place where the map names a table or column the live database does not have."""
    return [finding for finding in _tables(datamap, tables)]


def _tables(datamap: DataMap, tables: dict[str, sa.Table]) -> Iterator[Finding]:
    for kind, identity in datamap.identities.items():
        spec = datamap.tables.get(identity.table)
        live = tables.get(full_name(identity.table, spec)) if spec else None
        if live is not None and identity.column not in live.c:
            yield ("identities", kind), _missing_column(identity.table, identity.column, live)
    for name, spec in datamap.tables.items():
        live = tables.get(full_name(name, spec))
        if live is None:
            yield (
                ("tables", name),
                f"table '{full_name(name, spec)}' is not in the live database"
                + suggestion(name, tables),
            )
            continue
        yield from _columns(name, spec, live)
        for index, via in enumerate(spec.via):
            other_spec = datamap.tables.get(via.table)
            other = tables.get(full_name(via.table, other_spec)) if other_spec else None
            for mine, theirs in via.join.items():
                if mine not in live.c:
                    yield ("tables", name, "via", index, "join"), _missing_column(name, mine, live)
                if other is not None and theirs not in other.c:
                    yield (
                        ("tables", name, "via", index, "join", mine),
                        _missing_column(via.table, theirs, other),
                    )


def _columns(name: str, spec: Table, live: sa.Table) -> Iterator[Finding]:
    if spec.rows == "owned" and not live.primary_key.columns:
        yield ("tables", name), f"owned table '{name}' needs a primary key to address its rows"
    for column_name, column in spec.columns.items():
        if column_name not in live.c:
            yield ("tables", name, "columns", column_name), _missing_column(name, column_name, live)
            continue
        live_column = live.c[column_name]
        action = column.erase
        if action == "set_null" and not live_column.nullable:
            yield (
                ("tables", name, "columns", column_name),
                f"'{name}.{column_name}' is NOT NULL, so it cannot be set to null; "
                "choose erase: hash or {set: VALUE}",
            )
        if action == "hash" and not _is_text(live_column):
            yield (
                ("tables", name, "columns", column_name, "erase"),
                f"'{name}.{column_name}' is not a text column; a keyed hash needs text",
            )
        if isinstance(action, SetValue) and not _fits(live_column, action.set):
            yield (
                ("tables", name, "columns", column_name, "erase"),
                f"{action.set!r} does not fit '{name}.{column_name}' ({live_column.type})",
            )
    named = [
        (("tables", name, "restricted_flag"), spec.restricted_flag),
        *(
            (("tables", name, "retention", i, "clock"), binding.clock)
            for i, binding in enumerate(spec.retention)
        ),
        *(
            (("tables", name, "retention", i, "where", key), key)
            for i, binding in enumerate(spec.retention)
            for key in binding.where
        ),
    ]
    for location, column_name in named:
        if column_name is not None and column_name not in live.c:
            yield location, _missing_column(name, column_name, live)


def _missing_column(table: str, column: str, live: sa.Table) -> str:
    return f"column '{table}.{column}' is not in the live database" + suggestion(
        column, [c.name for c in live.c]
    )


def _is_text(column: sa.Column[object]) -> bool:
    return isinstance(column.type, sa.String | sa.Text)


def text_capacity(column: sa.Column[object]) -> int | None:
    return getattr(column.type, "length", None)


def _fits(column: sa.Column[object], value: object) -> bool:
    from policykeeper.datamap.values import coerce

    try:
        coerce(column, value)
    except ValueError:
        return False
    return True
