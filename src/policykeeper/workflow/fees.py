"""The fee a request owes, from the declaration; where several laws apply, free wins."""

from __future__ import annotations

from dataclasses import dataclass

from policykeeper.policy.models import Fee, Jurisdiction, Right


@dataclass(frozen=True)
class FeeDue:
    kind: str
    amount: int | None
    """None for 'actual cost' without a declared figure: staff record what it came to."""
    currency: str


def fee_due(right: Right, jurisdictions: list[Jurisdiction]) -> FeeDue | None:
    """What the person must pay before review, or None when the request is free."""
    fees: list[Fee] = []
    for jurisdiction in jurisdictions:
        terms = right.by_jurisdiction.get(jurisdiction)
        fees.append(terms.fee if terms and terms.fee is not None else right.fee)
    if not fees:
        fees = [right.fee]
    if any(fee.kind == "free" for fee in fees):
        return None
    fee = fees[0]
    return FeeDue(fee.kind, fee.amount, fee.currency)
