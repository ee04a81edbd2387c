"""A recipient without an API: the request hands the person over to staff, who send a
ready-made message (the request workflow writes it) and record the recipient's answer.

The place is located only where data really went: `when` names rows the person must have
(e.g. payouts through this recipient), so nobody else's request waits for it.
"""

from __future__ import annotations

from typing import Any

from policykeeper.datamap.places import ManualTask
from policykeeper.engine.places.base import Handoff, Location, Person, PlaceResult, Status
from policykeeper.engine.places.templates import expand, references

ANY_ROW = "*"
"""A reference to a table's rows without any column: enough to know the person has some."""


class ManualPlace:
    kind = "manual"

    def __init__(self, name: str, spec: ManualTask, identities: dict[str, str]) -> None:
        self.name = name
        self.spec = spec
        self.recipient: str | None = spec.recipient
        self.identities = identities

    def columns(self) -> set[str]:
        found = {r for i in self.spec.identify for r in references(i.value, self.identities)}
        for condition in self.spec.when:
            found |= {f"{condition.table}.{column}" for column in condition.where}
            found.add(f"{condition.table}.{ANY_ROW}")
        return found

    def locate(self, person: Person) -> Location:
        applies = all(_matches(person, c.table, c.where) for c in self.spec.when)
        identifiers = [
            {"label": {"ja": i.label.ja, "en": i.label.en}, "values": expand(i.value, person)}
            for i in self.spec.identify
        ]
        return {"applies": applies, "identifiers": identifiers if applies else []}

    def count(self, location: Location) -> int:
        return 1 if location["applies"] else 0

    def _handoff(self, location: Location, right: str) -> PlaceResult:
        if right not in self.spec.rights:
            return PlaceResult(Status.not_applicable, note=f"not asked for {right} requests")
        if not location["applies"]:
            return PlaceResult(Status.nothing_found, note="none of the person's data went there")
        handoff = Handoff(
            self.spec.recipient,
            self.spec.contact,
            self.spec.language,
            str(self.spec.due_within),
            location["identifiers"],
        )
        return PlaceResult(Status.awaiting_recipient, {"tasks": 1}, handoff=handoff)

    def read(self, location: Location) -> PlaceResult:
        return self._handoff(location, "access")

    def erase(self, location: Location) -> PlaceResult:
        return self._handoff(location, "erasure")

    def rectify(self, location: Location, changes: dict[str, Any]) -> PlaceResult:
        return self._handoff(location, "rectification")

    def restrict(self, location: Location, lift: bool) -> PlaceResult:
        return self._handoff(location, "restriction")


def _matches(person: Person, table: str, where: dict[str, Any]) -> bool:
    return any(
        all(row.get(column) == value for column, value in where.items())
        for row in person.rows.get(table, [])
    )
