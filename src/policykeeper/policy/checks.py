"""Cross-checks of a declaration: references between sections, translations, and the law.

Each check yields Findings (location, message, severity); the loader turns locations into
file:line:column. Three severities:

- **error**: the declaration cannot be used as written (a broken reference, a contradiction
  between two of its own statements). Loading refuses it.
- **law**: it can be used, and is rendered as written, but it breaks a rule of a law it declares
  or leaves out something that law requires to be published. `validate` fails on it.
- **warning**: worth a look (a field in the wrong script, a list that does not say whether its
  items are alternatives); `validate` still passes.

Each law's own checks live with the law (`policy.laws`, `Law.checks` and `Law.fee_findings`).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from pydantic import BaseModel

from policykeeper.policy.countries import is_country
from policykeeper.policy.laws import law as law_of
from policykeeper.policy.laws import laws
from policykeeper.policy.models import (
    ContactChannel,
    Fee,
    Jurisdiction,
    LegalBasis,
    Policy,
    Provision,
    Recipient,
    RecipientType,
    RequestGround,
    Right,
    RightKind,
    StatementKind,
)
from policykeeper.policy.script import has_japanese, latin_only
from policykeeper.policy.source import Location
from policykeeper.policy.statutory import statutory_deadline
from policykeeper.policy.taxonomy import builtin
from policykeeper.policy.types import Text

ERROR, LAW, WARNING = "error", "law", "warning"


class Finding(NamedTuple):
    location: Location
    message: str
    severity: str = ERROR


def suggestion(value: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def check_policy(policy: Policy) -> list[Finding]:
    checks = (
        _unique_ids,
        _category_keys,
        _references,
        _countries,
        _translations,
        _request_grounds,
        _exception_notes,
        _languages,
        _statements,
        _cross_border,
        _sensitive_data,
        _rights,
        _usable_channels,
        _laws,
        _joint_controllers,
        _translation_scripts,
        _dangling_references,
        _unstated_joins,
        _fee_currency,
        _romaji_names,
    )
    return [finding for check in checks for finding in check(policy)]


# --- the declaration itself (errors) --------------------------------------------------------


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
                yield Finding(
                    (section, index, field.get(section, "id")), f"'{value}' is declared twice"
                )
                repeated.discard(value)


def _category_keys(policy: Policy) -> Iterator[Finding]:
    taxonomy = builtin()
    keys = [(("categories", i, "key"), c.key) for i, c in enumerate(policy.categories)]
    for i, statement in enumerate(policy.statements):
        keys += [
            (("statements", i, "categories", j), k) for j, k in enumerate(statement.categories)
        ]
    for location, key in keys:
        if taxonomy.builtin_ancestor(key) is None:
            yield Finding(
                location,
                f"'{key}' is not under any built-in category"
                + suggestion(key, taxonomy.categories),
            )
    for index, category in enumerate(policy.categories):
        if taxonomy.is_sensitive(category.key) and not category.sensitive:
            yield Finding(
                ("categories", index, "sensitive"),
                f"'{category.key}' is special-care data under {_laws_for(policy, category.key)}; "
                "declare sensitive: true",
                LAW,
            )


def _laws_for(policy: Policy, key: str) -> str:
    """The laws (every known one) that make the category special-care data."""
    return " and ".join(care.citation for each in laws() if (care := each.special_care(key)))


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
                yield Finding(
                    (*location, i), f"undeclared category '{key}'" + suggestion(key, declared)
                )

    def id_refs(
        location: Location, ids: list[str], known: list[str], what: str
    ) -> Iterator[Finding]:
        for i, value in enumerate(ids):
            if value not in known:
                yield Finding(
                    (*location, i), f"undeclared {what} '{value}'" + suggestion(value, known)
                )

    def contact_ref(location: Location, value: str | None) -> Iterator[Finding]:
        if value is not None and value not in contacts:
            yield Finding(location, f"undeclared contact '{value}'" + suggestion(value, contacts))

    def use_refs(location: Location, keys: list[str]) -> Iterator[Finding]:
        for j, use in enumerate(keys):
            if not builtin().is_use(use):
                yield Finding((*location, j), f"unknown data use '{use}'" + suggestion(use, uses))

    for i, c in enumerate(policy.categories):
        yield from id_refs(("categories", i, "handled_by"), c.handled_by, recipients, "recipient")
        yield from id_refs(("categories", i, "subjects"), c.subjects, subjects, "subject type")
    for i, p in enumerate(policy.purposes):
        yield from category_refs(("purposes", i, "categories"), p.categories)
        yield from id_refs(("purposes", i, "subjects"), p.subjects, subjects, "subject type")
        yield from use_refs(("purposes", i, "uses"), p.uses)
    for i, r in enumerate(policy.recipients):
        yield from category_refs(("recipients", i, "categories"), r.categories)
        yield from id_refs(("recipients", i, "purposes"), r.purposes, purposes, "purpose")
        if r.joint_use:
            yield from category_refs(("recipients", i, "joint_use", "items"), r.joint_use.items)
    for i, t in enumerate(policy.trackers):
        if t.purpose not in purposes:
            yield Finding(
                ("trackers", i, "purpose"),
                f"undeclared purpose '{t.purpose}'" + suggestion(t.purpose, purposes),
            )
        if t.recipient is not None and t.recipient not in recipients:
            yield Finding(
                ("trackers", i, "recipient"),
                f"undeclared recipient '{t.recipient}'" + suggestion(t.recipient, recipients),
            )
        yield from category_refs(("trackers", i, "sends"), t.sends)
    for i, rule in enumerate(policy.retention):
        yield from category_refs(("retention", i, "categories"), rule.categories)
        yield from id_refs(("retention", i, "subjects"), rule.subjects, subjects, "subject type")
    for i, right in enumerate(policy.rights):
        for j, channel in enumerate(right.channels):
            yield from contact_ref(("rights", i, "channels", j, "contact"), channel.contact)
    for i, use in enumerate(policy.anonymized_uses):
        yield from category_refs(("anonymized_uses", i, "categories"), use.categories)
        yield from id_refs(
            ("anonymized_uses", i, "recipients"), use.recipients, recipients, "recipient"
        )
        yield from contact_ref(("anonymized_uses", i, "opt_out_contact"), use.opt_out_contact)
    for i, statement in enumerate(policy.statements):
        yield from id_refs(("statements", i, "purposes"), statement.purposes, purposes, "purpose")
        yield from use_refs(("statements", i, "uses"), statement.uses)
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
    if policy.complaints is not None:
        yield from contact_ref(("complaints", "contact"), policy.complaints.contact)


def _countries(policy: Policy) -> Iterator[Finding]:
    """Every country code is a real one, so the policy always names a country, never a code."""
    codes: list[tuple[Location, str]] = []
    for i, o in enumerate(policy.operators):
        if o.country is not None:
            codes.append((("operators", i, "country"), o.country))
    for i, r in enumerate(policy.recipients):
        codes += [(("recipients", i, "countries", j), c) for j, c in enumerate(r.countries)]
        codes += [
            (("recipients", i, "entities", j, "country"), e.country)
            for j, e in enumerate(r.entities)
            if e.country is not None
        ]
    for location, code in codes:
        if not is_country(code):
            yield Finding(location, f"'{code}' is not an ISO 3166 country code")


def _translations(policy: Policy) -> Iterator[Finding]:
    published = policy.languages.published
    for location, text in _all_texts(policy):
        for lang in text.missing(published):
            yield Finding(
                location, f"no {lang.value} text, but {lang.value} is a published language"
            )


def _all_texts(value: Any, location: Location = ()) -> Iterator[tuple[Location, Text]]:
    if isinstance(value, Text):
        yield location, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _all_texts(getattr(value, name), (*location, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _all_texts(item, (*location, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _all_texts(item, (*location, str(key)))


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
                yield Finding(
                    ("rights", i, "grounds", j),
                    f"'{ground.value}' is not a ground for '{right.kind.value}'"
                    + suggestion(ground.value, sorted(g.value for g in allowed)),
                )


def _exception_notes(policy: Policy) -> Iterator[Finding]:
    for exception in policy.provision_exception_notes:
        if exception not in policy.provision_exceptions:
            yield Finding(
                ("provision_exception_notes", exception.value),
                f"a note on '{exception.value}', which provision_exceptions does not list",
            )


def _languages(policy: Policy) -> Iterator[Finding]:
    if policy.languages.authoritative not in policy.languages.published:
        yield Finding(
            ("languages", "authoritative"),
            "the authoritative language must be one of the published ones",
        )


def _statements(policy: Policy) -> Iterator[Finding]:
    """A negative promise must not contradict what the rest of the declaration says."""
    for i, statement in enumerate(policy.statements):
        where = ("statements", i, "kind")
        keys = statement.categories

        def covered(candidates: list[str], keys: list[str] = keys) -> list[str]:
            return [
                k
                for k in keys
                if any(policy.covers(c, k) or policy.covers(k, c) for c in candidates)
            ]

        kind = statement.kind
        if kind is StatementKind.not_collected:
            clash = covered([c.key for c in policy.categories])
            if clash:
                yield Finding(
                    where, f"says {', '.join(clash)} is not collected, but categories declare it"
                )
        elif kind is StatementKind.not_stored:
            clash = covered([c.key for c in policy.categories if c.stored])
            if clash:
                yield Finding(
                    where,
                    f"says {', '.join(clash)} is not stored, but its category is not 'stored: false'",
                )
        elif kind is StatementKind.on_device:
            sent = [k for r in policy.recipients for k in r.categories]
            sent += [k for t in policy.trackers for k in t.sends]
            clash = covered(sent)
            if clash:
                yield Finding(
                    where,
                    f"says {', '.join(clash)} stays on the device, but a recipient or tracker receives it",
                )
        elif kind is StatementKind.not_provided:
            third = [
                k
                for r in policy.recipients
                if r.provision not in _NOT_THIRD_PARTY
                for k in r.categories
            ]
            clash = covered(third)
            if clash:
                yield Finding(
                    where,
                    f"says {', '.join(clash)} is not provided to third parties, but a recipient receives it",
                )
        elif kind is StatementKind.only_for_purposes:
            others = [
                p.id
                for p in policy.purposes
                if p.id not in statement.purposes and covered(p.categories)
            ]
            if others:
                yield Finding(
                    where,
                    f"says {', '.join(keys)} serves only {', '.join(statement.purposes)}, but {', '.join(others)} also uses it",
                )
        elif kind is StatementKind.not_used_for:
            others = [
                p.id
                for p in policy.purposes
                if covered(p.categories)
                and any(policy.covers(u, use) for u in statement.uses for use in p.uses)
            ]
            if others:
                yield Finding(
                    where,
                    f"says {', '.join(keys)} is never used for {', '.join(statement.uses)}, but {', '.join(others)} does",
                )


_NOT_THIRD_PARTY = {Provision.entrustment, Provision.joint_use, Provision.business_succession}
"""APPI Art. 27(5): entrustment, business succession and joint use are not provision to a third
party."""


# --- the law (law) --------------------------------------------------------------------------


def _abroad(policy: Policy, recipient: Recipient) -> list[str]:
    home = policy.home_country()
    return [c for c in recipient.countries if c != home]


def _cross_border(policy: Policy) -> Iterator[Finding]:
    for i, r in enumerate(policy.recipients):
        if r.type is RecipientType.authority:
            continue
        if r.countries and r.countries_unknown:
            yield Finding(
                ("recipients", i, "countries_unknown"),
                f"recipient '{r.id}' names countries, so countries_unknown must be false",
            )
            continue
        if not r.countries and not r.countries_unknown:
            yield Finding(
                ("recipients", i, "name"),
                f"recipient '{r.id}' has no country (countries: [..], or countries_unknown: true "
                "when the policy does not say)",
                WARNING,
            )
        abroad = _abroad(policy, r)
        if abroad and r.identifiable and not r.safeguards:
            yield Finding(
                ("recipients", i, "countries"),
                f"missing: on what basis '{r.id}' in {', '.join(abroad)} receives personal data "
                "from abroad (APPI Art. 28: consent with the country's regime and the recipient's "
                "measures, or an equivalent system; GDPR Art. 46: safeguards)",
                LAW,
            )
        if r.safeguards and not abroad:
            yield Finding(
                ("recipients", i, "safeguards"),
                f"recipient '{r.id}' declares transfer safeguards but no country abroad",
                WARNING,
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
            yield Finding(
                ("purposes", i, "categories"),
                f"purpose '{p.id}' is marketing but uses sensitive data ({', '.join(used)})",
                LAW,
            )
        if p.legal_basis not in {
            None,
            LegalBasis.explicit_consent,
            LegalBasis.legal_obligation,
            LegalBasis.vital_interests,
        }:
            yield Finding(
                ("purposes", i, "legal_basis"),
                f"purpose '{p.id}' uses sensitive data ({', '.join(used)}); its legal basis must be explicit_consent",
                LAW,
            )
    for i, c in enumerate(policy.categories):
        if c.sensitive and c.sensitive_consent is None:
            yield Finding(
                ("categories", i, "sensitive"),
                f"sensitive category '{c.key}' needs sensitive_consent: how prior consent is obtained (APPI Art. 20(2))",
                LAW,
            )
    for i, r in enumerate(policy.recipients):
        used = touches_sensitive(r.categories)
        if used and r.provision is Provision.opt_out:
            yield Finding(
                ("recipients", i, "provision"),
                f"opt-out provision of sensitive data ({', '.join(used)}) to '{r.id}' is forbidden (APPI Art. 27(2))",
                LAW,
            )


def _applies(policy: Policy, right: Right) -> list[Jurisdiction]:
    return right.jurisdictions or policy.jurisdictions


def _rights(policy: Policy) -> Iterator[Finding]:
    for i, right in enumerate(policy.rights):
        jurisdictions = _applies(policy, right)
        for j in right.by_jurisdiction:
            if j not in jurisdictions:
                yield Finding(
                    ("rights", i, "by_jurisdiction", j.value),
                    f"'{j.value}' does not apply to this right",
                )
        for jurisdiction in jurisdictions:
            terms = right.by_jurisdiction.get(jurisdiction)
            own = terms is not None and terms.fee is not None
            fee = terms.fee if terms is not None and terms.fee is not None else right.fee
            place = ("rights", i, "by_jurisdiction", jurisdiction.value) if own else ("rights", i)
            if fee is not None:
                yield from _fee_rule(right.kind, jurisdiction, fee, (*place, "fee"))
            deadline = terms.deadline if terms and terms.deadline else right.deadline
            law = statutory_deadline(jurisdiction, right.kind)
            if deadline is None or law is None or law.period is None:
                continue
            location = (
                ("rights", i, "by_jurisdiction", jurisdiction.value, "deadline")
                if terms and terms.deadline
                else ("rights", i, "deadline")
            )
            name = jurisdiction.value.upper()
            if deadline.period and deadline.period.approx_days() > law.period.approx_days():
                yield Finding(
                    location,
                    f"{name} requires an answer within {law.period}, not {deadline.period}",
                    LAW,
                )
            longest = law.period.approx_days() + (
                law.extension.approx_days() if law.extension else 0
            )
            if (
                deadline.extension
                and law.extension
                and deadline.extension.approx_days() > law.extension.approx_days()
            ):
                yield Finding(
                    location,
                    f"{name} allows an extension of at most {law.extension}, not {deadline.extension}",
                    LAW,
                )
            if deadline.extended_to and deadline.extended_to.approx_days() > longest:
                yield Finding(
                    location,
                    f"{name} allows at most {law.period} plus {law.extension}, not {deadline.extended_to}",
                    LAW,
                )


def _fee_rule(
    kind: RightKind, jurisdiction: Jurisdiction, fee: Fee, location: Location
) -> Iterator[Finding]:
    if fee.kind == "free":
        return
    yield from law_of(jurisdiction).fee_findings(kind, fee, location)


def _laws(policy: Policy) -> Iterator[Finding]:
    """Each law's own checks; a law also says when a declaration uses its terms without it."""
    for each in laws():
        yield from each.checks(policy)


def _fee_currency(policy: Policy) -> Iterator[Finding]:
    for i, right in enumerate(policy.rights):
        fees = [((), right.fee)] + [((j.value,), t.fee) for j, t in right.by_jurisdiction.items()]
        for place, fee in fees:
            if fee is not None and fee.amount is not None and fee.currency is None:
                where = (
                    ("rights", i, "by_jurisdiction", *place, "fee")
                    if place
                    else ("rights", i, "fee")
                )
                yield Finding(
                    where, "the fee's currency is not stated (currency: JPY, EUR …)", WARNING
                )


def usable(contact: ContactChannel | None) -> bool:
    """Can a person reach this channel from the policy alone, without asking first?"""
    return contact is not None and contact.kind != "unspecified" and bool(contact.value)


def _usable_channels(policy: Policy) -> Iterator[Finding]:
    for i, right in enumerate(policy.rights):
        if not any(usable(policy.contact(c.contact)) for c in right.channels):
            yield Finding(
                ("rights", i, "channels"),
                f"missing: a usable channel for '{right.kind.value}': the policy gives no "
                "address, email, form or phone to send the request to",
                LAW,
            )


def _joint_controllers(policy: Policy) -> Iterator[Finding]:
    """Joint controllers come in twos or more (what they publish is the GDPR's check)."""
    joint = [i for i, o in enumerate(policy.operators) if o.role == "joint_controller"]
    if len(joint) == 1:
        yield Finding(
            ("operators", joint[0], "role"),
            "a joint controller needs at least one other joint controller among the operators",
        )


# --- worth a look (warning) -----------------------------------------------------------------


def _translation_scripts(policy: Policy) -> Iterator[Finding]:
    """A Japanese field in Latin letters only, or an English field in Japanese script, is
    probably an untranslated copy. A plain string (the same in both) is the only form: allowed."""
    for location, text in _all_texts(policy):
        if text.ja is None or text.en is None or text.ja == text.en:
            continue
        if latin_only(text.ja):
            yield Finding(
                location,
                f"the Japanese text is in Latin letters only: '{_short(text.ja)}'",
                WARNING,
            )
        if has_japanese(text.en):
            yield Finding(
                location, f"the English text is in Japanese script: '{_short(text.en)}'", WARNING
            )


def _romaji_names(policy: Policy) -> Iterator[Finding]:
    """A person's name the Japanese text would show in Latin letters only."""
    people: list[tuple[Location, Text | str | None]] = [
        (("operators", i, "representative"), o.representative)
        for i, o in enumerate(policy.operators)
    ]
    if policy.privacy_manager is not None:
        people.append((("privacy_manager", "name"), policy.privacy_manager.name))
    for location, name in people:
        if isinstance(name, Text) and name.ja and name.ja == name.en and latin_only(name.ja):
            yield Finding(
                location,
                f"the Japanese text will show '{name.ja}' in Latin letters; declare "
                "{ja: …, en: …} if the person's name has a Japanese form",
                WARNING,
            )


DANGLING = {
    "ja": re.compile(r"前条|次条|前項|次項|前各号|右欄|左欄|下表|上表|本条"),
    "en": re.compile(
        r"\b(preceding|following|foregoing) (article|paragraph|clause)\b|\b(right|left)(-hand)? column\b",
        re.IGNORECASE,
    ),
}
"""References to the original document's layout, which the published policy does not keep."""


def _dangling_references(policy: Policy) -> Iterator[Finding]:
    for location, text in _all_texts(policy):
        for lang, pattern in DANGLING.items():
            value = getattr(text, lang)
            match = pattern.search(value) if value else None
            if match:
                yield Finding(
                    location,
                    f"'{match.group(0)}' points at the layout of another document; name what it "
                    "refers to instead",
                    WARNING,
                )


def _unstated_joins(policy: Policy) -> Iterator[Finding]:
    for i, right in enumerate(policy.rights):
        if len(right.verification) > 1 and right.verification_join is None:
            yield Finding(
                ("rights", i, "verification"),
                "several verification methods: say whether any one will do (verification_join: "
                "or) or all together (and)",
                WARNING,
            )
    changes = policy.changes
    if changes is not None and len(changes.channels) > 1 and changes.channels_join is None:
        yield Finding(
            ("changes", "channels"),
            "several notice channels: say whether they are alternatives (channels_join: or) or "
            "combined (and)",
            WARNING,
        )


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
