"""A Fides dataset (its YAML) as a drafted data map, so a team moving from Fides keeps its work.

Fides annotates each field with data categories (fideslang keys, which PolicyKeeper's data
map uses too) and, under `fides_meta` (formerly `fidesops_meta`), the identity it holds and
its references to other fields. A reference with `direction: from` means this collection is
reached from the referenced field (orders.customer_id from customer.id); `direction: to` the
other way round. Collections reached from an identity hold owned rows; the others are
reference rows. Nested fields (documents) have no column to map and are listed as notes.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML, YAMLError

from policykeeper.datamap.discovery import Draft, DraftTable
from policykeeper.errors import InputError, display_path


def import_fides(path: Path, url: str) -> Draft:
    """The data map drafted from the Fides dataset file at `path`, for the database at `url`."""
    where = display_path(path)
    try:
        document = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{where}: cannot read it ({exc.strerror})") from None
    except YAMLError as exc:
        raise InputError(f"{where}: not YAML ({str(exc).splitlines()[0]})") from None
    datasets = document.get("dataset") if isinstance(document, dict) else None
    if not isinstance(datasets, list) or not datasets:
        raise InputError(f"{where}: no 'dataset:' list, so not a Fides dataset file")
    collections: dict[str, list[dict[str, Any]]] = {}
    for dataset in datasets:
        for collection in _list(dataset, "collections", where):
            name = _name(collection, where)
            if name in collections:
                raise InputError(f"{where}: collection '{name}' appears twice")
            collections[name] = _list(collection, "fields", where)
    identities: dict[str, dict[str, str]] = {}
    edges: list[tuple[str, str, str, str]] = []
    """(source collection, its field, target collection, its field): target reached from source."""
    tables = {name: DraftTable(name, False) for name in collections}
    for name, fields in collections.items():
        for field in fields:
            column = _name(field, where)
            if field.get("fields"):
                tables[name].note = f"nested fields under {column} are not mapped"
                continue
            category = next(
                (c for c in field.get("data_categories") or [] if str(c).startswith("user.")),
                None,
            )
            if category is not None:
                tables[name].columns[column] = {"category": str(category)}
            meta = field.get("fides_meta") or field.get("fidesops_meta") or {}
            kind = meta.get("identity")
            if kind:
                if str(kind) in identities:
                    first = identities[str(kind)]["column"].split(".", 1)
                    edges.append((first[0], first[1], name, column))
                else:
                    identities[str(kind)] = {"column": f"{name}.{column}"}
            for reference in meta.get("references") or []:
                other, dot, other_field = str(reference.get("field", "")).partition(".")
                if not dot or other not in collections:
                    raise InputError(
                        f"{where}: {name}.{column} references '{reference.get('field')}', "
                        "which is not a collection.field of this file"
                    )
                if reference.get("direction") == "to":
                    edges.append((name, column, other, other_field))
                else:
                    edges.append((other, other_field, name, column))
    if not identities:
        raise InputError(f"{where}: no field says which identity it holds (fides_meta.identity)")
    roots = [spec["column"].split(".", 1)[0] for spec in identities.values()]
    queue = deque(dict.fromkeys(roots))
    for root in queue:
        tables[root].owned = True
    while queue:
        source = queue.popleft()
        for from_table, from_field, target, target_field in edges:
            if from_table != source or target == source:
                continue
            via = {"table": source, "join": {target_field: from_field}}
            if via not in tables[target].via:
                tables[target].via.append(via)
            if not tables[target].owned:
                tables[target].owned = True
                queue.append(target)
    order = [*dict.fromkeys(t for t in tables if tables[t].owned), *tables]
    return Draft(url, identities, {name: tables[name] for name in dict.fromkeys(order)})


def _list(parent: Any, key: str, where: str) -> list[dict[str, Any]]:
    value = parent.get(key) if isinstance(parent, dict) else None
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InputError(f"{where}: expected a list under '{key}'")
    return value


def _name(item: dict[str, Any], where: str) -> str:
    name = item.get("name")
    if not isinstance(name, str) or not name:
        raise InputError(f"{where}: an entry without a name: {item!r:.60}")
    return name
