from pathlib import Path

from policykeeper.policy import load_policy
from policykeeper.policy.types import Duration
from policykeeper.workflow.uploads import proof_rules

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_jasminai_identity_proofs_follow_its_five_day_rule() -> None:
    rules = proof_rules(load_policy(EXAMPLES / "jasminai"))
    assert [(rule.id, rule.period) for rule in rules] == [
        ("identity_verification", Duration(5, "day"))
    ]


def test_a_policy_without_a_proof_rule_has_none() -> None:
    assert proof_rules(load_policy(EXAMPLES / "ainema")) == []
