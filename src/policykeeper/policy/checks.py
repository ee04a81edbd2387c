"""Cross-checks of a declaration: references between sections, translations, and the law.

Each check yields (location, message); the loader turns locations into file:line:column.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import BaseModel

from policykeeper.policy.models import (
    FEE_ALLOWED_UNDER_APPI,
    Fee,
    Jurisdiction,
    LegalBasis,
    Policy,
    Provision,
    RecipientType,
    RequestGround,
    Right,
    RightKind,
)
from policykeeper.policy.source import Location
from policykeeper.policy.taxonomy import builtin
from policykeeper.policy.types import Duration, Text

Finding = tuple[Location, str]

LEGAL_MAXIMUM = {
    Jurisdiction.gdpr: (Duration(1, "month"), Duration(2, "month")),
    Jurisdiction.ccpa: (Duration(45, "day"), Duration(45, "day")),
}


def suggestion(value: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def check_policy(policy: Policy) -> list[Finding]:
    checks = (
        _unique_ids,
        _category_keys,
        _references,
        _translations,
        _cross_border,
        _sensitive_data,
        _rights,
        _request_grounds,
        _exception_notes,
        _gdpr_bases,
        _joint_controllers,
        _gdpr_only_provisions,
        _signals,
        _tracker_consent,
        _languages,
    )
    return [finding for check in checks for finding in check(policy)]


def _unique_ids(policy: Policy) -> Iterator[Finding]:
    sections: dict[str, list[Any]] = {
        "categories": [c.key for c in policy.categories],
        "purposes": [p.id for p in policy.purposes],
        "recipients": [r.id for r in policy.recipients],
        "contacts": [c.id for c in policy.contacts],
        "retention": [r.id for r in policy.retention],
        "subjects": [s.id for s in policy.subjects],
        "operators": [o.id for o in policy.operators],
        "rights": [r.kind.value for r in policy.rights],
        "trackers": [t.name for t in policy.trackers],
    }
    field = {"categories": "key", "rights": "kind", "trackers": "name"}
    for section, values in sections.items():
        repeated = {v for v, n in Counter(values).items() if n > 1}
        for index, value in enumerate(values):
            if value in repeated:
                yield (section, index, field.get(section, "id")), f"'{value}' is declared twice"
                repeated.discard(value)


def _category_keys(policy: Policy) -> Iterator[Finding]:
    taxonomy = builtin()
    for index, category in enumerate(policy.categories):
        if taxonomy.builtin_ancestor(category.key) is None:
            yield (
                ("categories", index, "key"),
                f"'{category.key}' is not under any built-in category"
                + suggestion(category.key, taxonomy.categories),
            )
        if taxonomy.is_sensitive(category.key) and not category.sensitive:
            yield (
                ("categories", index, "sensitive"),
                f"'{category.key}' is sensitive personal information (要配慮個人情報); "
                "declare sensitive: true",
            )


def _references(policy: Policy) -> Iterator[Finding]:
    declared = [c.key for c in policy.categories]
    purposes = [p.id for p in policy.purposes]
    recipients = [r.id for r in policy.recipients]
    contacts = [c.id for c in policy.contacts]
    subjects = [s.id for s in policy.subjects]
    uses = list(builtin().uses)

    def category_refs(location: Location, keys: list[str]) -> Iterator[Finding]:
        for i, key in enumerate(keys):
            if not policy.categories_under(key):
                yield (*location, i), f"undeclared category '{key}'" + suggestion(key, declared)

    def id_refs(
        location: Location, ids: list[str], known: list[str], what: str
    ) -> Iterator[Finding]:
        for i, value in enumerate(ids):
            if value not in known:
                yield (*location, i), f"undeclared {what} '{value}'" + suggestion(value, known)

    def contact_ref(location: Location, value: str | None) -> Iterator[Finding]:
        if value is not None and value not in contacts:
            yield location, f"undeclared contact '{value}'" + suggestion(value, contacts)

    for i, c in enumerate(policy.categories):
        yield from id_refs(("categories", i, "handled_by"), c.handled_by, recipients, "recipient")
        yield from id_refs(("categories", i, "subjects"), c.subjects, subjects, "subject type")
    for i, p in enumerate(policy.purposes):
        yield from category_refs(("purposes", i, "categories"), p.categories)
        yield from id_refs(("purposes", i, "subjects"), p.subjects, subjects, "subject type")
        for j, use in enumerate(p.uses):
            if not builtin().is_use(use):
                yield (
                    ("purposes", i, "uses", j),
                    f"unknown data use '{use}'" + suggestion(use, uses),
                )
    for i, r in enumerate(policy.recipients):
        yield from category_refs(("recipients", i, "categories"), r.categories)
        yield from id_refs(("recipients", i, "purposes"), r.purposes, purposes, "purpose")
        if r.joint_use:
            yield from category_refs(("recipients", i, "joint_use", "items"), r.joint_use.items)
    for i, t in enumerate(policy.trackers):
        if t.purpose not in purposes:
            yield (
                ("trackers", i, "purpose"),
                f"undeclared purpose '{t.purpose}'" + suggestion(t.purpose, purposes),
            )
        if t.recipient is not None and t.recipient not in recipients:
            yield (
                ("trackers", i, "recipient"),
                f"undeclared recipient '{t.recipient}'" + suggestion(t.recipient, recipients),
            )
        yield from category_refs(("trackers", i, "sends"), t.sends)
    for i, rule in enumerate(policy.retention):
        yield from category_refs(("retention", i, "categories"), rule.categories)
        yield from id_refs(("retention", i, "subjects"), rule.subjects, subjects, "subject type")
    for i, right in enumerate(policy.rights):
        for j, channel in enumerate(right.channels):
            if channel.contact not in contacts:
                yield (
                    ("rights", i, "channels", j, "contact"),
                    f"undeclared contact '{channel.contact}'"
                    + suggestion(channel.contact, contacts),
                )
    for i, use in enumerate(policy.anonymized_uses):
        yield from category_refs(("anonymized_uses", i, "categories"), use.categories)
        yield from id_refs(
            ("anonymized_uses", i, "recipients"), use.recipients, recipients, "recipient"
        )
        yield from contact_ref(("anonymized_uses", i, "opt_out_contact"), use.opt_out_contact)
    if policy.privacy_manager is not None:
        yield from id_refs(
            ("privacy_manager", "contacts"), policy.privacy_manager.contacts, contacts, "contact"
        )
    if policy.gdpr is not None:
        yield from contact_ref(("gdpr", "joint_contact"), policy.gdpr.joint_contact)
    for i, disclosure in enumerate(policy.ccpa.disclosures if policy.ccpa else []):
        location = ("ccpa", "disclosures", i)
        yield from category_refs((*location, "categories"), disclosure.categories)
        yield from id_refs(
            (*location, "recipients"), disclosure.recipients, recipients, "recipient"
        )
    if policy.complaints.contact not in contacts:
        yield (
            ("complaints", "contact"),
            f"undeclared contact '{policy.complaints.contact}'"
            + suggestion(policy.complaints.contact, contacts),
        )


def _translations(policy: Policy) -> Iterator[Finding]:
    published = policy.languages.published

    def walk(value: Any, location: Location) -> Iterator[Finding]:
        if isinstance(value, Text):
            for lang in value.missing(published):
                yield location, f"no {lang.value} text, but {lang.value} is a published language"
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                yield from walk(getattr(value, name), (*location, name))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from walk(item, (*location, index))
        elif isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, (*location, str(key)))

    yield from walk(policy, ())


def _cross_border(policy: Policy) -> Iterator[Finding]:
    home = policy.operators[0].country
    for i, r in enumerate(policy.recipients):
        if r.type is RecipientType.authority:
            continue
        if r.countries_unknown:
            if r.countries:
                yield (
                    ("recipients", i, "countries_unknown"),
                    f"recipient '{r.id}' names countries, so countries_unknown must be false",
                )
            continue
        if not r.countries:
            yield (
                ("recipients", i, "name"),
                f"recipient '{r.id}' has no country (countries: [..], or countries_unknown: true "
                "when the policy does not say)",
            )
            continue
        abroad = [c for c in r.countries if c != home]
        if abroad and r.identifiable and not r.safeguards:
            yield (
                ("recipients", i, "countries"),
                f"recipient '{r.id}' receives data in {', '.join(abroad)} but declares no safeguards "
                "for the cross-border transfer",
            )


def _sensitive_data(policy: Policy) -> Iterator[Finding]:
    sensitive = [c.key for c in policy.categories if c.sensitive]

    def touches_sensitive(keys: list[str]) -> list[str]:
        return [s for s in sensitive if any(policy.covers(k, s) for k in keys)]

    for i, p in enumerate(policy.purposes):
        used = touches_sensitive(p.categories)
        if not used:
            continue
        if any(u.startswith("marketing") or builtin().is_opt_out_use(u) for u in p.uses):
            yield (
                ("purposes", i, "categories"),
                f"purpose '{p.id}' is marketing but uses sensitive data ({', '.join(used)})",
            )
        if p.legal_basis not in {
            None,
            LegalBasis.explicit_consent,
            LegalBasis.legal_obligation,
            LegalBasis.vital_interests,
        }:
            yield (
                ("purposes", i, "legal_basis"),
                f"purpose '{p.id}' uses sensitive data ({', '.join(used)}); its legal basis must be explicit_consent",
            )
    for i, c in enumerate(policy.categories):
        if c.sensitive and c.sensitive_consent is None:
            yield (
                ("categories", i, "sensitive"),
                f"sensitive category '{c.key}' needs sensitive_consent: how prior consent is obtained (APPI Art. 20(2))",
            )
    for i, r in enumerate(policy.recipients):
        used = touches_sensitive(r.categories)
        if used and r.provision is Provision.opt_out:
            yield (
                ("recipients", i, "provision"),
                f"opt-out provision of sensitive data ({', '.join(used)}) to '{r.id}' is forbidden (APPI Art. 27(2))",
            )


def _applies(policy: Policy, right: Right) -> list[Jurisdiction]:
    return right.jurisdictions or policy.jurisdictions


def _rights(policy: Policy) -> Iterator[Finding]:
    for i, right in enumerate(policy.rights):
        jurisdictions = _applies(policy, right)
        for j in right.by_jurisdiction:
            if j not in jurisdictions:
                yield (
                    ("rights", i, "by_jurisdiction", j.value),
                    f"'{j.value}' does not apply to this right",
                )
        for jurisdiction in jurisdictions:
            terms = right.by_jurisdiction.get(jurisdiction)
            fee = terms.fee if terms and terms.fee else right.fee
            fee_location = (
                ("rights", i, "by_jurisdiction", jurisdiction.value, "fee")
                if terms and terms.fee
                else ("rights", i, "fee")
            )
            yield from _fee_rule(right.kind, jurisdiction, fee, fee_location)
            deadline = terms.deadline if terms and terms.deadline else right.deadline
            if deadline is None:
                yield (
                    ("rights", i, "kind"),
                    f"right '{right.kind.value}' has no deadline for {jurisdiction.value}",
                )
                continue
            if jurisdiction in LEGAL_MAXIMUM:
                answer, extension = LEGAL_MAXIMUM[jurisdiction]
                location = (
                    ("rights", i, "by_jurisdiction", jurisdiction.value, "deadline")
                    if terms and terms.deadline
                    else ("rights", i, "deadline")
                )
                if deadline.period and deadline.period.approx_days() > answer.approx_days():
                    yield (
                        location,
                        f"{jurisdiction.value.upper()} requires an answer within {answer}, not {deadline.period}",
                    )
                if (
                    deadline.extension
                    and deadline.extension.approx_days() > extension.approx_days()
                ):
                    yield (
                        location,
                        f"{jurisdiction.value.upper()} allows an extension of at most {extension}, not {deadline.extension}",
                    )


def _fee_rule(
    kind: RightKind, jurisdiction: Jurisdiction, fee: Fee, location: Location
) -> Iterator[Finding]:
    if fee.kind == "free":
        return
    if jurisdiction is Jurisdiction.appi and kind not in FEE_ALLOWED_UNDER_APPI:
        yield (
            location,
            f"APPI allows no fee for '{kind.value}' (Art. 38: only disclosure and notice of purposes)",
        )
    if jurisdiction is Jurisdiction.gdpr:
        yield (
            location,
            "GDPR requests are free (Art. 12(5)); declare excessive_requests: true instead of a fee",
        )
    if jurisdiction is Jurisdiction.ccpa:
        yield location, "CCPA requests are free; no fee may be charged"


_SUSPENSION_GROUNDS = frozenset(RequestGround) - {RequestGround.inaccurate}
GROUNDS_FOR = {
    RightKind.rectification: frozenset({RequestGround.inaccurate}),
    RightKind.erasure: _SUSPENSION_GROUNDS,
    RightKind.restriction: _SUSPENSION_GROUNDS,
}
"""Correction answers untrue data (APPI Art. 34); suspension and erasure the rest (Art. 35)."""


def _request_grounds(policy: Policy) -> Iterator[Finding]:
    for i, right in enumerate(policy.rights):
        allowed = GROUNDS_FOR.get(right.kind, frozenset())
        for j, ground in enumerate(right.grounds):
            if ground not in allowed:
                yield (
                    ("rights", i, "grounds", j),
                    f"'{ground.value}' is not a ground for '{right.kind.value}'"
                    + suggestion(ground.value, sorted(g.value for g in allowed)),
                )


def _exception_notes(policy: Policy) -> Iterator[Finding]:
    for exception in policy.provision_exception_notes:
        if exception not in policy.provision_exceptions:
            yield (
                ("provision_exception_notes", exception.value),
                f"a note on '{exception.value}', which provision_exceptions does not list",
            )


def _gdpr_bases(policy: Policy) -> Iterator[Finding]:
    if Jurisdiction.gdpr not in policy.jurisdictions:
        return
    for i, p in enumerate(policy.purposes):
        if p.legal_basis is None:
            yield ("purposes", i, "id"), f"purpose '{p.id}' needs a legal_basis under the GDPR"


def _joint_controllers(policy: Policy) -> Iterator[Finding]:
    """GDPR Art. 26: joint controllers come in twos or more and publish their arrangement."""
    joint = [i for i, o in enumerate(policy.operators) if o.role == "joint_controller"]
    if len(joint) == 1:
        yield (
            ("operators", joint[0], "role"),
            "a joint controller needs at least one other joint controller among the operators",
        )
    if (
        len(joint) > 1
        and Jurisdiction.gdpr in policy.jurisdictions
        and (policy.gdpr is None or policy.gdpr.joint_arrangement is None)
    ):
        yield (
            ("operators", joint[0], "role"),
            "joint controllers must make the essence of their arrangement available "
            "(GDPR Art. 26(2)); declare gdpr.joint_arrangement",
        )


def _gdpr_only_provisions(policy: Policy) -> Iterator[Finding]:
    if Jurisdiction.appi not in policy.jurisdictions:
        return
    for i, r in enumerate(policy.recipients):
        if r.provision in {Provision.contract, Provision.legitimate_interests}:
            yield (
                ("recipients", i, "provision"),
                f"'{r.provision.value}' is not a basis for provision under APPI (Art. 27); "
                "declare consent, entrustment or another APPI basis",
            )


def _signals(policy: Policy) -> Iterator[Finding]:
    if (
        policy.signals.dnt == "opt_out_sale_sharing"
        and Jurisdiction.ccpa not in policy.jurisdictions
    ):
        yield (
            ("signals", "dnt"),
            "DNT as an opt-out of sale or sharing is a CCPA promise; declare ccpa in jurisdictions",
        )


def _tracker_consent(policy: Policy) -> Iterator[Finding]:
    """In the EU a tracker that is not strictly necessary needs consent (ePrivacy Art. 5(3))."""
    if Jurisdiction.gdpr not in policy.jurisdictions:
        return
    for i, t in enumerate(policy.trackers):
        if t.kind != "necessary" and not t.consent_required:
            yield (
                ("trackers", i, "consent"),
                f"tracker '{t.name}' is {t.kind}, so the EU requires opt-in consent "
                "(ePrivacy Directive Art. 5(3))",
            )


def _languages(policy: Policy) -> Iterator[Finding]:
    if policy.languages.authoritative not in policy.languages.published:
        yield (
            ("languages", "authoritative"),
            "the authoritative language must be one of the published ones",
        )
