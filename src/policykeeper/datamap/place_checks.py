"""Checks of the data map's places against itself and the declaration's recipients.

The declaration says who receives personal data; the map must say how a request reaches each
of them (a store, a connector, a manual task, a hosted connection, or why nothing is to be
erased there), and may not send data to a recipient the declaration never names.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from policykeeper.connectors.loading import load_connector
from policykeeper.datamap.models import DataMap
from policykeeper.datamap.places import placeholders
from policykeeper.errors import PolicyKeeperError
from policykeeper.policy.checks import Finding, suggestion
from policykeeper.policy.models import Policy, Recipient


def check_places(
    datamap: DataMap, policy: Policy | None, directory: Path | None = None
) -> list[Finding]:
    found = [*_templates(datamap), *_conditions(datamap), *_hosts(datamap)]
    if directory is not None:
        found += _connectors(datamap, directory)
    if policy is not None:
        found += [*_declared(datamap, policy), *_reached(datamap, policy)]
    return found


def receives_personal_data(recipient: Recipient) -> bool:
    """A recipient that is declared to receive categories of identifiable personal data."""
    return recipient.identifiable and bool(recipient.categories)


def _places(datamap: DataMap) -> Iterator[tuple[tuple[Any, ...], str, str | None]]:
    for name, store in datamap.stores.items():
        yield ("stores", name), f"store '{name}'", store.recipient
    for name, use in datamap.connectors.items():
        yield ("connectors", name), f"connector '{name}'", use.recipient
    for name, task in datamap.manual_tasks.items():
        yield ("manual_tasks", name), f"manual task '{name}'", task.recipient


def _declared(datamap: DataMap, policy: Policy) -> Iterator[Finding]:
    known = [r.id for r in policy.recipients]
    for where, what, recipient in _places(datamap):
        if recipient is not None and recipient not in known:
            yield (
                (*where, "recipient"),
                f"{what} sends data to '{recipient}', a recipient policy.yaml never declares "
                "(an undeclared disclosure)" + suggestion(recipient, known),
            )
    for recipient in datamap.recipients:
        if recipient not in known:
            yield (
                ("recipients", recipient),
                f"'{recipient}' is not a recipient policy.yaml declares"
                + suggestion(recipient, known),
            )


def _reached(datamap: DataMap, policy: Policy) -> Iterator[Finding]:
    reached = {recipient for _w, _what, recipient in _places(datamap) if recipient}
    reached |= {
        name for name, reach in datamap.recipients.items() if reach.hosts or reach.nothing_to_erase
    }
    anchor = next(
        (s for s in ("manual_tasks", "connectors", "stores", "recipients") if getattr(datamap, s)),
        "tables",
    )
    for recipient in policy.recipients:
        if receives_personal_data(recipient) and recipient.id not in reached:
            yield (
                (anchor,),
                f"recipient '{recipient.id}' receives personal data but has neither a connector "
                "nor a manual task for erasure (nor a store, a hosted connection, or a "
                "nothing_to_erase reason under recipients)",
            )


def _references(datamap: DataMap, template: str) -> Iterator[str]:
    """Problems with a template's placeholders: unknown kinds, tables or several tables."""
    tables = set()
    for name in placeholders(template):
        if "." not in name:
            if name not in datamap.identities:
                yield (
                    f"'{{{name}}}' is neither an identity kind nor TABLE.COLUMN"
                    + suggestion(name, datamap.identities)
                )
                continue
            tables.add(datamap.identities[name].table)
            continue
        table = name.partition(".")[0]
        spec = datamap.tables.get(table)
        if spec is None or spec.rows != "owned":
            yield f"'{{{name}}}': '{table}' is not an owned table of the map" + suggestion(
                table, datamap.owned()
            )
            continue
        tables.add(table)
    if len(tables) > 1:
        yield f"a template takes its values from one table, not {', '.join(sorted(tables))}"


def _templates(datamap: DataMap) -> Iterator[Finding]:
    for name, store in datamap.stores.items():
        groups: list[tuple[str, str, bool]] = []
        if store.kind == "s3":
            groups = [("objects", g.template(), g.prefix is not None) for g in store.objects]
        elif store.kind == "redis":
            groups = [("keys", k.pattern, False) for k in store.keys]
        elif store.kind == "files":
            groups = [("paths", g.path, False) for g in store.paths]
        for index, (field, template, prefix) in enumerate(groups):
            where = ("stores", name, field, index)
            for message in _references(datamap, template):
                yield where, message
            if prefix and not template.endswith("/"):
                yield (
                    where,
                    f"the prefix {template!r} must end with '/': otherwise the objects of "
                    "user 1 would include those of users 10, 11, …",
                )
            if store.kind == "files" and (template.startswith("/") or ".." in template.split("/")):
                yield where, f"the path {template!r} must stay inside the root"
    for name, use in datamap.connectors.items():
        for field, template in [
            ("id", use.id),
            *((f"person.{k}", v) for k, v in use.person.items()),
        ]:
            if template:
                for message in _references(datamap, template):
                    yield ("connectors", name, *field.split(".")), message
    for name, task in datamap.manual_tasks.items():
        for index, item in enumerate(task.identify):
            for message in _references(datamap, item.value):
                yield ("manual_tasks", name, "identify", index, "value"), message


def _conditions(datamap: DataMap) -> Iterator[Finding]:
    for name, task in datamap.manual_tasks.items():
        for index, condition in enumerate(task.when):
            spec = datamap.tables.get(condition.table)
            if spec is None or spec.rows != "owned":
                yield (
                    ("manual_tasks", name, "when", index, "table"),
                    f"'{condition.table}' is not an owned table of the map"
                    + suggestion(condition.table, datamap.owned()),
                )


def _hosts(datamap: DataMap) -> Iterator[Finding]:
    for recipient, reach in datamap.recipients.items():
        for index, connection in enumerate(reach.hosts):
            if connection not in datamap.connections:
                yield (
                    ("recipients", recipient, "hosts", index),
                    f"unknown connection '{connection}'"
                    + suggestion(connection, datamap.connections),
                )


def _connectors(datamap: DataMap, directory: Path) -> Iterator[Finding]:
    for name, use in datamap.connectors.items():
        try:
            config = load_connector(use.config, directory)
        except PolicyKeeperError as exc:
            yield ("connectors", name, "config"), str(exc).splitlines()[0]
            continue
        for setting, spec in config.settings.items():
            if spec.default is None and setting not in use.settings:
                yield (
                    ("connectors", name, "settings"),
                    f"the {config.name} connector needs the setting '{setting}' "
                    f"({spec.description})",
                )
        for setting in use.settings:
            if setting not in config.settings:
                yield (
                    ("connectors", name, "settings", setting),
                    f"the {config.name} connector has no setting '{setting}'"
                    + suggestion(setting, config.settings),
                )
            elif config.settings[setting].secret and "${" not in use.settings[setting]:
                yield (
                    ("connectors", name, "settings", setting),
                    f"'{setting}' is a secret: take it from the environment as ${{NAME}}",
                )
        accepted = config.rectify.fields if config.rectify else []
        for column, field in use.rectify.items():
            if field not in accepted:
                yield (
                    ("connectors", name, "rectify", column),
                    f"the {config.name} connector corrects no field '{field}'"
                    + suggestion(field, accepted),
                )
        if use.id is None and config.find is None and not use.person:
            yield (
                ("connectors", name),
                f"the {config.name} connector cannot find the person: give id or person",
            )
