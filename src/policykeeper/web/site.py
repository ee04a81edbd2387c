"""Mount the privacy center and the admin console on an app: routers, static files, security
headers and friendly HTML error pages (the JSON API under /api keeps its JSON errors).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from policykeeper.errors import PolicyKeeperError
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
from policykeeper.web.security import BodyLimit, FormRejected, SecurityHeaders
from policykeeper.web.views import error_page
from policykeeper.workflow.errors import WorkflowError
from policykeeper.workflow.states import IllegalTransition

STATIC = Path(__file__).resolve().parent / "static"
Handler = Callable[[Request, Exception], Awaitable[Response] | Response]
_KINDS = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method"}
_KINDS |= {409: "conflict", 410: "expired", 413: "too_large", 415: "unsupported"}
_KINDS |= {422: "invalid", 429: "rate_limited"}


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
    _install_errors(app)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def _home(request: Request) -> str:
    return "/admin" if request.url.path.startswith("/admin") else "/"


def _install_errors(app: FastAPI) -> None:
    previous: dict[type[Exception], Handler] = {
        kind: app.exception_handlers[kind]
        for kind in (
            HTTPException,
            WorkflowError,
            IllegalTransition,
            PolicyKeeperError,
            RequestValidationError,
        )
        if kind in app.exception_handlers
    }

    async def delegate(kind: type[Exception], request: Request, exc: Exception) -> Response:
        handler = previous.get(kind)
        if handler is None:
            return JSONResponse({"error": "error", "message": str(exc)}, status_code=500)
        result = handler(request, exc)
        return await result if isinstance(result, Awaitable) else result

    @app.exception_handler(FormRejected)
    async def rejected(request: Request, exc: FormRejected) -> Response:
        return error_page(request, exc.status, exc.reason, home=_home(request))

    @app.exception_handler(HTTPException)
    async def http(request: Request, exc: HTTPException) -> Response:
        if _is_api(request):
            return await delegate(HTTPException, request, exc)
        kind = _KINDS.get(exc.status_code, "server")
        return error_page(request, exc.status_code, kind, home=_home(request))

    @app.exception_handler(WorkflowError)
    async def workflow(request: Request, exc: WorkflowError) -> Response:
        if _is_api(request):
            return await delegate(WorkflowError, request, exc)
        return error_page(
            request, exc.status, _KINDS.get(exc.status, "invalid"), home=_home(request)
        )

    @app.exception_handler(IllegalTransition)
    async def illegal(request: Request, exc: IllegalTransition) -> Response:
        if _is_api(request):
            return await delegate(IllegalTransition, request, exc)
        return error_page(request, 409, "conflict", home=_home(request))

    @app.exception_handler(PolicyKeeperError)
    async def other(request: Request, exc: PolicyKeeperError) -> Response:
        if _is_api(request):
            return await delegate(PolicyKeeperError, request, exc)
        return error_page(request, 422, "invalid", home=_home(request))

    @app.exception_handler(admin.NotSignedIn)
    async def not_signed_in(request: Request, exc: admin.NotSignedIn) -> Response:
        return admin.not_signed_in(request)

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return await delegate(RequestValidationError, request, exc)
        return error_page(request, 422, "invalid", home=_home(request))

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        if _is_api(request):
            return JSONResponse(
                {"error": "server_error", "message": "something went wrong"}, status_code=500
            )
        return error_page(request, 500, "server", home=_home(request))
