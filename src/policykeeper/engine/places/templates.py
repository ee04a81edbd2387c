"""Templates filled from the person's SQL rows: `uploads/{user_id}/`, `{users.avatar_key}`.

Each value is escaped for where it goes (a glob pattern, a path segment, a URL path), so a value
such as `*` or `../` can never widen what a template reaches.
"""

from __future__ import annotations

from collections.abc import Callable

from policykeeper.datamap.places import PLACEHOLDER, placeholders
from policykeeper.engine.places.base import Person


def references(template: str, identities: dict[str, str]) -> set[str]:
    """The TABLE.COLUMN references of a template (identity kinds resolved)."""
    return {identities.get(name, name) for name in placeholders(template)}


def expand(template: str, person: Person, escape: Callable[[str], str] = str) -> list[str]:
    """One text per row of the referenced table whose referenced values are all set."""
    names = placeholders(template)
    if not names:
        return [template]
    columns = {name: person.column(name) for name in names}
    tables = {reference.partition(".")[0] for reference in columns.values()}
    if len(tables) != 1:
        raise ValueError(f"template {template!r} refers to several tables: {sorted(tables)}")
    table = tables.pop()
    out: list[str] = []
    for row in person.rows.get(table, []):
        values = {name: row.get(reference.partition(".")[2]) for name, reference in columns.items()}
        if any(value is None or value == "" for value in values.values()):
            continue
        text = PLACEHOLDER.sub(lambda m, v=values: escape(str(v[m.group(1)])), template)
        if text not in out:
            out.append(text)
    return out
