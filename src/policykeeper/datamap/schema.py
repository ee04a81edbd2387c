"""The live schema: reflected tables, and the data map checked against them before any work."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import CITEXT

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


PARTITIONS = "partitions"
"""metadata.info key: each folded partition or inheriting table -> the table it belongs to."""


def reflect(connection: sa.Connection, schemas: set[str | None]) -> sa.MetaData:
    """Every table of the default schema and of each schema the map names.

    On PostgreSQL a partition (declarative partitioning) or a table that INHERITS from
    another is not a table of its own: reads and writes through the parent reach its rows.
    It is folded into its topmost parent, whose foreign keys gain any the child declares.
    """
    metadata = sa.MetaData()
    metadata.info[PARTITIONS] = {}
    for schema in sorted(schemas, key=lambda s: s or ""):
        metadata.reflect(connection, schema=schema, resolve_fks=False)
        if connection.dialect.name == "postgresql":
            _fold_children(connection, metadata, schema)
    return metadata


_CHILDREN = sa.text(
    """
    SELECT c.relname AS child, p.relname AS parent, pn.nspname AS parent_schema
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_class p ON p.oid = i.inhparent
    JOIN pg_namespace pn ON pn.oid = p.relnamespace
    WHERE n.nspname = coalesce(:schema, current_schema())
    """
)


def _fold_children(connection: sa.Connection, metadata: sa.MetaData, schema: str | None) -> None:
    default = connection.dialect.default_schema_name

    def key(name: str, in_schema: str | None) -> str:
        return name if in_schema in (None, default) else f"{in_schema}.{name}"

    parents = {
        key(row.child, schema): key(row.parent, row.parent_schema)
        for row in connection.execute(_CHILDREN, {"schema": schema})
    }
    for child in parents:
        root = child
        while root in parents:
            root = parents[root]
        table, top = metadata.tables.get(child), metadata.tables.get(root)
        if table is None or top is None:
            continue
        _lift_foreign_keys(table, top)
        metadata.info[PARTITIONS][child] = root
    for child in parents:
        if child in metadata.tables:
            metadata.remove(metadata.tables[child])


def _lift_foreign_keys(child: sa.Table, parent: sa.Table) -> None:
    """A key the child declares and the parent lacks (inheritance does not copy them)."""
    present = {_signature(c) for c in parent.foreign_key_constraints}
    for constraint in child.foreign_key_constraints:
        columns = [c.name for c in constraint.columns]
        if _signature(constraint) in present or not all(name in parent.c for name in columns):
            continue
        referred = constraint.referred_table
        parent.append_constraint(
            sa.ForeignKeyConstraint(
                [parent.c[name] for name in columns],
                [referred.c[e.column.name] for e in constraint.elements],
                ondelete=constraint.ondelete,
            )
        )
        present.add(_signature(constraint))


def _signature(constraint: sa.ForeignKeyConstraint) -> tuple[object, ...]:
    return (
        tuple(c.name for c in constraint.columns),
        constraint.referred_table.fullname,
        tuple(e.column.name for e in constraint.elements),
    )


_PG_VERSION = sa.text(
    """
    WITH c AS (
      SELECT c.oid, c.relname, c.relkind FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY(:schemas) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
    )
    SELECT count(*) || ':' || sum(('x' || left(md5(part), 15))::bit(60)::bigint) FROM (
      SELECT concat_ws(':', 'c', c.oid, c.relname, c.relkind) AS part FROM c
      UNION ALL
      SELECT concat_ws(':', 'a', a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod,
                       a.attnotnull, a.attisdropped, a.attcollation)
      FROM c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
      UNION ALL
      SELECT concat_ws(':', 'k', k.oid, k.conname, k.contype, k.conrelid, k.confrelid, k.conkey,
                       k.confkey, k.confdeltype)
      FROM pg_constraint k
      WHERE k.conrelid IN (SELECT oid FROM c) OR k.confrelid IN (SELECT oid FROM c)
      UNION ALL
      SELECT concat_ws(':', 'i', i.indexrelid, i.indrelid, i.indisunique, i.indkey)
      FROM c JOIN pg_index i ON i.indrelid = c.oid
      UNION ALL
      SELECT concat_ws(':', 'h', h.inhrelid, h.inhparent) FROM pg_inherits h
      WHERE h.inhrelid IN (SELECT oid FROM c) OR h.inhparent IN (SELECT oid FROM c)
    ) parts
    """
)
_MYSQL_VERSION = sa.text(
    """
    SELECT CONCAT(COUNT(*), ':', COALESCE(SUM(CRC32(part)), 0)) FROM (
      SELECT CONCAT_WS(':', 't', TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE,
                       COALESCE(TABLE_COLLATION, '')) AS part
      FROM information_schema.TABLES WHERE TABLE_SCHEMA IN :schemas
      UNION ALL
      SELECT CONCAT_WS(':', 'c', TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION,
                       COLUMN_TYPE, IS_NULLABLE, COALESCE(COLLATION_NAME, ''))
      FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN :schemas
      UNION ALL
      SELECT CONCAT_WS(':', 'k', TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME,
                       ORDINAL_POSITION, COALESCE(REFERENCED_TABLE_SCHEMA, ''),
                       COALESCE(REFERENCED_TABLE_NAME, ''), COALESCE(REFERENCED_COLUMN_NAME, ''))
      FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA IN :schemas
      UNION ALL
      SELECT CONCAT_WS(':', 'r', CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, DELETE_RULE)
      FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN :schemas
      UNION ALL
      SELECT CONCAT_WS(':', 'i', TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE,
                       SEQ_IN_INDEX, COLUMN_NAME)
      FROM information_schema.STATISTICS WHERE TABLE_SCHEMA IN :schemas
    ) parts
    """
).bindparams(sa.bindparam("schemas", expanding=True))


def schema_version(connection: sa.Connection, schemas: set[str | None]) -> str | None:
    """A value that changes whenever the definition of a table in these schemas does (its
    columns and their types, keys, indexes, partitions): one catalog query, so a long-lived
    process can ask before each job whether what it reflected still holds. None for a
    database it cannot ask (then nothing is refreshed)."""
    dialect = connection.dialect.name
    names = sorted({schema or connection.dialect.default_schema_name or "" for schema in schemas})
    if dialect == "postgresql":
        return str(connection.execute(_PG_VERSION, {"schemas": names}).scalar_one())
    if dialect in ("mysql", "mariadb"):
        return str(connection.execute(_MYSQL_VERSION, {"schemas": names}).scalar_one())
    if dialect == "sqlite":
        quoted = ['"' + (name or "main").replace('"', '""') + '"' for name in names]
        versions = [
            connection.exec_driver_sql(f"PRAGMA {name}.schema_version").scalar_one()
            for name in quoted
        ]
        return ":".join(str(v) for v in versions)
    return None


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


def case_insensitive(column: sa.Column[Any]) -> bool:
    """Does the database itself compare this column without regard to case (citext, a MySQL
    or MariaDB _ci collation of the column or its table)?"""
    if isinstance(column.type, CITEXT):
        return True
    collation = getattr(column.type, "collation", None)
    if collation is None and isinstance(column.table, sa.Table):
        options = column.table.dialect_kwargs
        collation = options.get("mysql_collate") or options.get("mariadb_collate")
    return isinstance(collation, str) and collation.lower().endswith("_ci")


def full_name(name: str, table: Table) -> str:
    return f"{table.schema_name}.{name}" if table.schema_name else name


def check_live(
    datamap: DataMap, tables: dict[str, sa.Table], partitions: dict[str, str] | None = None
) -> list[Finding]:
    """Every place where the map names a table or column the live database does not have."""
    return list(_tables(datamap, tables, partitions or {}))


def _tables(
    datamap: DataMap, tables: dict[str, sa.Table], partitions: dict[str, str]
) -> Iterator[Finding]:
    for kind, identity in datamap.identities.items():
        spec = datamap.tables.get(identity.table)
        live = tables.get(full_name(identity.table, spec)) if spec else None
        if live is not None and identity.column not in live.c:
            yield ("identities", kind), _missing_column(identity.table, identity.column, live)
    for name, spec in datamap.tables.items():
        live = tables.get(full_name(name, spec))
        parent = partitions.get(full_name(name, spec))
        if live is None and parent is not None:
            yield (
                ("tables", name),
                f"'{full_name(name, spec)}' is a partition of '{parent}' (or inherits from it): "
                f"map '{parent}' once, which reads and erases every partition",
            )
            continue
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
            for part, columns in (("side", via.side or []), ("where", list(via.where))):
                for column in columns:
                    if column not in live.c:
                        yield (
                            ("tables", name, "via", index, part),
                            _missing_column(name, column, live),
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
        *(
            (("tables", name, "meta", part), getattr(spec.meta, part))
            for part in (("key", "value") if spec.meta else ())
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
