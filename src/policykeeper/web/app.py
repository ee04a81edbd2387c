"""The FastAPI application: the JSON API under /api, more routers (pages, console) to come.

`create_app` migrates the store, loads the declaration and, by default, runs the in-process
worker beside the server for the lifetime of the app.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI

from policykeeper.policy.loading import load_policy
from policykeeper.store import Store, default_url, migrate
from policykeeper.store.database import STATE_DIR
from policykeeper.web import api
from policykeeper.web.errors import install_error_handlers
from policykeeper.workflow.mail import Mailer, SmtpMailer
from policykeeper.workflow.service import Workflow, utcnow
from policykeeper.workflow.settings import WorkflowSettings
from policykeeper.workflow.staff import StaffDirectory
from policykeeper.workflow.tokens import Secrets, load_secret_key


def create_app(
    project_dir: Path | str,
    *,
    database_url: str | None = None,
    mailer: Mailer | None = None,
    settings: WorkflowSettings | None = None,
    clock: Callable[[], datetime] = utcnow,
    secret_key: bytes | None = None,
    run_worker: bool = True,
) -> FastAPI:
    project = Path(project_dir)
    url = database_url or default_url(project)
    migrate(url)
    store = Store(url)
    workflow = Workflow(
        store,
        load_policy(project),
        secrets=Secrets(secret_key or load_secret_key(project / STATE_DIR)),
        mailer=mailer or SmtpMailer.from_environment(),
        settings=settings,
        clock=clock,
        project_dir=project,
    )
    staff = StaffDirectory(store, clock, workflow.settings.session_ttl)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        thread = None
        if run_worker:
            from policykeeper.jobs.runner import start_worker

            thread = start_worker(workflow, stop)
        try:
            yield
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=30)
            store.dispose()

    app = FastAPI(
        title="PolicyKeeper",
        summary="Privacy requests: submit, verify, follow; staff review, decide and execute.",
        version="1",
        lifespan=lifespan,
    )
    app.state.workflow = workflow
    app.state.staff = staff
    install_error_handlers(app)
    app.include_router(api.router)
    return app
