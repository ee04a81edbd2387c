"""The California Consumer Privacy Act and its regulations: acknowledge in 10 business days,
answer in 45 days and extend by 45 (Regs §7021), opt-outs in 15 (§7026), requests free
(§1798.130(a)(2)), at least two requests to know per 12 months (§1798.100(d)), the sale and
sharing statements, Global Privacy Control, and its own policy section.
"""

from __future__ import annotations

from collections.abc import Iterator

from policykeeper.document import (
    Paragraph,
    Section,
    Table,
    line,
)
from policykeeper.policy.checks import LAW, Finding, _applies
from policykeeper.policy.laws.base import (
    Calendar,
    Law,
    LegalClock,
    LimitFloor,
    SectionBuilder,
    StatutoryDeadline,
    StatutoryFee,
)
from policykeeper.policy.models import (
    Fee,
    Jurisdiction,
    Policy,
    RequestLimit,
    RightKind,
    RightTerms,
)
from policykeeper.policy.source import Location
from policykeeper.policy.types import Duration, Text


class Ccpa(Law):
    key = "ccpa"
    name = Text(ja="CCPA", en="CCPA")
    clock = LegalClock(Duration(45, "day"), Duration(45, "day"), Duration(10, "day"), True)
    calendar = Calendar("US", "America/Los_Angeles", "CA")
    limit_floor = LimitFloor(
        frozenset({RightKind.access, RightKind.portability}),
        RequestLimit(count=2, per=Duration(12, "month")),
        "CCPA §1798.100(d)",
    )

    def deadline(self, kind: RightKind) -> StatutoryDeadline | None:
        """Regs §7021: acknowledge in 10 business days, answer in 45 days, extend by 45;
        §7026: act on an opt-out of sale or sharing within 15 business days."""
        if kind is RightKind.opt_out_sale_sharing:
            return StatutoryDeadline(
                Duration(15, "day"),
                None,
                None,
                False,
                Text(ja="CCPA規則第7026条", en="CCPA Regs §7026"),
            )
        return StatutoryDeadline(
            Duration(45, "day"),
            Duration(45, "day"),
            Duration(10, "day"),
            True,
            Text(ja="CCPA規則第7021条", en="CCPA Regs §7021"),
        )

    def fee(self, kind: RightKind) -> StatutoryFee:
        """§1798.130(a)(2): requests are answered free of charge."""
        return StatutoryFee(False, Text(ja="CCPA第1798.130条(a)(2)", en="CCPA §1798.130(a)(2)"))

    def fee_findings(self, kind: RightKind, fee: Fee, location: Location) -> Iterator[Finding]:
        yield Finding(location, "CCPA requests are free; no fee may be charged", LAW)

    def checks(self, policy: Policy) -> Iterator[Finding]:
        yield from _ccpa_items(policy)
        yield from _signals(policy)
        yield from _limits(policy)

    def section(self, builder: SectionBuilder) -> Section | None:
        cat, policy = builder.cat, builder.policy
        if Jurisdiction.ccpa not in policy.jurisdictions and policy.ccpa is None:
            return None
        terms = policy.ccpa
        section = Section(cat("heading.ccpa"), "ccpa")
        section.add(Paragraph([line(builder.say("text.ccpa_intro"))]))
        if terms is not None:
            for paragraph in builder.paragraphs(terms.notice):
                section.add(paragraph)
        if terms is not None and terms.disclosures:
            disclosures = section.subsection(cat("heading.ccpa_disclosures"), "disclosures")
            disclosures.add(Paragraph([line(builder.say("text.ccpa_disclosures_intro"))]))
            disclosures.add(
                Table(
                    cat("heading.ccpa_disclosures"),
                    cat.columns("ccpa_disclosures"),
                    [
                        [
                            [line(builder.category_label(key)) for key in d.categories],
                            [line(builder.recipient_name(r)) for r in d.recipients],
                            builder.lines(d.note),
                        ]
                        for d in terms.disclosures
                    ],
                )
            )
        sale = section.subsection(cat("heading.ccpa_sale"), "sale")
        statements = []
        if terms is not None and terms.sells is not None:
            statements.append(
                line(builder.say("text.ccpa_sells" if terms.sells else "text.ccpa_no_sale"))
            )
        if terms is not None and terms.shares is not None:
            statements.append(
                line(builder.say("text.ccpa_shares" if terms.shares else "text.ccpa_no_sharing"))
            )
        sale.add(Paragraph(statements))
        sale.add(builder.signals_paragraph())
        rights = section.subsection(cat("heading.ccpa_rights"), "rights")
        for paragraph in builder.paragraphs(terms.non_discrimination if terms else None):
            rights.add(paragraph)
        if any(
            agents is not None and agents.allowed
            for r in policy.rights
            for agents in (r.agents, r.by_jurisdiction.get(Jurisdiction.ccpa, RightTerms()).agents)
        ):
            rights.add(Paragraph([line(builder.say("text.ccpa_agents"))]))
        return section


CCPA = Ccpa()


def _limits(policy: Policy) -> Iterator[Finding]:
    """A business may refuse a request to know only after two in 12 months."""
    floor = CCPA.limit_floor
    assert floor is not None
    for i, right in enumerate(policy.rights):
        if right.kind not in floor.kinds or Jurisdiction.ccpa not in _applies(policy, right):
            continue
        terms = right.by_jurisdiction.get(Jurisdiction.ccpa)
        own = terms is not None and terms.limit is not None
        limit = terms.limit if terms is not None and terms.limit is not None else right.limit
        if limit is None or floor.allows(limit):
            continue
        place = ("rights", i, "by_jurisdiction", "ccpa", "limit") if own else ("rights", i, "limit")
        yield Finding(
            place,
            f"CCPA lets a business refuse a request to know only after {floor.limit.count} in "
            f"{floor.limit.per} ({floor.citation}), not after {limit.count} in {limit.per}",
            LAW,
        )


def _ccpa_items(policy: Policy) -> Iterator[Finding]:
    if Jurisdiction.ccpa not in policy.jurisdictions:
        return
    terms = policy.ccpa
    if terms is None or terms.sells is None:
        yield Finding(
            ("jurisdictions",),
            "missing: whether personal information is sold (CCPA §1798.130(a)(5)(C)); declare ccpa.sells",
            LAW,
        )
    if terms is None or terms.shares is None:
        yield Finding(
            ("ccpa",) if terms else ("jurisdictions",),
            "missing: whether personal information is shared for cross-context behavioral "
            "advertising (CCPA §1798.130(a)(5)(C)); declare ccpa.shares",
            LAW,
        )
    if terms is None or terms.non_discrimination is None:
        yield Finding(
            ("ccpa",) if terms else ("jurisdictions",),
            "missing: the right to non-discrimination (CCPA §1798.125, Regs §7011); declare ccpa.non_discrimination",
            LAW,
        )


def _signals(policy: Policy) -> Iterator[Finding]:
    ccpa = Jurisdiction.ccpa in policy.jurisdictions
    if policy.signals.dnt == "opt_out_sale_sharing" and not ccpa:
        yield Finding(
            ("signals", "dnt"),
            "DNT as an opt-out of sale or sharing is a CCPA promise; declare ccpa in jurisdictions",
            LAW,
        )
    if policy.signals.gpc is False and ccpa:
        yield Finding(
            ("signals", "gpc"),
            "CCPA regulations §7025 require honouring Global Privacy Control as an opt-out",
            LAW,
        )
