"""The fee a request owes, from the declaration; where several laws apply, free wins.

A fee the policy does not state is no fee; a fee the law does not allow for this request (APPI
Art. 38, GDPR, CCPA) is not charged even when the policy states one (validate reports it).
"""

from __future__ import annotations

from dataclasses import dataclass

from policykeeper.policy.models import Fee, Jurisdiction, Right
from policykeeper.policy.statutory import statutory_fee


@dataclass(frozen=True)
class FeeDue:
    kind: str
    amount: int | None
    """None for 'actual cost' without a declared figure: staff record what it came to."""
    currency: str


def fee_due(right: Right, jurisdictions: list[Jurisdiction]) -> FeeDue | None:
    """What the person must pay before review, or None when the request is free."""
    fees: list[Fee | None] = []
    for jurisdiction in jurisdictions:
        terms = right.by_jurisdiction.get(jurisdiction)
        fee = terms.fee if terms and terms.fee is not None else right.fee
        fees.append(fee if statutory_fee(jurisdiction, right.kind).allowed else None)
    if not jurisdictions:
        fees = [right.fee]
    if any(fee is None or fee.kind == "free" for fee in fees):
        return None
    fee = fees[0]
    assert fee is not None
    return FeeDue(fee.kind, fee.amount, fee.currency or "JPY")
