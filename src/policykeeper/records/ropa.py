"""The record of processing activities (GDPR Art. 30(1)), generated from the declaration and the
data map: the controllers and the DPO, then one activity per purpose with its legal basis,
data subjects, data, recipients, transfers to third countries and their safeguards, time limits
for erasure and where the data is kept, then the security measures. HTML (ja/en) and CSV.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from policykeeper.datamap.models import DataMap
from policykeeper.policy.laws.gdpr import EEA
from policykeeper.policy.models import Jurisdiction, Policy, Purpose, Recipient
from policykeeper.policy.taxonomy import builtin
from policykeeper.records.text import words
from policykeeper.workflow.errors import Invalid

FORMATS = ("html", "csv")


@dataclass(frozen=True)
class Activity:
    name: str
    description: str
    legal_basis: str
    subjects: str
    categories: str
    special: str
    recipients: str
    transfers: str
    erasure: str
    storage: str

    def cells(self) -> list[str]:
        return [
            self.name,
            self.description,
            self.legal_basis,
            self.subjects,
            self.categories,
            self.special,
            self.recipients,
            self.transfers,
            self.erasure,
            self.storage,
        ]


@dataclass
class Record:
    lang: str
    title: str
    generated: str
    controllers: list[dict[str, str]]
    dpo: list[str]
    representative: str
    columns: list[str]
    activities: list[Activity]
    labels: dict[str, str] = field(default_factory=dict)
    security: list[str] = field(default_factory=list)


def build_ropa(policy: Policy, datamap: DataMap | None, lang: str, today: date) -> Record:
    """The record for a service that declares the GDPR; refused for one that does not."""
    if Jurisdiction.gdpr not in policy.jurisdictions:
        raise Invalid(
            "the declaration does not cover the GDPR: a record of processing activities "
            "(GDPR Art. 30) is kept by services it covers"
        )
    w = words(lang, policy.self_reference)
    cat = w.cat
    none = str(w("ropa.none"))
    controllers = [
        {
            "name": o.name.get(lang),
            "role": str(w("ropa.role", role=cat.label("role", o.role))),
            "address": o.address.get(lang) if not isinstance(o.address, str) else "",
            "country": cat.country(o.country),
            "registration": o.registration.get(lang) if o.registration else "",
        }
        for o in policy.operators
    ]
    dpo = []
    manager = policy.privacy_manager
    if manager is not None:
        dpo.append(manager.title.get(lang) if manager.title else "")
        if not isinstance(manager.name, str):
            dpo.append(manager.name.get(lang))
        if manager.email:
            dpo.append(manager.email)
        for contact_id in manager.contacts:
            contact = policy.contact(contact_id)
            if contact is not None and isinstance(contact.value, str):
                dpo.append(contact.value)
    representative = ""
    if policy.gdpr and policy.gdpr.eu_representative:
        rep = policy.gdpr.eu_representative
        representative = " ".join(
            filter(None, [rep.name.get(lang), rep.address.get(lang) if rep.address else ""])
        )
    activities = [_activity(policy, datamap, purpose, lang) for purpose in policy.purposes]
    return Record(
        lang=lang,
        title=str(w("ropa.title", service=policy.service.name.get(lang))),
        generated=str(w("ropa.generated", date=cat.date(today))),
        controllers=controllers,
        dpo=[item for item in dict.fromkeys(dpo) if item] or [none],
        representative=representative or none,
        columns=[str(c) for c in w("ropa.columns")],
        activities=activities,
        labels={
            key: str(w(f"ropa.{key}"))
            for key in ("controllers", "dpo", "representative", "activities", "security")
        },
        security=[m.text.get(lang) for m in policy.security] or [none],
    )


def ropa_html(record: Record) -> str:
    return _environment().get_template("ropa.html.j2").render(record=record)


def ropa_csv(record: Record) -> str:
    """One row per activity, UTF-8 with a BOM so spreadsheets read Japanese."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(record.columns)
    for activity in record.activities:
        writer.writerow(activity.cells())
    return "\ufeff" + text.getvalue()


def render_ropa(policy: Policy, datamap: DataMap | None, lang: str, fmt: str, today: date) -> str:
    if lang not in ("ja", "en"):
        raise Invalid(f"unknown language '{lang}': use ja or en")
    if fmt not in FORMATS:
        raise Invalid(f"unknown format '{fmt}': use html or csv")
    record = build_ropa(policy, datamap, lang, today)
    return ropa_html(record) if fmt == "html" else ropa_csv(record)


# --- one activity -------------------------------------------------------------------------------


def _activity(policy: Policy, datamap: DataMap | None, purpose: Purpose, lang: str) -> Activity:
    w = words(lang, policy.self_reference)
    cat = w.cat
    none = str(w("ropa.none"))
    keys = _category_keys(policy, purpose.categories)
    recipients = _recipients(policy, purpose, keys)
    subjects = [s.label.get(lang) for s in policy.subjects if s.id in purpose.subjects] or [
        str(w("ropa.all_subjects"))
    ]
    description = [purpose.description.get(lang)] if purpose.description else []
    description += [d.get(lang) for d in purpose.details]
    transfers = [
        str(
            w(
                "ropa.transfer",
                recipient=r.name.get(lang),
                countries=cat.join([cat.country(c) for c in outside]),
                safeguards=cat.join([cat.label("safeguard", s) for s in r.safeguards]) or none,
            )
        )
        for r in recipients
        if (outside := [c for c in r.countries if c not in EEA])
    ]
    rules = [
        rule
        for rule in policy.retention
        if any(_overlaps(policy, k, key) for k in rule.categories for key in keys)
    ]
    erasure = [
        rule.label.get(lang)
        + cat("label_sep")
        + (
            str(
                w(
                    "ropa.period_from",
                    period=cat.duration(rule.period),
                    clock=cat.label("clock", rule.clock),
                )
            )
            if rule.period is not None
            else cat.label("clock", rule.clock)
        )
        for rule in rules
    ]
    special = any(
        builtin().is_sensitive(key) or bool((c := policy.category(key)) and c.sensitive)
        for key in keys
    )
    return Activity(
        name=purpose.label.get(lang),
        description="\n".join(description),
        legal_basis=cat.label("legal_basis", purpose.legal_basis) if purpose.legal_basis else none,
        subjects=cat.join(subjects),
        categories=w.categories(policy, keys),
        special=str(w("ropa.flag_yes" if special else "ropa.flag_no")),
        recipients=cat.join([r.name.get(lang) for r in recipients]) or none,
        transfers="\n".join(transfers) or none,
        erasure="\n".join(erasure) or none,
        storage=", ".join(_storage(datamap, keys, policy)) or none,
    )


def _category_keys(policy: Policy, references: list[str]) -> list[str]:
    """The declared categories a purpose names (a parent key names every one under it)."""
    keys: list[str] = []
    for reference in references:
        under = [c.key for c in policy.categories_under(reference)]
        keys += under or [reference]
    return list(dict.fromkeys(keys))


def _overlaps(policy: Policy, one: str, other: str) -> bool:
    return policy.covers(one, other) or policy.covers(other, one)


def _recipients(policy: Policy, purpose: Purpose, keys: list[str]) -> list[Recipient]:
    """Recipients declared for the purpose; one that names no purpose, by the data it gets."""
    chosen = []
    for recipient in policy.recipients:
        if recipient.purposes:
            if purpose.id in recipient.purposes:
                chosen.append(recipient)
        elif any(_overlaps(policy, k, key) for k in recipient.categories for key in keys):
            chosen.append(recipient)
    return chosen


def _storage(datamap: DataMap | None, keys: list[str], policy: Policy) -> list[str]:
    if datamap is None:
        return []
    places = []
    for name, table in datamap.tables.items():
        if any(
            c.category and any(_overlaps(policy, c.category, key) for key in keys)
            for c in table.columns.values()
        ):
            places.append(f"{datamap.connection_of(name)}:{name}")
    return places


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("policykeeper.records", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
