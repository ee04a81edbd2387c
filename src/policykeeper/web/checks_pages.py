"""The console's promise-check pages: the latest report under the policy's headings, its
history, and each report as JSON or standalone HTML. Any signed-in staff member may read them;
nothing here runs a check or changes anything."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from policykeeper.checks.history import list_runs, load_run
from policykeeper.checks.html import render_report, report_css, report_fragment
from policykeeper.checks.text import phrases
from policykeeper.web.admin import signed_in
from policykeeper.web.files import attachment
from policykeeper.web.views import error_page, language, page, workflow_of

router = APIRouter(prefix="/admin/checks", include_in_schema=False)


@router.get("/report.css")
def stylesheet() -> Response:
    return Response(report_css(), media_type="text/css", headers={"Cache-Control": "max-age=3600"})


@router.get("")
async def latest(request: Request) -> Response:
    return await _show(request, None)


@router.get("/{run_id}")
async def one(run_id: str, request: Request) -> Response:
    return await _show(request, run_id)


@router.get("/{run_id}/report.json")
async def as_json(run_id: str, request: Request) -> Response:
    signed_in(request)
    report = await run_in_threadpool(load_run, workflow_of(request).store, run_id)
    if report is None:
        return error_page(request, 404, "not_found", home="/admin")
    body = json.dumps(report.to_json(), ensure_ascii=False, indent=2).encode()
    return attachment(body, f"promise-checks-{run_id[:8]}.json", "application/json")


@router.get("/{run_id}/report.html")
async def as_html(run_id: str, request: Request) -> Response:
    signed_in(request)
    lang = language(request)
    report = await run_in_threadpool(load_run, workflow_of(request).store, run_id)
    if report is None:
        return error_page(request, 404, "not_found", home="/admin")
    html = render_report(report, lang).encode()
    return attachment(html, f"promise-checks-{run_id[:8]}-{lang}.html", "text/html")


async def _show(request: Request, run_id: str | None) -> Response:
    member = signed_in(request)
    store = workflow_of(request).store
    lang = language(request)
    runs = await run_in_threadpool(list_runs, store, 50)
    chosen = run_id or (runs[0].id if runs else None)
    report = await run_in_threadpool(load_run, store, chosen) if chosen else None
    if run_id is not None and report is None:
        return error_page(request, 404, "not_found", home="/admin")
    p = phrases(lang)
    history = [
        {
            "id": run.id,
            "checked_at": run.checked_at.strftime("%Y-%m-%d %H:%M UTC"),
            "status": run.status,
            "mark": {"pass": "✓", "warn": "⚠", "fail": "✗"}.get(run.status, ""),
            "result": p(f"status.{run.status}"),
            "counts": p(
                "counts",
                **{k: run.counts.get(k, 0) for k in ("pass", "warn", "fail", "unavailable")},
            ),
            "site": run.site or "",
            "current": run.id == chosen,
        }
        for run in runs
    ]
    return page(
        request,
        "admin/checks.html",
        {
            "member": member,
            "p": p,
            "run_id": chosen,
            "body": report_fragment(report, lang) if report is not None else None,
            "history": history,
        },
        lang=lang,
    )
