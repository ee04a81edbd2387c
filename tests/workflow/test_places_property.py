"""Hypothesis drives erasures that wait for recipients (Digico, PayPay) through the real
workflow, worker and engine: every move is one the lifecycle allows, a request is partially
complete exactly while a task is open and complete once none is, refused actions change
nothing, and the audit chain always verifies."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from store.kit import AINEMA, FakeClock, Mailbox, code_in, drain, quick_settings

from policykeeper.errors import PolicyKeeperError
from policykeeper.examples.generation import generate
from policykeeper.policy import load_policy
from policykeeper.policy.types import Duration
from policykeeper.store import Store
from policykeeper.store.models import AuditEntry
from policykeeper.workflow import audit, tasks
from policykeeper.workflow.mail import SmtpMailer
from policykeeper.workflow.service import NewRequest, Workflow
from policykeeper.workflow.states import TERMINAL, TRANSITIONS, State
from policykeeper.workflow.tokens import Secrets

WAITING = (
    "SELECT email FROM users WHERE id IN"
    " (SELECT user_id FROM coin_ledger WHERE payment_method = 'paypay') ORDER BY id"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, list[str]]]:
    directory = tmp_path / "ainema"
    shutil.copytree(AINEMA, directory, ignore=shutil.ignore_patterns("*.sqlite3", ".policykeeper"))
    url = f"sqlite:///{tmp_path / 'service.sqlite3'}"
    generate("ainema", url, 160, progress=False)
    monkeypatch.setenv("AINEMA_DATABASE_URL", url)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        emails = list(connection.execute(sa.text(WAITING)).scalars())
    engine.dispose()
    yield directory, emails


def test_random_staff_actions_keep_partial_completion_honest(
    project: tuple[Path, list[str]],
    store: Store,
    mailer: SmtpMailer,
    mailbox: Mailbox,
    clock: FakeClock,
) -> None:
    directory, emails = project
    workflow = Workflow(
        store,
        load_policy(directory),
        secrets=Secrets(b"test-secret-key-0123456789abcdef"),
        mailer=mailer,
        settings=quick_settings(codes_per_address=10_000, codes_per_ip=10_000),
        clock=clock,
        project_dir=directory,
    )
    people = iter(emails)

    class Requests(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.ids: list[str] = []
            self.tokens: dict[str, str] = {}
            self.last: dict[str, State] = {}

        def _entries(self) -> int:
            with workflow.store.transaction() as session:
                return session.execute(
                    sa.select(sa.func.count()).select_from(AuditEntry)
                ).scalar_one()

        def _attempt(self, index: int, action: Callable[[str], object]) -> None:
            if not self.ids:
                return
            request_id = self.ids[index % len(self.ids)]
            before, entries = State(workflow.get(request_id).state), self._entries()
            try:
                action(request_id)
            except PolicyKeeperError:
                assert workflow.get(request_id).state == before.value
                assert self._entries() == entries, "a refused action leaves no trace"
                return
            after = State(workflow.get(request_id).state)
            assert after == before or after in TRANSITIONS[before], (before, after)

        @rule()
        def approved_erasure(self) -> None:
            email = next(people)
            submitted = workflow.submit(NewRequest(kind="erasure", email=email), "192.0.2.1")
            code, _ = code_in(mailbox, email)
            workflow.verify_code(submitted.status_token, code, "192.0.2.1")
            workflow.decide(submitted.request_id, "staff:h", approve=True)
            self.ids.append(submitted.request_id)
            self.tokens[submitted.request_id] = submitted.status_token

        @rule()
        def worker(self) -> None:
            drain(workflow)

        @rule(
            index=st.integers(0, 50),
            which=st.integers(0, 3),
            waive=st.booleans(),
            text=st.sampled_from(["", "confirmed by email", "no data held there"]),
        )
        def close(self, index: int, which: int, waive: bool, text: str) -> None:
            def act(request_id: str) -> None:
                views = tasks.list_tasks(workflow, request_id)
                if not views:
                    raise tasks.NotFound("no task")
                task = views[which % len(views)].task
                tasks.close_task(workflow, request_id, task.id, "staff:h", waive=waive, text=text)

            self._attempt(index, act)

        @rule(index=st.integers(0, 50))
        def retry_a_manual_task(self, index: int) -> None:
            def act(request_id: str) -> None:
                views = tasks.list_tasks(workflow, request_id)
                task_id = views[0].task.id if views else "none"
                tasks.retry_now(workflow, request_id, task_id, "staff:h")

            self._attempt(index, act)

        @rule(index=st.integers(0, 50))
        def withdraw(self, index: int) -> None:
            self._attempt(index, lambda rid: workflow.withdraw(self.tokens[rid]))

        @rule(index=st.integers(0, 50), days=st.integers(1, 30))
        def extend(self, index: int, days: int) -> None:
            self._attempt(
                index, lambda rid: workflow.extend(rid, "staff:h", Duration(days, "day"), "slow")
            )

        @invariant()
        def consistent(self) -> None:
            for request_id in self.ids:
                row = workflow.get(request_id)
                state = State(row.state)
                if self.last.get(request_id) in TERMINAL:
                    assert state == self.last[request_id]
                open_tasks = [
                    v for v in tasks.list_tasks(workflow, request_id) if v.task.state == "open"
                ]
                if state is State.partially_complete:
                    assert open_tasks, "partially complete means something is left"
                if state is State.completed:
                    assert not open_tasks, "complete means nothing is left"
                    assert row.closed_at is not None
                self.last[request_id] = state
            with workflow.store.transaction() as session:
                assert audit.verify_chain(session).ok

    Requests.TestCase.settings = settings(
        max_examples=6,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    run_state_machine_as_test(Requests, settings=Requests.TestCase.settings)
