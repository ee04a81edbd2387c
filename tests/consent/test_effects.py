"""Declared effects of withdrawal: jasminai's sensitive-data consent, once withdrawn, becomes an
account-deactivation request in the workflow; nothing else does."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from consent_kit import KEY, example

from policykeeper.consent.service import ConsentService
from policykeeper.store import Store
from policykeeper.workflow.errors import Invalid
from policykeeper.workflow.service import Workflow


@pytest.fixture
def state_url(sqlite_state_url: str) -> str:
    """SQLite only: the ledger's database behaviour is tested on both in test_ledger."""
    return sqlite_state_url


@pytest.fixture
def service(store: Store, make_workflow: Callable[..., Workflow]) -> ConsentService:
    workflow = make_workflow(example("jasminai"))
    return ConsentService(store, workflow.policy, key=KEY, workflow=workflow, clock=workflow.clock)


def test_withdrawing_sensitive_data_consent_asks_for_deactivation(
    service: ConsentService,
) -> None:
    subject = "email=maria@example.com"
    service.choose_for_subject(subject, {"sensitive_services": True}, source="api", language="en")
    outcome = service.choose_for_subject(
        subject, {"sensitive_services": False}, source="settings", language="en"
    )
    assert [(e.purpose, e.effect) for e in outcome.effects] == [
        ("sensitive_services", "deactivate_account")
    ]
    request_id = outcome.effects[0].request_id
    assert request_id is not None and outcome.effects[0].error is None
    row = service.workflow.get(request_id)  # type: ignore[union-attr]
    assert row.kind == "withdraw_consent" and row.email == "maria@example.com"
    assert row.details["effect"] == "deactivate_account"
    assert row.details["consent_record"] == outcome.entries[0].id
    assert row.state in ("verifying", "in_review")  # then staff review, like any request
    assert not service.allowed(subject, "sensitive_services")


def test_only_a_withdrawal_of_consent_actually_given_has_an_effect(
    service: ConsentService,
) -> None:
    outcome = service.choose_for_subject(
        "email=new@example.com", {"sensitive_services": False}, source="api", language="en"
    )
    assert outcome.effects == []
    outcome = service.choose_for_subject(
        "email=new@example.com", {"personalization": False}, source="api", language="en"
    )
    assert outcome.effects == []


def test_without_an_email_the_withdrawal_is_refused_and_nothing_changes(
    service: ConsentService,
) -> None:
    service.choose_for_subject(
        "user_id=3", {"sensitive_services": True}, source="api", language="en"
    )
    with pytest.raises(Invalid, match="give the account's email"):
        service.choose_for_subject(
            "user_id=3", {"sensitive_services": False}, source="api", language="en"
        )
    assert service.allowed("user_id=3", "sensitive_services")
    outcome = service.choose_for_subject(
        "user_id=3",
        {"sensitive_services": False},
        source="api",
        language="ja",
        email="three@example.com",
    )
    assert outcome.effects[0].request_id is not None
