"""Probes for orchestrators, and what people get while the database is away.

`/healthz` answers while the process lives; `/readyz` answers 200 only when the database can
be reached and this process's worker beat recently (the Keeper's readiness). A request that
fails because the database cannot be reached gets 503 with Retry-After, as a page or JSON,
saying that nothing was recorded, never the 500 "something went wrong".
"""

from __future__ import annotations

import psycopg
import sqlalchemy as sa
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from policykeeper.store.database import DatabaseUnavailable, connection_lost
from policykeeper.web.views import error_page

RETRY_AFTER_SECONDS = 5
router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "alive"}, headers={"Cache-Control": "no-store"})


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    state = await run_in_threadpool(request.app.state.keeper.readiness)
    body = {
        "status": "ready" if state.ready else "not ready",
        "database": "reachable" if state.database else "unreachable",
        "worker": state.worker,
    }
    headers = {"Cache-Control": "no-store"}
    if not state.ready:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return JSONResponse(body, status_code=200 if state.ready else 503, headers=headers)


def unavailable(request: Request) -> Response:
    """503 with Retry-After: a page for people, JSON under /api."""
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if request.url.path == "/api" or request.url.path.startswith("/api/"):
        return JSONResponse(
            {
                "error": "unavailable",
                "message": "the database is unavailable for a moment; nothing was recorded."
                f" Try again in {RETRY_AFTER_SECONDS} seconds.",
            },
            status_code=503,
            headers=headers,
        )
    home = "/admin" if request.url.path.startswith("/admin") else "/"
    return error_page(request, 503, "unavailable", home=home, headers=headers)


def install_health(app: FastAPI) -> None:
    """The probes, and 503 for every request the database's absence stopped."""
    app.include_router(router)
    crashed = app.exception_handlers.get(Exception)

    @app.exception_handler(sa.exc.SQLAlchemyError)
    @app.exception_handler(psycopg.Error)
    async def database(request: Request, exc: Exception) -> Response:
        if connection_lost(exc):
            return unavailable(request)
        if crashed is None:
            raise exc
        return await crashed(request, exc)  # type: ignore[no-any-return]

    @app.exception_handler(DatabaseUnavailable)
    async def away(request: Request, exc: DatabaseUnavailable) -> Response:
        return unavailable(request)
