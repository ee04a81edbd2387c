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

from policykeeper.web import api, consent, intake_api
from policykeeper.web.docs import install_docs
from policykeeper.web.errors import install_error_handlers
from policykeeper.web.site import install_site
from policykeeper.workflow.mail import Mailer
from policykeeper.workflow.service import utcnow
from policykeeper.workflow.settings import WorkflowSettings
from policykeeper.workflow.setup import open_workflow
from policykeeper.workflow.staff import StaffDirectory


def create_app(
    project_dir: Path | str,
    *,
    database_url: str | None = None,
    mailer: Mailer | None = None,
    settings: WorkflowSettings | None = None,
    clock: Callable[[], datetime] = utcnow,
    secret_key: bytes | None = None,
    audit_key: bytes | None = None,
    run_worker: bool = True,
) -> FastAPI:
    workflow = open_workflow(
        project_dir,
        database_url=database_url,
        mailer=mailer,
        settings=settings,
        clock=clock,
        secret_key=secret_key,
        audit_key=audit_key,
    )
    store = workflow.store
    staff = StaffDirectory(store, clock, workflow.settings, workflow.secrets)

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
        docs_url=None,
        redoc_url=None,
    )
    app.state.workflow = workflow
    app.state.staff = staff
    install_error_handlers(app)
    app.include_router(consent.router)
    app.include_router(api.router)
    app.include_router(intake_api.router)
    install_site(app)
    install_docs(app)
    return app
