"""Declared effects of withdrawing consent, carried out as requests in the workflow.

jasminai promises that withdrawing consent to sensitive data deactivates the account: the
withdrawal creates that request, which then goes through verification and staff review like any
other, so nobody's account is closed by a forged call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policykeeper.consent.catalog import Catalog
from policykeeper.consent.ledger import Entry
from policykeeper.policy.models import RightKind
from policykeeper.workflow.errors import Invalid, WorkflowError
from policykeeper.workflow.service import NewRequest, Workflow

REQUEST_EFFECTS = ("deactivate_account", "delete_account")


@dataclass(frozen=True)
class Effect:
    purpose: str
    effect: str
    request_id: str | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "purpose": self.purpose,
            "effect": self.effect,
            "request": self.request_id,
            "error": self.error,
        }


def request_kind(catalog: Catalog, effect: str) -> str:
    """Deactivation is a consent withdrawal the staff act on (else a restriction); deletion is
    an erasure. Invalid when the declaration offers no such right."""
    policy = catalog.policy
    if effect == "delete_account":
        candidates = [RightKind.erasure]
    else:
        candidates = [RightKind.withdraw_consent, RightKind.restriction]
    for kind in candidates:
        if policy.right(kind) is not None:
            return kind.value
    raise Invalid(f"the declaration promises '{effect}' but offers no right to carry it out")


def needs_request(catalog: Catalog, purpose: str, given: bool) -> str | None:
    item = catalog.items.get(purpose)
    effect = item.purpose.withdrawal_effect if item else None
    return effect if not given and effect in REQUEST_EFFECTS else None


def email_for(subject: str, email: str | None) -> str | None:
    if email:
        return email
    kind, _, value = subject.partition("=")
    return value if kind == "email" and value else None


def carry_out(
    workflow: Workflow,
    catalog: Catalog,
    entries: list[Entry],
    *,
    email: str,
    language: str,
    ip: str,
) -> list[Effect]:
    """One request per withdrawn purpose with a request effect; failures are reported, since
    the withdrawal itself already stands."""
    effects: list[Effect] = []
    for entry in entries:
        effect = needs_request(catalog, entry.purpose, entry.given)
        if effect is None:
            continue
        new = NewRequest(
            kind=request_kind(catalog, effect),
            email=email,
            language=language,
            recorded={
                "consent_withdrawn": entry.purpose,
                "effect": effect,
                "consent_record": entry.id,
            },
        )
        try:
            submitted = workflow.submit(new, ip)
        except WorkflowError as exc:
            effects.append(Effect(entry.purpose, effect, error=str(exc)))
        else:
            effects.append(Effect(entry.purpose, effect, request_id=submitted.request_id))
    return effects
