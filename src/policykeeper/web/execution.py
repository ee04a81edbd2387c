"""'Execute now' for staff, made safe to press twice: when the worker has already taken the
job (or finished it), the answer is the request's state rather than an error."""

from __future__ import annotations

import sqlalchemy as sa

from policykeeper.job_handlers import JOB_HANDLERS
from policykeeper.jobs.worker import run_execution_now
from policykeeper.store.models import Job
from policykeeper.store.models import Request as RequestRow
from policykeeper.workflow.errors import Conflict
from policykeeper.workflow.service import Workflow
from policykeeper.workflow.states import State


def execute_now(flow: Workflow, request_id: str) -> tuple[RequestRow, bool]:
    """Run the approved request's execution here; (the request, whether it ran here). A
    request the worker is executing or has completed is returned as it is; any other state
    (nothing approved) is still a conflict."""
    try:
        run_execution_now(flow, JOB_HANDLERS, request_id)
    except Conflict:
        row = flow.get(request_id)
        if row.state in (State.executing, State.partially_complete, State.completed):
            return row, False
        raise
    return flow.get(request_id), True


def execution_queued(flow: Workflow, request_id: str) -> bool:
    """Whether the request's execution waits for the worker (so 'execute now' can take it);
    false while the worker runs it and after it ran, when the button is not offered."""
    with flow.store.transaction() as session:
        return (
            session.execute(
                sa.select(Job.id).where(
                    Job.request_id == request_id, Job.kind == "execute", Job.state == "queued"
                )
            ).first()
            is not None
        )
