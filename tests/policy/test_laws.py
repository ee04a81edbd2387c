"""The three built-in laws as objects: the registry names them, each carries its own figures,
and the CCPA's floor on request limits is checked by validate and applied by the workflow."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from policykeeper.policy.laws import law, laws
from policykeeper.policy.loading import load_policy
from policykeeper.policy.models import Jurisdiction, RightKind
from policykeeper.policy.types import Duration
from policykeeper.review import review_project
from policykeeper.workflow.deadlines import LEGAL_CLOCKS
from policykeeper.workflow.limits import request_limit
from policykeeper.workflow.settings import DEFAULT_CALENDARS

JASMINAI = Path(__file__).resolve().parents[2] / "examples" / "jasminai" / "policy.yaml"
FLOOR = (
    "CCPA lets a business refuse a request to know only after 2 in 12 months "
    "(CCPA §1798.100(d)), not after 1 in 12 months"
)


def test_the_registry_holds_the_three_laws_in_order() -> None:
    assert [each.key for each in laws()] == ["appi", "gdpr", "ccpa"]
    assert [law(j).key for j in Jurisdiction] == ["appi", "gdpr", "ccpa"]
    assert law(Jurisdiction.gdpr) is law("gdpr")
    with pytest.raises(ValueError):
        Jurisdiction("toy")


def test_the_workflow_s_tables_are_the_laws_own_figures() -> None:
    assert dict(LEGAL_CLOCKS) == {j: law(j).clock for j in Jurisdiction}
    assert dict(DEFAULT_CALENDARS) == {j: law(j).calendar for j in Jurisdiction}
    assert DEFAULT_CALENDARS[Jurisdiction.appi].timezone == "Asia/Tokyo"
    assert law("appi").record_keeping["third_party_provision"] == Duration(3, "year")


def _jasminai(tmp_path: Path, count: int) -> Path:
    yaml = YAML()
    policy = yaml.load(JASMINAI.read_text("utf-8"))
    for right in policy["rights"]:
        terms = right.get("by_jurisdiction", {}).get("ccpa", {})
        if "limit" in terms:
            terms["limit"] = {"count": count, "per": "12 months"}
    directory = tmp_path / f"jasminai-{count}"
    directory.mkdir()
    with (directory / "policy.yaml").open("w", encoding="utf-8") as stream:
        yaml.dump(policy, stream)
    return directory


def test_validate_reports_a_limit_below_the_ccpa_floor(tmp_path: Path) -> None:
    below = [p for p in review_project(_jasminai(tmp_path, 1)) if p.message == FLOOR]
    assert below and all(p.severity == "law" for p in below)
    assert all("policy.yaml:" in str(p) for p in below)
    at_floor = review_project(_jasminai(tmp_path, 2))
    assert not [p for p in at_floor if "refuse a request to know" in p.message]


def test_the_workflow_applies_the_ccpa_floor(tmp_path: Path) -> None:
    policy = load_policy(_jasminai(tmp_path, 1))
    access = next(r for r in policy.rights if r.kind is RightKind.access)
    declared = access.by_jurisdiction[Jurisdiction.ccpa].limit
    assert declared is not None and declared.count == 1
    limit = request_limit(access, [Jurisdiction.ccpa])
    assert limit is not None and (limit.count, limit.per) == (2, Duration(12, "month"))
    assert request_limit(access, [Jurisdiction.gdpr]) == access.limit
