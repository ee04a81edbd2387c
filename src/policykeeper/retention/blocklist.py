"""Former usernames, blocked for new registrations: written when an account is erased.

A blocklist is a table bound to a rule with clock 'superseded' (a username stops being
current when it is changed or its account closed). In a reference table, which keeps no
link to anyone, names are stored as keyed hashes (HMAC-SHA256 with the project's hash key,
the engine's `pk:` form), so a registration is checked by hashing the new name the same way.
In an owned table linked to the account (jasminai's former_usernames), the current name joins
the former ones in the table's own plain form, kept under the table's rule with the masked
account. Either way the rule sweeps it later.
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from policykeeper.datamap.models import Via
from policykeeper.engine.hashkey import hash_secret
from policykeeper.engine.identity import Identity
from policykeeper.engine.masking import keyed_hash
from policykeeper.engine.planner import Collector, Subject
from policykeeper.engine.runtime import Runtime
from policykeeper.policy.models import Policy
from policykeeper.retention.conditions import moment
from policykeeper.retention.rules import Bound, blocklists, is_account_table

USERNAME_CATEGORY = "user.account.username"


def write_blocklists(rt: Runtime, identity: Identity, now: datetime) -> int:
    """Add the account's usernames to every blocklist; how many rows were written."""
    project = rt.project
    written = 0
    for bound in blocklists(project.policy, project.datamap):
        sources = _username_columns(rt, project.policy, bound)
        target = _value_column(rt, project.policy, bound)
        link = _link(rt, bound)
        spec = project.datamap.tables[bound.table]
        if not sources or target is None or (spec.rows == "owned" and link is None):
            continue
        extra = dict(sources)
        if link is not None:
            extra[link.table] = [*extra.get(link.table, []), *link.join.values()]
        with ExitStack() as stack:
            connections = {
                name: stack.enter_context(source.engine.connect())
                for name, source in rt.sources.items()
            }
            subject = Collector(rt, connections, extra=extra).from_identity(identity)
        names = {
            str(row[c])
            for table, columns in sources.items()
            for row in _rows(subject, table)
            for c in columns
            if row.get(c)
        }
        owner = _owner(subject, link)
        written += _insert(rt, bound, target, names, owner, now)
    return written


def _rows(subject: Subject, table: str) -> list[dict[str, Any]]:
    reached = subject.tables.get(table)
    return list(reached.rows.values()) if reached else []


def _owner(subject: Subject, link: Via | None) -> dict[str, Any]:
    """The blocklist's link columns, valued from the account row."""
    if link is None:
        return {}
    rows = _rows(subject, link.table)
    return {mine: rows[0][theirs] for mine, theirs in link.join.items()} if rows else {}


def _insert(
    rt: Runtime,
    bound: Bound,
    target: str,
    names: set[str],
    owner: dict[str, Any],
    now: datetime,
) -> int:
    if not names:
        return 0
    live = rt.tables[bound.table]
    key = hash_secret(rt.project) if not owner else None
    capacity = getattr(live.c[target].type, "length", None)
    values = {keyed_hash(key, n, capacity) if key else n for n in names}
    clock = live.c[bound.clock]
    with rt.source_of(bound.table).engine.begin() as connection:
        present = set(
            connection.execute(
                sa.select(live.c[target]).where(
                    live.c[target].in_(sorted(values)),
                    *(live.c[c] == v for c, v in owner.items()),
                )
            ).scalars()
        )
        fresh = [
            {target: v, bound.clock: moment(clock, now), **bound.binding.where, **owner}
            for v in sorted(values - present)
        ]
        _number(connection, live, fresh)
        if fresh:
            connection.execute(live.insert(), fresh)
    return len(fresh)


def _number(connection: sa.Connection, live: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Give new rows ids when the key has no default of its own (no sequence, no autoincrement)."""
    pk = list(live.primary_key.columns)
    if len(pk) != 1 or not rows:
        return
    column = pk[0]
    own = column.server_default is not None or column.autoincrement is True
    if own or not isinstance(column.type, sa.Integer) or column.name in rows[0]:
        return
    top = connection.execute(sa.select(sa.func.max(column))).scalar() or 0
    for offset, row in enumerate(rows, start=1):
        row[column.name] = top + offset


def _link(rt: Runtime, bound: Bound) -> Via | None:
    """How an owned blocklist joins the account table (jasminai: former_usernames.member_id)."""
    spec = rt.project.datamap.tables[bound.table]
    return next((v for v in spec.via if is_account_table(rt.project.datamap, v.table)), None)


def _username_columns(rt: Runtime, policy: Policy, bound: Bound) -> dict[str, list[str]]:
    """Owned columns elsewhere holding the account's usernames, current or former."""
    wanted = [USERNAME_CATEGORY, *bound.rule.categories]
    found: dict[str, list[str]] = {}
    for name in rt.project.datamap.owned():
        if name == bound.table:
            continue
        for column, spec in rt.project.datamap.tables[name].columns.items():
            if spec.category and any(policy.covers(k, spec.category) for k in wanted):
                found.setdefault(name, []).append(column)
    return found


def _value_column(rt: Runtime, policy: Policy, bound: Bound) -> str | None:
    """The blocklist column holding the blocked value: the one under the rule's categories."""
    for column, spec in rt.project.datamap.tables[bound.table].columns.items():
        if spec.category and any(policy.covers(k, spec.category) for k in bound.rule.categories):
            return column
    return None
