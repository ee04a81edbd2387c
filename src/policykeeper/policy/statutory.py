"""What each law itself sets for requests: deadlines, and which requests may carry a fee.

These are the law's figures, not the company's promises. Validate measures declared deadlines
and fees against them; the renderer prints them only when the declaration opts in with
`show_statutory: true`, and then labels them as the law's. Each law's figures live with the law
(`policy.laws`).
"""

from __future__ import annotations

from policykeeper.policy.laws import StatutoryDeadline, StatutoryFee, law
from policykeeper.policy.models import Jurisdiction, RightKind

__all__ = ["StatutoryDeadline", "StatutoryFee", "statutory_deadline", "statutory_fee"]


def statutory_deadline(jurisdiction: Jurisdiction, kind: RightKind) -> StatutoryDeadline | None:
    return law(jurisdiction).deadline(kind)


def statutory_fee(jurisdiction: Jurisdiction, kind: RightKind) -> StatutoryFee:
    return law(jurisdiction).fee(kind)
