"""A processor reached through its API, as its connector configuration describes.

The person's records there are found from an id the service keeps (users.stripe_customer_id),
or by the configuration's search (e.g. by email). Located ids and variables are journaled, so
a retry after the SQL rows are gone still reaches the same records.
"""

from __future__ import annotations

from typing import Any

from policykeeper.connectors.client import ConnectorClient, ConnectorError
from policykeeper.connectors.config import Call, ConnectorConfig, Step
from policykeeper.datamap.places import ConnectorUse
from policykeeper.engine.places.base import Location, Person, PlaceError, PlaceResult, Status
from policykeeper.engine.places.templates import expand, references


class ConnectorPlace:
    kind = "connector"

    def __init__(
        self,
        name: str,
        use: ConnectorUse,
        config: ConnectorConfig,
        settings: dict[str, str],
        identities: dict[str, str],
        run_key: str = "",
    ) -> None:
        self.name = name
        self.use = use
        self.config = config
        self.recipient: str | None = use.recipient
        self.identities = identities
        self.settings = settings
        self.run_key = run_key
        self._client: ConnectorClient | None = None

    @property
    def client(self) -> ConnectorClient:
        if self._client is None:
            self._client = ConnectorClient(self.config, self.settings, retry=self.use.retry)
        return self._client

    def columns(self) -> set[str]:
        templates = [*self.use.person.values(), *([self.use.id] if self.use.id else [])]
        return {r for t in templates for r in references(t, self.identities)}

    def locate(self, person: Person) -> Location:
        variables = {}
        for name, template in self.use.person.items():
            found = expand(template, person)
            if found:
                variables[name] = found[0]
        ids = expand(self.use.id, person) if self.use.id else None
        return {"variables": variables, "ids": ids, "run": person.run}

    def _ids(self, location: Location) -> list[str | None]:
        """The record ids: kept by the service, else searched for, else the person alone."""
        if location["ids"] is not None:
            return list(location["ids"])
        find = self.config.find
        if find is None:
            return [None] if location["variables"] else []
        _status, records = self._run(find, location, location["variables"], "find")
        return [str(r[find.id]) for r in records or [] if isinstance(r, dict) and r.get(find.id)]

    def _run(
        self, step: Step, location: Location, variables: dict[str, Any], key: str
    ) -> tuple[int, Any]:
        """One step; writes carry an idempotency key unique to this run, place and call."""
        run = location.get("run", self.run_key)
        try:
            return self.client.run(step, variables, f"{run}:{self.name}:{key}")
        except ConnectorError as exc:
            raise PlaceError(str(exc)) from None

    def _variables(self, location: Location, record: str | None) -> dict[str, Any]:
        return {**location["variables"], **({"id": record} if record is not None else {})}

    def count(self, location: Location) -> int:
        return len(self._ids(location))

    def read(self, location: Location) -> PlaceResult:
        if not self.config.access:
            return PlaceResult(Status.not_applicable, note="the configuration reads nothing")
        ids = self._ids(location)
        if not ids:
            return PlaceResult(Status.nothing_found)
        data: list[dict[str, Any]] = []
        notes = [s.note for s in self.config.access.values() if s.note]
        for record in ids:
            found = {}
            for name, step in self.config.access.items():
                status, answer = self._run(step, location, self._variables(location, record), name)
                found[name] = answer if status not in step.missing else None
            data.append({"id": record, **found} if record is not None else found)
        return PlaceResult(
            Status.read, {"records": len(ids)}, note=" ".join(notes) or None, data=data
        )

    def erase(self, location: Location) -> PlaceResult:
        ids = self._ids(location)
        if not ids:
            return PlaceResult(Status.nothing_found, note="no record at the processor")
        gone = 0
        answers = []
        for record in ids:
            for index, step in enumerate(self.config.erase):
                status, _answer = self._run(
                    step, location, self._variables(location, record), f"erase:{index}:{record}"
                )
                gone += status in step.missing
                answers.append({"id": record, "status": status})
        notes = " ".join(s.note for s in self.config.erase if s.note) or None
        return PlaceResult(
            Status.passed_to_recipient,
            {"records": len(ids), "already_gone": gone},
            note=notes,
            detail={"calls": answers},
        )

    def rectify(self, location: Location, changes: dict[str, Any]) -> PlaceResult:
        spec = self.config.rectify
        fields = {
            field: changes[column]
            for column, field in self.use.rectify.items()
            if column in changes and spec is not None and field in spec.fields
        }
        if spec is None or not fields:
            return PlaceResult(Status.not_applicable, note="no corrected field is kept there")
        ids = self._ids(location)
        if not ids:
            return PlaceResult(Status.nothing_found)
        body = {"form": fields} if spec.send_as == "form" else {"json": fields}
        step = Step(call=Call.model_validate({**spec.call.model_dump(by_alias=True), **body}))
        for record in ids:
            self._run(step, location, self._variables(location, record), f"rectify:{record}")
        return PlaceResult(
            Status.passed_to_recipient, {"records": len(ids)}, note=", ".join(fields)
        )

    def restrict(self, location: Location, lift: bool) -> PlaceResult:
        if not self.config.restrict or lift:
            return PlaceResult(Status.not_applicable, note="the processor has no restriction call")
        ids = self._ids(location)
        for record in ids:
            for index, step in enumerate(self.config.restrict):
                self._run(
                    step, location, self._variables(location, record), f"restrict:{index}:{record}"
                )
        return PlaceResult(Status.passed_to_recipient, {"records": len(ids)})

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
