"""Every error the API returns is JSON: {"error": code, "message": text}, with its status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from policykeeper.errors import PolicyKeeperError
from policykeeper.workflow.audit import AuditKeyError
from policykeeper.workflow.errors import WorkflowError
from policykeeper.workflow.states import IllegalTransition


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(WorkflowError)
    async def workflow_error(_request: Request, exc: WorkflowError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return _json(exc.status, exc.code, str(exc), headers)

    @app.exception_handler(IllegalTransition)
    async def illegal(_request: Request, exc: IllegalTransition) -> JSONResponse:
        return _json(409, "illegal_transition", str(exc))

    @app.exception_handler(AuditKeyError)
    async def audit_key(_request: Request, exc: AuditKeyError) -> JSONResponse:
        # The operator's problem, logged for them; the caller learns nothing of the store.
        logging.getLogger(__name__).error("audit log refused a write: %s", exc)
        return _json(503, "unavailable", "the service cannot record this now; try again later")

    @app.exception_handler(PolicyKeeperError)
    async def other(_request: Request, exc: PolicyKeeperError) -> JSONResponse:
        return _json(422, "invalid", str(exc))

    @app.exception_handler(RequestValidationError)
    async def malformed(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(p) for p in error['loc'] if p != 'body')}: {error['msg']}"
            for error in exc.errors()
        ]
        return _json(422, "malformed", "; ".join(problems) or "malformed request")

    @app.exception_handler(HTTPException)
    async def http(_request: Request, exc: HTTPException) -> JSONResponse:
        return _json(exc.status_code, "http_error", str(exc.detail))


def _json(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)
