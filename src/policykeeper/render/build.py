"""From a declaration to a format-neutral document: what the published policy says, in order.

The order follows a Japanese privacy policy: who we are, what we collect and why, who receives it,
cookies, retention, security, requests, then the GDPR and CCPA supplements, minors, changes and the
inquiry window. Every field of the declaration is shown somewhere; `tests/render` checks that.

Nothing is said that the declaration does not say: an empty field prints nothing, and every fixed
phrase in the catalogues only frames what was declared. The law's own figures appear only with
`show_statutory: true`, labelled as the law's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel

from policykeeper.document import (
    Cell,
    Document,
    Field,
    Fields,
    Item,
    ItemList,
    Line,
    Paragraph,
    Section,
    Span,
    Table,
    line,
)
from policykeeper.policy.laws import laws
from policykeeper.policy.models import (
    Agents,
    Authority,
    Category,
    ContactChannel,
    Deadline,
    Entity,
    Fee,
    Join,
    Jurisdiction,
    Operator,
    Policy,
    Provision,
    ProvisionException,
    Qualifier,
    Recipient,
    RetentionRule,
    Right,
    RightChannel,
    RightTerms,
    Statement,
    StatementKind,
    Tracker,
)
from policykeeper.policy.statutory import StatutoryDeadline, statutory_deadline, statutory_fee
from policykeeper.policy.taxonomy import builtin
from policykeeper.policy.types import Lang, Text
from policykeeper.policy.voice import as_declared
from policykeeper.render.catalog import Catalog, catalog
from policykeeper.render.style import japanese

SECURITY_ORDER = ("organizational", "human", "physical", "technical", "external_environment")
PROVISION_ORDER = (
    Provision.entrustment,
    Provision.joint_use,
    Provision.business_succession,
    Provision.consent,
    Provision.opt_out,
    Provision.law,
    Provision.not_identifiable,
    Provision.contract,
    Provision.legitimate_interests,
)
"""Recipients as the APPI structures them: entrustment, joint use and business succession are not
provision to a third party (Art. 27(5)); third-party provision follows (Art. 27(1)-(2))."""
NOT_THIRD_PARTY_CASES = (
    ProvisionException.entrustment,
    ProvisionException.business_succession,
    ProvisionException.joint_use,
)
PROCEDURE = ("channels", "verification", "agents", "deadline", "methods", "fee")
"""The fields of a right that describe how to ask; shared ones are printed once."""


def build_document(policy: Policy, lang: Lang) -> Document:
    return Builder(policy, catalog(lang)).document()


class Builder:
    """Builds each section of the policy with one language's catalogue."""

    def __init__(self, policy: Policy, cat: Catalog) -> None:
        self.policy = policy
        self.cat = cat
        self.proper = _proper_words(policy) if cat.lang is Lang.en else frozenset()

    # --- small helpers -------------------------------------------------------------------

    def say(self, key: str, **values: object) -> str:
        """A catalogue phrase, with the operator's own self-reference in Japanese."""
        text = self.cat(key, **values)
        if self.cat.lang is Lang.ja:
            return as_declared(text, self.policy.self_reference)
        return text

    def t(self, value: Text | str | None) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return self.say("on_request") if value == "on_request" else value
        return self.cat.text(value)

    def lines(self, value: Text | str | None) -> list[Line]:
        """Text as lines, keeping the line breaks the author wrote."""
        return [line(part) for part in self.t(value).splitlines() if part.strip()]

    def paragraphs(self, value: Text | None) -> list[Paragraph]:
        """Text as paragraphs: a blank line separates them, a single break stays a break."""
        blocks = self.t(value).replace("\r\n", "\n").split("\n\n")
        return [
            Paragraph([line(part) for part in block.splitlines() if part.strip()])
            for block in blocks
            if block.strip()
        ]

    def labelled(self, label: str, text: str) -> Line:
        return [Span(label, strong=True), Span(self.cat("label_sep") + text)] if text else []

    def phrase(self, text: str) -> str:
        """A label used inside an English sentence: 'Announcement on the Service' becomes
        'announcement on the Service'; names and acronyms keep their capitals."""
        if self.cat.lang is not Lang.en or not text:
            return text
        first = re.split(r"[\s,(]", text, maxsplit=1)[0]
        acronym = len(first) > 1 and first.isupper()
        if first in self.proper or acronym or not first[:1].isupper():
            return text
        return text[:1].lower() + text[1:]

    def listing(self, items: list[str]) -> str:
        """Labels listed in one line: 'Name, address, email address' (English lowercases the
        labels after the first, names excepted)."""
        return self.cat.join([items[0], *(self.phrase(i) for i in items[1:])] if items else [])

    def join(self, items: list[str], how: Join | None, sentence: bool = False) -> str:
        """Items as the policy joins them: 'or', 'and', or (not stated) a plain list."""
        if sentence:
            items = [self.phrase(i) for i in items]
        else:
            items = [items[0], *(self.phrase(i) for i in items[1:])] if items else items
        if how == "or":
            return self.cat.join_or(items)
        if how == "and":
            return self.cat.join_and(items)
        return self.cat.join(items)

    def joined_lines(self, items: list[str], how: Join | None) -> list[Line]:
        """A list as one line when the policy says how its items go together, else one a line."""
        if how is None or len(items) < 2:
            return [line(i) for i in items]
        return [line(self.join(items, how))]

    def category_label(self, key: str) -> str:
        category = self.policy.category(key)
        if category is not None:
            return self.t(category.label)
        taxonomy = builtin()
        under = self.policy.categories_under(key)
        if under:
            return self.listing([self.t(c.label) for c in under])
        ancestor = taxonomy.builtin_ancestor(key)
        return self.t(taxonomy.categories[ancestor]) if ancestor else key

    def category_labels(self, keys: Iterable[str]) -> str:
        return self.listing([self.category_label(key) for key in keys])

    def purpose_label(self, purpose_id: str) -> str:
        purpose = self.policy.purpose(purpose_id)
        return self.t(purpose.label) if purpose else purpose_id

    def recipient_name(self, recipient_id: str) -> str:
        recipient = self.policy.recipient(recipient_id)
        return self.t(recipient.name) if recipient else recipient_id

    def countries(self, codes: Iterable[str]) -> str:
        return self.cat.join([self.cat.country(code) for code in codes])

    def contact_line(self, contact: ContactChannel | None, contact_id: str = "") -> Line:
        if contact is None:
            return line(contact_id)
        kind = self.cat.label("contact_kind", contact.kind)
        name = self.t(contact.name) or kind
        if not contact.value:
            return [Span(name, strong=True)]
        return [
            Span(name, strong=True),
            Span(self.cat("label_sep") + (f"{kind} " if kind and kind != name else "")),
            Span(contact.value, href=_href(contact.kind, contact.value)),
        ]

    def entity_lines(self, entity: Entity) -> list[Line]:
        country = (
            self.say("text.in_country", country=self.cat.country(entity.country))
            if entity.country
            else ""
        )
        return [line(self.t(entity.name) + country), *self.lines(entity.address)]

    def qualified(self, text: str, qualifier: Qualifier | None, context: str) -> str:
        """`text` with the policy's own qualifier ('as a rule', 'we endeavour to')."""
        if qualifier is None:
            return text
        lower = text[:1].lower() + text[1:] if self.cat.lang is Lang.en else text
        return self.say(f"qualifier.{context}.{qualifier.value}", text=text, lower=lower)

    # --- the document --------------------------------------------------------------------

    def document(self) -> Document:
        policy, cat = self.policy, self.cat
        service = self.t(policy.service.name)
        sections = [
            self.operator_section(),
            self.definitions_section(),
            self.categories_section(),
            self.purposes_section(),
            self.recipients_section(),
            self.anonymized_section(),
            self.trackers_section(),
            self.retention_section(),
            self.security_section(),
            self.rights_section(),
            *self.law_sections(),
            self.minors_section(),
            *self.free_sections(),
            self.changes_section(),
            self.contact_section(),
            self.history_section(),
        ]
        meta = [Field(cat("meta.version"), [line(policy.version)])]
        if policy.effective_date is not None:
            meta.insert(
                0, Field(cat("meta.effective_date"), [line(cat.date(policy.effective_date))])
            )
        intro = Paragraph(
            [
                line(
                    self.say(
                        "intro",
                        operators=cat.join_and([self.t(o.name) for o in policy.operators]),
                        service=service,
                        we=policy.self_reference,
                    )
                )
            ]
        )
        document = Document(
            lang=cat.lang.value,
            title=cat("title", service=service),
            meta=meta,
            notice=self.language_notice(),
            intro=intro,
            sections=[s for s in sections if s is not None],
            toc_label=cat("toc"),
            skip_label=cat("skip_link"),
            scroll_label=cat("table_scroll"),
            label_sep=cat("label_sep"),
        ).number()
        if cat.lang is Lang.ja:
            style = policy.style
            document.restyle(lambda text: japanese(text, style.conjunctions, style.time_ranges))
        return document

    def language_notice(self) -> Paragraph | None:
        languages, cat = self.policy.languages, self.cat
        others = [lang for lang in languages.published if lang is not languages.authoritative]
        if cat.lang is languages.authoritative and not others:
            return None
        auth = cat.language(languages.authoritative)
        if cat.lang is languages.authoritative:
            text = cat(
                "authoritative.self",
                auth=auth,
                others=cat.join_and([cat.language(lang) for lang in others]),
            )
        else:
            text = cat("authoritative.other", auth=auth, this=cat.language(cat.lang))
        return Paragraph([line(text)], note=True)

    # --- 1. who we are -------------------------------------------------------------------

    def operator_section(self) -> Section:
        cat, policy = self.cat, self.policy
        section = Section(cat("heading.operator"), "operator")
        fields = [f for operator in policy.operators for f in self.operator_fields(operator)]
        manager = policy.privacy_manager
        if manager is not None:
            name, title = self.t(manager.name), self.t(manager.title)
            if manager.name == "on_request" and title:
                value: Line = line(self.say("text.person_on_request", title=title))
            elif name and title:
                value = line(self.say("text.person", name=name, title=title))
            else:
                value = line(name or title)
            if manager.email:
                value += [Span(" "), Span(manager.email, href=f"mailto:{manager.email}")]
            reach = [self.contact_line(policy.contact(c), c) for c in manager.contacts]
            fields.append(Field(cat("heading.privacy_manager"), [value, *reach]))
        service = policy.service
        name_line: Line = line(self.t(service.name))
        if service.url:
            name_line += [Span(" "), Span(service.url, href=service.url)]
        fields.append(Field(cat("heading.service"), [name_line, *self.lines(service.description)]))
        section.add(Fields(fields))
        return section

    def operator_fields(self, operator: Operator) -> list[Field]:
        cat = self.cat
        fields = [
            Field(cat("field.name"), [line(self.t(operator.name))]),
            Field(cat("field.role"), [line(cat.label("role", operator.role))])
            if len(self.policy.operators) > 1 or operator.role != "controller"
            else None,
            Field(cat("field.address"), self.lines(operator.address)),
            Field(cat("field.representative"), self.lines(operator.representative)),
            Field(cat("field.country"), [line(cat.country(operator.country))])
            if operator.country
            else None,
            Field(cat("field.registration"), self.lines(operator.registration)),
            Field(cat("field.department"), self.lines(operator.department)),
        ]
        return [f for f in fields if f is not None and f.lines]

    def definitions_section(self) -> Section:
        section = Section(self.cat("heading.definitions"), "definitions")
        section.add(
            Fields([Field(self.t(d.term), self.lines(d.meaning)) for d in self.policy.definitions])
        )
        return section

    # --- 2. what we collect --------------------------------------------------------------

    def categories_section(self) -> Section:
        cat, policy = self.cat, self.policy
        section = Section(cat("heading.categories"), "categories")
        if policy.subjects:
            section.add(Paragraph([line(self.say("text.subjects_intro"))]))
            section.add(
                ItemList(
                    [
                        Item(
                            self.labelled(self.t(s.label), self.t(s.description))
                            or line(self.t(s.label))
                        )
                        for s in policy.subjects
                    ]
                )
            )
        section.add(Paragraph([line(self.say("text.categories_intro"))]))
        columns = cat.columns("categories")
        rows = [self.category_row(c) for c in policy.categories]
        section.add(Table(cat("heading.categories"), columns, rows))
        self.add_statements(
            section,
            (StatementKind.not_collected, StatementKind.not_stored, StatementKind.on_device),
        )
        return section

    def category_row(self, category: Category) -> list[Cell]:
        cat = self.cat
        what = [[Span(self.t(category.label), strong=True)], *self.lines(category.description)]
        if category.examples:
            examples = self.listing([self.t(e) for e in category.examples])
            what.append(line(cat("text.examples", items=examples)))
        sources = [line(cat.label("source", s)) for s in category.sources]
        sources += self.lines(category.source_note)
        required = cat.label("required", category.required) if category.required is not None else ""
        notes: list[Line] = []
        if category.subjects:
            names = self.listing([self.subject_label(s) for s in category.subjects])
            notes.append(line(cat("text.subjects_only", subjects=names)))
        if category.sensitive:
            notes.append([Span(self.special_term(category.key), strong=True)])
        if category.sensitive_consent is not None:
            consent = self.t(category.sensitive_consent)
            notes.append(line(cat("text.sensitive_consent", text=consent)))
        if not category.stored and category.kept_instead is None:
            notes.append(line(self.say("text.not_stored")))
        notes += self.lines(category.kept_instead)
        if category.handled_by:
            names = cat.join([self.recipient_name(r) for r in category.handled_by])
            notes.append(line(cat("text.handled_by", names=names)))
        if category.history_information:
            notes.append(line(cat("text.history_information")))
        return [what, sources, [line(required)] if required else [], notes]

    def special_term(self, key: str) -> str:
        """Each declared law's own term (`Law.special_care`): 要配慮個人情報 only for the APPI's
        list, a special category under the GDPR."""
        jurisdictions = self.policy.jurisdictions
        terms = [
            self.cat(care.term)
            for each in laws()
            if each.key in jurisdictions and (care := each.special_care(key))
        ]
        return self.cat.join(terms) if terms else self.cat("text.sensitive_other")

    def subject_label(self, subject_id: str) -> str:
        subject = next((s for s in self.policy.subjects if s.id == subject_id), None)
        return self.t(subject.label) if subject else subject_id

    def add_statements(self, section: Section, kinds: tuple[StatementKind, ...]) -> None:
        for statement in self.policy.statements:
            if statement.kind in kinds:
                section.add(Paragraph([line(self.statement_text(statement))]))

    def statement_text(self, statement: Statement) -> str:
        if statement.text is not None:
            return self.t(statement.text)
        items = self.cat.join_and([self.category_label(k) for k in statement.categories])
        purposes = self.cat.join_and([self.purpose_label(p) for p in statement.purposes])
        uses = self.cat.join_or(
            [self.t(builtin().uses.get(u, Text(ja=u, en=u))) for u in statement.uses]
        )
        return self.say(
            f"statement.{statement.kind.value}",
            items=self.phrase(items),
            Items=items,
            purposes=self.phrase(purposes),
            uses=self.phrase(uses),
        )

    # --- 3. why --------------------------------------------------------------------------

    def purposes_section(self) -> Section:
        cat, policy = self.cat, self.policy
        section = Section(cat("heading.purposes"), "purposes")
        section.add(Paragraph([line(self.say("text.purposes_intro"))]))
        gdpr = Jurisdiction.gdpr in policy.jurisdictions
        items = []
        for purpose in policy.purposes:
            head = self.labelled(self.t(purpose.label), self.t(purpose.description))
            children = [line(self.t(d)) for d in purpose.details]
            children.append(
                self.labelled(
                    cat("field.uses_categories"), self.category_labels(purpose.categories)
                )
            )
            if purpose.subjects:
                names = self.listing([self.subject_label(s) for s in purpose.subjects])
                children.append(self.labelled(cat("field.subjects"), names))
            if purpose.legal_basis is not None and gdpr:
                basis = cat.label("legal_basis", purpose.legal_basis)
                children.append(self.labelled(cat("field.legal_basis"), basis))
            interest = self.t(purpose.legitimate_interest)
            children.append(self.labelled(cat("field.legitimate_interest"), interest))
            consent = cat.label("consent", purpose.consent)
            children.append(self.labelled(cat("field.consent"), consent))
            withdrawal = [
                cat.label("withdrawal_effect", purpose.withdrawal_effect)
                if purpose.withdrawal_effect
                else "",
                self.t(purpose.withdrawal_note),
            ]
            children.append(
                self.labelled(cat("field.withdrawal"), cat("space").join(filter(None, withdrawal)))
            )
            items.append(Item(head or line(self.t(purpose.label)), [c for c in children if c]))
        section.add(ItemList(items))
        if policy.incidental_purposes:
            section.add(Paragraph([line(self.say("text.incidental_purposes"))]))
        for paragraph in self.paragraphs(policy.purpose_change):
            section.add(paragraph)
        self.add_statements(section, (StatementKind.only_for_purposes, StatementKind.not_used_for))
        return section

    # --- 4. who receives -----------------------------------------------------------------

    def recipients_section(self) -> Section:
        cat, policy = self.cat, self.policy
        section = Section(cat("heading.recipients"), "recipients")
        exceptions = [e for e in policy.provision_exceptions if e not in NOT_THIRD_PARTY_CASES]
        outside = [e for e in policy.provision_exceptions if e in NOT_THIRD_PARTY_CASES]
        for intro, cases in (("recipients_intro", exceptions), ("not_third_party", outside)):
            if not cases:
                continue
            section.add(Paragraph([line(self.say(f"text.{intro}"))]))
            section.add(ItemList([Item(self.exception_line(e)) for e in cases]))
        for provision in (*PROVISION_ORDER, None):
            members = [r for r in policy.recipients if r.provision is provision]
            if not members:
                continue
            group = provision.value if provision is not None else "unstated"
            title = self.say(f"label.provision_group.{group}")
            part = section.subsection(title, group.replace("_", "-"))
            part.add(
                Table(
                    title,
                    cat.columns("recipients"),
                    [self.recipient_row(r) for r in members],
                )
            )
            for recipient in members:
                if recipient.joint_use is not None:
                    part.add(Fields(self.joint_use_fields(recipient)))
        self.add_statements(section, (StatementKind.not_provided,))
        self.cross_border(section)
        return section

    def exception_line(self, exception: ProvisionException) -> Line:
        """The policy's own wording of the case where it gives one, else the law's."""
        own = self.policy.provision_exception_notes.get(exception)
        return line(
            self.t(own) if own else self.say(f"label.provision_exception.{exception.value}")
        )

    def recipient_row(self, recipient: Recipient) -> list[Cell]:
        cat = self.cat
        title, kind = self.t(recipient.name), cat.label("recipient_type", recipient.type)
        name = [
            [Span(title, strong=True)],
            line(kind) if kind != title else [],
            *self.lines(recipient.description),
        ]
        for entity in recipient.entities:
            name += self.entity_lines(entity)
        if recipient.privacy_policy_url:
            url = recipient.privacy_policy_url
            name.append([Span(cat("field.privacy_policy") + cat("label_sep")), Span(url, href=url)])
        purpose = self.lines(recipient.purpose)
        purpose += [line(self.purpose_label(p)) for p in recipient.purposes]
        data = [line(self.category_label(key)) for key in recipient.categories]
        if not recipient.identifiable:
            data.append(line(cat("text.not_identifiable")))
        country = [line(self.countries(recipient.countries))] if recipient.countries else []
        country += self.lines(recipient.country_regime)
        safeguards = [line(cat.label("safeguard", s)) for s in recipient.safeguards]
        safeguards += self.lines(recipient.safeguard_note)
        if recipient.conditions:
            safeguards.append([Span(cat("field.conditions_imposed"), strong=True)])
            safeguards += [line(self.t(c)) for c in recipient.conditions]
        return [name, purpose, data, country, safeguards]

    def joint_use_fields(self, recipient: Recipient) -> list[Field]:
        cat, joint = self.cat, recipient.joint_use
        assert joint is not None
        fields = [
            Field(
                cat("field.joint_use_fact"),
                [line(self.say("text.joint_use_fact")), line(self.t(recipient.name))],
            ),
            Field(cat("field.items"), [line(self.category_labels(joint.items))]),
            Field(cat("field.users"), self.lines(joint.users)),
            Field(cat("field.joint_purposes"), self.lines(joint.purposes)),
            Field(cat("field.responsible"), self.entity_lines(joint.responsible)),
            Field(
                cat("field.responsible_representative"),
                self.lines(joint.responsible_representative),
            ),
            Field(cat("field.method"), self.lines(joint.method)),
        ]
        return [f for f in fields if f.lines]

    def cross_border(self, section: Section) -> None:
        cat, policy = self.cat, self.policy
        home = policy.home_country()
        by_country: dict[str, list[str]] = {}
        for recipient in policy.recipients:
            for code in recipient.countries:
                if code != home:
                    by_country.setdefault(code, []).append(self.t(recipient.name))
        note = policy.cross_border_note
        if not by_country and note is None and not policy.cross_border_info_on_request:
            return
        part = section.subsection(cat("heading.cross_border"), "cross-border")
        if by_country:
            part.add(Paragraph([line(self.say("text.cross_border_intro"))]))
            part.add(
                ItemList(
                    [
                        Item(
                            line(
                                cat(
                                    "text.cross_border_item",
                                    country=cat.country(code),
                                    names=cat.join(names),
                                )
                            )
                        )
                        for code, names in by_country.items()
                    ]
                )
            )
        for paragraph in self.paragraphs(note):
            part.add(paragraph)
        if policy.cross_border_info_on_request:
            part.add(Paragraph([line(self.say("text.cross_border_info_on_request"))]))

    def anonymized_section(self) -> Section:
        cat = self.cat
        section = Section(cat("heading.anonymized"), "anonymized")
        if self.policy.anonymized_uses:
            section.add(Paragraph([line(self.say("text.anonymized_intro"))]))
        items = []
        for use in self.policy.anonymized_uses:
            head = [
                Span(self.t(use.label), strong=True),
                Span(cat("text.bracketed", text=cat.label("anonymized_kind", use.kind))),
            ]
            children = [
                *self.lines(use.description),
                self.labelled(cat("field.categories"), self.category_labels(use.categories)),
                self.labelled(cat("field.items_published"), self.t(use.items_published)),
                line(cat("text.opt_out_allowed")) if use.opt_out else [],
                [
                    Span(cat("text.opt_out_contact")),
                    *self.contact_line(
                        self.policy.contact(use.opt_out_contact), use.opt_out_contact
                    ),
                ]
                if use.opt_out_contact
                else [],
                self.labelled(
                    cat("field.recipients"),
                    cat.join([self.recipient_name(r) for r in use.recipients]),
                ),
            ]
            items.append(Item(head, [c for c in children if c]))
        section.add(ItemList(items))
        return section

    # --- 5. cookies ----------------------------------------------------------------------

    def trackers_section(self) -> Section:
        cat, policy = self.cat, self.policy
        section = Section(cat("heading.trackers"), "trackers")
        if policy.trackers:
            intro = (
                "trackers_intro_tba" if policy.external_transmission_notice else "trackers_intro"
            )
            section.add(Paragraph([line(self.say(f"text.{intro}"))]))
            section.add(
                Table(
                    cat("heading.trackers"),
                    cat.columns("trackers"),
                    [self.tracker_row(t) for t in policy.trackers],
                )
            )
            if any(t.consent is not None and t.consent.value == "opt_in" for t in policy.trackers):
                section.add(Paragraph([line(self.say("text.trackers_consent"))]))
        for paragraph in self.paragraphs(policy.tracker_note):
            section.add(paragraph)
        if Jurisdiction.ccpa not in policy.jurisdictions:
            signals = section.subsection(cat("heading.signals"), "signals")
            signals.add(self.signals_paragraph())
        return section

    def tracker_row(self, tracker: Tracker) -> list[Cell]:
        cat = self.cat
        kind: list[Line] = []
        if tracker.type is not None:
            kind.append(line(cat.label("tracker_type", tracker.type)))
        party = {True: cat("text.first_party"), False: cat("text.third_party"), None: ""}[
            tracker.first_party
        ]
        provider = self.t(tracker.provider)
        if provider and party:
            kind.append(line(cat("text.provider_party", provider=provider, party=party)))
        elif provider or party:
            kind.append(line(provider or party))
        purpose = [*self.lines(tracker.description), line(self.purpose_label(tracker.purpose))]
        sends: list[Line] = [line(self.category_label(key)) for key in tracker.sends]
        if tracker.recipient:
            sends.append(line(cat("text.sent_to", name=self.recipient_name(tracker.recipient))))
        category = [line(cat.label("tracker_kind", tracker.kind))]
        if tracker.consent is not None:
            category.append(line(cat.label("tracker_consent", tracker.consent)))
        name = self.t(tracker.label) or tracker.name
        return [
            [[Span(name, strong=True)]],
            kind,
            purpose,
            category,
            sends,
            self.lines(tracker.duration),
        ]

    def signals_paragraph(self) -> Paragraph:
        signals = self.policy.signals
        lines: list[Line] = []
        if signals.gpc is not None:
            lines.append(line(self.say("text.gpc" if signals.gpc else "text.gpc_ignored")))
        if signals.dnt is not None:
            lines.append(
                line(
                    self.say(
                        "text.dnt_opt_out"
                        if signals.dnt == "opt_out_sale_sharing"
                        else "text.dnt_ignore"
                    )
                )
            )
        return Paragraph([*lines, *self.lines(signals.note)])

    # --- 6. retention --------------------------------------------------------------------

    def retention_section(self) -> Section:
        cat, policy = self.cat, self.policy
        section = Section(cat("heading.retention"), "retention")
        published = [rule for rule in policy.retention if rule.published]
        if published:
            section.add(Paragraph([line(self.say("text.retention_intro"))]))
            section.add(
                Table(
                    cat("heading.retention"),
                    cat.columns("retention"),
                    [self.retention_row(rule) for rule in published],
                )
            )
        for paragraph in self.paragraphs(policy.retention_note):
            section.add(paragraph)
        return section

    def retention_row(self, rule: RetentionRule) -> list[Cell]:
        cat = self.cat
        title = self.t(rule.label)
        what = [[Span(title, strong=True)]]
        what += [
            line(label)
            for label in (self.category_label(key) for key in rule.categories)
            if label != title
        ]
        if rule.period is None:
            endless = "text.while_needed" if rule.clock == "while_needed" else "text.while_active"
            period, clock = self.say(endless), ""
        else:
            period, clock = cat.duration(rule.period), cat.label("clock", rule.clock)
        period = self.qualified(period, rule.qualifier, "retention")
        notes = [*self.lines(rule.legal_basis)]
        if rule.subjects:
            names = self.listing([self.subject_label(s) for s in rule.subjects])
            notes.append(line(cat("text.retention_subjects", subjects=names)))
        if rule.statute is not None:
            notes.append(line(cat("text.statute", text=self.t(rule.statute))))
        notes += self.lines(rule.description)
        if rule.notice_before is not None:
            notes.append(
                line(self.say("text.notice_before", period=cat.duration(rule.notice_before)))
            )
        end = cat.label("end_action", rule.end_action) if rule.end_action else ""
        return [what, [line(period)], [line(clock)], [line(end)], notes]

    # --- 7. security ---------------------------------------------------------------------

    def security_section(self) -> Section:
        cat, policy = self.cat, self.policy
        section = Section(cat("heading.security"), "security")
        if policy.security:
            section.add(Paragraph([line(self.say("text.security_intro"))]))
            fields = []
            for kind in SECURITY_ORDER:
                measures = [line(self.t(m.text)) for m in policy.security if m.kind == kind]
                if measures:
                    fields.append(Field(cat.label("security", kind), measures, bullets=True))
            section.add(Fields(fields))
        if policy.security_on_request:
            section.add(Paragraph([line(self.say("text.security_on_request"))]))
        for paragraph in self.paragraphs(policy.security_note):
            section.add(paragraph)
        return section

    # --- 8. requests ---------------------------------------------------------------------

    def rights_section(self) -> Section:
        """Each right once; how to ask (channel, verification, deadline, fee …) once for all the
        rights that share it, naming them where it is not all of them."""
        cat, policy = self.cat, self.policy
        section = Section(cat("heading.rights"), "rights")
        appi = Jurisdiction.appi in policy.jurisdictions
        section.add(
            Paragraph([line(self.say("text.rights_intro_appi" if appi else "text.rights_intro"))])
        )
        rights = policy.rights
        section.add(ItemList([Item(line(self.right_title(r))) for r in rights]))
        procedures = [self.procedure_fields(r) for r in rights]
        shared: list[Field] = []
        taken: set[tuple[int, str]] = set()
        channels = self.shared_channels(rights)
        if channels is not None:
            shared.append(channels)
            taken |= {(i, "channels") for i in range(len(rights))}
        for name in PROCEDURE:
            if channels is not None and name == "channels":
                continue
            groups: dict[tuple[str, ...], list[int]] = {}
            for index, fields in enumerate(procedures):
                if name in fields:
                    groups.setdefault(_key(fields[name]), []).append(index)
            for members in groups.values():
                if len(members) < 2:
                    continue
                field = procedures[members[0]][name]
                label = field.label
                if len(members) < len(rights):
                    titles = cat.join([self.phrase(self.right_title(rights[i])) for i in members])
                    label = cat("text.for_rights", label=label, rights=titles)
                shared.append(Field(label, field.lines, field.bullets))
                taken |= {(i, name) for i in members}
        if shared:
            common = section.subsection(cat("heading.procedure"), "procedure")
            common.add(Fields(shared))
        for index, right in enumerate(rights, start=1):
            part = section.subsection(self.right_title(right), f"{right.kind.value}-{index}")
            skip = frozenset(name for i, name in taken if i == index - 1)
            part.add(Fields(self.right_fields(right, skip)))
        return section

    def shared_channels(self, rights: list[Right]) -> Field | None:
        """Every channel once, naming the requests it takes where that is not all of them.

        Only when several rights list channels and none says 'any of'/'all of' them (that is a
        statement about the right's own list, so those keep their list)."""
        if len(rights) < 2 or any(r.channels_join for r in rights):
            return None
        entries: dict[tuple[str, ...], tuple[list[Line], list[int]]] = {}
        for index, right in enumerate(rights):
            for channel in right.channels:
                lines = self.channel_lines(channel)
                entries.setdefault(_key(Field("", lines)), (lines, []))[1].append(index)
        if not any(len(members) > 1 for _, members in entries.values()):
            return None
        result: list[Line] = []
        for lines, members in entries.values():
            result += lines
            if len(members) < len(rights):
                titles = self.cat.join([self.phrase(self.right_title(rights[i])) for i in members])
                result.append(line(self.cat("text.for_rights_line", rights=titles)))
        return Field(self.cat("field.channels"), result)

    def channel_lines(self, channel: RightChannel) -> list[Line]:
        cat = self.cat
        entry = self.contact_line(self.policy.contact(channel.contact), channel.contact)
        if channel.subject_line is not None:
            subject = cat("text.channel_subject", text=self.t(channel.subject_line))
            entry = [*entry, Span(subject)]
        lines = [entry]
        if channel.documents:
            documents = cat.join_and([self.t(d) for d in channel.documents])
            lines.append(self.labelled(cat("field.documents"), documents))
        return lines

    def right_title(self, right: Right) -> str:
        return self.t(right.label) or self.cat.label("right", right.kind)

    def procedure_fields(self, right: Right) -> dict[str, Field]:
        """How to ask for `right`, field by field, only what the policy states (or, opted in,
        what the law states)."""
        cat = self.cat
        channels: list[Line] = []
        if len(right.channels) > 1 and right.channels_join is not None:
            channels.append(line(cat(f"text.channels_{right.channels_join}")))
        for channel in right.channels:
            channels += self.channel_lines(channel)
        verification = self.joined_lines(
            [cat.label("verification", v) for v in right.verification], right.verification_join
        )
        verification += self.lines(right.verification_note)
        methods = self.joined_lines(
            [cat.label("method", m) for m in right.methods], right.methods_join
        )
        fields = {
            "channels": Field(cat("field.channels"), channels),
            "verification": Field(cat("field.verification"), verification),
            "agents": Field(cat("field.agents"), self.agent_lines(right.agents)),
            "deadline": Field(cat("field.deadline"), self.deadline_lines(right.deadline)),
            "methods": Field(cat("field.methods"), methods),
            "fee": Field(cat("field.fee"), self.fee_lines(right.fee)),
        }
        if self.policy.show_statutory:
            fields |= self.statutory_fields(right)
        return {name: field for name, field in fields.items() if field.lines}

    def statutory_fields(self, right: Right) -> dict[str, Field]:
        """The law's own time limit and fee rule where the policy states none, marked as such."""
        cat, fields = self.cat, {}
        applicable = right.jurisdictions or self.policy.jurisdictions
        deadlines: list[Line] = []
        fees: list[Line] = []
        for jurisdiction in applicable:
            terms = right.by_jurisdiction.get(jurisdiction, RightTerms())
            law = statutory_deadline(jurisdiction, right.kind)
            if law is not None and right.deadline is None and terms.deadline is None:
                text = cat.join(self.statutory_deadline_text(law))
                deadlines.append(line(cat("text.by_law", text=text, law=self.t(law.citation))))
            fee = statutory_fee(jurisdiction, right.kind)
            if not fee.allowed and right.fee is None and terms.fee is None:
                fees.append(
                    line(cat("text.by_law", text=cat("text.fee_free"), law=self.t(fee.citation)))
                )
        if deadlines:
            fields["deadline"] = Field(cat("field.deadline_by_law"), deadlines)
        if fees:
            fields["fee"] = Field(cat("field.fee_by_law"), fees)
        return fields

    def statutory_deadline_text(self, law: StatutoryDeadline) -> list[str]:
        cat = self.cat
        parts = [
            cat("text.deadline_period", period=cat.duration(law.period))
            if law.period
            else cat("text.without_delay")
        ]
        if law.extension:
            parts.append(cat("text.extension_by_law", period=cat.duration(law.extension)))
        if law.acknowledgment:
            ack = cat.duration(law.acknowledgment, law.acknowledgment_business_days)
            parts.append(cat("text.acknowledgment_by_law", period=ack))
        return parts

    def right_fields(self, right: Right, skip: frozenset[str] = frozenset()) -> list[Field]:
        """Everything the policy says about `right`, in order; `skip` names procedure fields
        already printed for several rights at once."""
        cat = self.cat
        procedure = self.procedure_fields(right)
        fields = [
            Field(cat("field.right_description"), self.lines(right.description)),
            Field(
                cat("field.conditions"), [line(self.t(c)) for c in right.conditions], bullets=True
            ),
            Field(
                cat("field.grounds"),
                [line(cat.label("ground", g)) for g in right.grounds],
                bullets=True,
            ),
            Field(
                cat("field.jurisdictions"),
                [line(cat.join([cat.label("jurisdiction", j) for j in right.jurisdictions]))]
                if right.jurisdictions
                else [],
            ),
            *(procedure[name] for name in PROCEDURE if name in procedure and name not in skip),
            Field(cat("field.limit"), [line(self.limit_text(right))] if right.limit else []),
            Field(cat("field.withheld"), self.lines(right.withheld)),
            Field(cat("field.substitute"), self.lines(right.substitute_measures)),
            Field(
                cat("field.refusal"),
                [line(self.t(g.label)) for g in right.refusal_grounds],
                bullets=True,
            ),
            Field(cat("field.outcome"), self.lines(right.outcome_notice)),
        ]
        for jurisdiction, terms in right.by_jurisdiction.items():
            fields.append(
                Field(
                    f"{cat('field.by_jurisdiction')}{cat('label_sep')}"
                    f"{cat.label('jurisdiction', jurisdiction)}",
                    self.terms_lines(terms),
                )
            )
        return [f for f in fields if f.lines]

    def agent_lines(self, agents: Agents | None) -> list[Line]:
        if agents is None:
            return []
        allowed = "text.agents_allowed" if agents.allowed else "text.agents_refused"
        return [line(self.say(allowed)), *self.lines(agents.proof)]

    def limit_text(self, holder: Right | RightTerms) -> str:
        limit = holder.limit
        assert limit is not None
        return self.cat("text.limit", count=limit.count, per=self.cat.duration(limit.per))

    def deadline_lines(self, deadline: Deadline | None) -> list[Line]:
        if deadline is None:
            return []
        cat = self.cat
        period = cat.duration(deadline.period, deadline.business_days) if deadline.period else ""
        if deadline.without_delay and period:
            main = cat("text.deadline_both", period=period)
        elif deadline.without_delay:
            main = cat("text.without_delay")
        elif period:
            main = cat("text.deadline_period", period=period)
        else:
            main = ""
        context = "deadline_adverb" if main and not period else "deadline"
        result = [line(self.qualified(main, deadline.qualifier, context))] if main else []
        if deadline.extension is not None:
            result.append(line(self.say("text.extension", period=cat.duration(deadline.extension))))
        if deadline.extended_to is not None:
            when = self.t(deadline.extension_when)
            text = cat("text.extended_to", period=cat.duration(deadline.extended_to))
            result.append(
                line(cat("text.when", text=text, when=when) if when else _sentence_case(text))
            )
        elif deadline.extension_when is not None:
            result += self.lines(deadline.extension_when)
        if deadline.acknowledgment is not None:
            ack = cat.duration(deadline.acknowledgment, deadline.acknowledgment_business_days)
            result.append(line(self.say("text.acknowledgment", period=ack)))
        result += self.lines(deadline.note)
        return result

    def fee_lines(self, fee: Fee | None) -> list[Line]:
        if fee is None:
            return []
        cat = self.cat
        amount = ""
        if fee.amount is not None:
            amount = cat.money(fee.amount, fee.currency) if fee.currency else f"{fee.amount:,}"
        if fee.kind == "free":
            main = cat("text.fee_free")
        elif fee.kind == "actual_cost":
            main = cat("text.fee_actual_cost") + (
                cat("text.bracketed", text=amount) if amount else ""
            )
        else:
            main = amount
        if fee.unit is not None and fee.kind != "free":
            main = cat("text.fee_fixed_unit", unit=self.t(fee.unit), amount=main)
        result = [line(main)]
        if fee.kind == "free" and fee.unit is not None:
            result.append(line(self.t(fee.unit)))
        if fee.kind == "free" and amount:
            result.append(line(amount))
        if fee.payment_methods:
            methods = self.listing([self.t(m) for m in fee.payment_methods])
            result.append(self.labelled(cat("field.payment_methods"), methods))
        if fee.excessive_requests:
            result.append(line(self.say("text.fee_excessive")))
        result += self.lines(fee.note)
        return result

    def terms_lines(self, terms: RightTerms) -> list[Line]:
        cat = self.cat
        result = [
            *self.labelled_lines(cat("field.deadline"), self.deadline_lines(terms.deadline)),
            *self.labelled_lines(cat("field.fee"), self.fee_lines(terms.fee)),
        ]
        if terms.limit is not None:
            result.append(self.labelled(cat("field.limit"), self.limit_text(terms)))
        if terms.verification is not None:
            methods = self.listing([cat.label("verification", v) for v in terms.verification])
            result.append(self.labelled(cat("field.verification"), methods))
        if terms.lookback is not None:
            result.append(line(cat("text.lookback", period=cat.duration(terms.lookback))))
        result += self.labelled_lines(cat("field.agents"), self.agent_lines(terms.agents))
        result += self.lines(terms.note)
        return result

    def labelled_lines(self, label: str, lines: list[Line]) -> list[Line]:
        """Lines under a label, the label prefixed to the first one."""
        if not lines:
            return []
        return [[Span(label, strong=True), Span(self.cat("label_sep")), *lines[0]], *lines[1:]]

    # --- 9. each law's own supplement (GDPR, CCPA, ...) ----------------------------------

    def law_sections(self) -> list[Section]:
        """The sections of the laws that have one (`Law.section`), in the registry's order."""
        return [s for law in laws() if (s := law.section(self)) is not None]

    def authority_lines(self, authority: Authority) -> list[Line]:
        result: Line = line(self.t(authority.name))
        if authority.url:
            result += [Span(" "), Span(authority.url, href=authority.url)]
        return [result]

    # --- 10. everything else -------------------------------------------------------------

    def minors_section(self) -> Section:
        cat, minors = self.cat, self.policy.minors
        section = Section(cat("heading.minors"), "minors")
        if minors is None:
            return section
        fields = []
        if minors.minimum_age is not None:
            age = cat("text.minimum_age", age=minors.minimum_age)
            fields.append(Field(cat("field.minimum_age"), [line(age)]))
        if minors.guardian_consent_below is not None:
            text = cat("text.guardian_consent", age=minors.guardian_consent_below)
            fields.append(Field(cat("field.guardian_consent"), [line(text)]))
        if minors.on_discovery is not None:
            action = cat.label("on_discovery", minors.on_discovery)
            fields.append(Field(cat("field.on_discovery"), [line(action)]))
        section.add(Fields(fields))
        for paragraph in self.paragraphs(minors.note):
            section.add(paragraph)
        return section

    def free_sections(self) -> list[Section]:
        result = []
        for free in self.policy.sections:
            section = Section(self.t(free.title), f"section-{free.id}")
            for paragraph in self.paragraphs(free.body):
                section.add(paragraph)
            result.append(section)
        return result

    def changes_section(self) -> Section:
        cat, changes = self.cat, self.policy.changes
        section = Section(cat("heading.changes"), "changes")
        if changes is None:
            return section
        sentences = [
            self.say(
                "text.changes_without_notice" if changes.without_notice else "text.changes_intro"
            )
        ]
        if changes.effective == "on_posting":
            sentences.append(self.say("text.changes_on_posting"))
        notice = changes.effective == "after_notice" or changes.channels or changes.notice_days
        if notice:
            scope = self.say("text.changes_material") if changes.material_changes_only else ""
            channels = [self.t(c) for c in changes.channels]
            means = (
                cat("text.changes_by", channels=self.join(channels, changes.channels_join, True))
                if channels
                else ""
            )
            key = (
                "changes_notice_days"
                if changes.notice_days
                else "changes_notice_before"
                if changes.effective == "after_notice"
                else "changes_notice"
            )
            form = changes.qualifier.value if changes.qualifier else "plain"
            sentences.append(
                self.say(f"text.{key}.{form}", scope=scope, days=changes.notice_days, by=means)
            )
        if changes.consent_when_required:
            sentences.append(self.say("text.changes_consent"))
        if changes.continued_use_is_acceptance:
            sentences.append(self.say("text.changes_continued_use"))
        section.add(Paragraph([line(_sentence_case(s)) for s in sentences]))
        for paragraph in self.paragraphs(changes.note):
            section.add(paragraph)
        return section

    def contact_section(self) -> Section:
        cat, policy = self.cat, self.policy
        section = Section(cat("heading.contact"), "contact")
        items = []
        for contact in policy.contacts:
            children = [
                self.labelled(cat("field.hours"), self.t(contact.hours)),
                *self.lines(contact.note),
            ]
            items.append(Item(self.contact_line(contact), [c for c in children if c]))
        section.add(ItemList(items))
        complaints = policy.complaints
        if complaints is None:
            return section
        part = section.subsection(cat("heading.complaints"), "complaints")
        if complaints.contact is not None:
            part.add(Paragraph([line(self.say("text.complaints_intro"))]))
            window = self.contact_line(policy.contact(complaints.contact), complaints.contact)
            part.add(ItemList([Item(window)]))
        if complaints.authorities:
            part.add(Paragraph([line(self.say("text.complaints_authorities"))]))
            part.add(ItemList([Item(self.authority_lines(a)[0]) for a in complaints.authorities]))
        for paragraph in self.paragraphs(complaints.note):
            part.add(paragraph)
        return section

    def history_section(self) -> Section:
        cat = self.cat
        section = Section(cat("heading.history"), "history")
        items = []
        for revision in self.policy.history:
            summary = self.t(revision.summary)
            items.append(
                Item(
                    line(
                        cat(
                            "text.history_item",
                            date=cat.date(revision.date),
                            version=""
                            if revision.version == revision.date.isoformat()
                            else cat("text.history_version", version=revision.version),
                            summary=cat("text.history_summary", text=summary) if summary else "",
                        )
                    )
                )
            )
        section.add(ItemList(items))
        return section


def _key(field: Field) -> tuple[str, ...]:
    return tuple("".join(f"{s.text}|{s.href}|{s.strong}" for s in ln) for ln in field.lines)


def _proper_words(policy: Policy) -> frozenset[str]:
    """English words that are names: capitalised inside a declared text (not at its start), or
    the first word of the service's, an operator's or a company's name. Labels' first words are
    not (nor recipients' descriptive names, 'A new owner …'), so they lose the capital inside a
    sentence."""
    words: set[str] = set()

    def mid_text(text: str | None) -> None:
        for sentence in re.split(r"(?<=[.!?:;])\s+|\n", text or ""):
            for word in re.findall(r"[A-Za-z][\w'-]*", sentence)[1:]:
                if word[:1].isupper() and len(word) > 1:
                    words.add(word)

    def first(text: Text | str | None) -> None:
        value = text.en if isinstance(text, Text) else text
        if value:
            words.update(re.findall(r"[A-Za-z][\w'-]*", value)[:1])

    for value in _english_texts(policy):
        mid_text(value)
    names: list[Text | str | None] = [policy.service.name]
    names += [o.name for o in policy.operators]
    names += [e.name for r in policy.recipients for e in r.entities]
    names += [t.provider for t in policy.trackers]
    for name in names:
        first(name)
    return frozenset(words)


def _english_texts(value: object) -> Iterable[str]:
    if isinstance(value, Text):
        if value.en:
            yield value.en
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _english_texts(getattr(value, name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _english_texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _english_texts(item)


def _href(kind: str, value: str) -> str | None:
    """A link a reader can follow, for channels that have one."""
    if kind == "email":
        return f"mailto:{value}"
    if kind == "phone":
        return "tel:" + "".join(ch for ch in value if ch.isdigit() or ch == "+")
    if value.startswith(("https://", "http://")):
        return value
    return None


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]
