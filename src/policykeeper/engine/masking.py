"""Column actions for rows that stay: null, a fixed value, or a keyed hash (HMAC-SHA256).

Every action is idempotent, so a resumed erasure ends where an uninterrupted one does: a
hashed value carries a prefix and is never hashed twice.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import sqlalchemy as sa

from policykeeper.datamap.models import Column, Keep, SetValue, Table
from policykeeper.datamap.values import coerce
from policykeeper.engine.batch import Work, run_all
from policykeeper.engine.keys import Key, Statements, batches, bound, in_values
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


def masking(
    spec: Table, live: sa.Table, *, sides: Iterable[int] | None = None, held: bool = False
) -> Masking:
    """What a row that stays gets: every personal column masked, except what the map keeps.

    A categorised column gets its action (default: null; where the column is NOT NULL, a keyed
    hash for text, and otherwise the value stays); `keep` and `{keep: RULE}` columns stay, so a
    row held under a rule keeps only what the rule needs. For a row two people share, only the
    person's own side (`sides`) is masked, and its join columns are detached where they may be
    null and the row is not held; the other side and the common columns stay as they are.
    """
    result = Masking()
    own: set[str] | None = None
    if sides is not None:
        chosen = set(sides)
        own = set().union(*(v.side_columns() for i, v in enumerate(spec.via) if i in chosen))
        for index, via in enumerate(spec.via):
            for name in via.join if index in chosen and not held else ():
                if live.c[name].nullable and name not in spec.columns:
                    result.constants[name] = None
    for name, column in spec.columns.items():
        if own is not None and name not in own:
            continue
        action = _default(column, live.c[name])
        if action == "keep" or isinstance(action, Keep):
            continue
        if action == "hash":
            result.hashed.append(name)
        elif action == "set_null":
            result.constants[name] = None
        elif isinstance(action, SetValue):
            result.constants[name] = coerce(live.c[name], action.set)
    if spec.restricted_flag and sides is None:
        result.constants[spec.restricted_flag] = True
    return result


def kept_columns(spec: Table, plan: Masking) -> list[str]:
    """The personal columns a row that stays keeps in clear."""
    changed = {*plan.constants, *plan.hashed}
    return [
        name for name, column in spec.columns.items() if column.category and name not in changed
    ]


def _default(column: Column, live: sa.Column[Any]) -> Any:
    action = column.action()
    if column.erase is not None or action != "set_null" or live.nullable:
        return action
    return "hash" if isinstance(live.type, sa.String) else "keep"


def changes(plan: Masking, row: dict[str, Any], restricted_flag: str | None) -> bool:
    """Would the plan change a value of this row (besides the restricted flag)?"""
    for name, value in plan.constants.items():
        if name != restricted_flag and row.get(name) != value:
            return True
    return any(row.get(name) not in (None, "") and not is_hashed(row[name]) for name in plan.hashed)


def apply_masking(
    connection: sa.Connection,
    live: sa.Table,
    primary_key: tuple[str, ...],
    keys: set[Key],
    rows: dict[Key, dict[str, Any]],
    plan: Masking,
    secret: str | None,
    statements: Statements | None = None,
) -> None:
    """Write the plan into these rows (see `masking_steps`)."""
    steps = masking_steps(live, primary_key, keys, rows, plan, secret, statements)
    run_all(connection, steps, statements)


def masking_steps(
    live: sa.Table,
    primary_key: tuple[str, ...],
    keys: set[Key],
    rows: dict[Key, dict[str, Any]],
    plan: Masking,
    secret: str | None,
    statements: Statements | None = None,
) -> list[Work]:
    """Constants alone: one UPDATE per batch of keys. With hashes, whose values differ per row:
    one executemany of a single UPDATE that also sets the constants. Either statement is built
    once per table and plan when the caller keeps `statements` (the engine's runtime does).
    Each must find every row it masks (MaskingMissed)."""
    statements = statements or Statements()
    ordered = sorted(keys, key=repr)
    shape = (live.fullname, primary_key, repr(sorted(plan.constants.items())), *plan.hashed)
    if not plan.hashed:
        statement = statements.get(
            ("mask", *shape),
            lambda: live.update().where(in_values(live, primary_key)).values(plan.constants),
        )
        return [
            Work(
                statement,
                bound(primary_key, batch),
                len(batch),
                partial(_missed, live.name, len(batch)),
            )
            for batch in batches(ordered)
        ]
    assert secret is not None
    params = []
    for key in ordered:
        row = rows[key]
        values = {
            f"h_{i}": keyed_hash(secret, str(row[name]), live.c[name].type.length)  # type: ignore[attr-defined]
            if row.get(name) not in (None, "")
            else row.get(name)
            for i, name in enumerate(plan.hashed)
        }
        params.append({**values, **{f"k_{i}": v for i, v in enumerate(key)}})
    statement = statements.get(
        ("hash", *shape),
        lambda: (
            live.update()
            .where(*(live.c[c] == sa.bindparam(f"k_{i}") for i, c in enumerate(primary_key)))
            .values(
                {
                    **plan.constants,
                    **{name: sa.bindparam(f"h_{i}") for i, name in enumerate(plan.hashed)},
                }
            )
        ),
    )
    steps = []
    for batch in batches(params):  # type: ignore[arg-type]
        if len(batch) == 1:
            steps.append(Work(statement, batch[0], 1, partial(_missed, live.name, None)))
        else:
            steps.append(Work(statement, list(batch)))
    return steps


def _missed(table: str, wanted: int | None, found: int) -> MaskingMissed:
    if wanted is None:
        return MaskingMissed(f"{table}: a row to mask was not found")
    return MaskingMissed(f"{table}: {wanted} rows to mask, {found} found")
