"""Japan's Act on the Protection of Personal Information (個人情報保護法, APPI): 'without
delay' answers on a configurable working clock, fees only for disclosure and notice of purposes
(Art. 38), the public items of Art. 32, and its closed list of 要配慮個人情報.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from policykeeper.policy.checks import LAW, WARNING, Finding, _abroad, _applies, usable
from policykeeper.policy.laws.base import (
    Calendar,
    Law,
    LegalClock,
    SpecialCare,
    StatutoryDeadline,
    StatutoryFee,
)
from policykeeper.policy.models import (
    Fee,
    Jurisdiction,
    Policy,
    Provision,
    RecipientType,
    RightKind,
    Safeguard,
)
from policykeeper.policy.source import Location
from policykeeper.policy.taxonomy import builtin
from policykeeper.policy.types import Duration, Text

FEE_ALLOWED = frozenset(
    {RightKind.access, RightKind.third_party_records, RightKind.notify_purposes}
)
"""Art. 38: a reasonable fee only for notice of purposes and disclosure."""

SENSITIVE = "要配慮個人情報"
"""The APPI's term for special-care data, quoted by validate's English messages."""

_ARTICLES = {
    RightKind.notify_purposes: ("第32条第2項", "Art. 32(2)"),
    RightKind.access: ("第33条第2項", "Art. 33(2)"),
    RightKind.third_party_records: ("第33条第5項", "Art. 33(5)"),
    RightKind.rectification: ("第34条第2項", "Art. 34(2)"),
    RightKind.erasure: ("第35条", "Art. 35"),
    RightKind.restriction: ("第35条", "Art. 35"),
}


class Appi(Law):
    key = "appi"
    name = Text(ja="個人情報保護法", en="APPI")
    # Art. 33: "without delay"; no statutory extension or acknowledgment.
    clock = LegalClock(None, None, None)
    calendar = Calendar("JP", "Asia/Tokyo")
    record_keeping: ClassVar[dict[str, Duration]] = {
        "third_party_provision": Duration(3, "year"),
        "third_party_provision_by_contract": Duration(1, "year"),
    }
    """Arts. 29-30 and Enforcement Rules Arts. 14 and 18: three years from the last provision a
    record covers, one year where the contract with the person is the record."""

    def deadline(self, kind: RightKind) -> StatutoryDeadline | None:
        """'Without delay' (遅滞なく) for every request the APPI provides for."""
        if kind not in _ARTICLES:
            return None
        ja, en = _ARTICLES[kind]
        return StatutoryDeadline(
            None, None, None, False, Text(ja=f"個人情報保護法{ja}", en=f"APPI {en}")
        )

    def fee(self, kind: RightKind) -> StatutoryFee:
        return StatutoryFee(kind in FEE_ALLOWED, Text(ja="個人情報保護法第38条", en="APPI Art. 38"))

    def special_care(self, key: str) -> SpecialCare | None:
        """要配慮個人情報 is a closed list (Art. 2(3), Cabinet Order Art. 2)."""
        if not builtin().is_appi_sensitive(key):
            return None
        return SpecialCare(f"APPI Art. 2(3) ({SENSITIVE})", "text.sensitive_appi")

    def fee_findings(self, kind: RightKind, fee: Fee, location: Location) -> Iterator[Finding]:
        if self.fee(kind).allowed:
            yield from _appi_fee_items(fee, location)
            return
        yield Finding(
            location,
            f"APPI allows no fee for '{kind.value}' (Art. 38: only disclosure and notice of purposes)",
            LAW,
        )

    def checks(self, policy: Policy) -> Iterator[Finding]:
        yield from _appi_public_items(policy)
        yield from _appi_vocabulary(policy)
        yield from _gdpr_only_provisions(policy)
        yield from _complaints_channel(policy)
        yield from _anonymized_uses(policy)


APPI = Appi()


_APPI_REQUESTS = (
    (RightKind.notify_purposes, "利用目的の通知", "Art. 32(2)"),
    (RightKind.access, "開示", "Art. 33(1)"),
    (RightKind.third_party_records, "第三者提供記録の開示", "Art. 33(5)"),
    (RightKind.rectification, "訂正等", "Art. 34(1)"),
)
"""The requests whose procedure must be public: the APPI's term and article (validate's
English messages quote them)."""


def _appi_public_items(policy: Policy) -> Iterator[Finding]:
    """APPI Art. 32(1) and Cabinet Order Art. 10: what must be public (or answered on request)."""
    if Jurisdiction.appi not in policy.jurisdictions:
        return
    for i, operator in enumerate(policy.operators):
        if operator.address is None:
            yield Finding(
                ("operators", i, "name"),
                f"missing: the address of '{operator.id}' (APPI Art. 32(1)(i))",
                LAW,
            )
        if operator.representative is None:
            yield Finding(
                ("operators", i, "name"),
                f"missing: the representative of '{operator.id}' (APPI Art. 32(1)(i))",
                LAW,
            )
    kinds = {r.kind for r in policy.rights if Jurisdiction.appi in _applies(policy, r)}
    for kind, term, article in _APPI_REQUESTS:
        if kind not in kinds:
            yield Finding(
                ("rights",),
                f"missing: the procedure for requests for {term} ({article}) (APPI Art. 32(1)(iii))",
                LAW,
            )
    if not kinds & {RightKind.restriction, RightKind.erasure}:
        yield Finding(
            ("rights",),
            "missing: the procedure for requests for 利用停止等 (Art. 35) (APPI Art. 32(1)(iii))",
            LAW,
        )
    if not policy.security and not policy.security_on_request:
        yield Finding(
            ("security",),
            "missing: the security measures taken (APPI Art. 32(1)(iv), Cabinet Order Art. 10(i))",
            LAW,
        )
    if policy.complaints is None:
        yield Finding(
            ("contacts",),
            "missing: where to complain about the handling of personal data (complaints; Cabinet Order Art. 10(ii))",
            LAW,
        )
    abroad = [r for r in policy.recipients if r.identifiable and _abroad(policy, r)]
    measures = {m.kind for m in policy.security}
    if abroad and "external_environment" not in measures and not policy.security_on_request:
        yield Finding(
            ("security",),
            f"missing: 外的環境の把握, the measures taken knowing the systems of the countries where "
            f"data is held ({', '.join(sorted({c for r in abroad for c in _abroad(policy, r)}))}; "
            "security kind external_environment)",
            LAW,
        )
    equivalent = [
        i
        for i, r in enumerate(policy.recipients)
        if r in abroad and Safeguard.equivalent_system in r.safeguards
    ]
    if equivalent and not policy.cross_border_info_on_request:
        yield Finding(
            ("recipients", equivalent[0], "safeguards"),
            "missing: the offer to explain on request the measures of recipients abroad with an "
            "equivalent system (APPI Art. 28(3)); declare cross_border_info_on_request: true",
            LAW,
        )
    for i, r in enumerate(policy.recipients):
        if r.provision is None and r.type is not RecipientType.authority:
            yield Finding(
                ("recipients", i, "name"),
                f"missing: on what basis '{r.id}' receives personal data (entrustment, joint use, "
                "consent …; APPI Art. 27)",
                LAW,
            )
        joint = r.joint_use
        if joint is not None and (
            joint.responsible.address is None or joint.responsible_representative is None
        ):
            yield Finding(
                ("recipients", i, "joint_use", "responsible"),
                "missing: the address and representative of the party responsible for the joint "
                "use (APPI Art. 27(5)(iii))",
                LAW,
            )


def _appi_vocabulary(policy: Policy) -> Iterator[Finding]:
    """要配慮個人情報 is a closed list: other sensitive data is not called that."""
    if Jurisdiction.appi not in policy.jurisdictions:
        return
    taxonomy = builtin()
    for i, c in enumerate(policy.categories):
        if c.sensitive and not taxonomy.is_appi_sensitive(c.key):
            other = (
                " (it is a GDPR Art. 9 special category)" if taxonomy.is_gdpr_special(c.key) else ""
            )
            yield Finding(
                ("categories", i, "sensitive"),
                f"'{c.key}' is not 要配慮個人情報 under APPI Art. 2(3) and Cabinet Order Art. 2"
                f"{other}; it will not be called that",
                WARNING,
            )


def _gdpr_only_provisions(policy: Policy) -> Iterator[Finding]:
    if Jurisdiction.appi not in policy.jurisdictions:
        return
    for i, r in enumerate(policy.recipients):
        if r.provision in {Provision.contract, Provision.legitimate_interests}:
            yield Finding(
                ("recipients", i, "provision"),
                f"'{r.provision.value}' is not a basis for provision under APPI (Art. 27); "
                "declare consent, entrustment or another APPI basis",
                LAW,
            )


def _appi_fee_items(fee: Fee, location: Location) -> Iterator[Finding]:
    """APPI Art. 32(1)(iii): the fee's amount is a public item, and a person must know how to pay."""
    if fee.amount is None:
        yield Finding(location, "missing: the amount of the fee (APPI Art. 32(1)(iii))", LAW)
    if not fee.payment_methods:
        yield Finding(location, "missing: how to pay the fee (payment_methods)", LAW)


def _complaints_channel(policy: Policy) -> Iterator[Finding]:
    """Cabinet Order Art. 10(ii): where to complain is a public item a person can use."""
    complaints = policy.complaints
    if (
        complaints is not None
        and Jurisdiction.appi in policy.jurisdictions
        and not usable(policy.contact(complaints.contact or ""))
    ):
        yield Finding(
            ("complaints",),
            "missing: a usable complaints channel (an address, email, form or phone; "
            "Cabinet Order Art. 10(ii))",
            LAW,
        )


def _anonymized_uses(policy: Policy) -> Iterator[Finding]:
    appi = Jurisdiction.appi in policy.jurisdictions
    for i, use in enumerate(policy.anonymized_uses):
        where = ("anonymized_uses", i, "kind")
        if use.kind in {"anonymously_processed", "pseudonymously_processed"} and not appi:
            yield Finding(
                where, f"'{use.kind}' is an APPI term, but the policy does not declare appi"
            )
        if use.kind == "anonymously_processed" and use.items_published is None:
            yield Finding(
                where,
                "missing: the items of personal information in the 匿名加工情報 (APPI Art. 43(3)); "
                "declare items_published",
                LAW,
            )
        if use.kind == "pseudonymously_processed" and use.recipients:
            yield Finding(
                ("anonymized_uses", i, "recipients"),
                "仮名加工情報 may not be provided to third parties (APPI Art. 41(6))",
                LAW,
            )
