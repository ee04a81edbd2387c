"""Who a request is about, and how their identity value is matched in the service's database.

A value is normalised once, here: trimmed, Unicode NFC, and lowercased only where the data
map declares the identity `match: casefold`. The database then only proposes candidates,
using the column's own comparison (so its index serves the lookup); the decision is made
here, by exact comparison of Python strings. A collation that folds case, accents or widths
(MariaDB's utf8mb4_general_ci, PostgreSQL's citext, SQLite's NOCASE) can therefore never
make `user1@gmäil.com` or `USER1@gmail.com` another person's `user1@gmail.com`.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from policykeeper.datamap.models import DataMap, Match
from policykeeper.datamap.schema import case_insensitive
from policykeeper.errors import InputError

_UNENCODABLE = frozenset({"Cc", "Cs"})
"""Control characters and lone surrogates: no identity holds them, and some drivers fail on them."""


@dataclass(frozen=True)
class Identity:
    kind: str
    value: str

    @classmethod
    def parse(cls, text: str) -> Identity:
        """`email=a@b.c` as an Identity; the value may itself contain '='."""
        kind, separator, value = text.partition("=")
        if not separator or not kind.strip() or not value.strip():
            raise InputError(f"identity {text!r}: expected KIND=VALUE, e.g. email=a@example.com")
        if any(unicodedata.category(ch) in _UNENCODABLE for ch in text):
            raise InputError("identity: the value contains a control character")
        return cls(kind.strip(), value.strip())

    def digest(self) -> str:
        """A stable key for journals that does not store the value itself."""
        return hashlib.sha256(f"{self.kind}\0{self.value}".encode()).hexdigest()

    def __str__(self) -> str:
        return f"{self.kind}=…"


def normalise(value: str, match: Match) -> str:
    """The one form of an identity value that every later step compares."""
    text = unicodedata.normalize("NFC", value.strip())
    if any(unicodedata.category(ch) in _UNENCODABLE for ch in text):
        raise InputError("identity: the value contains a control character")
    if not text:
        raise InputError("identity: the value is empty")
    return text.lower() if match == "casefold" else text


def canonical(datamap: DataMap, identity: Identity) -> Identity:
    """The identity with its value normalised as the data map declares for its kind."""
    column = datamap.identities.get(identity.kind)
    if column is None:
        kinds = ", ".join(sorted(datamap.identities))
        raise InputError(f"unknown identity kind '{identity.kind}'; the data map declares: {kinds}")
    return Identity(identity.kind, normalise(identity.value, column.match))


def candidates(
    column: sa.Column[Any], value: Any, match: Match, name: str = "identity"
) -> tuple[bool, sa.ColumnElement[bool]]:
    """Rows that may hold `value`, bound as `name` at execution: a superset under any
    collation, found through the index wherever the column's own comparison already ignores
    case. Also whether the column is lowercased (the statement's shape, built once per shape).
    """
    lowered = isinstance(value, str) and match != "exact" and not case_insensitive(column)
    compared = sa.func.lower(column) if lowered else column
    return lowered, compared == sa.bindparam(name, type_=column.type)


def same(stored: Any, value: Any, match: Match) -> bool:
    """The decision: the stored value is exactly the normalised one (lowercased for casefold)."""
    if not isinstance(value, str):
        return bool(stored == value)
    if not isinstance(stored, str):
        return False
    return (stored.lower() if match == "casefold" else stored) == value
