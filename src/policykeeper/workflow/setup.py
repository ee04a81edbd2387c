"""Opening a project's workflow: migrate the store, read the declaration, load the secret key.

The `Keeper` (policykeeper.keeper) is the usual way in; these open one part on its own, with
the defaults of an empty `Config` for what is not given.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from policykeeper.config import Config
from policykeeper.policy.loading import load_policy
from policykeeper.store import Store, default_url, migrate
from policykeeper.store.database import STATE_DIR
from policykeeper.workflow.audit import ensure_keyed, load_audit_key
from policykeeper.workflow.mail import Mailer, SmtpMailer
from policykeeper.workflow.service import Workflow, utcnow
from policykeeper.workflow.settings import WorkflowSettings
from policykeeper.workflow.staff import StaffDirectory
from policykeeper.workflow.tokens import Secrets, load_secret_key


def open_workflow(
    project_dir: Path | str,
    *,
    database_url: str | None = None,
    mailer: Mailer | None = None,
    settings: WorkflowSettings | None = None,
    clock: Callable[[], datetime] = utcnow,
    secret_key: bytes | None = None,
    audit_key: bytes | None = None,
) -> Workflow:
    """`audit_key` keys the audit log (default: the key file in the project's state folder,
    created on first use); an old log is re-keyed here, before anything else is written."""
    project = Path(project_dir)
    policy = load_policy(project)
    url = database_url or default_url(project)
    migrate(url)
    store = Store(url, audit_key=audit_key or load_audit_key(project / STATE_DIR))
    ensure_keyed(store)
    return Workflow(
        store,
        policy,
        secrets=Secrets(secret_key or load_secret_key(project / STATE_DIR)),
        mailer=mailer or SmtpMailer.from_config(Config()),
        settings=settings or WorkflowSettings(),
        clock=clock,
        project_dir=project,
    )


def open_staff(
    project_dir: Path | str,
    *,
    database_url: str | None = None,
    secret_key: bytes | None = None,
    audit_key: bytes | None = None,
) -> StaffDirectory:
    """The project's staff accounts, for the command line (the app makes its own)."""
    project = Path(project_dir)
    url = database_url or default_url(project)
    migrate(url)
    store = Store(url, audit_key=audit_key or load_audit_key(project / STATE_DIR))
    ensure_keyed(store)
    keys = Secrets(secret_key or load_secret_key(project / STATE_DIR))
    return StaffDirectory(store, utcnow, WorkflowSettings(), keys)
