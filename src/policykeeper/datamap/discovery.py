"""Draft a data map from a live schema: who the rows are about, what columns hold, what to erase.

Starting at the identity's table, rows pointing at an owned row are owned (orders, then
order_items), and a row an owned row points at is owned only when it is the person's own
detail (users.address_id -> addresses). Staff, employees and catalogues are never owned, and
columns such as created_by or invited_by point at someone else, so they are not followed.
"""

from __future__ import annotations

import json
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from policykeeper.datamap import guesses
from policykeeper.datamap.connections import (
    open_engine,
    require_existing,
    resolve_url,
    safe_url,
    unreachable,
)
from policykeeper.datamap.inference import infer_joins, meta_keys
from policykeeper.datamap.schema import ForeignKey, case_insensitive, foreign_keys, reflect
from policykeeper.errors import InputError
from policykeeper.policy.checks import suggestion


@dataclass
class DraftTable:
    name: str
    owned: bool
    via: list[dict[str, Any]] = field(default_factory=list)
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    keep: str | None = None
    retention: list[dict[str, Any]] = field(default_factory=list)
    restricted_flag: str | None = None
    mask: bool = False
    shared: bool = False
    note: str = ""
    meta: dict[str, Any] | None = None


@dataclass
class Draft:
    url: str
    identities: dict[str, dict[str, str]]
    tables: dict[str, DraftTable]

    def categories(self) -> list[str]:
        columns = [c for t in self.tables.values() for c in t.columns.values()]
        columns += [c for t in self.tables.values() if t.meta for c in t.meta["keys"].values()]
        return sorted({c["category"] for c in columns if "category" in c})

    def rules(self) -> list[str]:
        found = {t.keep for t in self.tables.values() if t.keep}
        found |= {b["rule"] for t in self.tables.values() for b in t.retention}
        return sorted(found)


def discover(url: str, identity: str, base: Path | None = None) -> Draft:
    """Reflect the database at `url` and draft its data map around `identity` (TABLE.COLUMN)."""
    table_name, dot, column_name = identity.rpartition(".")
    if not dot or not table_name or not column_name:
        raise InputError(f"--identity {identity!r}: expected TABLE.COLUMN, e.g. users.email")
    resolved = resolve_url(url, base, "database URL")
    require_existing(resolved)
    engine = open_engine(resolved)
    try:
        with engine.connect() as connection:
            metadata = reflect(connection, {None})
            tables = metadata.tables
            if table_name not in tables:
                raise InputError(
                    f"table '{table_name}' is not in {safe_url(resolved)}"
                    + suggestion(table_name, tables)
                )
            root = tables[table_name]
            if column_name not in root.c:
                raise InputError(
                    f"column '{table_name}.{column_name}' does not exist"
                    + suggestion(column_name, [c.name for c in root.c])
                )
            declared = foreign_keys(metadata)
            inferred = infer_joins(connection, metadata, table_name, column_name, declared)
            metas = {name: meta_keys(connection, table) for name, table in tables.items()}
    except sa.exc.SQLAlchemyError as exc:
        raise unreachable(resolved, exc) from None
    finally:
        engine.dispose()
    evidence = {item.key: item.evidence for item in inferred}
    owned = _owned(metadata, table_name, [*declared, *evidence], evidence)
    _sides(owned, metadata, table_name, column_name)
    order = [*owned, *sorted(n for n in tables if n not in owned)]
    drafts = {
        name: _draft_table(tables[name], name in owned, owned.get(name, []), name == table_name)
        for name in order
    }
    for name in owned:
        found = metas.get(name)
        if found is not None and found[2] and name != table_name:  # keys to list
            key, value, keys = found
            drafts[name].columns.pop(value, None)
            drafts[name].columns.pop(key, None)
            drafts[name].meta = {
                "key": key,
                "value": value,
                "keys": {k: _meta_key(k) for k in keys},
            }
    for name, vias in owned.items():
        drafts[name].shared = any(via.get("up") for via in vias)
        for via in vias:
            via.pop("up", None)
    return Draft(_portable(url, resolved), _identities(root, column_name), drafts)


def _meta_key(key: str) -> dict[str, str]:
    """A key of a key-value table, drafted like a column of that name."""
    category = guesses.category_of(key.strip("_"))
    return {"category": category} if category else {}


def _portable(url: str, resolved: str) -> str:
    """The URL to write: a SQLite path made absolute, a password replaced by a variable."""
    parsed = sa.make_url(resolved)
    if parsed.password:
        return "${DATABASE_URL}"
    return resolved if parsed.get_backend_name() == "sqlite" else url


def _owned(
    metadata: sa.MetaData, root: str, keys: list[ForeignKey], evidence: dict[ForeignKey, str]
) -> dict[str, list[dict[str, Any]]]:
    """Owned tables in the order reached, each with its via joins (an upward one flagged up).

    A table reached only upward (an address the person's row points at) may be shared, so no
    new table is owned through it: it only gains joins to tables owned another way. Rows of a
    table with its own join to the person (a comment's user_id) are not also owned through an
    inferred join from another owned table (the post commented on): they are their author's.
    """
    own_join = {fk.child for fk in keys if fk.parent == root}
    owned: dict[str, list[dict[str, Any]]] = {root: []}
    queue = deque([root])
    while queue:
        source = queue.popleft()
        upward = bool(owned[source]) and all(via.get("up") for via in owned[source])
        for fk in keys:
            mark = {"inferred": True, "evidence": evidence[fk]} if fk in evidence else {}
            if fk.parent == source and _follow_child(fk, root, metadata):
                if upward and fk.child not in owned:
                    continue
                if mark and source != root and fk.child in own_join:
                    continue
                join = dict(zip(fk.columns, fk.referred, strict=True))
                _add(owned, queue, fk.child, source, join, **mark)
            elif fk.child == source and _follow_parent(fk, root):
                join = dict(zip(fk.referred, fk.columns, strict=True))
                _add(owned, queue, fk.parent, source, join, up=True, **mark)
    return owned


def _add(
    owned: dict[str, list[dict[str, Any]]],
    queue: deque[str],
    table: str,
    source: str,
    join: dict[str, str],
    *,
    up: bool = False,
    **mark: Any,
) -> None:
    via: dict[str, Any] = {"table": source, "join": join, **({"up": True} if up else {}), **mark}
    if table not in owned:
        owned[table] = [via]
        queue.append(table)
    elif via not in owned[table] and table != source:
        owned[table].append(via)


def _sides(
    owned: dict[str, list[dict[str, Any]]], metadata: sa.MetaData, root: str, identity: str
) -> None:
    """A row reached down from two people (a tip: its viewer and its creator; a message: its
    sender and its recipient) belongs to both: each via gets a side, to be completed by hand
    with the columns that are that person's (see Via.side). A person is the identity's table
    or a one-to-one extension of it (a creator profile); a link table (a like) is not content
    of its own and goes with either end. A join on the identity's own value (a comment's
    address) is another way to the same person, not a second person."""
    people_tables = {root} | {
        name
        for name, vias in owned.items()
        if any(
            v["table"] == root and not v.get("up") and _unique(metadata.tables[name], v["join"])
            for v in vias
        )
    }
    for name, vias in owned.items():
        if _is_link_table(metadata.tables[name]):
            continue
        people = [
            v
            for v in vias
            if not v.get("up")
            and v["table"] in people_tables
            and not (v["table"] == root and identity in v["join"].values())
        ]
        if len(people) >= 2:
            for via in people:
                via["side"] = []


def _follow_child(fk: ForeignKey, root: str, metadata: sa.MetaData) -> bool:
    """Rows pointing at an owned row are about the person, unless they name someone else."""
    if fk.child == fk.parent or fk.child == root:
        return False
    if guesses.is_other_person_table(fk.child):
        return False
    if guesses.is_catalogue(fk.child) and not _is_link_table(metadata.tables[fk.child]):
        return False
    return not any(guesses.is_other_person_column(c) for c in fk.columns)


def _unique(table: sa.Table, columns: dict[str, str]) -> bool:
    """Do these columns identify one row (a one-to-one join)?"""
    wanted = set(columns)
    if {c.name for c in table.primary_key.columns} == wanted:
        return True
    if len(wanted) == 1 and table.c[next(iter(wanted))].unique:
        return True
    keys = [
        {c.name for c in constraint.columns}
        for constraint in table.constraints
        if isinstance(constraint, sa.UniqueConstraint)
    ]
    keys += [{c.name for c in index.columns} for index in table.indexes if index.unique]
    return wanted in keys


def _is_link_table(table: sa.Table) -> bool:
    """A many-to-many table: its primary key is made of two or more foreign keys."""
    keyed = {c.name for c in table.primary_key.columns}
    referencing = {fk.parent.name for fk in table.foreign_keys}
    return len(table.foreign_key_constraints) >= 2 and bool(keyed) and keyed <= referencing


def _follow_parent(fk: ForeignKey, root: str) -> bool:
    """A row an owned row points at is the person's only when it is their own detail row."""
    if fk.parent == root or fk.parent == fk.child:
        return False
    if any(guesses.is_other_person_column(c) for c in fk.columns):
        return False
    if guesses.is_catalogue(fk.parent) or guesses.is_other_person_table(fk.parent):
        return False
    return guesses.is_dependent(fk.parent)


def _identities(root: sa.Table, column: str) -> dict[str, dict[str, str]]:
    """Identity kinds on the root table; text ones say how they match (see `_match`)."""
    name = root.name
    chosen = [(_kind(column), root.c[column])]
    pk = [c.name for c in root.primary_key.columns]
    if len(pk) == 1 and pk[0] != column:
        chosen.append(("user_id", root.c[pk[0]]))
    for other in root.c:
        other_kind = _kind(other.name)
        if other.name != column and other_kind in {"email", "phone"}:
            chosen.append((other_kind, other))
    found: dict[str, dict[str, str]] = {}
    for kind, live in chosen:
        entry = {"column": f"{name}.{live.name}"}
        if isinstance(live.type, sa.String):
            entry["match"] = _match(live)
        found.setdefault(kind, entry)
    return found


def _match(column: sa.Column[Any]) -> str:
    """casefold where the database itself treats the column as case-insensitive (citext, a
    _ci collation), as the service then does too; exact otherwise."""
    return "casefold" if case_insensitive(column) else "exact"


def _kind(column: str) -> str:
    category = guesses.category_of(column)
    for kind, key in guesses.IDENTITY_KINDS:
        if category == key:
            return kind
    cleaned = re.sub(r"[^a-z0-9_]", "_", column.lower()).strip("_")
    return cleaned if re.match(r"^[a-z][a-z0-9_\-]*$", cleaned) else "id"


def _draft_table(table: sa.Table, owned: bool, via: list[dict[str, Any]], root: bool) -> DraftTable:
    draft = DraftTable(table.name, owned, via)
    if not owned:
        if guesses.is_other_person_table(table.name):
            draft.note = "another person (staff)"
        elif not guesses.is_catalogue(table.name):
            draft.columns = _personal_looking(table)
            if draft.columns:
                draft.note = "personal-looking columns, but no join from the person reaches it"
        return draft
    skip = (
        {c.name for c in table.primary_key.columns}
        | {c for v in via for c in v["join"]}
        | {fk.parent.name for fk in table.foreign_keys}
    )
    transaction = guesses.is_transaction(table.name)
    clock = _clock(table)
    for column in table.c:
        if column.name in guesses.RESTRICTION_COLUMNS and isinstance(
            column.type, sa.Boolean | sa.Integer
        ):
            draft.restricted_flag = column.name
            continue
        if column.name in skip:
            continue
        category = guesses.category_of(column.name)
        if category is None:
            continue
        draft.columns[column.name] = {"category": category}
    if transaction and clock:
        draft.keep = "transactions"
        draft.retention.append({"rule": "transactions", "clock": clock})
    elif transaction:
        draft.mask = True
    if transaction:
        _keep_amounts(draft)
    elif guesses.is_log(table.name) and clock:
        draft.retention.append({"rule": "access_logs", "clock": clock})
    if root and "deleted_at" in table.c:
        draft.retention.append({"rule": "account", "clock": "deleted_at"})
    return draft


def _personal_looking(table: sa.Table) -> dict[str, dict[str, Any]]:
    """The columns of a table no join reaches whose names say they hold personal data."""
    keys = {c.name for c in table.primary_key.columns}
    found = {}
    for column in table.c:
        category = None if column.name in keys else guesses.category_of(column.name)
        if category is not None:
            found[column.name] = {"category": category}
    return found


def _keep_amounts(draft: DraftTable) -> None:
    """A transaction record kept by law keeps its amounts (and its date, which has no
    category); every other personal column of it, names and addresses included, is masked.
    Where the law also requires the name, the operator marks that column kept."""
    action: Any = {"keep": draft.keep} if draft.keep else "keep"
    for name, column in draft.columns.items():
        if guesses.is_amount(name):
            column["erase"] = action


def _clock(table: sa.Table) -> str | None:
    for name in guesses.CLOCK_COLUMNS:
        if name in table.c:
            return name
    stamps = [c.name for c in table.c if isinstance(c.type, sa.DateTime | sa.Date)]
    return stamps[0] if stamps else None


def render(draft: Draft) -> str:
    """The draft as a commented datamap.yaml."""
    url = draft.url
    lines = [
        "# Drafted by `policykeeper discover`: check owned/reference, categories and actions.",
        "policykeeper: 1",
        "connections:",
        f"  main: {_scalar(url)}",
    ]
    lines += [
        "# hash_key: ${NAME}  # the keyed hash's secret; without it, .policykeeper/hash.key",
        "",
        "identities:  # match: exact, or casefold where the service ignores case",
    ]
    lines += [f"  {kind}: {_flow(where)}" for kind, where in draft.identities.items()]
    lines += ["", "tables:"]
    for table in draft.tables.values():
        lines.append(f"  {_scalar(table.name)}:")
        lines.append(
            f"    rows: {'owned' if table.owned else 'reference'}"
            + (f"  # {table.note}" if table.note else "")
        )
        if table.shared:
            lines.append("    shared: true  # a row others' rows point at too is left as it is")
        if table.via:
            sides = any("side" in via for via in table.via)
            lines.append(
                "    via:" + ("  # two people's rows: list each side's columns" if sides else "")
            )
            for via in table.via:
                lines.append(f"      - {_flow(via)}")
        if table.keep:
            lines.append(f"    erase: {{keep: {table.keep}}}")
        elif table.mask:
            lines.append("    erase: mask  # part of a transaction record without its own clock")
        if table.restricted_flag:
            lines.append(f"    restricted_flag: {_scalar(table.restricted_flag)}")
        if table.retention:
            lines.append("    retention:")
            lines += [f"      - {_flow(b)}" for b in table.retention]
        if table.columns:
            lines.append("    columns:")
            lines += [f"      {_scalar(n)}: {_flow(c)}" for n, c in table.columns.items()]
        if table.meta:
            lines.append("    meta:  # a key-value table: a category and an erasure per key")
            lines.append(f"      key: {_scalar(table.meta['key'])}")
            lines.append(f"      value: {_scalar(table.meta['value'])}")
            lines.append("      keys:")
            lines += [f"        {_scalar(k)}: {_flow(c)}" for k, c in table.meta["keys"].items()]
    return "\n".join(lines) + "\n"


_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def _scalar(value: Any) -> str:
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def discover_yaml(url: str, identity: str) -> str:
    return render(discover(url, identity, Path.cwd()))
