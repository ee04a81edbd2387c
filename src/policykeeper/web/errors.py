"""The web's one error handler: every error becomes JSON ({"error": code, "message": text})
under /api and a friendly page in the reader's language elsewhere, with the status
`policykeeper.errors` maps it to; never a traceback. (A console page reached without a
session is no error: `web.site` sends the browser to sign in.)
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from policykeeper.errors import PolicyKeeperError
from policykeeper.web.security import FormRejected
from policykeeper.web.views import error_page
from policykeeper.workflow.audit import AuditKeyError

_PAGES = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method"}
_PAGES |= {409: "conflict", 410: "expired", 413: "too_large", 415: "unsupported"}
_PAGES |= {422: "invalid", 429: "rate_limited"}
"""The page for an error the framework raises with only a status (an unknown route, ...)."""


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error of the app, the API's and the pages', through `error_response`."""

    @app.exception_handler(AuditKeyError)
    async def audit_key(request: Request, exc: AuditKeyError) -> Response:
        # The operator's problem, logged for them; the caller learns nothing of the store.
        logging.getLogger(__name__).error("audit log refused a write: %s", exc)
        message = "the service cannot record this now; try again later"
        return error_response(request, 503, "unavailable", message, "server")

    @app.exception_handler(PolicyKeeperError)
    async def domain(request: Request, exc: PolicyKeeperError) -> Response:
        return domain_error(request, exc)

    @app.exception_handler(FormRejected)
    async def rejected(request: Request, exc: FormRejected) -> Response:
        return error_response(request, exc.status, exc.reason, str(exc), exc.reason)

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            f"{'.'.join(str(p) for p in error['loc'] if p != 'body')}: {error['msg']}"
            for error in exc.errors()
        ]
        message = "; ".join(problems) or "malformed request"
        return error_response(request, 422, "malformed", message, "invalid")

    @app.exception_handler(HTTPException)
    async def http(request: Request, exc: HTTPException) -> Response:
        page = _PAGES.get(exc.status_code, "server")
        return error_response(request, exc.status_code, "http_error", str(exc.detail), page)

    @app.exception_handler(Exception)
    async def crashed(request: Request, _exc: Exception) -> Response:
        return error_response(request, 500, "server_error", "something went wrong", "server")


def domain_error(request: Request, exc: PolicyKeeperError, home: str | None = None) -> Response:
    """A PolicyKeeper error as its mapping says; `home` is where the page's link goes back to."""
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 and is_api(request) else None
    return error_response(request, exc.status, exc.code, str(exc), exc.page, headers, home)


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    page: str,
    headers: dict[str, str] | None = None,
    home: str | None = None,
) -> Response:
    """JSON for the API, a page for a browser: the one place that chooses."""
    if is_api(request):
        return JSONResponse(
            {"error": code, "message": message}, status_code=status, headers=headers
        )
    return error_page(request, status, page, home=home or _home(request), headers=headers)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def _home(request: Request) -> str:
    return "/admin" if request.url.path.startswith("/admin") else "/"
