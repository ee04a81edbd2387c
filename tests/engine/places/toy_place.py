"""A kind of place written outside PolicyKeeper: notes kept in a JSON file, one list per user.

It is what a service would write for a store PolicyKeeper does not ship: six small methods.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from policykeeper.engine.places import Person, PlaceResult, Status


class NotesPlace:
    kind = "notes"

    def __init__(self, name: str, options: dict[str, Any], identities: dict[str, str]) -> None:
        self.name = name
        self.recipient = options.get("recipient")
        self.path = Path(options["file"])

    def columns(self) -> set[str]:
        return {"user_id"}

    def locate(self, person: Person) -> dict[str, Any]:
        return {"users": [str(v) for v in person.values("user_id")]}

    def _notes(self) -> dict[str, list[str]]:
        return json.loads(self.path.read_text("utf-8"))

    def count(self, location: dict[str, Any]) -> int:
        notes = self._notes()
        return sum(len(notes.get(user, [])) for user in location["users"])

    def read(self, location: dict[str, Any]) -> PlaceResult:
        notes = self._notes()
        data = {user: notes.get(user, []) for user in location["users"]}
        return PlaceResult(Status.read, {"notes": self.count(location)}, data=data)

    def erase(self, location: dict[str, Any]) -> PlaceResult:
        notes = self._notes()
        gone = sum(len(notes.pop(user, [])) for user in location["users"])
        self.path.write_text(json.dumps(notes), "utf-8")
        return PlaceResult(Status.deleted if gone else Status.nothing_found, {"deleted": gone})

    def rectify(self, location: dict[str, Any], changes: dict[str, Any]) -> PlaceResult:
        return PlaceResult(Status.not_applicable)

    def restrict(self, location: dict[str, Any], lift: bool) -> PlaceResult:
        return PlaceResult(Status.not_applicable)
