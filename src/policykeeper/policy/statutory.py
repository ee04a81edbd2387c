"""What each law itself sets for requests: deadlines, and which requests may carry a fee.

These are the law's figures, not the company's promises. Validate measures declared deadlines
and fees against them; the renderer prints them only when the declaration opts in with
`show_statutory: true`, and then labels them as the law's. One function per law keeps each law's
rules apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from policykeeper.policy.models import FEE_ALLOWED_UNDER_APPI, Jurisdiction, RightKind
from policykeeper.policy.types import Duration, Text


@dataclass(frozen=True)
class StatutoryDeadline:
    """The law's answer time: `period` None means 'without delay'."""

    period: Duration | None
    extension: Duration | None
    acknowledgment: Duration | None
    acknowledgment_business_days: bool
    citation: Text


@dataclass(frozen=True)
class StatutoryFee:
    """Whether the law lets the business charge for this request."""

    allowed: bool
    citation: Text


_APPI_ARTICLES = {
    RightKind.notify_purposes: ("第32条第2項", "Art. 32(2)"),
    RightKind.access: ("第33条第2項", "Art. 33(2)"),
    RightKind.third_party_records: ("第33条第5項", "Art. 33(5)"),
    RightKind.rectification: ("第34条第2項", "Art. 34(2)"),
    RightKind.erasure: ("第35条", "Art. 35"),
    RightKind.restriction: ("第35条", "Art. 35"),
}


def appi_deadline(kind: RightKind) -> StatutoryDeadline | None:
    """APPI: 'without delay' (遅滞なく) for every request it provides for."""
    if kind not in _APPI_ARTICLES:
        return None
    ja, en = _APPI_ARTICLES[kind]
    return StatutoryDeadline(
        None, None, None, False, Text(ja=f"個人情報保護法{ja}", en=f"APPI {en}")
    )


def gdpr_deadline(kind: RightKind) -> StatutoryDeadline | None:
    """GDPR Art. 12(3): one month, extendable by two further months."""
    return StatutoryDeadline(
        Duration(1, "month"),
        Duration(2, "month"),
        None,
        False,
        Text(ja="GDPR第12条第3項", en="GDPR Art. 12(3)"),
    )


def ccpa_deadline(kind: RightKind) -> StatutoryDeadline | None:
    """CCPA regulations §7021: acknowledge in 10 business days, answer in 45 days, extend by 45."""
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


def appi_fee(kind: RightKind) -> StatutoryFee:
    """APPI Art. 38: a reasonable fee only for notice of purposes and disclosure."""
    return StatutoryFee(
        kind in FEE_ALLOWED_UNDER_APPI, Text(ja="個人情報保護法第38条", en="APPI Art. 38")
    )


def gdpr_fee(kind: RightKind) -> StatutoryFee:
    """GDPR Art. 12(5): free, unless manifestly unfounded or excessive."""
    return StatutoryFee(False, Text(ja="GDPR第12条第5項", en="GDPR Art. 12(5)"))


def ccpa_fee(kind: RightKind) -> StatutoryFee:
    """CCPA §1798.130(a)(2): requests are answered free of charge."""
    return StatutoryFee(False, Text(ja="CCPA第1798.130条(a)(2)", en="CCPA §1798.130(a)(2)"))


DEADLINES = {
    Jurisdiction.appi: appi_deadline,
    Jurisdiction.gdpr: gdpr_deadline,
    Jurisdiction.ccpa: ccpa_deadline,
}
FEES = {Jurisdiction.appi: appi_fee, Jurisdiction.gdpr: gdpr_fee, Jurisdiction.ccpa: ccpa_fee}


def statutory_deadline(jurisdiction: Jurisdiction, kind: RightKind) -> StatutoryDeadline | None:
    return DEADLINES[jurisdiction](kind)


def statutory_fee(jurisdiction: Jurisdiction, kind: RightKind) -> StatutoryFee:
    return FEES[jurisdiction](kind)
