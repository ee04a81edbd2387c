"""The law's own figures, in one place: validate, the renderer and the workflow agree on them."""

from __future__ import annotations

import pytest

from policykeeper.policy.models import Jurisdiction, RightKind
from policykeeper.policy.statutory import statutory_deadline, statutory_fee
from policykeeper.workflow.deadlines import LEGAL_CLOCKS


@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
def test_the_workflow_clock_is_the_laws(jurisdiction: Jurisdiction) -> None:
    law = statutory_deadline(jurisdiction, RightKind.access)
    clock = LEGAL_CLOCKS[jurisdiction]
    assert law is not None
    assert (law.period, law.extension, law.acknowledgment) == (
        clock.period,
        clock.extension,
        clock.acknowledgment,
    )
    assert law.acknowledgment_business_days is clock.acknowledgment_business_days


def test_appi_allows_a_fee_for_disclosure_and_notice_of_purposes_only() -> None:
    allowed = {k for k in RightKind if statutory_fee(Jurisdiction.appi, k).allowed}
    assert allowed == {RightKind.access, RightKind.third_party_records, RightKind.notify_purposes}
    assert not any(
        statutory_fee(j, RightKind.access).allowed for j in (Jurisdiction.gdpr, Jurisdiction.ccpa)
    )
