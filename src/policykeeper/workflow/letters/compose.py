"""The text of a written reply to a disclosure request, composed from the declaration.

APPI Art. 33 lets the person choose paper; Art. 33(3) requires telling them, without delay,
when all or part is not disclosed or no data is held, and Art. 36 asks for the reasons. The
operator's name, address and contacts, the category labels and the refusal grounds all come
from `policy.yaml`, so the letter says what the published policy says.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Any

from ruamel.yaml import YAML

from policykeeper.engine.access import WITHHELD
from policykeeper.errors import InputError
from policykeeper.policy.models import Policy, RightKind
from policykeeper.policy.taxonomy import builtin
from policykeeper.policy.types import Lang, Text
from policykeeper.policy.voice import catalogue_as_declared
from policykeeper.workflow.grounds import (
    SYSTEM_GROUNDS,
    WITHHELD_IN_PRINCIPLE,
    ground_label,
    partial_ground,
)


class LetterKind(StrEnum):
    disclosure = "disclosure"
    partial_disclosure = "partial_disclosure"
    non_disclosure = "non_disclosure"
    not_held = "not_held"


DISCLOSING = {LetterKind.disclosure, LetterKind.partial_disclosure}
REFUSING = {LetterKind.partial_disclosure, LetterKind.non_disclosure}


@dataclass(frozen=True)
class Addressee:
    """Where the letter goes: the postal address the person gave with the request."""

    name: str
    address: str
    postal_code: str | None = None


@dataclass(frozen=True)
class Letter:
    """One decision on one disclosure request, to be sent by post.

    `disclosed` is the access export (`AccessResult.to_json()`); `grounds` are ids of the
    declared refusal grounds of the access right (or the workflow's own); `withheld` says what
    is not disclosed, by default what the declaration withholds in principle.
    """

    kind: LetterKind
    addressee: Addressee
    reference: str
    received: date
    dated: date
    disclosed: dict[str, Any] | None = None
    grounds: tuple[str, ...] = ()
    withheld: Text | None = None

    def __post_init__(self) -> None:
        if self.kind in DISCLOSING and self.disclosed is None:
            raise InputError(f"a {self.kind.value} letter needs the disclosed data")
        if self.kind in REFUSING and not self.grounds:
            raise InputError(f"a {self.kind.value} letter needs at least one refusal ground")


@dataclass
class Composed:
    """The letter's text in one language, in reading order; the layout only places it."""

    lang: Lang
    date_line: str
    addressee: list[str]
    sender: list[str]
    title: str
    opening: str
    body: list[str]
    valediction: str
    signature: list[str]
    details_heading: str
    details: list[tuple[str, list[str]]]
    details_end: str
    table_heading: str = ""
    table_columns: tuple[str, str, str] = ("", "", "")
    table: list[tuple[str, str, str]] = field(default_factory=list)


def compose(policy: Policy, letter: Letter, lang: Lang | str) -> Composed:
    lang = Lang(lang)
    m = _messages(lang, policy.self_reference)
    operator = policy.operators[0]
    service = policy.service.name.get(lang)
    received = _date(m, letter.received)
    addressee = letter.addressee
    postal = [m["postal_code"].format(code=addressee.postal_code)] if addressee.postal_code else []
    lines = [line for line in addressee.address.splitlines() if line.strip()]
    honorific = m["honorific"].format(name=addressee.name)
    addressed = (
        [*postal, *lines, "", honorific] if lang is Lang.ja else [honorific, *lines, *postal]
    )
    sender = [operator.name.get(lang)]
    if operator.address is not None and not isinstance(operator.address, str):  # Nicori: none
        sender.append(operator.address.get(lang))
    if operator.department is not None:
        sender.append(operator.department.get(lang))

    body = [m["body"][letter.kind.value].format(service=service, received=received)]
    body.append(m["closing"])
    if letter.kind in REFUSING or letter.kind is LetterKind.not_held:
        body.append(m["closing_refusal"])
    details: list[tuple[str, list[str]]] = [
        (m["detail"]["reference"], [letter.reference]),
        (m["detail"]["received"], [received]),
    ]
    if letter.kind in DISCLOSING:
        details.append((m["detail"]["disclosed"], [m["detail"]["disclosed_value"]]))
    if letter.kind is LetterKind.partial_disclosure:
        withheld = letter.withheld or _access_right_withheld(policy)
        if withheld is not None:
            details.append((m["detail"]["withheld"], [withheld.get(lang)]))
    if letter.kind in REFUSING:
        details.append((m["detail"]["grounds"], _grounds(policy, letter.grounds, lang, m)))
    details.append((m["detail"]["contact"], _contacts(policy, lang, m)))

    composed = Composed(
        lang=lang,
        date_line=_date(m, letter.dated),
        addressee=addressed,
        sender=sender,
        title=m["title"][letter.kind.value],
        opening=m["opening"].format(service=service, name=addressee.name),
        body=body,
        valediction=m["valediction"],
        signature=[] if lang is Lang.ja else [operator.name.get(lang)],
        details_heading=m["details_heading"],
        details=details,
        details_end=m["details_end"],
    )
    if letter.kind in DISCLOSING and letter.disclosed is not None:
        composed.table_heading = m["table_heading"]
        item, where, content = m["table_columns"]
        composed.table_columns = (item, where, content)
        composed.table = disclosed_rows(policy, letter.disclosed, lang)
    return composed


def disclosed_rows(
    policy: Policy, disclosed: dict[str, Any], lang: Lang
) -> list[tuple[str, str, str]]:
    """(category label, where it is held, value), grouped under the declaration's categories.

    Labels are the declaration's (a key's nearest declared category), else the export's, else
    the built-in taxonomy's. Categories are listed in the declaration's order, with a key's
    sub-keys under its label (a display name under 氏名); each label is printed on its group's
    first row only. The same value in the same place (a billing name copied into every order)
    is shown once with its count; credentials the export withholds are named, never printed.
    """
    m = _messages(lang, policy.self_reference)
    order = {c.key: i for i, c in enumerate(policy.categories)}
    categories: dict[str, Any] = disclosed.get("categories", {})
    groups: dict[str, Counter[tuple[str, str]]] = {}
    positions: dict[str, tuple[int, str]] = {}
    for key, about in categories.items():
        declared = max(
            (k for k in order if key == k or key.startswith(k + ".")), key=len, default=""
        )
        category = policy.category(declared) if declared else None
        label = (
            category.label.get(lang)
            if category is not None
            else (about.get("label") or {}).get(lang.value) or _builtin_label(key, lang)
        )
        position = (order.get(declared, len(order)), declared or key)
        positions[label] = min(positions.get(label, position), position)
        found = groups.setdefault(label, Counter())
        for table, items in about.get("data", {}).items():
            for item in items:
                found.update(_values(table, item, m))
    rows: list[tuple[str, str, str]] = []
    for label in sorted(groups, key=lambda name: positions[name]):
        for index, ((source, value), count) in enumerate(groups[label].items()):
            shown = m["repeated"].format(value=value, count=count) if count > 1 else value
            rows.append((label if index == 0 else "", source, shown))
    return rows


def _builtin_label(key: str, lang: Lang) -> str:
    """A category the declaration does not list (a password) is named by the taxonomy."""
    taxonomy = builtin()
    ancestor = taxonomy.builtin_ancestor(key)
    return taxonomy.categories[ancestor].get(lang) if ancestor else key


def _values(table: str, item: dict[str, Any], m: dict[str, Any]) -> list[tuple[str, str]]:
    """(table.column, value) of one exported item: its last entry, after the row's key."""
    if not item:
        return []
    column, value = list(item.items())[-1]
    if value is None or value == "":
        return []
    return [(f"{table}.{column}", m["credential"] if value == WITHHELD else str(value))]


def _grounds(policy: Policy, ids: tuple[str, ...], lang: Lang, m: dict[str, Any]) -> list[str]:
    """The declared wording of each ground: a letter never cites one the policy does not."""
    right = policy.right(RightKind.access)
    if right is None:
        raise InputError("the declaration has no access right, so no refusal grounds to cite")
    known = [g.id for g in right.refusal_grounds]
    if right.withheld is not None:
        known.append(WITHHELD_IN_PRINCIPLE)
    for ground in ids:
        if partial_ground(right, ground) is None and ground not in SYSTEM_GROUNDS:
            raise InputError(
                f"unknown refusal ground '{ground}'; the access right declares: "
                + ", ".join([*known, *SYSTEM_GROUNDS])
            )
    labels = [ground_label(right, g).get(lang) for g in ids]
    if len(labels) == 1:
        return labels
    return [m["numbered"].format(number=n, text=t) for n, t in enumerate(labels, start=1)]


def _access_right_withheld(policy: Policy) -> Text | None:
    right = policy.right(RightKind.access)
    return right.withheld if right else None


def _contacts(policy: Policy, lang: Lang, m: dict[str, Any]) -> list[str]:
    """The inquiry window's name, then one line per way to reach it."""
    reachable = [c for c in policy.contacts if c.kind in m["contact"] and c.value != "on_request"]
    named = next((c.name for c in reachable if c.name is not None), None)
    lines = [named.get(lang)] if named is not None else []
    for contact in reachable:
        line = m["contact"][contact.kind].format(value=contact.value)
        if contact.hours is not None:
            line += m["contact"]["hours"].format(hours=contact.hours.get(lang))
        lines.append(line)
    return lines


def _date(m: dict[str, Any], value: date) -> str:
    names = m.get("month_names")
    return m["date"].format(
        year=value.year,
        month=value.month,
        day=value.day,
        month_name=names[value.month - 1] if names else "",
    )


@cache
def _messages(lang: Lang, we: str) -> dict[str, Any]:
    """The letter's wording; `we` is the declaration's self_reference (当社, 当法人 …)."""
    source = files("policykeeper.workflow.letters").joinpath(f"messages/{lang.value}.yaml")
    tree = YAML(typ="safe").load(source.read_text(encoding="utf-8"))
    return catalogue_as_declared(tree, we)  # type: ignore[no-any-return]
