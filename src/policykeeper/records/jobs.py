"""The worker's side of mailings: whom a mailing's audience names, and one slice per job.

Each job sends for a bounded time, then queues the next slice, so a long mailing never outlives
its job's lease and shares the worker with requests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from policykeeper.project import Project, load_project
from policykeeper.records.incidents import get_incident, people_to_tell
from policykeeper.records.mailings import (
    RETRY_AFTER,
    Progress,
    SliceResult,
    get_mailing,
    queue_slice,
    send_slice,
)
from policykeeper.records.people import Person, Skipped, account_holders
from policykeeper.store import Store
from policykeeper.store.models import Job
from policykeeper.workflow.errors import Invalid


def audience(
    project: Project, store: Store, described: dict[str, Any]
) -> Iterable[Person | Skipped]:
    """The people a mailing's audience describes, found in the service's databases now."""
    kind = described.get("kind")
    if kind == "account_holders":
        languages = [lang.value for lang in project.policy.languages.published]
        return account_holders(project, languages)
    if kind == "incident":
        return people_to_tell(project, get_incident(store, str(described["incident"])))
    raise Invalid(f"unknown audience {kind!r}")


def people_of(
    project_dir: Path | None, store: Store, mailing_id: str
) -> Callable[[], Iterable[Person | Skipped]]:
    """Read the project only when the mailing still has to collect its recipients."""

    def people() -> Iterable[Person | Skipped]:
        if project_dir is None:
            raise Invalid("the worker has no project directory to find the recipients in")
        return audience(load_project(project_dir), store, get_mailing(store, mailing_id).audience)

    return people


def mailing_job(workflow: Any, job: Job, progress: Progress | None = None) -> SliceResult:
    """The worker's handler: one slice, then the next one queued (later after mail trouble)."""
    mailing_id = str(job.payload["mailing"])
    result = send_slice(
        workflow.store,
        workflow.mailer,
        mailing_id,
        clock=workflow.clock,
        lease=workflow.settings.job_lease,
        people=people_of(workflow.project_dir, workflow.store, mailing_id),
        progress=progress,
        holder=job.id,
    )
    if result.outcome in ("more", "retry"):
        delay = RETRY_AFTER if result.outcome == "retry" else timedelta(0)
        with workflow.store.transaction() as session:
            queue_slice(session, mailing_id, workflow.clock() + delay)
    return result
