"""A fee is charged only where the policy states one and the law allows it."""

from __future__ import annotations

from store.kit import EXAMPLES

from policykeeper.policy import load_policy
from policykeeper.policy.models import Jurisdiction, RightKind
from policykeeper.workflow.fees import FeeDue, fee_due


def test_a_fee_the_law_forbids_is_not_charged_though_the_policy_states_it() -> None:
    """Audiostock charges the registered-mail cost on every request; APPI Art. 38 allows a fee
    for disclosure only, so a correction stays free (and validate reports the policy)."""
    policy = load_policy(EXAMPLES / "audiostock")
    access, rectification = policy.right(RightKind.access), policy.right(RightKind.rectification)
    assert access is not None and rectification is not None
    assert rectification.fee is not None and rectification.fee.kind == "actual_cost"
    assert fee_due(rectification, [Jurisdiction.appi]) is None
    assert fee_due(access, [Jurisdiction.appi]) == FeeDue("actual_cost", None, "JPY")


def test_a_fee_the_policy_does_not_state_is_no_fee() -> None:
    policy = load_policy(EXAMPLES / "ainema")
    rectification = policy.right(RightKind.rectification)
    assert rectification is not None and rectification.fee is None
    assert fee_due(rectification, [Jurisdiction.appi]) is None
