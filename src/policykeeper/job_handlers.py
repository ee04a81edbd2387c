"""What the job worker runs: the one table that knows every kind of job.

It sits above the parts whose work it names, so the queue and the worker import none of them;
the Keeper hands this table to every worker it starts.
"""

from __future__ import annotations

from policykeeper.checks.schedule import check_job
from policykeeper.jobs.worker import Handler
from policykeeper.records.jobs import mailing_job
from policykeeper.retention.schedule import sweep_job
from policykeeper.store.models import Job
from policykeeper.workflow.execution import execute_request
from policykeeper.workflow.service import Workflow
from policykeeper.workflow.tasks import RETRY_JOB, retry_places


def _notify(workflow: Workflow, job: Job) -> None:
    workflow.send_notification(str(job.request_id), str(job.payload["event"]))


def _execute(workflow: Workflow, job: Job) -> None:
    execute_request(workflow, str(job.request_id))


def _purge(workflow: Workflow, job: Job) -> None:
    workflow.purge_uploads()


def _retention(workflow: Workflow, job: Job) -> None:
    sweep_job(workflow, job)


def _mailing(workflow: Workflow, job: Job) -> None:
    mailing_job(workflow, job)


def _retry_places(workflow: Workflow, job: Job) -> None:
    retry_places(workflow, str(job.request_id))


JOB_HANDLERS: dict[str, Handler] = {
    "notify": _notify,
    "execute": _execute,
    "purge_uploads": _purge,
    "retention_sweep": _retention,
    "promise_checks": check_job,
    "mailing": _mailing,
    RETRY_JOB: _retry_places,
}
