"""Hypothesis drives the real workflow with random person and staff actions on a real store:
every request stays in a state the lifecycle allows, refused actions change nothing, and the
audit chain always verifies."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from store.kit import Mailbox, ainema_policy, code_in, with_right

from policykeeper.errors import PolicyKeeperError
from policykeeper.policy.types import Duration
from policykeeper.store.models import AuditEntry
from policykeeper.workflow import audit
from policykeeper.workflow.service import NewRequest, Workflow
from policykeeper.workflow.states import TERMINAL, TRANSITIONS, State

KINDS = ["access", "erasure", "rectification"]


def test_random_actions_keep_every_request_consistent(
    make_workflow: Callable[..., Workflow], mailbox: Mailbox
) -> None:
    policy = with_right(
        ainema_policy(),
        "access",
        fee={"kind": "fixed", "amount": 1000},
        refusal_grounds=[{"id": "manifestly_unfounded", "label": "Manifestly unfounded"}],
        deadline={"period": "2 weeks", "extension": "2 weeks"},
    )
    workflow = make_workflow(policy, codes_per_address=10_000, codes_per_ip=10_000)
    counter = iter(range(1_000_000))

    class Requests(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.tokens: list[str] = []
            self.last: dict[str, State] = {}

        def _pick(self, index: int) -> tuple[str, str] | None:
            if not self.tokens:
                return None
            token = self.tokens[index % len(self.tokens)]
            return token, token.partition(".")[0]

        def _attempt(self, index: int, action: Callable[[str, str], object]) -> None:
            picked = self._pick(index)
            if picked is None:
                return
            token, request_id = picked
            before = State(workflow.get(request_id).state)
            entries = self._entries()
            try:
                action(token, request_id)
            except PolicyKeeperError:
                assert workflow.get(request_id).state == before.value
                assert self._entries() == entries
                return
            after = State(workflow.get(request_id).state)
            assert after == before or after in TRANSITIONS[before], (before, after)

        def _entries(self) -> int:
            with workflow.store.transaction() as session:
                return session.execute(
                    sa.select(sa.func.count()).select_from(AuditEntry)
                ).scalar_one()

        @rule(kind=st.sampled_from(KINDS))
        def submit(self, kind: str) -> None:
            email = f"p{next(counter)}@example.jp"
            details = {"changes": {"users.display_name": "X"}} if kind == "rectification" else {}
            submitted = workflow.submit(
                NewRequest(kind=kind, email=email, details=details), "192.0.2.1"
            )
            self.tokens.append(submitted.status_token)
            assert workflow.get(submitted.request_id).state == State.verifying.value

        @rule(index=st.integers(0, 50), right_code=st.booleans())
        def verify(self, index: int, right_code: bool) -> None:
            def act(token: str, request_id: str) -> None:
                code, _ = code_in(mailbox, workflow.get(request_id).email)
                workflow.verify_code(token, code if right_code else "999999", "192.0.2.1")

            self._attempt(index, act)

        @rule(index=st.integers(0, 50), waive=st.booleans())
        def fee(self, index: int, waive: bool) -> None:
            self._attempt(
                index,
                lambda _t, rid: workflow.record_fee(
                    rid, "staff:h", amount=None if waive else 1000, waived=waive
                ),
            )

        @rule(
            index=st.integers(0, 50),
            approve=st.booleans(),
            ground=st.sampled_from([None, "manifestly_unfounded", "made_up"]),
        )
        def decide(self, index: int, approve: bool, ground: str | None) -> None:
            self._attempt(
                index,
                lambda _t, rid: workflow.decide(rid, "staff:h", approve=approve, ground=ground),
            )

        @rule(index=st.integers(0, 50), days=st.integers(1, 30))
        def extend(self, index: int, days: int) -> None:
            self._attempt(
                index,
                lambda _t, rid: workflow.extend(rid, "staff:h", Duration(days, "day"), "load"),
            )

        @rule(index=st.integers(0, 50))
        def withdraw(self, index: int) -> None:
            self._attempt(index, lambda token, _rid: workflow.withdraw(token))

        @invariant()
        def consistent(self) -> None:
            for token in self.tokens:
                row = workflow.get(token.partition(".")[0])
                state = State(row.state)
                previous = self.last.get(row.id)
                if previous in TERMINAL:
                    assert state == previous
                assert row.due_at <= row.max_due_at
                if state in TERMINAL and state != State.completed:
                    assert row.closed_at is not None
                self.last[row.id] = state
            with workflow.store.transaction() as session:
                assert audit.verify_chain(session).ok

    Requests.TestCase.settings = settings(
        max_examples=10,
        stateful_step_count=10,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    run_state_machine_as_test(Requests, settings=Requests.TestCase.settings)
