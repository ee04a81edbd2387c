"""Opening a project's workflow: migrate the store, read the declaration, load the secret key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from policykeeper.policy.loading import load_policy
from policykeeper.store import Store, default_url, migrate
from policykeeper.store.database import STATE_DIR
from policykeeper.workflow.mail import Mailer, SmtpMailer
from policykeeper.workflow.service import Workflow, utcnow
from policykeeper.workflow.settings import WorkflowSettings
from policykeeper.workflow.tokens import Secrets, load_secret_key


def open_workflow(
    project_dir: Path | str,
    *,
    database_url: str | None = None,
    mailer: Mailer | None = None,
    settings: WorkflowSettings | None = None,
    clock: Callable[[], datetime] = utcnow,
    secret_key: bytes | None = None,
) -> Workflow:
    project = Path(project_dir)
    policy = load_policy(project)
    url = database_url or default_url(project)
    migrate(url)
    return Workflow(
        Store(url),
        policy,
        secrets=Secrets(secret_key or load_secret_key(project / STATE_DIR)),
        mailer=mailer or SmtpMailer.from_environment(),
        settings=settings or WorkflowSettings.from_environment(),
        clock=clock,
        project_dir=project,
    )
