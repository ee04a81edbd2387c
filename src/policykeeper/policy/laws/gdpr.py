"""The EU's General Data Protection Regulation: one month to answer, extendable by two
(Art. 12(3)), requests free (Art. 12(5)), a legal basis for every purpose, the right to complain
to a supervisory authority, consent for trackers (ePrivacy), and its own policy section.
"""

from __future__ import annotations

from collections.abc import Iterator

from policykeeper.document import (
    Field,
    Fields,
    Item,
    ItemList,
    Paragraph,
    Section,
    Table,
    line,
)
from policykeeper.policy.checks import LAW, WARNING, Finding
from policykeeper.policy.laws.base import (
    Calendar,
    Law,
    LegalClock,
    SectionBuilder,
    SpecialCare,
    StatutoryDeadline,
    StatutoryFee,
)
from policykeeper.policy.models import Fee, Jurisdiction, Policy, RightKind
from policykeeper.policy.source import Location
from policykeeper.policy.taxonomy import builtin
from policykeeper.policy.types import Duration, Text

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
"""The European Economic Area: transfers outside it need a safeguard (Arts. 44-46)."""


class Gdpr(Law):
    key = "gdpr"
    name = Text(ja="GDPR", en="GDPR")
    # Art. 12(3): one month, extendable by two further months.
    clock = LegalClock(Duration(1, "month"), Duration(2, "month"), None)
    calendar = Calendar(None, "Europe/Brussels")

    def deadline(self, kind: RightKind) -> StatutoryDeadline | None:
        """Art. 12(3): one month, extendable by two further months."""
        return StatutoryDeadline(
            Duration(1, "month"),
            Duration(2, "month"),
            None,
            False,
            Text(ja="GDPR第12条第3項", en="GDPR Art. 12(3)"),
        )

    def fee(self, kind: RightKind) -> StatutoryFee:
        """Art. 12(5): free, unless manifestly unfounded or excessive."""
        return StatutoryFee(False, Text(ja="GDPR第12条第5項", en="GDPR Art. 12(5)"))

    def special_care(self, key: str) -> SpecialCare | None:
        """The special categories of Art. 9."""
        if not builtin().is_gdpr_special(key):
            return None
        return SpecialCare("GDPR Art. 9", "text.sensitive_gdpr")

    def fee_findings(self, kind: RightKind, fee: Fee, location: Location) -> Iterator[Finding]:
        yield Finding(
            location,
            "GDPR requests are free (Art. 12(5)); declare excessive_requests: true instead of a fee",
            LAW,
        )

    def checks(self, policy: Policy) -> Iterator[Finding]:
        yield from _gdpr_bases(policy)
        yield from _gdpr_items(policy)
        yield from _tracker_consent(policy)
        yield from _joint_arrangement(policy)

    def section(self, builder: SectionBuilder) -> Section | None:
        cat, policy = builder.cat, builder.policy
        if Jurisdiction.gdpr not in policy.jurisdictions and policy.gdpr is None:
            return None
        terms = policy.gdpr
        section = Section(cat("heading.gdpr"), "gdpr")
        section.add(Paragraph([line(builder.say("text.gdpr_intro"))]))
        bases = section.subsection(cat("heading.gdpr_bases"), "bases")
        bases.add(
            Table(
                cat("heading.gdpr_bases"),
                cat.columns("gdpr_bases"),
                [
                    [
                        [line(builder.t(p.label))],
                        [line(cat.label("legal_basis", p.legal_basis))],
                        builder.lines(p.legitimate_interest),
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
                                name=builder.t(o.name),
                                role=builder.phrase(cat.label("role", o.role)),
                            )
                        )
                    )
                    for o in policy.operators
                ]
            )
        )
        fields = []
        if terms is not None and terms.joint_arrangement is not None:
            fields.append(
                Field(cat("field.joint_arrangement"), builder.lines(terms.joint_arrangement))
            )
        if terms is not None and terms.joint_contact is not None:
            contact = builder.contact_line(
                builder.policy.contact(terms.joint_contact), terms.joint_contact
            )
            fields.append(Field(cat("field.joint_contact"), [contact]))
        if terms is not None and terms.eu_representative is not None:
            fields.append(
                Field(cat("field.eu_representative"), builder.entity_lines(terms.eu_representative))
            )
        controllers.add(Fields(fields))
        outside = [r for r in policy.recipients if any(c not in EEA for c in r.countries)]
        if outside:
            transfers = section.subsection(cat("heading.gdpr_transfers"), "transfers")
            transfers.add(Paragraph([line(builder.say("text.gdpr_transfers_intro"))]))
            transfers.add(
                Table(
                    cat("heading.gdpr_transfers"),
                    cat.columns("gdpr_transfers"),
                    [
                        [
                            [line(builder.t(r.name))],
                            [line(builder.countries(c for c in r.countries if c not in EEA))],
                            [line(cat.label("safeguard", s)) for s in r.safeguards]
                            + builder.lines(r.safeguard_note),
                        ]
                        for r in outside
                    ],
                )
            )
        if terms is not None and terms.supervisory_authority is not None:
            authority = section.subsection(cat("heading.gdpr_authority"), "authority")
            authority.add(
                Fields(
                    [
                        Field(
                            cat("field.authority"),
                            builder.authority_lines(terms.supervisory_authority),
                        )
                    ]
                )
            )
        return section


GDPR = Gdpr()


def _gdpr_bases(policy: Policy) -> Iterator[Finding]:
    gdpr = Jurisdiction.gdpr in policy.jurisdictions
    for i, p in enumerate(policy.purposes):
        if gdpr and p.legal_basis is None:
            yield Finding(
                ("purposes", i, "id"), f"purpose '{p.id}' needs a legal_basis under the GDPR", LAW
            )
        if not gdpr and p.legal_basis is not None:
            yield Finding(
                ("purposes", i, "legal_basis"),
                "legal_basis is a GDPR term and the policy does not declare gdpr; it is not published",
                WARNING,
            )


def _gdpr_items(policy: Policy) -> Iterator[Finding]:
    if Jurisdiction.gdpr not in policy.jurisdictions:
        return
    authorities = (policy.complaints.authorities if policy.complaints else []) or (
        [policy.gdpr.supervisory_authority]
        if policy.gdpr and policy.gdpr.supervisory_authority
        else []
    )
    if not authorities:
        yield Finding(
            ("jurisdictions",),
            "missing: the right to complain to a supervisory authority (GDPR Art. 13(2)(d)); "
            "declare gdpr.supervisory_authority or complaints.authorities",
            LAW,
        )


def _tracker_consent(policy: Policy) -> Iterator[Finding]:
    """In the EU a tracker that is not strictly necessary needs consent (ePrivacy Art. 5(3))."""
    if Jurisdiction.gdpr not in policy.jurisdictions:
        return
    for i, t in enumerate(policy.trackers):
        if t.kind != "necessary" and not t.consent_required:
            yield Finding(
                ("trackers", i, "consent"),
                f"tracker '{t.name}' is {t.kind}, so the EU requires opt-in consent "
                "(ePrivacy Directive Art. 5(3))",
                LAW,
            )


def _joint_arrangement(policy: Policy) -> Iterator[Finding]:
    """Art. 26(2): joint controllers make the essence of their arrangement available."""
    joint = [i for i, o in enumerate(policy.operators) if o.role == "joint_controller"]
    if (
        len(joint) > 1
        and Jurisdiction.gdpr in policy.jurisdictions
        and (policy.gdpr is None or policy.gdpr.joint_arrangement is None)
    ):
        yield Finding(
            ("operators", joint[0], "role"),
            "joint controllers must make the essence of their arrangement available "
            "(GDPR Art. 26(2)); declare gdpr.joint_arrangement",
            LAW,
        )
