"""From a declaration to a format-neutral document: what the published policy says, in order.

The order follows a Japanese privacy policy: who we are, what we collect and why, who receives it,
cookies, retention, security, requests, then the GDPR and CCPA supplements, minors, changes and the
inquiry window. Every field of the declaration is shown somewhere; `tests/render` checks that.
"""

from __future__ import annotations

from collections.abc import Iterable

from policykeeper.policy.models import (
    Agents,
    Authority,
    Category,
    ContactChannel,
    Deadline,
    Entity,
    Fee,
    Jurisdiction,
    Operator,
    Policy,
    Recipient,
    RecipientType,
    RetentionRule,
    Right,
    RightTerms,
    Tracker,
)
from policykeeper.policy.taxonomy import builtin
from policykeeper.policy.types import Lang, Text
from policykeeper.render.catalog import Catalog, catalog
from policykeeper.render.document import (
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

EEA = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IS",
        "IE",
        "IT",
        "LV",
        "LI",
        "LT",
        "LU",
        "MT",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
SECURITY_ORDER = ("organizational", "human", "physical", "technical", "external_environment")


def build_document(policy: Policy, lang: Lang) -> Document:
    return Builder(policy, catalog(lang)).document()


class Builder:
    """Builds each section of the policy with one language's catalogue."""

    def __init__(self, policy: Policy, cat: Catalog) -> None:
        self.policy = policy
        self.cat = cat

    # --- small helpers -------------------------------------------------------------------

    def t(self, value: Text | str | None) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return self.cat("on_request") if value == "on_request" else value
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

    def category_label(self, key: str) -> str:
        category = self.policy.category(key)
        if category is not None:
            return self.t(category.label)
        taxonomy = builtin()
        if key in taxonomy.categories:
            return self.t(taxonomy.categories[key])
        under = self.policy.categories_under(key)
        return self.cat.join([self.t(c.label) for c in under]) if under else key

    def category_labels(self, keys: Iterable[str]) -> str:
        return self.cat.join([self.category_label(key) for key in keys])

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
        value = self.t(contact.value)
        return [
            Span(name, strong=True),
            Span(self.cat("label_sep") + (f"{kind} " if kind and kind != name else "")),
            Span(value, href=_href(contact.kind, contact.value)),
        ]

    def entity_lines(self, entity: Entity) -> list[Line]:
        country = f" ({self.cat.country(entity.country)})" if entity.country else ""
        return [line(self.t(entity.name) + country), *self.lines(entity.address)]

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
            self.gdpr_section(),
            self.ccpa_section(),
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
                    cat(
                        "intro",
                        operators=cat.join_and([self.t(o.name) for o in policy.operators]),
                        service=service,
                    )
                )
            ]
        )
        return Document(
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
                value: Line = line(cat("text.person_on_request", title=title))
            else:
                value = line(cat("text.person", name=name, title=title) if title else name)
            if manager.email:
                value += [Span(" "), Span(manager.email, href=f"mailto:{manager.email}")]
            reach = [self.contact_line(policy.contact(c), c) for c in manager.contacts]
            fields.append(Field(cat("heading.privacy_manager"), [value, *reach]))
        service = policy.service
        name: Line = line(self.t(service.name))
        if service.url:
            name += [Span(" "), Span(service.url, href=service.url)]
        fields.append(Field(cat("heading.service"), [name, *self.lines(service.description)]))
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
            Field(cat("field.country"), [line(cat.country(operator.country))]),
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
            section.add(Paragraph([line(cat("text.subjects_intro"))]))
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
        section.add(Paragraph([line(cat("text.categories_intro"))]))
        columns = cat.columns("categories")
        rows = [self.category_row(c) for c in policy.categories]
        if all(c.required is None for c in policy.categories):
            columns, rows = columns[:2] + columns[3:], [row[:2] + row[3:] for row in rows]
        section.add(Table(cat("heading.categories"), columns, rows))
        return section

    def category_row(self, category: Category) -> list[Cell]:
        cat = self.cat
        what = [[Span(self.t(category.label), strong=True)], *self.lines(category.description)]
        if category.examples:
            examples = cat.join([self.t(e) for e in category.examples])
            what.append(line(cat("text.examples", items=examples)))
        sources = [line(cat.label("source", s)) for s in category.sources]
        sources += self.lines(category.source_note)
        required = cat.label("required", category.required) if category.required is not None else ""
        notes: list[Line] = []
        if category.subjects:
            names = cat.join([self.subject_label(s) for s in category.subjects])
            notes.append(line(cat("text.subjects_only", subjects=names)))
        if category.sensitive:
            notes.append([Span(cat("text.sensitive"), strong=True)])
        if category.sensitive_consent is not None:
            consent = self.t(category.sensitive_consent)
            notes.append(line(cat("text.sensitive_consent", text=consent)))
        if not category.stored and category.kept_instead is None:
            notes.append(line(cat("text.not_stored")))
        notes += self.lines(category.kept_instead)
        if category.handled_by:
            names = cat.join([self.recipient_name(r) for r in category.handled_by])
            notes.append(line(cat("text.handled_by", names=names)))
        if category.history_information:
            notes.append(line(cat("text.history_information")))
        return [what, sources, [line(required or cat("none"))], notes or [line(cat("none"))]]

    def subject_label(self, subject_id: str) -> str:
        subject = next((s for s in self.policy.subjects if s.id == subject_id), None)
        return self.t(subject.label) if subject else subject_id

    # --- 3. why --------------------------------------------------------------------------

    def purposes_section(self) -> Section:
        cat, policy = self.cat, self.policy
        section = Section(cat("heading.purposes"), "purposes")
        section.add(Paragraph([line(cat("text.purposes_intro"))]))
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
                names = cat.join([self.subject_label(s) for s in purpose.subjects])
                children.append(self.labelled(cat("field.subjects"), names))
            if purpose.legal_basis is not None:
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
                self.labelled(cat("field.withdrawal"), " ".join(filter(None, withdrawal)))
            )
            items.append(Item(head or line(self.t(purpose.label)), [c for c in children if c]))
        section.add(ItemList(items))
        if policy.incidental_purposes:
            section.add(Paragraph([line(cat("text.incidental_purposes"))]))
        for paragraph in self.paragraphs(policy.purpose_change):
            section.add(paragraph)
        return section

    # --- 4. who receives -----------------------------------------------------------------

    def recipients_section(self) -> Section:
        cat, policy = self.cat, self.policy
        section = Section(cat("heading.recipients"), "recipients")
        if policy.provision_exceptions:
            section.add(Paragraph([line(cat("text.recipients_intro"))]))
            section.add(
                ItemList(
                    [
                        Item(
                            line(cat.label("provision_exception", e)),
                            self.lines(policy.provision_exception_notes.get(e)),
                        )
                        for e in policy.provision_exceptions
                    ]
                )
            )
        elif policy.recipients:
            section.add(Paragraph([line(cat("text.recipients_listed"))]))
        for kind in RecipientType:
            members = [r for r in policy.recipients if r.type is kind]
            if not members:
                continue
            part = section.subsection(
                cat.label("recipient_type", kind), kind.value.replace("_", "-")
            )
            if kind is RecipientType.joint_use:
                part.add(Paragraph([line(cat("text.joint_use_intro"))]))
            columns, rows = cat.columns("recipients"), [self.recipient_row(r) for r in members]
            if len({r.provision for r in members}) == 1:
                basis = cat.label("provision", members[0].provision)
                part.add(Paragraph([self.labelled(columns[-1], basis)]))
                columns, rows = columns[:-1], [row[:-1] for row in rows]
            part.add(Table(cat.label("recipient_type", kind), columns, rows))
            for recipient in members:
                if recipient.joint_use is not None:
                    part.add(Fields(self.joint_use_fields(recipient)))
        self.cross_border(section)
        return section

    def recipient_row(self, recipient: Recipient) -> list[Cell]:
        cat = self.cat
        name = [[Span(self.t(recipient.name), strong=True)], *self.lines(recipient.description)]
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
        if recipient.countries_unknown:
            country.append(line(cat("text.countries_unknown")))
        country += self.lines(recipient.country_regime)
        safeguards = [line(cat.label("safeguard", s)) for s in recipient.safeguards]
        safeguards += self.lines(recipient.safeguard_note)
        if recipient.conditions:
            safeguards.append([Span(cat("field.conditions_imposed"), strong=True)])
            safeguards += [line(self.t(c)) for c in recipient.conditions]
        basis = [line(cat.label("provision", recipient.provision))]
        return [name, purpose, data, country, safeguards, basis]

    def joint_use_fields(self, recipient: Recipient) -> list[Field]:
        cat, joint = self.cat, recipient.joint_use
        assert joint is not None
        fields = [
            Field(
                cat("field.joint_use_fact"),
                [line(cat("text.joint_use_fact")), line(self.t(recipient.name))],
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
        home = policy.operators[0].country
        by_country: dict[str, list[str]] = {}
        for recipient in policy.recipients:
            for code in recipient.countries:
                if code != home:
                    by_country.setdefault(code, []).append(self.t(recipient.name))
        if not by_country and policy.cross_border_note is None:
            return
        part = section.subsection(cat("heading.cross_border"), "cross-border")
        if by_country:
            part.add(Paragraph([line(cat("text.cross_border_intro"))]))
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
        for paragraph in self.paragraphs(policy.cross_border_note):
            part.add(paragraph)

    def anonymized_section(self) -> Section:
        cat = self.cat
        section = Section(cat("heading.anonymized"), "anonymized")
        if self.policy.anonymized_uses:
            section.add(Paragraph([line(cat("text.anonymized_intro"))]))
        items = []
        for use in self.policy.anonymized_uses:
            head = [
                Span(self.t(use.label), strong=True),
                Span(f" ({cat.label('anonymized_kind', use.kind)})"),
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
            section.add(Paragraph([line(cat("text.trackers_intro"))]))
            section.add(
                Table(
                    cat("heading.trackers"),
                    cat.columns("trackers"),
                    [self.tracker_row(t) for t in policy.trackers],
                )
            )
            if any(t.consent_required for t in policy.trackers):
                section.add(Paragraph([line(cat("text.trackers_consent"))]))
        for paragraph in self.paragraphs(policy.tracker_note):
            section.add(paragraph)
        if Jurisdiction.ccpa not in policy.jurisdictions and (
            policy.signals.dnt != "ignore" or policy.signals.note is not None
        ):
            signals = section.subsection(cat("heading.signals"), "signals")
            signals.add(self.signals_paragraph())
        return section

    def tracker_row(self, tracker: Tracker) -> list[Cell]:
        cat = self.cat
        party = cat("text.first_party") if tracker.first_party else cat("text.third_party")
        kind = [
            line(cat.label("tracker_type", tracker.type)),
            line(cat("text.provider_party", provider=self.t(tracker.provider), party=party)),
        ]
        purpose = [*self.lines(tracker.description), line(self.purpose_label(tracker.purpose))]
        sends: list[Line] = []
        if tracker.sends:
            sends += [line(self.category_label(key)) for key in tracker.sends]
        if tracker.recipient:
            sends.append(line(cat("text.sent_to", name=self.recipient_name(tracker.recipient))))
        if not sends:
            sends.append(line(cat("text.not_sent") if tracker.first_party else cat("none")))
        duration = self.lines(tracker.duration) or [line(cat("none"))]
        return [
            [[Span(tracker.name, strong=True)]],
            kind,
            purpose,
            [line(cat.label("tracker_kind", tracker.kind)), line(self.tracker_consent(tracker))],
            sends,
            duration,
        ]

    def tracker_consent(self, tracker: Tracker) -> str:
        if tracker.consent is not None:
            return self.cat.label("tracker_consent", tracker.consent)
        return self.cat.label("tracker_consent", "opt_in" if tracker.consent_required else "none")

    def signals_paragraph(self) -> Paragraph:
        cat, signals = self.cat, self.policy.signals
        gpc = cat("text.gpc") if signals.gpc else cat("text.gpc_ignored")
        dnt = (
            cat("text.dnt_opt_out")
            if signals.dnt == "opt_out_sale_sharing"
            else cat("text.dnt_ignore")
        )
        return Paragraph([line(gpc), line(dnt), *self.lines(signals.note)])

    # --- 6. retention --------------------------------------------------------------------

    def retention_section(self) -> Section:
        cat, policy = self.cat, self.policy
        section = Section(cat("heading.retention"), "retention")
        if policy.retention:
            section.add(Paragraph([line(cat("text.retention_intro"))]))
            section.add(
                Table(
                    cat("heading.retention"),
                    cat.columns("retention"),
                    [self.retention_row(rule) for rule in policy.retention],
                )
            )
            if not all(rule.enforced for rule in policy.retention):
                section.add(Paragraph([line(cat("text.not_enforced"))], note=True))
        for paragraph in self.paragraphs(policy.retention_note):
            section.add(paragraph)
        return section

    def retention_row(self, rule: RetentionRule) -> list[Cell]:
        cat = self.cat
        mark = "" if rule.enforced else cat("text.not_enforced_mark")
        what = [[Span(self.t(rule.label) + mark, strong=True)]]
        if rule.categories:
            what += [line(self.category_label(key)) for key in rule.categories]
        if rule.period is None:
            endless = "text.while_needed" if rule.clock == "while_needed" else "text.while_active"
            period, clock = cat(endless), cat("none")
        else:
            period, clock = cat.duration(rule.period), cat.label("clock", rule.clock)
        notes = [*self.lines(rule.legal_basis)]
        if rule.subjects:
            names = cat.join([self.subject_label(s) for s in rule.subjects])
            notes.append(line(cat("text.retention_subjects", subjects=names)))
        if rule.statute is not None:
            notes.append(line(cat("text.statute", text=self.t(rule.statute))))
        notes += self.lines(rule.description)
        if rule.notice_before is not None:
            notes.append(line(cat("text.notice_before", period=cat.duration(rule.notice_before))))
        return [
            what,
            [line(period)],
            [line(clock)],
            [line(cat.label("end_action", rule.end_action))],
            notes or [line(cat("none"))],
        ]

    # --- 7. security ---------------------------------------------------------------------

    def security_section(self) -> Section:
        cat, policy = self.cat, self.policy
        section = Section(cat("heading.security"), "security")
        if not policy.security:
            section.add(Paragraph([line(cat("text.security_default"))]))
            if policy.security_on_request:
                section.add(Paragraph([line(cat("text.security_on_request"))]))
        else:
            section.add(Paragraph([line(cat("text.security_intro"))]))
            fields = []
            for kind in SECURITY_ORDER:
                measures = [line(self.t(m.text)) for m in policy.security if m.kind == kind]
                if measures:
                    fields.append(Field(cat.label("security", kind), measures, bullets=True))
            section.add(Fields(fields))
            if policy.security_on_request:
                section.add(Paragraph([line(cat("text.security_on_request"))]))
        for paragraph in self.paragraphs(policy.security_note):
            section.add(paragraph)
        return section

    # --- 8. requests ---------------------------------------------------------------------

    def rights_section(self) -> Section:
        cat, policy = self.cat, self.policy
        section = Section(cat("heading.rights"), "rights")
        section.add(Paragraph([line(cat("text.rights_intro"))]))
        section.add(ItemList([Item(line(self.right_title(r))) for r in policy.rights]))
        for index, right in enumerate(policy.rights, start=1):
            part = section.subsection(self.right_title(right), f"{right.kind.value}-{index}")
            part.add(Fields(self.right_fields(right)))
        return section

    def right_title(self, right: Right) -> str:
        return self.t(right.label) or self.cat.label("right", right.kind)

    def right_fields(self, right: Right) -> list[Field]:
        cat = self.cat
        channels: list[Line] = []
        for channel in right.channels:
            entry = self.contact_line(self.policy.contact(channel.contact), channel.contact)
            if channel.subject_line is not None:
                subject = cat("text.channel_subject", text=self.t(channel.subject_line))
                entry = [*entry, Span(subject)]
            channels.append(entry)
            if channel.documents:
                documents = cat.join([self.t(d) for d in channel.documents])
                channels.append(self.labelled(cat("field.documents"), documents))
        verification = [
            line(cat.join_or([cat.label("verification", v) for v in right.verification]))
        ]
        verification += self.lines(right.verification_note)
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
            Field(cat("field.channels"), channels),
            Field(cat("field.verification"), verification),
            Field(cat("field.agents"), self.agent_lines(right.agents)),
            Field(cat("field.deadline"), self.deadline_lines(right.deadline)),
            Field(
                cat("field.methods"),
                [line(cat.join_or([cat.label("method", m) for m in right.methods]))]
                if right.methods
                else [],
            ),
            Field(cat("field.fee"), self.fee_lines(right.fee)),
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
        return [line(self.cat(allowed)), *self.lines(agents.proof)]

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
        else:
            main = cat("text.deadline_period", period=period)
        if deadline.statutory:
            main = cat("text.deadline_statutory", deadline=main)
        result = [line(main)]
        if deadline.extension is not None:
            result.append(line(cat("text.extension", period=cat.duration(deadline.extension))))
        result += self.lines(deadline.extension_note)
        if deadline.acknowledgment is not None:
            ack = cat.duration(deadline.acknowledgment, deadline.acknowledgment_business_days)
            result.append(line(cat("text.acknowledgment", period=ack)))
        result += self.lines(deadline.note)
        return result

    def fee_lines(self, fee: Fee | None) -> list[Line]:
        if fee is None:
            return []
        cat = self.cat
        amount = cat.money(fee.amount, fee.currency) if fee.amount is not None else ""
        if fee.kind == "free":
            main = cat("text.fee_free")
        elif fee.kind == "actual_cost":
            main = cat("text.fee_actual_cost") + (f" ({amount})" if amount else "")
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
            methods = cat.join([self.t(m) for m in fee.payment_methods])
            result.append(self.labelled(cat("field.payment_methods"), methods))
        if fee.excessive_requests:
            result.append(line(cat("text.fee_excessive")))
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
            methods = cat.join_or([cat.label("verification", v) for v in terms.verification])
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

    # --- 9. GDPR and CCPA ----------------------------------------------------------------

    def gdpr_section(self) -> Section | None:
        cat, policy = self.cat, self.policy
        if Jurisdiction.gdpr not in policy.jurisdictions and policy.gdpr is None:
            return None
        terms = policy.gdpr
        section = Section(cat("heading.gdpr"), "gdpr")
        section.add(Paragraph([line(cat("text.gdpr_intro"))]))
        bases = section.subsection(cat("heading.gdpr_bases"), "bases")
        bases.add(
            Table(
                cat("heading.gdpr_bases"),
                cat.columns("gdpr_bases"),
                [
                    [
                        [line(self.t(p.label))],
                        [line(cat.label("legal_basis", p.legal_basis))],
                        self.lines(p.legitimate_interest) or [line(cat("none"))],
                    ]
                    for p in policy.purposes
                    if p.legal_basis is not None
                ],
            )
        )
        controllers = section.subsection(cat("heading.gdpr_controllers"), "controllers")
        controllers.add(
            ItemList(
                [
                    Item(
                        line(
                            cat(
                                "text.gdpr_controller",
                                name=self.t(o.name),
                                role=cat.label("role", o.role),
                            )
                        )
                    )
                    for o in policy.operators
                ]
            )
        )
        joint = any(o.role == "joint_controller" for o in policy.operators)
        fields = []
        if terms is not None and terms.joint_arrangement is not None:
            fields.append(
                Field(cat("field.joint_arrangement"), self.lines(terms.joint_arrangement))
            )
        if terms is not None and terms.joint_contact is not None:
            contact = self.contact_line(
                self.policy.contact(terms.joint_contact), terms.joint_contact
            )
            fields.append(Field(cat("field.joint_contact"), [contact]))
        if terms is not None and terms.eu_representative is not None:
            fields.append(
                Field(cat("field.eu_representative"), self.entity_lines(terms.eu_representative))
            )
        controllers.add(Fields(fields))
        if joint:
            controllers.add(Paragraph([line(cat("text.gdpr_joint_rights"))]))
        transfers = section.subsection(cat("heading.gdpr_transfers"), "transfers")
        outside = [r for r in policy.recipients if any(c not in EEA for c in r.countries)]
        if outside:
            transfers.add(Paragraph([line(cat("text.gdpr_transfers_intro"))]))
            transfers.add(
                Table(
                    cat("heading.gdpr_transfers"),
                    cat.columns("gdpr_transfers"),
                    [
                        [
                            [line(self.t(r.name))],
                            [line(self.countries(c for c in r.countries if c not in EEA))],
                            [line(cat.label("safeguard", s)) for s in r.safeguards]
                            + self.lines(r.safeguard_note)
                            or [line(cat("none"))],
                        ]
                        for r in outside
                    ],
                )
            )
        else:
            transfers.add(Paragraph([line(cat("text.gdpr_transfers_none"))]))
        authority = section.subsection(cat("heading.gdpr_authority"), "authority")
        authority.add(Paragraph([line(cat("text.gdpr_authority"))]))
        if terms is not None and terms.supervisory_authority is not None:
            authority.add(
                Fields(
                    [
                        Field(
                            cat("field.authority"),
                            self.authority_lines(terms.supervisory_authority),
                        )
                    ]
                )
            )
        return section

    def authority_lines(self, authority: Authority) -> list[Line]:
        result: Line = line(self.t(authority.name))
        if authority.url:
            result += [Span(" "), Span(authority.url, href=authority.url)]
        return [result]

    def ccpa_section(self) -> Section | None:
        cat, policy = self.cat, self.policy
        if Jurisdiction.ccpa not in policy.jurisdictions and policy.ccpa is None:
            return None
        terms = policy.ccpa
        section = Section(cat("heading.ccpa"), "ccpa")
        section.add(Paragraph([line(cat("text.ccpa_intro"))]))
        if terms is not None:
            for paragraph in self.paragraphs(terms.notice):
                section.add(paragraph)
        categories = section.subsection(cat("heading.ccpa_categories"), "categories")
        categories.add(Paragraph([line(cat("text.ccpa_categories_intro"))]))
        categories.add(
            Table(
                cat("heading.ccpa_categories"),
                cat.columns("ccpa_categories"),
                [self.ccpa_row(c) for c in policy.categories],
            )
        )
        if terms is not None and terms.disclosures:
            disclosures = section.subsection(cat("heading.ccpa_disclosures"), "disclosures")
            disclosures.add(Paragraph([line(cat("text.ccpa_disclosures_intro"))]))
            disclosures.add(
                Table(
                    cat("heading.ccpa_disclosures"),
                    cat.columns("ccpa_disclosures"),
                    [
                        [
                            [line(self.category_label(key)) for key in d.categories],
                            [line(self.recipient_name(r)) for r in d.recipients],
                            self.lines(d.note) or [line(cat("none"))],
                        ]
                        for d in terms.disclosures
                    ],
                )
            )
        sale = section.subsection(cat("heading.ccpa_sale"), "sale")
        sells = terms is not None and terms.sells
        shares = terms.shares if terms is not None else False
        statements = [line(cat("text.ccpa_sells" if sells else "text.ccpa_no_sale"))]
        if shares is not None:
            statements.append(line(cat("text.ccpa_shares" if shares else "text.ccpa_no_sharing")))
        sale.add(Paragraph(statements))
        sale.add(self.signals_paragraph())
        rights = section.subsection(cat("heading.ccpa_rights"), "rights")
        own_words = terms.non_discrimination if terms is not None else None
        if own_words is None:
            rights.add(Paragraph([line(cat("text.ccpa_non_discrimination"))]))
        for paragraph in self.paragraphs(own_words):
            rights.add(paragraph)
        if any(
            agents is not None and agents.allowed
            for r in policy.rights
            for agents in (r.agents, r.by_jurisdiction.get(Jurisdiction.ccpa, RightTerms()).agents)
        ):
            rights.add(Paragraph([line(cat("text.ccpa_agents"))]))
        return section

    def ccpa_row(self, category: Category) -> list[Cell]:
        cat, policy, taxonomy = self.cat, self.policy, builtin()
        purposes = []
        for purpose in policy.purposes:
            if any(policy.covers(key, category.key) for key in purpose.categories):
                uses = cat.join(
                    [self.t(taxonomy.uses[u]) for u in purpose.uses if u in taxonomy.uses]
                )
                label = self.t(purpose.label)
                purposes.append(
                    line(cat("text.purpose_uses", purpose=label, uses=uses) if uses else label)
                )
        recipients = [
            line(self.t(r.name))
            for r in policy.recipients
            if any(policy.covers(key, category.key) for key in r.categories)
        ]
        return [
            [line(self.t(category.label))],
            [line(cat.join([cat.label("source", s) for s in category.sources]))],
            purposes or [line(cat("none"))],
            recipients or [line(cat("none"))],
        ]

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
        sentences = [cat("text.changes_intro")]
        if changes.without_notice:
            sentences.append(cat("text.changes_without_notice"))
        if changes.effective == "after_notice":
            channels = cat.join_and([self.t(c) for c in changes.channels]) or cat(
                "text.changes_default_channel"
            )
            scope = cat("text.changes_material") if changes.material_changes_only else ""
            key = "changes_after_notice" if changes.notice_days else "changes_after_notice_no_days"
            sentences.append(
                cat(f"text.{key}", scope=scope, days=changes.notice_days, channels=channels)
            )
        else:
            sentences.append(cat("text.changes_on_posting"))
            if changes.channels:
                channels = cat.join_and([self.t(c) for c in changes.channels])
                scope = cat("text.changes_material") if changes.material_changes_only else ""
                sentences.append(
                    cat("text.changes_after_notice_no_days", scope=scope, channels=channels)
                )
        if changes.consent_when_required:
            sentences.append(cat("text.changes_consent"))
        if changes.continued_use_is_acceptance:
            sentences.append(cat("text.changes_continued_use"))
        section.add(Paragraph([line(_sentence_case(s)) for s in sentences]))
        for paragraph in self.paragraphs(changes.note):
            section.add(paragraph)
        return section

    def contact_section(self) -> Section:
        cat, policy = self.cat, self.policy
        section = Section(cat("heading.contact"), "contact")
        section.add(Paragraph([line(cat("text.contact_intro"))]))
        items = []
        for contact in policy.contacts:
            children = [
                self.labelled(cat("field.hours"), self.t(contact.hours)),
                *self.lines(contact.note),
            ]
            items.append(Item(self.contact_line(contact), [c for c in children if c]))
        section.add(ItemList(items))
        complaints = policy.complaints
        part = section.subsection(cat("heading.complaints"), "complaints")
        window = policy.contact(complaints.contact)
        where = (
            cat(
                "text.contact_ref",
                name=self.t(window.name) or cat.label("contact_kind", window.kind),
                value=self.t(window.value),
            )
            if window
            else complaints.contact
        )
        part.add(Paragraph([line(cat("text.complaints_intro", contact=where))]))
        if complaints.authorities:
            part.add(Paragraph([line(cat("text.complaints_authorities"))]))
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


def _href(kind: str, value: str) -> str | None:
    """A link a reader can follow, for channels that have one."""
    if value == "on_request":
        return None
    if kind == "email":
        return f"mailto:{value}"
    if kind == "phone":
        return "tel:" + "".join(ch for ch in value if ch.isdigit() or ch == "+")
    if value.startswith(("https://", "http://")):
        return value
    return None


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]
