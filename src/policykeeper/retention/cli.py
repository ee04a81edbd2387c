"""What `policykeeper retention run` adds to the API call: the notice days."""

from __future__ import annotations

from datetime import datetime

from policykeeper.policy.types import Duration
from policykeeper.progress import Progress
from policykeeper.project import Project
from policykeeper.retention.run import RunReport, retention_run
from policykeeper.workflow.mail import Mailer


def run_command(
    project: Project,
    now: datetime | None,
    batch_size: int,
    notice_days: int | None,
    mailer: Mailer,
    progress: Progress,
) -> RunReport:
    return retention_run(
        project,
        now,
        batch_size=batch_size,
        mailer=mailer,
        notice=Duration(notice_days, "day") if notice_days else None,
        progress=progress,
    )
