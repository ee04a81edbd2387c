"""Joins a schema does not declare: inferred as a careful engineer would, each with evidence.

WordPress, many Rails and legacy MySQL applications, and analytics tables keyed by email
declare no foreign keys. A column is taken to point at a table when its name says so
(`customer_id` -> `customer.id`, `post_author` -> `wp_users.ID`, `buyer_user_id`, `created_by`)
or when it holds the identity's kind of value (a second `email` column), and only when a
sample of its values agrees: every sampled value of a name-inferred column exists in the
table it points at (0 and '' count as "none", as WordPress writes them). The draft marks
each such join `inferred: true` with what was checked, for a person to confirm.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from policykeeper.datamap import guesses
from policykeeper.datamap.schema import ForeignKey

SAMPLE = 200
"""Distinct values read from a column to check an inferred join (the first ones, bounded)."""
PERSON_COLUMNS = ("author", "owner", "user", "member", "customer", "account")
"""Column names (alone or as the last word, `post_author`) that point at the person's table."""
NONE_VALUES = (0, "", "0")


@dataclass(frozen=True)
class Inferred:
    key: ForeignKey
    evidence: str


def infer_joins(
    connection: sa.Connection,
    metadata: sa.MetaData,
    root: str,
    identity: str,
    declared: list[ForeignKey],
) -> list[Inferred]:
    """Joins between tables of `metadata` that no foreign key declares, with their evidence."""
    taken = {(fk.child, column) for fk in declared for column in fk.columns}
    found: list[Inferred] = []
    for table in metadata.tables.values():
        keyed = {c.name for c in table.primary_key.columns}
        for column in table.c:
            if (table.fullname, column.name) in taken or {column.name} == keyed:
                continue
            for parent, referred, reason in _candidates(metadata, table, column, root, identity):
                evidence = _check(connection, column, parent.c[referred], reason)
                if evidence is not None:
                    key = ForeignKey(
                        table.fullname, (column.name,), parent.fullname, (referred,), None
                    )
                    found.append(Inferred(key, evidence))
                    break
    return found


def _candidates(
    metadata: sa.MetaData, table: sa.Table, column: sa.Column[Any], root: str, identity: str
) -> Iterator[tuple[sa.Table, str, str]]:
    """(parent table, its column, why) for each table the column's name or kind points at."""
    parts = guesses.words(column.name)
    person = metadata.tables[root]
    named_email = parts[-1:] in (["email"], ["mail"]) or parts[-2:] == ["email", "address"]
    if (
        table.fullname != root
        and named_email
        and guesses.category_of(identity) == "user.contact.email"
    ):
        yield person, identity, f"holds email addresses, as {root}.{identity} does"
        return
    if not parts:
        return
    if parts[-1] == "id" and len(parts) > 1:
        # The shortest name first: voucher_id means voucher_voucher, not basket_basket_vouchers.
        tables = sorted(
            metadata.tables.values(), key=lambda t: (len(guesses.words(t.name)), t.name)
        )
        for stem in dict.fromkeys(["_".join(parts[:-1]), parts[-2]]):
            for candidate in tables:
                if candidate is not table and _names(candidate.name, stem):
                    primary = _single_key(candidate)
                    if primary is not None:
                        yield candidate, primary, f"named {column.name} -> {candidate.name}"
        if parts[-2] in PERSON_COLUMNS and table.fullname != root:
            primary = _single_key(person)
            if primary is not None:
                yield person, primary, f"named {column.name}: a {parts[-2]} is a person"
    elif table.fullname != root and (
        parts[-1] in PERSON_COLUMNS or guesses.is_other_person_column(column.name)
    ):
        primary = _single_key(person)
        if primary is not None:
            yield person, primary, f"named {column.name}: points at a person"


def _names(table: str, stem: str) -> bool:
    """Does the table's name mean `stem` (customer: customer, customers, wp_customers)?"""
    words = guesses.words(table)
    wanted = guesses.words(stem)
    if not words or not wanted:
        return False
    tail = words[-len(wanted) :]
    last = tail[-1]
    singular = [*tail[:-1], _singular(last)]
    return tail == wanted or singular == wanted


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _single_key(table: sa.Table) -> str | None:
    keyed = [c.name for c in table.primary_key.columns]
    return keyed[0] if len(keyed) == 1 else None


def _comparable(child: sa.Column[Any], parent: sa.Column[Any]) -> bool:
    numeric = (sa.Integer, sa.Numeric)
    if isinstance(child.type, numeric) and isinstance(parent.type, numeric):
        return True
    return isinstance(child.type, sa.String) and isinstance(parent.type, sa.String)


def _check(
    connection: sa.Connection, child: sa.Column[Any], parent: sa.Column[Any], reason: str
) -> str | None:
    """The evidence for an inferred join, or None when the sample contradicts it."""
    if not _comparable(child, parent):
        return None
    where = f"{parent.table.name}.{parent.name}"
    try:
        with connection.begin_nested():
            values = [
                v
                for (v,) in connection.execute(
                    sa.select(child).where(child.is_not(None)).distinct().limit(SAMPLE)
                )
                if v not in NONE_VALUES
            ]
            if not values:
                return f"{reason}; no values yet to check"
            present = connection.execute(
                sa.select(sa.func.count(sa.distinct(parent))).where(parent.in_(values))
            ).scalar_one()
    except sa.exc.SQLAlchemyError:
        return None
    email = reason.startswith("holds email")
    if present == 0 or (present < len(values) and not email):
        return None
    return f"{reason}; {present} of {len(values)} sampled values exist in {where}"


META_COLUMNS = (("meta_key", "meta_value"), ("key", "value"), ("name", "value"))
"""Column pairs of a key-value table (WordPress's wp_usermeta, a Rails settings table)."""
META_KEYS = 100


def meta_keys(connection: sa.Connection, table: sa.Table) -> tuple[str, str, list[str]] | None:
    """For a key-value table: its key and value columns and the keys it holds (the first
    hundred, sorted), to draft a category per key; None for any other table."""
    for key, value in META_COLUMNS:
        if key in table.c and value in table.c and isinstance(table.c[key].type, sa.String):
            column = table.c[key]
            try:
                with connection.begin_nested():
                    keys = (
                        connection.execute(
                            sa.select(column)
                            .where(column.is_not(None))
                            .distinct()
                            .order_by(column)
                            .limit(META_KEYS)
                        )
                        .scalars()
                        .all()
                    )
            except sa.exc.SQLAlchemyError:
                return None
            return key, value, [str(k) for k in keys]
    return None
