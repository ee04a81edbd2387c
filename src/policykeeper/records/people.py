"""The people a notice goes to, found through the data map: every account holder, or everyone
whose rows an incident touched (followed up the `via` joins to the account).

A person is the account row of the table that holds the email identity; their address and
language come from that row (the language where the data map marks a column
`user.demographic.language`). Reads only keys and the columns it needs, in batched queries.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from policykeeper.datamap.values import jsonable
from policykeeper.engine.keys import Key, batches, matching
from policykeeper.engine.runtime import Runtime, runtime
from policykeeper.policy.models import Clock
from policykeeper.project import Project
from policykeeper.workflow.errors import Invalid

EMAIL_CATEGORY = "user.contact.email"
LANGUAGE_CATEGORY = "user.demographic.language"
PAGE = 1000


@dataclass(frozen=True)
class Person:
    """One account: its key (table and primary key, as JSON), address and language if known."""

    key: str
    address: str | None
    language: str | None


@dataclass(frozen=True)
class Skipped:
    """An account no email can go to, and why: deleted, restricted or no_address."""

    key: str
    reason: str


@dataclass(frozen=True)
class Accounts:
    """Where the account table keeps what a notice needs."""

    table: str
    email: str
    language: str | None
    restricted: str | None
    deleted: tuple[str, ...]
    """Clock columns of rules that run from the account's deletion: set means deleted."""


def accounts(project: Project) -> Accounts:
    """The account table: the one holding the email identity (or a column of that category)."""
    datamap, policy = project.datamap, project.policy
    column = datamap.identities.get("email")
    if column is None:
        column = next(
            (
                c
                for c in datamap.identities.values()
                if (spec := datamap.tables[c.table].columns.get(c.column)) is not None
                and spec.category == EMAIL_CATEGORY
            ),
            None,
        )
    if column is None:
        raise Invalid("the data map declares no email identity, so no one can be emailed")
    table = datamap.tables[column.table]
    language = next(
        (name for name, c in table.columns.items() if c.category == LANGUAGE_CATEGORY), None
    )
    deleted = tuple(
        binding.clock
        for binding in table.retention
        if (rule := policy.rule(binding.rule)) is not None
        and rule.clock is Clock.account_deletion
        and binding.clock is not None
    )
    return Accounts(column.table, column.column, language, table.restricted_flag, deleted)


def account_holders(project: Project, languages: Iterable[str]) -> Iterator[Person | Skipped]:
    """Every account, oldest key first: a Person to email, or why it is skipped.

    Deleted accounts (their deletion clock is set) and accounts under a restriction of
    processing are skipped: the first are no longer account holders, and the second may only
    be stored, not used to send mail."""
    rt = runtime(project)
    found = accounts(project)
    live = rt.tables[found.table]
    key_columns = rt.primary_key(found.table)
    wanted = [*key_columns, found.email]
    wanted += [c for c in (found.language, found.restricted, *found.deleted) if c]
    columns = [live.c[name] for name in dict.fromkeys(wanted)]
    published = set(languages)
    with rt.source_of(found.table).engine.connect() as connection:
        query = sa.select(*columns).order_by(*(live.c[k] for k in key_columns))
        rows = connection.execution_options(stream_results=True, yield_per=PAGE).execute(query)
        for row in rows.mappings():
            key = person_key(found.table, tuple(row[k] for k in key_columns))
            if any(row[c] is not None for c in found.deleted):
                yield Skipped(key, "deleted")
            elif found.restricted and row[found.restricted]:
                yield Skipped(key, "restricted")
            else:
                yield _person(key, row, found, published)


def affected_people(
    project: Project, keys: Iterable[Key], languages: Iterable[str]
) -> Iterator[Person | Skipped]:
    """The accounts with these primary keys (an incident's people), deleted or restricted too:
    the law asks for every affected person to be told."""
    rt = runtime(project)
    found = accounts(project)
    live = rt.tables[found.table]
    key_columns = rt.primary_key(found.table)
    wanted = dict.fromkeys(
        [*key_columns, found.email, *([found.language] if found.language else [])]
    )
    published = set(languages)
    with rt.source_of(found.table).engine.connect() as connection:
        for batch in batches(sorted(keys, key=repr)):
            query = sa.select(*(live.c[c] for c in wanted)).where(
                matching(live, key_columns, batch)
            )
            for row in connection.execute(query).mappings():
                key = person_key(found.table, tuple(row[k] for k in key_columns))
                yield _person(key, row, found, published)


def _person(key: str, row: Any, found: Accounts, published: set[str]) -> Person | Skipped:
    address = str(row[found.email] or "").strip()
    if not plausible_address(address):
        return Skipped(key, "no_address")
    language = None
    if found.language and row[found.language]:
        code = str(row[found.language]).strip().lower()[:2]
        language = code if code in published else None
    return Person(key, address, language)


def plausible_address(address: str) -> bool:
    """Looks like an address a mail server could take; an erased account's hash does not."""
    local, at, domain = address.rpartition("@")
    return bool(at and local and "." in domain and " " not in address and len(address) <= 320)


def person_key(table: str, key: Key) -> str:
    return json.dumps([table, [jsonable(v) for v in key]], ensure_ascii=False)


# --- who an incident touched ------------------------------------------------------------------


def persons_reached(rt: Runtime, table: str, condition: sa.ColumnElement[bool]) -> set[Key]:
    """Primary keys of the accounts owning the rows of `table` that match `condition`.

    The rows are followed up their `via` joins (every one: a tip concerns its sender and the
    creator it went to) until the account table; rows reaching no account count for no one."""
    account_table = accounts(rt.project).table
    found: set[Key] = set()
    _climb(rt, account_table, table, condition, found, frozenset())
    return found


def _climb(
    rt: Runtime,
    account_table: str,
    table: str,
    condition: sa.ColumnElement[bool],
    found: set[Key],
    path: frozenset[str],
) -> None:
    live = rt.tables[table]
    datamap = rt.project.datamap
    key_columns = rt.primary_key(table)
    joins = [v for v in datamap.tables[table].via if v.table not in path and v.table in rt.tables]
    needed = dict.fromkeys(
        [*(key_columns if table == account_table else ()), *(c for v in joins for c in v.join)]
    )
    if not needed:
        return
    with rt.source_of(table).engine.connect() as connection:
        rows = connection.execution_options(stream_results=True, yield_per=PAGE).execute(
            sa.select(*(live.c[c] for c in needed)).where(condition)
        )
        values: dict[int, set[Key]] = {i: set() for i in range(len(joins))}
        for row in rows.mappings():
            if table == account_table:
                found.add(tuple(row[k] for k in key_columns))
            for index, via in enumerate(joins):
                value = tuple(row[c] for c in via.join)
                if None not in value:
                    values[index].add(value)
    if table == account_table:
        return
    for index, via in enumerate(joins):
        target = rt.tables[via.table]
        theirs = list(via.join.values())
        for batch in batches(sorted(values[index], key=repr)):
            _climb(
                rt,
                account_table,
                via.table,
                matching(target, theirs, batch),
                found,
                path | {table},
            )
