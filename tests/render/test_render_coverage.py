"""Every field of the declaration reaches the published text.

Other engineers extend `policy/models.py` for new seeds; these tests fail when a field is added
that the renderer does not show, so the published policy never silently drops a promise.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel
from render_support import (
    EXAMPLE_NAMES,
    FORMATS,
    LANGS,
    enum_or_literal,
    example,
    maximal,
    maximal_visible,
    members,
    mentions,
    models,
    nested_models,
    normalize,
    visible,
)

from policykeeper.policy.types import Duration, Lang, Text
from policykeeper.render.catalog import catalog

# Enum and literal fields shown through a catalogue group: label.<group>.<value>.
LABELLED: dict[str, str] = {
    "Operator.role": "role",
    "ContactChannel.kind": "contact_kind",
    "Category.sources": "source",
    "Purpose.legal_basis": "legal_basis",
    "Purpose.consent": "consent",
    "Purpose.withdrawal_effect": "withdrawal_effect",
    "Recipient.type": "recipient_type",
    "Recipient.provision": "provision_group",
    "Recipient.safeguards": "safeguard",
    "Policy.provision_exceptions": "provision_exception",
    "Tracker.type": "tracker_type",
    "Tracker.kind": "tracker_kind",
    "Tracker.consent": "tracker_consent",
    "RetentionRule.clock": "clock",
    "RetentionRule.end_action": "end_action",
    "Right.kind": "right",
    "Right.jurisdictions": "jurisdiction",
    "Right.by_jurisdiction": "jurisdiction",
    "Right.verification": "verification",
    "RightTerms.verification": "verification",
    "Right.methods": "method",
    "Right.grounds": "ground",
    "Minors.on_discovery": "on_discovery",
    "SecurityMeasure.kind": "security",
    "AnonymizedUse.kind": "anonymized_kind",
}

# Fields with no text of their own, and how the published policy shows them.
SHOWN_OTHERWISE: dict[str, str] = {
    "Policy.policykeeper": "format version of the file, not part of the policy",
    "Policy.effective_date": "the effective date in the header",
    "Policy.jurisdictions": "selects the GDPR and CCPA sections",
    "Policy.incidental_purposes": "a sentence after the purposes",
    "Policy.security_on_request": "a sentence in the security section",
    "Policy.provision_exception_notes": "the policy's own wording, instead of the law's",
    "Policy.signals": "container",
    "Policy.changes": "container",
    "Policy.style": "container",
    "Policy.self_reference": "the Japanese text's name for the operator (当社, 当法人 …)",
    "Policy.show_statutory": "the law's time limits and fee rules, labelled as the law's",
    "Policy.external_transmission_notice": "the Telecommunications Business Act sentence",
    "Policy.cross_border_info_on_request": "a sentence in the transfers section",
    "Style.conjunctions": "the spelling of 又は・及び or または・および",
    "Style.time_ranges": "10:00〜18:00 or 10時〜18時",
    "Statement.kind": "the statement's sentence",
    "Statement.categories": "category labels in the sentence",
    "Statement.purposes": "purpose labels in the sentence",
    "Statement.uses": "use labels in the sentence",
    "Languages.authoritative": "the authoritative-language notice",
    "Languages.published": "the authoritative-language notice",
    "Revision.date": "the revision history",
    "Operator.id": "identifier, referenced only",
    "Operator.country": "country name",
    "Person.contacts": "contact lines under the privacy manager",
    "ContactChannel.id": "identifier, referenced only",
    "Complaints.contact": "the complaints window, by its name and address",
    "SubjectType.id": "identifier; shown as the subject's label",
    "Category.key": "identifier; shown as the category's label",
    "Category.required": "required/optional column",
    "Category.sensitive": "'sensitive personal information' note",
    "Category.stored": "'not stored' note",
    "Category.handled_by": "recipient names",
    "Category.subjects": "subject labels",
    "Category.balance": "the privacy center's erasure form warns about unused balances",
    "RetentionRule.published": "false: bound and swept, never rendered (the maximal sets true)",
    "Category.history_information": "'history and characteristic information' note",
    "Purpose.id": "identifier, referenced only",
    "Purpose.uses": "internal classification (consent, GPC, checks); not published",
    "Purpose.categories": "category labels",
    "Purpose.subjects": "subject labels",
    "Recipient.id": "identifier, referenced only",
    "Recipient.purposes": "purpose labels",
    "Recipient.categories": "category labels",
    "Recipient.countries": "country names",
    "Recipient.countries_unknown": "validate marker; the country cell stays empty",
    "Recipient.identifiable": "'not identifying' note",
    "Entity.country": "country name",
    "JointUse.items": "category labels",
    "Tracker.purpose": "purpose label",
    "Tracker.first_party": "'our own' or 'third party'",
    "Tracker.recipient": "recipient name",
    "Tracker.sends": "category labels",
    "Signals.gpc": "GPC sentence",
    "Signals.dnt": "DNT sentence",
    "RetentionRule.id": "identifier, referenced only",
    "RetentionRule.categories": "category labels",
    "RetentionRule.subjects": "subject labels",
    "RetentionRule.period": "formatted period",
    "RetentionRule.enforced": "internal: whether PolicyKeeper sweeps it; not a promise",
    "RetentionRule.notice_before": "formatted period",
    "RightChannel.contact": "contact line",
    "Deadline.period": "formatted period",
    "Deadline.without_delay": "'without delay'",
    "Deadline.business_days": "business-day period",
    "Deadline.extension": "formatted period",
    "Deadline.extended_to": "formatted period",
    "Deadline.qualifier": "'as a general rule' / 'we endeavour to'",
    "RetentionRule.qualifier": "'as a rule' / 'we endeavour to'",
    "Changes.qualifier": "'as a general rule' / 'we will endeavour to'",
    "Changes.channels_join": "'or' / 'and' between the channels",
    "Right.channels_join": "'any of the following' / 'all of the following'",
    "Right.verification_join": "'or' / 'and' between the methods",
    "Right.methods_join": "'or' / 'and' between the methods",
    "Deadline.acknowledgment": "formatted period",
    "Deadline.acknowledgment_business_days": "business-day period",
    "Fee.kind": "free, fixed amount or actual cost",
    "Fee.amount": "formatted amount",
    "Fee.currency": "formatted amount",
    "Fee.excessive_requests": "sentence",
    "RefusalGround.id": "identifier, referenced only",
    "RequestLimit.count": "'up to N per period'",
    "RequestLimit.per": "formatted period",
    "Agents.allowed": "sentence",
    "RightTerms.lookback": "formatted period",
    "Right.limit": "container",
    "Minors.minimum_age": "age",
    "Minors.guardian_consent_below": "age",
    "AnonymizedUse.id": "identifier, referenced only",
    "AnonymizedUse.categories": "category labels",
    "AnonymizedUse.opt_out": "sentence",
    "AnonymizedUse.opt_out_contact": "contact line",
    "AnonymizedUse.recipients": "recipient names",
    "Changes.effective": "sentence",
    "Changes.notice_days": "number of days",
    "Changes.material_changes_only": "sentence",
    "Changes.consent_when_required": "sentence",
    "Changes.without_notice": "sentence",
    "Changes.continued_use_is_acceptance": "sentence",
    "Section.id": "anchor of the section",
    "GdprTerms.joint_contact": "contact line",
    "CcpaTerms.sells": "sentence",
    "CcpaTerms.shares": "sentence, none when unstated",
    "CcpaDisclosure.categories": "category labels",
    "CcpaDisclosure.recipients": "recipient names",
}


def _field_kind(annotation: Any) -> str:
    """How a field is checked: its own text, its label, or the fields of the model it holds."""
    if mentions(annotation, Text) or (
        mentions(annotation, str) and not enum_or_literal(annotation)
    ):
        return "text"
    if enum_or_literal(annotation):
        return "label"
    if any(m is not Text for m in nested_models(annotation)):
        return "container"
    return "other"


def test_every_model_field_is_accounted_for() -> None:
    """A new field fails here until it is rendered and listed."""
    unaccounted = []
    for model in models():
        for name, info in model.model_fields.items():
            key = f"{model.__name__}.{name}"
            kind = _field_kind(info.annotation)
            if key in LABELLED or key in SHOWN_OTHERWISE:
                continue
            if kind == "text" or (kind == "container" and not enum_or_literal(info.annotation)):
                continue
            unaccounted.append(f"{key} ({kind})")
    assert not unaccounted, "render these fields, then list them here: " + ", ".join(unaccounted)


def test_lists_name_only_existing_fields() -> None:
    existing = {f"{m.__name__}.{n}" for m in models() for n in m.model_fields}
    assert not (set(LABELLED) | set(SHOWN_OTHERWISE)) - existing


@pytest.mark.parametrize("lang", LANGS)
def test_every_enum_value_has_a_label(lang: str) -> None:
    labels = catalog(Lang(lang)).messages["label"]
    missing = []
    for model in models():
        for name, info in model.model_fields.items():
            group = LABELLED.get(f"{model.__name__}.{name}")
            if group is None:
                continue
            missing += [f"{group}.{v}" for v in members(info.annotation) if v not in labels[group]]
    assert not missing


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", LANGS)
def test_maximal_declaration_shows_every_text(lang: str, fmt: str) -> None:
    _, built = maximal()
    text = maximal_visible(lang, fmt)
    policy, _ = maximal()
    missing = [t.get(lang) for t in built.texts if t.get(lang) not in text]
    japanese_only = {policy.self_reference} if lang == "en" else set()
    renamed = {t.name for t in policy.trackers if t.label is not None}
    missing += [s for s in built.strings if s not in text and s not in japanese_only | renamed]
    assert not missing, f"{len(missing)} values not rendered, e.g. {missing[:10]}"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", LANGS)
def test_maximal_declaration_shows_periods_dates_and_labels(lang: str, fmt: str) -> None:
    policy, built = maximal()
    cat = catalog(Lang(lang))
    text = maximal_visible(lang, fmt)
    periods = [(cat.duration(d), cat.duration(d, business_days=True)) for d in built.durations]
    missing = [plain for plain, business in periods if plain not in text and business not in text]
    expected = [cat.date(d) for d in built.dates]
    missing += [e for e in expected if e not in text]
    labels = [normalize(cat.label(group, value)) for group, value in _labelled_values(policy)]
    missing += [label for label in labels if label.casefold() not in text.casefold()]
    assert not missing


def _labelled_values(value: Any) -> list[tuple[str, Any]]:
    """(group, value) for every labelled field set in a declaration, except overridden ones."""
    if isinstance(value, list | tuple):
        return [pair for item in value for pair in _labelled_values(item)]
    if isinstance(value, dict):
        return [pair for item in value.values() for pair in _labelled_values(item)]
    if not isinstance(value, BaseModel):
        return []
    found = []
    for name in type(value).model_fields:
        field = getattr(value, name)
        group = LABELLED.get(f"{type(value).__name__}.{name}")
        if group is not None and not (group == "right" and value.label is not None):
            items = list(field) if isinstance(field, list | dict) else [field]
            if f"{type(value).__name__}.{name}" == "Policy.provision_exceptions":
                items = [e for e in items if e not in value.provision_exception_notes]
            found += [(group, item) for item in items if item is not None]
        found += _labelled_values(field)
    return [(group, item) for group, item in found if catalog(Lang.en).label(group, item)]


def _texts(value: Any) -> list[Text]:
    if isinstance(value, Text):
        return [value]
    if isinstance(value, list | tuple):
        return [t for item in value for t in _texts(item)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _texts(item)]
    if isinstance(value, BaseModel):
        return [t for name in type(value).model_fields for t in _texts(getattr(value, name))]
    return []


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_shows_every_text(name: str, lang: str, fmt: str) -> None:
    text = visible(name, lang, fmt).casefold()
    declared = example(name)
    unpublished = [r for r in declared.retention if not r.published]
    missing = [
        t.get(lang)
        for t in _texts(declared)
        if normalize(t.get(lang)).casefold() not in text
        and not any(t in _texts(rule) for rule in unpublished)
    ]
    assert not missing, f"{len(missing)} texts not rendered, e.g. {missing[:5]}"


def test_durations_read_naturally() -> None:
    ja, en = catalog(Lang.ja), catalog(Lang.en)
    cases = {"30 days": ("30日", "30 days"), "2 weeks": ("2週間", "2 weeks")}
    cases |= {"12 months": ("12か月", "12 months"), "7 years": ("7年", "7 years")}
    cases |= {"1 year": ("1年", "1 year"), "1 day": ("1日", "1 day")}
    for raw, (in_ja, in_en) in cases.items():
        assert ja.duration(Duration.parse(raw)) == in_ja
        assert en.duration(Duration.parse(raw)) == in_en
    assert ja.duration(Duration.parse("10 days"), business_days=True) == "10営業日"
    assert en.duration(Duration.parse("10 days"), business_days=True) == "10 business days"


def test_money_and_dates_read_naturally() -> None:
    from datetime import date

    ja, en = catalog(Lang.ja), catalog(Lang.en)
    assert ja.money(1000, "JPY") == "1,000円"
    assert en.money(1000, "JPY") == "JPY 1,000"
    assert en.money(25, "usd") == "USD 25"
    assert ja.date(date(2026, 3, 23)) == "2026年3月23日"
    assert en.date(date(2026, 3, 23)) == "March 23, 2026"
