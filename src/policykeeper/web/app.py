"""The FastAPI application: the JSON API under /api, more routers (pages, console) to come.

`create_app` builds a Keeper (which migrates the store and loads the declaration) and, by
default, runs the in-process worker beside the server for the lifetime of the app.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI

from policykeeper.config import Config
from policykeeper.keeper import Keeper
from policykeeper.web import api, consent, intake_api
from policykeeper.web.docs import install_docs
from policykeeper.web.errors import install_error_handlers
from policykeeper.web.health import install_health
from policykeeper.web.site import install_site
from policykeeper.workflow.mail import Mailer
from policykeeper.workflow.service import utcnow
from policykeeper.workflow.settings import WorkflowSettings


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
    """The app over a Keeper built from these arguments (`app_for` takes one already built)."""
    keeper = Keeper(
        project_dir,
        Config(database_url=database_url),
        mailer=mailer,
        settings=settings,
        clock=clock,
        secret_key=secret_key,
        audit_key=audit_key,
    )
    return app_for(keeper, run_worker=run_worker)


def app_for(keeper: Keeper, *, run_worker: bool = True) -> FastAPI:
    """The app over one Keeper (on app.state.keeper): its workflow, staff and worker."""
    workflow = keeper.workflow

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        thread = keeper.start_worker(stop) if run_worker else None
        try:
            yield
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=30)
            keeper.close()

    app = FastAPI(
        title="PolicyKeeper",
        summary="Privacy requests: submit, verify, follow; staff review, decide and execute.",
        version="1",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.keeper = keeper
    app.state.workflow = workflow
    app.state.staff = keeper.staff
    install_error_handlers(app)
    app.include_router(consent.router)
    app.include_router(api.router)
    app.include_router(intake_api.router)
    install_site(app)
    install_health(app)
    install_docs(app)
    return app
