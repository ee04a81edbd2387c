"""Request limits such as CCPA's "twice per 12 months" for the right to know."""

from __future__ import annotations

from policykeeper.policy.laws import law
from policykeeper.policy.models import Jurisdiction, RequestLimit, Right


def request_limit(right: Right, jurisdictions: list[Jurisdiction]) -> RequestLimit | None:
    """The declared limit for this person: a jurisdiction's own terms win over the general one."""
    limits = [
        terms.limit
        for j, terms in right.by_jurisdiction.items()
        if j in jurisdictions and terms.limit is not None
    ]
    if not limits and right.limit is not None:
        limits = [right.limit]
    if not limits:
        return None
    # Where several apply, the most generous to the person is the one the law guarantees,
    # and never less than a law's floor (validate reports a declaration below it).
    chosen = max(limits, key=lambda limit: limit.count / max(limit.per.approx_days(), 1))
    for jurisdiction in jurisdictions:
        floor = law(jurisdiction).limit_floor
        if floor is not None and right.kind in floor.kinds and not floor.allows(chosen):
            chosen = floor.limit
    return chosen
