"""One interface for every place a person's data lives: SQL tables, object stores, caches, files,
processor APIs and recipients reached by hand.

A place is located first (from the person's SQL rows, which is why SQL goes first), and its
location is kept in a journal, so erasure can go on after a crash even once the SQL rows that
led to it are gone. Then it is counted, read, erased, rectified or restricted.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from policykeeper.datamap.values import jsonable
from policykeeper.engine.identity import Identity

Location = dict[str, Any]
"""What a place found for one person, as JSON: kept in the journal until the run finishes."""


class Status(StrEnum):
    """What happened at a place, in the words the report and the person's email use."""

    deleted = "deleted"
    masked = "masked"
    kept = "kept"
    passed_to_recipient = "passed_to_recipient"
    awaiting_recipient = "awaiting_recipient"
    nothing_found = "nothing_found"
    not_applicable = "not_applicable"
    skipped = "skipped"
    failed = "failed"
    read = "read"
    corrected = "corrected"
    restricted = "restricted"
    lifted = "lifted"
    planned = "planned"


SETTLED = frozenset(Status) - {Status.failed}
"""Every status but a failure ends the place's part in a run."""


@dataclass
class Kept:
    """Something left in place on purpose: which item, under which declared rule."""

    item: str
    rule: str | None
    reason: str
    delete_after: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "rule": self.rule,
            "reason": self.reason,
            "delete_after": self.delete_after,
        }


@dataclass
class Handoff:
    """A recipient that must be told by a person: who, how, and what identifies the subject."""

    recipient: str
    contact: str
    language: str
    due_within: str
    identifiers: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            "contact": self.contact,
            "language": self.language,
            "due_within": self.due_within,
            "identifiers": self.identifiers,
        }


@dataclass
class PlaceResult:
    """The outcome of one action at one place."""

    status: Status
    counts: dict[str, int] = field(default_factory=dict)
    kept: list[Kept] = field(default_factory=list)
    note: str | None = None
    error: str | None = None
    handoff: Handoff | None = None
    detail: dict[str, Any] | None = None
    """The place's own full report (the SQL erasure report, a processor's answers)."""
    data: Any = None
    """Access only: the person's data found here, as JSON."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Access only: files for the export archive, by path inside it."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status.value, "counts": self.counts}
        if self.kept:
            out["kept"] = [k.to_json() for k in self.kept]
        for name in ("note", "error"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.handoff is not None:
            out["handoff"] = self.handoff.to_json()
        if self.detail is not None:
            out["detail"] = self.detail
        return out


@dataclass
class Person:
    """The person as the SQL place found them: the rows of the tables other places refer to.

    `rows` holds, per table, only the columns some place's template names, as JSON values.
    """

    identity: Identity
    identities: dict[str, str]
    """Identity kind: its TABLE.COLUMN, so `{user_id}` means `{users.id}`."""
    rows: dict[str, list[dict[str, Any]]]
    run: str = field(default_factory=lambda: secrets.token_hex(8))
    """This run's own name: a resumed run keeps it (a processor sees its retries as the same
    call), a new run gets another (so it is never taken for a replay of an old one)."""

    def column(self, reference: str) -> str:
        return self.identities.get(reference, reference)

    def values(self, reference: str) -> list[Any]:
        """Every non-null value of `{kind}` or `{table.column}` among the person's rows."""
        table, _, column = self.column(reference).partition(".")
        found = [row.get(column) for row in self.rows.get(table, [])]
        return list(dict.fromkeys(v for v in found if v is not None))

    def to_json(self) -> dict[str, Any]:
        return {
            "identity": [self.identity.kind, self.identity.value],
            "identities": self.identities,
            "run": self.run,
            "rows": {
                t: [{c: jsonable(v) for c, v in r.items()} for r in rows]
                for t, rows in self.rows.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Person:
        kind, value = data["identity"]
        return cls(
            Identity(kind, value), dict(data["identities"]), dict(data["rows"]), str(data["run"])
        )


@runtime_checkable
class Place(Protocol):
    """A place a person's data lives. Implement this to add a kind of store from outside.

    Every method but `locate` receives what `locate` returned (possibly in a later process,
    after a crash). Each action must be safe to repeat: a run may be resumed.
    """

    name: str
    kind: str
    recipient: str | None

    def columns(self) -> set[str]:
        """`{kind}` or `table.column` references the place needs from the person's SQL rows."""
        ...

    def locate(self, person: Person) -> Location: ...

    def count(self, location: Location) -> int:
        """How many items (objects, keys, files, records) the place holds for the person."""
        ...

    def read(self, location: Location) -> PlaceResult: ...

    def erase(self, location: Location) -> PlaceResult: ...

    def rectify(self, location: Location, changes: dict[str, Any]) -> PlaceResult:
        """`changes` maps a corrected TABLE.COLUMN to its new value."""
        ...

    def restrict(self, location: Location, lift: bool) -> PlaceResult: ...


class PlaceError(Exception):
    """A place could not be reached or refused an action; the run records it and goes on."""
