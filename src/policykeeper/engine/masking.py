"""Column actions for rows that stay: null, a fixed value, or a keyed hash (HMAC-SHA256).

Every action is idempotent, so a resumed erasure ends where an uninterrupted one does: a
hashed value carries a prefix and is never hashed twice.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from policykeeper.datamap.models import Column, Keep, SetValue, Table
from policykeeper.datamap.values import coerce
from policykeeper.engine.keys import Key, batches, matching
from policykeeper.errors import SchemaConflict

HASH_PREFIX = "pk:"
_HASHED = re.compile(r"^pk:[0-9a-f]{8,64}$")


def keyed_hash(secret: str, value: str, capacity: int | None) -> str:
    """A stable pseudonym for `value`: equal inputs stay equal (unique columns stay unique)."""
    if _HASHED.match(value):
        return value
    digest = hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()
    room = 64 if capacity is None else max(8, min(64, capacity - len(HASH_PREFIX)))
    return HASH_PREFIX + digest[:room]


def is_hashed(value: Any) -> bool:
    return isinstance(value, str) and bool(_HASHED.match(value))


class MaskingMissed(SchemaConflict):
    """A row to mask was not there: the data changed under the erasure."""


@dataclass
class Masking:
    """What to write into one table's kept rows."""

    constants: dict[str, Any] = field(default_factory=dict)
    hashed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.constants or self.hashed)


def masking(spec: Table, live: sa.Table, *, held: bool, can_hash: bool) -> Masking:
    """Held rows get only the column actions the map states; masked rows get the defaults too.

    The default for a categorised column is null; where the column is NOT NULL, a keyed hash
    for text (when the map has a hash key) and otherwise the value stays.
    """
    result = Masking()
    for name, column in spec.columns.items():
        action = column.erase if held else _default(column, live.c[name], can_hash)
        if action is None or action == "keep" or isinstance(action, Keep):
            continue
        if action == "hash":
            result.hashed.append(name)
        elif action == "set_null":
            result.constants[name] = None
        elif isinstance(action, SetValue):
            result.constants[name] = coerce(live.c[name], action.set)
    if spec.restricted_flag:
        result.constants[spec.restricted_flag] = True
    return result


def _default(column: Column, live: sa.Column[Any], can_hash: bool) -> Any:
    action = column.action()
    if column.erase is not None or action != "set_null" or live.nullable:
        return action
    return "hash" if can_hash and isinstance(live.type, sa.String) else "keep"


def apply_masking(
    connection: sa.Connection,
    live: sa.Table,
    primary_key: tuple[str, ...],
    keys: set[Key],
    rows: dict[Key, dict[str, Any]],
    plan: Masking,
    secret: str | None,
) -> None:
    """Constants alone: one UPDATE per batch of keys. With hashes, whose values differ per row:
    one executemany of a single UPDATE that also sets the constants."""
    ordered = sorted(keys, key=repr)
    if not plan.hashed:
        for batch in batches(ordered):
            result = connection.execute(
                live.update().where(matching(live, primary_key, batch)).values(plan.constants)
            )
            if result.rowcount != len(batch):
                raise MaskingMissed(
                    f"{live.name}: {len(batch)} rows to mask, {result.rowcount} found"
                )
        return
    assert secret is not None
    params = []
    for key in ordered:
        row = rows[key]
        values = {
            f"h_{i}": keyed_hash(secret, str(row[name]), live.c[name].type.length)  # type: ignore[attr-defined]
            if row.get(name) is not None
            else None
            for i, name in enumerate(plan.hashed)
        }
        params.append({**values, **{f"k_{i}": v for i, v in enumerate(key)}})
    statement = (
        live.update()
        .where(*(live.c[c] == sa.bindparam(f"k_{i}") for i, c in enumerate(primary_key)))
        .values(
            {
                **plan.constants,
                **{name: sa.bindparam(f"h_{i}") for i, name in enumerate(plan.hashed)},
            }
        )
    )
    for batch in batches(params):  # type: ignore[arg-type]
        if len(batch) == 1:
            result = connection.execute(statement, batch[0])
            if result.rowcount != 1:
                raise MaskingMissed(f"{live.name}: a row to mask was not found")
        else:
            connection.execute(statement, list(batch))


def expected(plan: Masking, value: Any, column: str) -> bool:
    """Does a stored value show the action was applied (for the verification pass)?"""
    if column in plan.hashed:
        return value is None or is_hashed(value)
    return value == plan.constants[column]
