"""Requests through the workflow up to execution, with codes delivered by a real SMTP server."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from store.kit import (
    FakeClock,
    Mailbox,
    ainema_policy,
    code_in,
    drain,
    with_jurisdictions,
    with_right,
)

from policykeeper.store.models import Job, Upload
from policykeeper.workflow import audit
from policykeeper.workflow.errors import Conflict, Expired, Invalid, NotFound, RateLimited
from policykeeper.workflow.service import NewRequest, Workflow
from policykeeper.workflow.states import IllegalTransition

PERSON = "hanako@example.jp"
IP = "192.0.2.10"
Make = Callable[..., Workflow]


def submit_and_verify(workflow: Workflow, mailbox: Mailbox, kind: str = "access", **extra) -> str:
    submitted = workflow.submit(NewRequest(kind=kind, email=PERSON, **extra), IP)
    code, _ = code_in(mailbox, PERSON)
    workflow.verify_code(submitted.status_token, code, IP)
    return submitted.status_token


def test_access_goes_from_received_to_executing(make_workflow: Make, mailbox: Mailbox) -> None:
    workflow = make_workflow()
    submitted = workflow.submit(NewRequest(kind="access", email=PERSON, language="ja"), IP)
    assert workflow.status(submitted.status_token)["waiting_for"] == "email_code"
    code_mail = mailbox.last(PERSON)
    assert "確認コード" in str(code_mail["Subject"])
    code, _ = code_in(mailbox, PERSON)
    workflow.verify_code(submitted.status_token, code, IP)
    assert workflow.status(submitted.status_token)["state"] == "in_review"
    drain(workflow)
    received = [m for m in mailbox.to(PERSON) if "受け付けました" in str(m["Subject"])]
    assert len(received) == 1
    assert submitted.status_token in Mailbox.body(received[0])
    row = workflow.get(submitted.request_id)
    assert row.acknowledged_at is not None
    workflow.decide(row.id, "staff:alice", approve=True)
    assert workflow.get(row.id).state == "executing"
    with workflow.store.transaction() as session:
        kinds = session.execute(sa.select(Job.kind).where(Job.request_id == row.id)).scalars().all()
        assert "execute" in kinds
        assert audit.verify_chain(session).ok
    actions = [e.action for e in workflow.history(row.id)]
    assert actions[0] == "received" and "approved" in actions


def test_the_answer_is_the_same_for_any_address(make_workflow: Make, mailbox: Mailbox) -> None:
    workflow = make_workflow()
    known = workflow.submit(NewRequest(kind="access", email="member@example.jp"), IP)
    unknown = workflow.submit(NewRequest(kind="access", email="nobody@example.jp"), IP)
    assert (
        workflow.status(known.status_token).keys() == workflow.status(unknown.status_token).keys()
    )
    assert len(mailbox.to("member@example.jp")) == len(mailbox.to("nobody@example.jp")) == 1


def test_codes_expire_and_work_once(
    make_workflow: Make, mailbox: Mailbox, clock: FakeClock
) -> None:
    workflow = make_workflow()
    submitted = workflow.submit(NewRequest(kind="erasure", email=PERSON), IP)
    code, link = code_in(mailbox, PERSON)
    clock.advance(minutes=16)
    with pytest.raises(Expired):
        workflow.verify_code(submitted.status_token, code, IP)
    with pytest.raises(Expired):
        workflow.verify_link(link)
    workflow.resend_code(submitted.status_token, IP)
    code2, link2 = code_in(mailbox, PERSON)
    with pytest.raises(Expired):
        workflow.verify_code(submitted.status_token, code, IP)
    assert workflow.verify_link(link2) == submitted.status_token
    with pytest.raises(Expired):
        workflow.verify_link(link2)
    with pytest.raises(Conflict):
        workflow.verify_code(submitted.status_token, code2, IP)
    with pytest.raises(NotFound):
        workflow.verify_link("guessed-token")


def test_wrong_codes_are_limited(make_workflow: Make, mailbox: Mailbox) -> None:
    workflow = make_workflow()
    submitted = workflow.submit(NewRequest(kind="access", email=PERSON), IP)
    code, _ = code_in(mailbox, PERSON)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(Invalid):
            workflow.verify_code(submitted.status_token, wrong, IP)
    with pytest.raises(Expired):
        workflow.verify_code(submitted.status_token, code, IP)


def test_codes_are_rate_limited_per_address_and_ip(
    make_workflow: Make, mailbox: Mailbox, clock: FakeClock
) -> None:
    workflow = make_workflow(codes_per_address=2, codes_per_ip=3)
    workflow.submit(NewRequest(kind="access", email=PERSON), IP)
    workflow.submit(NewRequest(kind="erasure", email=PERSON), IP)
    with pytest.raises(RateLimited):
        workflow.submit(NewRequest(kind="access", email=PERSON), IP)
    # Another source is not locked out of the same address (counted per address and source).
    workflow.submit(NewRequest(kind="access", email=PERSON), "198.51.100.7")
    workflow.submit(NewRequest(kind="access", email="other@example.jp"), IP)
    with pytest.raises(RateLimited):
        workflow.submit(NewRequest(kind="access", email="third@example.jp"), IP)
    assert workflow.prune_rate_events() == 0
    clock.advance(hours=1, seconds=1)
    assert workflow.prune_rate_events() == 8  # an address and an IP event per code sent
    workflow.submit(NewRequest(kind="access", email="third@example.jp"), IP)


def test_a_guessed_status_token_is_not_found(make_workflow: Make, mailbox: Mailbox) -> None:
    workflow = make_workflow()
    submitted = workflow.submit(NewRequest(kind="access", email=PERSON), IP)
    forged = submitted.request_id + "." + "0" * 64
    with pytest.raises(NotFound):
        workflow.status(forged)
    with pytest.raises(NotFound):
        workflow.status("nothing")


def test_unknown_request_types_and_bad_details_are_refused(make_workflow: Make) -> None:
    workflow = make_workflow()
    with pytest.raises(Invalid, match="unknown request type"):
        workflow.submit(NewRequest(kind="telepathy", email=PERSON), IP)
    with pytest.raises(Invalid, match="unknown request type"):
        workflow.submit(NewRequest(kind="objection", email=PERSON), IP)
    with pytest.raises(Invalid, match="changes"):
        workflow.submit(NewRequest(kind="rectification", email=PERSON), IP)
    with pytest.raises(Invalid, match="email"):
        workflow.submit(NewRequest(kind="access", email="not-an-address"), IP)


def test_fee_flow_with_the_declared_amount(make_workflow: Make, mailbox: Mailbox) -> None:
    policy = with_right(
        ainema_policy(), "access", fee={"kind": "fixed", "amount": 1000, "currency": "JPY"}
    )
    workflow = make_workflow(policy)
    token = submit_and_verify(workflow, mailbox)
    status = workflow.status(token)
    assert status["state"] == "awaiting_fee"
    assert status["fee"] == {"status": "due", "amount": 1000, "currency": "JPY"}
    request_id = status["reference"]
    with pytest.raises(Conflict):
        workflow.decide(request_id, "staff:alice", approve=True)
    with pytest.raises(Invalid, match="1000 JPY"):
        workflow.record_fee(request_id, "staff:alice", amount=500, waived=False)
    workflow.record_fee(request_id, "staff:alice", amount=1000, waived=False)
    assert workflow.status(token)["state"] == "in_review"
    drain(workflow)
    fee_mail = [m for m in mailbox.to(PERSON) if "fee" in str(m["Subject"])]
    assert fee_mail and "1000 JPY" in Mailbox.body(fee_mail[0])


def test_gdpr_makes_a_declared_fee_free(make_workflow: Make, mailbox: Mailbox) -> None:
    policy = with_right(
        with_jurisdictions(ainema_policy(), "appi", "gdpr"),
        "access",
        fee={"kind": "fixed", "amount": 1000},
        by_jurisdiction={"gdpr": {"fee": {"kind": "free", "excessive_requests": True}}},
    )
    workflow = make_workflow(policy)
    token = submit_and_verify(workflow, mailbox, jurisdictions=["gdpr"])
    assert workflow.status(token)["state"] == "in_review"


def test_a_denial_must_cite_a_declared_ground(make_workflow: Make, mailbox: Mailbox) -> None:
    policy = with_right(
        ainema_policy(),
        "access",
        refusal_grounds=[
            {
                "id": "business_impediment",
                "label": {
                    "ja": "業務の適正な実施に著しい支障を及ぼすおそれがあるため",
                    "en": "Disclosure would seriously impede the proper conduct of our business",
                },
            }
        ],
    )
    workflow = make_workflow(policy)
    token = submit_and_verify(workflow, mailbox)
    request_id = workflow.status(token)["reference"]
    with pytest.raises(Invalid, match="declared refusal ground"):
        workflow.decide(request_id, "staff:alice", approve=False)
    with pytest.raises(Invalid, match="business_impediment"):
        workflow.decide(request_id, "staff:alice", approve=False, ground="we_do_not_want_to")
    workflow.decide(
        request_id, "staff:alice", approve=False, ground="business_impediment", note="see 2.1"
    )
    assert workflow.status(token)["state"] == "denied"
    drain(workflow)
    body = Mailbox.body(mailbox.last(PERSON))
    assert "Disclosure would seriously impede" in body
    assert "contact@ainema.tv" in body


def test_extension_within_the_legal_maximum_with_notice(
    make_workflow: Make, mailbox: Mailbox, clock: FakeClock
) -> None:
    from policykeeper.policy.types import Duration

    policy = with_right(
        with_jurisdictions(ainema_policy(), "gdpr"),
        "erasure",
        deadline={"period": "1 month", "extension": "2 months"},
    )
    workflow = make_workflow(policy)
    token = submit_and_verify(workflow, mailbox, kind="erasure")
    request_id = workflow.status(token)["reference"]
    with pytest.raises(Invalid, match="reason"):
        workflow.extend(request_id, "staff:alice", Duration(1, "month"), " ")
    with pytest.raises(Invalid, match="latest allowed"):
        workflow.extend(request_id, "staff:alice", Duration(3, "month"), "many systems")
    workflow.extend(request_id, "staff:alice", Duration(2, "month"), "many systems")
    status = workflow.status(token)
    assert status["extended"] and status["due_at"].startswith("2026-08-01")
    drain(workflow)
    assert "many systems" in Mailbox.body(mailbox.last(PERSON))
    clock.advance(days=100)
    with pytest.raises(Conflict, match="deadline has passed"):
        workflow.extend(request_id, "staff:alice", Duration(1, "day"), "late")
    assert [r.id for r in workflow.list_requests(due="overdue")] == [request_id]


def test_due_soon_and_overdue_lists(
    make_workflow: Make, mailbox: Mailbox, clock: FakeClock
) -> None:
    workflow = make_workflow()
    token = submit_and_verify(workflow, mailbox)
    request_id = workflow.status(token)["reference"]
    assert workflow.list_requests(due="soon") == []
    clock.advance(days=12)
    assert [r.id for r in workflow.list_requests(due="soon")] == [request_id]
    clock.advance(days=3)
    assert [r.id for r in workflow.list_requests(due="overdue")] == [request_id]
    assert workflow.list_requests(due="soon") == []


def test_ccpa_right_to_know_twice_per_twelve_months(
    make_workflow: Make, mailbox: Mailbox, clock: FakeClock
) -> None:
    policy = with_right(
        with_jurisdictions(ainema_policy(), "ccpa"),
        "access",
        deadline={"period": "45 days", "extension": "45 days"},
        limit={"count": 2, "per": "12 months"},
    )
    workflow = make_workflow(policy)
    first = submit_and_verify(workflow, mailbox)
    clock.advance(days=30)
    second = submit_and_verify(workflow, mailbox)
    clock.advance(days=30)
    third = submit_and_verify(workflow, mailbox)
    assert [workflow.status(t)["state"] for t in (first, second, third)] == [
        "in_review",
        "in_review",
        "denied",
    ]
    assert workflow.status(first)["due_at"].startswith("2026-06-15")
    assert workflow.get(workflow.status(first)["reference"]).acknowledge_by is not None
    clock.advance(days=320)
    fourth = submit_and_verify(workflow, mailbox)
    assert workflow.status(fourth)["state"] == "in_review"


def test_documents_are_checked_by_staff_and_purged_on_time(
    make_workflow: Make, mailbox: Mailbox, clock: FakeClock
) -> None:
    policy = with_right(ainema_policy(), "access", verification=["email_code", "id_document"])
    policy = policy.model_copy(
        update={
            "retention": [
                *policy.retention,
                _rule("verification", ["user.government_id.id_document_image"], "5 days"),
            ]
        }
    )
    workflow = make_workflow(policy)
    token = submit_and_verify(workflow, mailbox)
    status = workflow.status(token)
    assert (status["state"], status["waiting_for"]) == ("verifying", "document_check")
    request_id = status["reference"]
    with pytest.raises(Conflict, match="no document"):
        workflow.verify_identity(request_id, "staff:alice", True, "")
    workflow.upload(token, "id_document", "license.png", "image/png", b"\x89PNG fake scan")
    workflow.verify_identity(request_id, "staff:alice", True, "licence matches")
    assert workflow.status(token)["state"] == "in_review"
    clock.advance(days=4)
    assert workflow.purge_uploads() == 0
    clock.advance(days=2)
    assert workflow.purge_uploads() == 1
    with workflow.store.transaction() as session:
        upload = session.execute(sa.select(Upload)).scalar_one()
        assert upload.content is None and upload.purged_at is not None


def test_an_agent_needs_proof_of_authority(make_workflow: Make, mailbox: Mailbox) -> None:
    workflow = make_workflow(with_right(ainema_policy(), "access", agents={"allowed": True}))
    token = submit_and_verify(
        workflow, mailbox, agent={"name": "Taro Agent", "email": "agent@example.jp"}
    )
    request_id = workflow.status(token)["reference"]
    assert workflow.status(token)["waiting_for"] == "document_check"
    workflow.upload(token, "authority", "power.pdf", "application/pdf", b"%PDF signed")
    workflow.verify_identity(request_id, "staff:alice", False, "signature missing")
    assert workflow.status(token)["state"] == "denied"
    drain(workflow)
    assert "could not verify" in Mailbox.body(mailbox.last(PERSON))


def test_withdrawal_closes_the_request(make_workflow: Make, mailbox: Mailbox) -> None:
    workflow = make_workflow()
    token = submit_and_verify(workflow, mailbox)
    workflow.withdraw(token)
    assert workflow.status(token)["state"] == "withdrawn"
    with pytest.raises(IllegalTransition):
        workflow.withdraw(token)


def _rule(rule_id: str, categories: list[str], period: str):
    from policykeeper.policy.models import RetentionRule

    return RetentionRule.model_validate(
        {
            "id": rule_id,
            "label": "ID",
            "categories": categories,
            "period": period,
            "clock": "collection",
        }
    )


def test_staff_digest_of_due_soon_and_overdue_once_a_day(
    make_workflow: Make, mailbox: Mailbox, clock: FakeClock
) -> None:
    workflow = make_workflow(staff_email="dpo@example.jp")
    first = submit_and_verify(workflow, mailbox)
    clock.advance(days=2)
    second = submit_and_verify(workflow, mailbox, kind="erasure")
    assert not workflow.remind()
    clock.advance(days=12, hours=1)
    assert workflow.remind()
    digest = Mailbox.body(mailbox.last("dpo@example.jp"))
    overdue, _, soon = digest.partition("期限間近")
    assert workflow.status(first)["reference"] in overdue
    assert workflow.status(second)["reference"] in soon
    assert not workflow.remind()
    clock.advance(days=1, minutes=1)
    assert workflow.remind()


def test_allin_studio_fee_procedure_and_withheld_history(
    make_workflow: Make, mailbox: Mailbox
) -> None:
    from store.kit import EXAMPLES

    from policykeeper.policy import load_policy

    workflow = make_workflow(load_policy(EXAMPLES / "allin-studio"))
    token = submit_and_verify(workflow, mailbox, language="ja")
    status = workflow.status(token)
    request_id = status["reference"]
    assert status["fee"] == {"status": "due", "amount": 1000, "currency": "JPY"}
    workflow.record_fee(request_id, "staff:alice", amount=1000, waived=False)
    workflow.decide(request_id, "staff:alice", approve=True)
    withheld = workflow.get(request_id).decision["withhold"]
    assert withheld and all(workflow.policy.category(k).history_information for k in withheld)
    with pytest.raises(Invalid, match="ground: must be one of"):
        workflow.submit(
            NewRequest(
                kind="rectification",
                email=PERSON,
                details={"changes": {"a": "b"}, "ground": "boredom"},
            ),
            IP,
        )


def test_audiostock_charges_the_actual_cost_staff_record(
    make_workflow: Make, mailbox: Mailbox
) -> None:
    from store.kit import EXAMPLES

    from policykeeper.policy import load_policy

    workflow = make_workflow(load_policy(EXAMPLES / "audiostock"))
    token = submit_and_verify(workflow, mailbox, language="ja")
    request_id = workflow.status(token)["reference"]
    assert workflow.status(token)["waiting_for"] == "document_check"
    workflow.upload(token, "id_document", "form.pdf", "application/pdf", b"%PDF form")
    workflow.verify_identity(request_id, "staff:alice", True, "application form received")
    status = workflow.status(token)
    assert status["state"] == "awaiting_fee"
    assert status["fee"] == {"status": "due", "amount": None, "currency": "JPY"}
    workflow.record_fee(request_id, "staff:alice", amount=580, waived=False)
    assert workflow.status(token)["fee"]["amount"] == 580
    assert workflow.status(token)["state"] == "in_review"


def test_a_jurisdiction_can_add_a_verification_step(make_workflow: Make, mailbox: Mailbox) -> None:
    policy = with_right(
        with_jurisdictions(ainema_policy(), "appi", "ccpa"),
        "access",
        by_jurisdiction={"ccpa": {"verification": ["two_data_points"]}},
    )
    workflow = make_workflow(policy)
    japan = submit_and_verify(workflow, mailbox, jurisdictions=["appi"])
    california = submit_and_verify(workflow, mailbox, jurisdictions=["ccpa"])
    assert workflow.status(japan)["state"] == "in_review"
    assert workflow.status(california)["waiting_for"] == "document_check"
