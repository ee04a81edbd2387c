"""Cross-checks of a data map against itself and the declaration, without touching a database."""

from __future__ import annotations

from collections.abc import Iterator

from policykeeper.datamap.models import Column, DataMap, Keep, Table
from policykeeper.policy.checks import WARNING, Finding, suggestion
from policykeeper.policy.models import Policy
from policykeeper.policy.taxonomy import builtin


def check_datamap(datamap: DataMap, policy: Policy | None) -> list[Finding]:
    checks = (
        _connections,
        _identities,
        _vias,
        _actions,
        _sides,
        _categories,
        _rules,
        _unreached,
        _shows,
    )
    return [finding for check in checks for finding in check(datamap, policy)]


def _connections(datamap: DataMap, _policy: Policy | None) -> Iterator[Finding]:
    names = list(datamap.connections)
    for name, table in datamap.tables.items():
        if table.connection is not None and table.connection not in names:
            yield (
                ("tables", name, "connection"),
                f"unknown connection '{table.connection}'" + suggestion(table.connection, names),
            )


def _shows(datamap: DataMap, _policy: Policy | None) -> Iterator[Finding]:
    """A name shown in the export comes from a table the map lists (its rows are read)."""
    for name, table in datamap.tables.items():
        for column, spec in table.columns.items():
            if spec.shows is not None and spec.shows.table not in datamap.tables:
                yield (
                    ("tables", name, "columns", column, "shows"),
                    f"unknown table '{spec.shows.table}'"
                    + suggestion(spec.shows.table, datamap.tables),
                )


def _identities(datamap: DataMap, _policy: Policy | None) -> Iterator[Finding]:
    for kind, identity in datamap.identities.items():
        table = datamap.tables.get(identity.table)
        if table is None:
            yield (
                ("identities", kind),
                f"identity '{kind}' is in table '{identity.table}', which the map does not list"
                + suggestion(identity.table, datamap.tables),
            )
        elif table.rows != "owned":
            yield ("identities", kind), f"identity '{kind}' must be in an owned table"


def _vias(datamap: DataMap, _policy: Policy | None) -> Iterator[Finding]:
    roots = {identity.table for identity in datamap.identities.values()}
    for name, table in datamap.tables.items():
        if table.rows == "reference":
            if table.via:
                yield ("tables", name, "via"), "a reference table is never reached: remove via"
            continue
        if not table.via and name not in roots:
            yield (
                ("tables", name, "rows"),
                f"owned table '{name}' has no via and no identity column: it can never be reached",
            )
        for index, via in enumerate(table.via):
            other = datamap.tables.get(via.table)
            if other is None:
                yield (
                    ("tables", name, "via", index, "table"),
                    f"unknown table '{via.table}'" + suggestion(via.table, datamap.tables),
                )
            elif other.rows != "owned":
                yield (
                    ("tables", name, "via", index, "table"),
                    f"'{via.table}' is a reference table: owned rows are only reached from owned rows",
                )


def _actions(datamap: DataMap, _policy: Policy | None) -> Iterator[Finding]:
    for name, table in datamap.tables.items():
        if table.rows == "reference" and table.erase != "delete":
            yield ("tables", name, "erase"), "reference rows are never erased: remove erase"
        if table.rows == "reference" and table.shared:
            yield ("tables", name, "shared"), "reference rows are never erased: remove shared"
        for column_name, column in table.columns.items():
            if column.erase is not None and table.rows == "reference":
                yield (
                    ("tables", name, "columns", column_name, "erase"),
                    "reference rows are never erased: remove erase",
                )


def _sides(datamap: DataMap, _policy: Policy | None) -> Iterator[Finding]:
    """A row two people share names every person's side, and a column belongs to one side."""
    roots = {identity.table for identity in datamap.identities.values()}
    for name, table in datamap.tables.items():
        if not table.has_sides():
            continue
        if name in roots:
            yield (
                ("tables", name, "via"),
                f"'{name}' holds an identity, so its rows are one person's: remove side",
            )
        owner: dict[str, int] = {}
        for index, via in enumerate(table.via):
            if via.side is None:
                yield (
                    ("tables", name, "via", index),
                    "every via of a table whose rows two people share names its side "
                    "(side: [] when only the join columns are that person's)",
                )
                continue
            for column in sorted(via.side_columns()):
                if column in owner and owner[column] != index:
                    yield (
                        ("tables", name, "via", index, "side"),
                        f"column '{column}' is already on the side of via {owner[column] + 1}",
                    )
                owner.setdefault(column, index)


def _categories(datamap: DataMap, policy: Policy | None) -> Iterator[Finding]:
    if policy is None:
        return
    taxonomy = builtin()
    declared = [c.key for c in policy.categories] if policy else []
    for name, table in datamap.tables.items():
        for column_name, key, meta_key in table.categorised():
            if taxonomy.is_category(key):
                continue
            if policy.category(key) or _under_declared(policy, key):
                continue
            where = ("meta", "keys", meta_key) if meta_key else ("columns", column_name)
            yield (
                ("tables", name, *where, "category"),
                f"category '{key}' is neither declared in policy.yaml nor in the taxonomy"
                + suggestion(key, [*declared, *taxonomy.categories]),
            )


def _under_declared(policy: Policy, key: str) -> bool:
    return any(key.startswith(c.key + ".") for c in policy.categories)


def _rules(datamap: DataMap, policy: Policy | None) -> Iterator[Finding]:
    if policy is None:
        return
    rules = [rule.id for rule in policy.retention]

    def unknown(rule: str) -> str:
        return f"undeclared retention rule '{rule}'" + suggestion(rule, rules)

    for name, table in datamap.tables.items():
        if isinstance(table.erase, Keep) and table.erase.keep not in rules:
            yield ("tables", name, "erase", "keep"), unknown(table.erase.keep)
        for column_name, column in table.columns.items():
            if isinstance(column.erase, Keep) and column.erase.keep not in rules:
                yield (
                    ("tables", name, "columns", column_name, "erase", "keep"),
                    unknown(column.erase.keep),
                )
            elif isinstance(column.erase, Keep):
                yield from _kept_as_declared(name, column_name, column, policy)
        for meta_key, spec in (table.meta.keys if table.meta else {}).items():
            if isinstance(spec.erase, Keep) and spec.erase.keep not in rules:
                yield (
                    ("tables", name, "meta", "keys", meta_key, "erase", "keep"),
                    unknown(spec.erase.keep),
                )
        for index, binding in enumerate(table.retention):
            if binding.rule not in rules:
                yield ("tables", name, "retention", index, "rule"), unknown(binding.rule)
        yield from _held_rows_dated(name, table, policy)


def _kept_as_declared(
    name: str, column_name: str, column: Column, policy: Policy
) -> Iterator[Finding]:
    """A column kept under a rule holds what the rule's published categories say it keeps."""
    assert isinstance(column.erase, Keep)
    rule = policy.rule(column.erase.keep)
    key = column.category
    if rule is None or not rule.categories or key is None:
        return
    if not any(policy.covers(declared, key) for declared in rule.categories):
        yield (
            ("tables", name, "columns", column_name, "erase", "keep"),
            f"'{name}.{column_name}' ({key}) is kept under '{rule.id}', whose categories do not "
            "include it: the published policy does not say it is kept",
        )


def _held_rows_dated(name: str, table: Table, policy: Policy) -> Iterator[Finding]:
    """Held rows are listed with the date they will be deleted: a period and a clock column."""
    held = table.held_by()
    rule = policy.rule(held) if held else None
    if rule is None:
        return
    if rule.period is None:
        yield (
            ("tables", name, "erase", "keep"),
            f"rule '{held}' has no period, so held rows would never be deleted",
        )
    if not any(binding.rule == held for binding in table.retention):
        yield (
            ("tables", name, "erase", "keep"),
            f"held under '{held}' but no retention binding names its clock column; "
            f"add retention: [{{rule: {held}, clock: COLUMN}}]",
        )


def _unreached(datamap: DataMap, _policy: Policy | None) -> Iterator[Finding]:
    """A reference table with personal columns: no join from a person reaches its rows, so
    access never shows them and erasure never touches them (a join nobody declared?)."""
    for name, table in datamap.tables.items():
        personal = [column for column, _, _ in table.categorised()]
        if table.rows == "reference" and personal:
            yield Finding(
                ("tables", name),
                f"'{name}' holds personal-looking columns ({', '.join(personal[:4])}) but no "
                "join from a person reaches it: access and erasure never see its rows; add a "
                "via (rows: owned) if they are about a person",
                WARNING,
            )
