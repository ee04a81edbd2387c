"""Mount the privacy center and the admin console on an app: routers, static files, security
headers (errors are answered by `web.errors`, as pages here and JSON under /api).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from policykeeper.web import (
    admin,
    center,
    checks_pages,
    incidents,
    intake,
    provisions,
    published,
    tasks,
    versions,
)
from policykeeper.web.security import BodyLimit, SecurityHeaders

STATIC = Path(__file__).resolve().parent / "static"


def install_site(app: FastAPI) -> None:
    """Add the pages to an app that may already serve the JSON API."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(center.router)
    app.include_router(admin.router)
    app.include_router(checks_pages.router)
    app.include_router(published.router)
    app.include_router(versions.router)
    app.include_router(incidents.router)
    app.include_router(provisions.router)
    app.include_router(tasks.router)
    app.include_router(intake.router)
    app.add_middleware(center.BrowserLinks)
    settings = app.state.workflow.settings
    app.add_middleware(
        BodyLimit,
        limit=settings.body_max_bytes,
        upload_limit=settings.upload_max_bytes + 64 * 1024,
    )
    app.add_middleware(SecurityHeaders)
    _install_sign_in(app)


def _install_sign_in(app: FastAPI) -> None:
    """Console pages reached without a session send the browser to sign in."""

    @app.exception_handler(admin.NotSignedIn)
    async def not_signed_in(request: Request, exc: admin.NotSignedIn) -> Response:
        return admin.not_signed_in(request)
