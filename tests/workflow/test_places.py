"""An erasure request reaches every place the data map names: the database, the S3 bucket, Redis,
Stripe through its connector, and Digico and PayPay by tasks for staff. The request completes
only when every task is done or waived; a processor that keeps failing leaves it partially
complete and retrying, with nothing else undone."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from places_kit import Everywhere
from ruamel.yaml import YAML
from store.kit import FakeClock, Mailbox, code_in, drain, quick_settings, with_right

from policykeeper.policy import load_policy
from policykeeper.policy.types import Duration
from policykeeper.store import Store
from policykeeper.store.models import AuditEntry, Job
from policykeeper.store.task_models import PlaceTask
from policykeeper.workflow import audit, tasks
from policykeeper.workflow.errors import Conflict, Invalid
from policykeeper.workflow.mail import SmtpMailer
from policykeeper.workflow.service import NewRequest, Workflow
from policykeeper.workflow.states import State
from policykeeper.workflow.tokens import Secrets

IP = "192.0.2.7"


def _workflow(
    everywhere: Everywhere, store: Store, mailer: SmtpMailer, clock: FakeClock
) -> Workflow:
    policy = with_right(
        load_policy(everywhere.directory),
        "erasure",
        deadline={"period": "2 weeks", "extension": "2 weeks"},
    )
    return Workflow(
        store,
        policy,
        secrets=Secrets(b"test-secret-key-0123456789abcdef"),
        mailer=mailer,
        settings=quick_settings(),
        clock=clock,
        project_dir=everywhere.directory,
    )


def _approved_erasure(workflow: Workflow, mailbox: Mailbox, email: str) -> tuple[str, str]:
    submitted = workflow.submit(NewRequest(kind="erasure", email=email, language="ja"), IP)
    code, _ = code_in(mailbox, email)
    workflow.verify_code(submitted.status_token, code, IP)
    workflow.decide(submitted.request_id, "staff:alice", approve=True)
    return submitted.request_id, submitted.status_token


def _tasks(workflow: Workflow, request_id: str) -> dict[str, PlaceTask]:
    return {view.task.place: view.task for view in tasks.list_tasks(workflow, request_id)}


def _snapshot(everywhere: Everywhere, user_id: int) -> dict[str, object]:
    creator = everywhere.column("SELECT id FROM creator_profiles WHERE user_id = :id", id=user_id)
    return {
        "avatar": everywhere.column("SELECT avatar_key FROM users WHERE id = :id", id=user_id)[0],
        "customer": everywhere.column(
            "SELECT stripe_customer_id FROM users WHERE id = :id", id=user_id
        )[0],
        "creator": creator[0],
        "paypay": bool(
            everywhere.column(
                "SELECT count(*) FROM coin_ledger WHERE user_id = :id AND payment_method = 'paypay'",
                id=user_id,
            )[0]
        ),
    }


def _reached_everywhere(everywhere: Everywhere, user_id: int, before: dict, others: dict) -> None:
    """Place by place: gone, or kept exactly as the data map declares."""
    creator = before["creator"]
    # S3: the avatar (every version) and the uploads are gone; payout statements are kept.
    remaining = everywhere.objects()
    assert not [o for o in remaining if o[0] == before["avatar"]]
    assert not [o for o in remaining if o[0].startswith(f"uploads/{creator}/")]
    assert len([o for o in remaining if o[0].startswith(f"statements/{creator}/")]) == 2
    assert set(others["objects"]) <= set(remaining), "nobody else's objects changed"
    # Redis: the sessions, counters and cached profile are gone, nobody else's.
    keys = everywhere.redis_keys()
    assert not [k for k in keys if k.startswith(f"session:{user_id}:")]
    assert f"cache:profile:{user_id}" not in keys
    assert sorted(others["keys"]) == keys
    # Stripe: the customer is deleted at the processor, the others stay.
    assert before["customer"] not in everywhere.stripe.customers
    assert set(everywhere.stripe.customers) == set(others["customers"])
    # SQL: activity deleted; transactions kept under their rule; the account masked and kept
    # because kept transactions point at it.
    assert everywhere.column("SELECT count(*) FROM sessions WHERE user_id = :id", id=user_id) == [0]
    assert everywhere.column(
        "SELECT count(*) FROM viewing_history WHERE user_id = :id", id=user_id
    ) == [0]
    assert everywhere.column("SELECT count(*) FROM payouts WHERE creator_id = :c", c=creator)[0] > 0
    email, avatar, customer = (
        everywhere.column("SELECT email FROM users WHERE id = :id", id=user_id)
        + everywhere.column("SELECT avatar_key FROM users WHERE id = :id", id=user_id)
        + everywhere.column("SELECT stripe_customer_id FROM users WHERE id = :id", id=user_id)
    )
    assert email != others["email"] and avatar is None and customer is None


def _others(everywhere: Everywhere, user_id: int, before: dict, email: str) -> dict:
    creator = before["creator"]
    return {
        "objects": [
            o
            for o in everywhere.objects()
            if o[0] != before["avatar"] and not o[0].startswith(f"uploads/{creator}/")
        ],
        "keys": [
            k
            for k in everywhere.redis_keys()
            if not k.startswith(f"session:{user_id}:")
            and k != f"cache:profile:{user_id}"
            and k != f"ratelimit:login:{email}"
        ],
        "customers": [c for c in everywhere.stripe.customers if c != before["customer"]],
        "email": email,
    }


def test_one_erasure_reaches_every_place_and_waits_for_digico(
    everywhere: Everywhere,
    store: Store,
    mailer: SmtpMailer,
    mailbox: Mailbox,
    clock: FakeClock,
) -> None:
    user_id, email = everywhere.person()
    before = _snapshot(everywhere, user_id)
    others = _others(everywhere, user_id, before, email)
    workflow = _workflow(everywhere, store, mailer, clock)
    request_id, token = _approved_erasure(workflow, mailbox, email)
    drain(workflow)

    row = workflow.get(request_id)
    assert row.state == State.partially_complete
    _reached_everywhere(everywhere, user_id, before, others)

    open_tasks = _tasks(workflow, request_id)
    assert set(open_tasks) == {"digico"} | ({"paypay"} if before["paypay"] else set())
    digico = open_tasks["digico"]
    assert digico.kind == "manual" and digico.state == "open"
    assert digico.contact == "privacy@digico.example" and digico.language == "ja"
    assert digico.subject.startswith("個人情報の削除のご依頼（")
    assert email in digico.body and "【対象となる方】" in digico.body
    assert "業務の委託に伴い" in digico.body and "メールアドレス：" in digico.body
    assert digico.due_at is not None and digico.due_at <= row.due_at
    assert clock.now + timedelta(days=4) < digico.due_at <= clock.now + timedelta(days=5)

    due = workflow.extend(request_id, "staff:alice", Duration(3, "day"), "Digico answers slowly")
    assert due > row.due_at and workflow.get(request_id).state == State.partially_complete
    view = workflow.status(token)
    assert view["state"] == "partially_complete" and view["waiting_for"] == "recipients"
    assert {
        "place": "株式会社デジタルフィンテック（デジコ）",
        "status": "awaiting_recipient",
    } in view["left"]

    with pytest.raises(Invalid):
        tasks.close_task(workflow, request_id, digico.id, "staff:alice", waive=False, text=" ")
    tasks.close_task(
        workflow,
        request_id,
        digico.id,
        "staff:alice",
        waive=False,
        text="Digico confirmed the deletion on 2026-05-02.",
        evidence=("reply.eml", "message/rfc822", b"From: dpo@digico.example\n\nDeleted."),
    )
    with pytest.raises(Conflict):
        tasks.close_task(workflow, request_id, digico.id, "staff:alice", waive=True, text="again")
    if before["paypay"]:
        assert workflow.get(request_id).state == State.partially_complete
        tasks.close_task(
            workflow,
            request_id,
            open_tasks["paypay"].id,
            "staff:alice",
            waive=True,
            text="PayPay keeps no data for coin purchases made with a one-time code.",
        )
    assert workflow.get(request_id).state == State.completed
    drain(workflow)

    done = _tasks(workflow, request_id)
    assert done["digico"].state == "done" and done["digico"].answer.startswith("Digico")
    views = {v.task.place: v for v in tasks.list_tasks(workflow, request_id)}
    assert [e.filename for e in views["digico"].evidence] == ["reply.eml"]
    with store.transaction() as session:
        actions = [
            a
            for (a,) in session.execute(
                sa.select(AuditEntry.action).where(AuditEntry.request_id == request_id)
            )
        ]
        assert audit.verify_chain(session).ok
    assert "places_pending" in actions and "task_done" in actions
    assert ("task_waived" in actions) is before["paypay"]
    assert actions[-1] == "transition" or "completed" in str(actions)

    body = Mailbox.body(mailbox.last(email))
    assert "対応の内容は次のとおりです。" in body
    assert (
        "当社のデータベース：削除しました（ただし、取引履歴は法令に基づき保存しています）" in body
    )
    assert "Amazon Web Services (AWS)：削除しました（ただし、取引履歴は" in body
    assert "Stripe, Inc.：提供先に削除を依頼し、受け付けられました" in body
    assert "株式会社デジタルフィンテック（デジコ）：提供先での対応を確認しました" in body


def test_a_processor_failing_three_times_leaves_the_request_partly_done_and_retrying(
    everywhere: Everywhere,
    store: Store,
    mailer: SmtpMailer,
    mailbox: Mailbox,
    clock: FakeClock,
) -> None:
    yaml = YAML()
    path = everywhere.directory / "datamap.yaml"
    data = yaml.load(path.read_text("utf-8"))
    data["connectors"]["stripe"]["retry"] = {"attempts": 3, "backoff_seconds": 0.05}
    with path.open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream)
    user_id, email = everywhere.person()
    before = _snapshot(everywhere, user_id)
    others = _others(everywhere, user_id, before, email)
    customer = dict(everywhere.stripe.customers[before["customer"]])
    workflow = _workflow(everywhere, store, mailer, clock)
    request_id, _token = _approved_erasure(workflow, mailbox, email)

    everywhere.stripe.fail["DELETE"] = 3
    drain(workflow)
    assert everywhere.stripe.fail["DELETE"] == 0, "three tries, three 500s"
    row = workflow.get(request_id)
    assert row.state == State.partially_complete
    stripe = _tasks(workflow, request_id)["stripe"]
    assert stripe.kind == "retry" and stripe.state == "open" and stripe.attempts == 1
    assert "HTTP 500" in (stripe.last_error or "")
    assert stripe.next_attempt_at == clock.now + timedelta(minutes=1)
    assert everywhere.stripe.customers[before["customer"]] == customer
    # Nothing else was undone or blocked: the database, S3 and Redis are erased already.
    everywhere.stripe.customers.pop(before["customer"])
    _reached_everywhere(everywhere, user_id, before, others)
    everywhere.stripe.customers[before["customer"]] = customer
    with store.transaction() as session:
        waiting = session.execute(
            sa.select(Job.run_after).where(Job.request_id == request_id, Job.kind == "retry_places")
        ).scalar_one()
    assert waiting == clock.now + timedelta(minutes=1)

    everywhere.stripe.fail["DELETE"] = 3  # still down at the second try
    clock.advance(minutes=2)
    drain(workflow)
    stripe = _tasks(workflow, request_id)["stripe"]
    assert stripe.state == "open" and stripe.attempts == 2
    assert stripe.next_attempt_at == clock.now + timedelta(minutes=2), "the wait doubles"

    tasks.retry_now(workflow, request_id, stripe.id, "staff:bob")  # no need to wait 2 minutes
    drain(workflow)  # the processor is back
    assert before["customer"] not in everywhere.stripe.customers
    assert _tasks(workflow, request_id)["stripe"].state == "done"
    for task in _tasks(workflow, request_id).values():
        if task.state == "open":
            tasks.close_task(workflow, request_id, task.id, "staff:bob", waive=False, text="done")
    assert workflow.get(request_id).state == State.completed
    assert [t.state for t in _tasks(workflow, request_id).values()].count("open") == 0
