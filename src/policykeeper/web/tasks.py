"""The console's page for a request's places left: tasks for recipients without an API (the
ready-to-send message, the due date, a form to record the answer with evidence, or to waive
with a reason) and processor calls being retried (retry now, or waive)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from policykeeper.web.admin import signed_in
from policykeeper.web.files import attachment
from policykeeper.web.security import read_form, text_field
from policykeeper.web.views import error_page, language, page, texts, workflow_of, zone_of
from policykeeper.workflow import tasks
from policykeeper.workflow.errors import Invalid, NotFound
from policykeeper.workflow.staff import Role

router = APIRouter(prefix="/admin/requests/{request_id}/tasks", include_in_schema=False)


@router.get("")
def task_list(request_id: str, request: Request) -> Response:
    member = signed_in(request)
    flow = workflow_of(request)
    lang = language(request)
    t = texts(request, lang)
    try:
        row = flow.get(request_id)
    except NotFound:
        return error_page(request, 404, "not_found", home="/admin")
    zone = zone_of(flow, row.jurisdictions[0] if row.jurisdictions else None)
    views = tasks.list_tasks(flow, request_id)
    return page(
        request,
        "admin/tasks.html",
        {
            "member": member,
            "row": row,
            "reference": flow.reference(row),
            "state_label": t(f"staff_state.{row.state}"),
            "views": views,
            "when": lambda moment: t.when(moment, zone) if moment else "",
            "can_act": member.role in (Role.handler, Role.admin),
            "flashes": [t("admin.done")] if request.query_params.get("done") else [],
        },
        lang=lang,
    )


def _back(request_id: str) -> RedirectResponse:
    return RedirectResponse(f"/admin/requests/{request_id}/tasks?done=1", status_code=303)


@router.post("/{task_id}/close")
async def close(request_id: str, task_id: str, request: Request) -> Response:
    member = signed_in(request, Role.handler)
    flow = workflow_of(request)
    form = await read_form(request, flow.secrets, tasks.EVIDENCE_MAX_BYTES + 64 * 1024)
    outcome = text_field(form, "outcome", 10)
    if outcome not in ("done", "waive"):
        raise Invalid("choose done or waive")
    evidence = None
    file = form.get("file")
    if file is not None and not isinstance(file, str) and file.filename:
        content = await file.read(tasks.EVIDENCE_MAX_BYTES + 1)
        evidence = (file.filename, file.content_type or "application/octet-stream", content)
    await run_in_threadpool(
        tasks.close_task,
        flow,
        request_id,
        task_id,
        member.actor,
        waive=outcome == "waive",
        text=text_field(form, "text", 4000),
        evidence=evidence,
    )
    return _back(request_id)


@router.post("/{task_id}/retry")
async def retry(request_id: str, task_id: str, request: Request) -> Response:
    member = signed_in(request, Role.handler)
    flow = workflow_of(request)
    await read_form(request, flow.secrets)
    await run_in_threadpool(tasks.retry_now, flow, request_id, task_id, member.actor)
    return _back(request_id)


@router.get("/evidence/{evidence_id}")
def evidence(request_id: str, evidence_id: str, request: Request) -> Response:
    signed_in(request, Role.handler)
    item = tasks.evidence_file(workflow_of(request), request_id, evidence_id)
    return attachment(item.content, item.filename, item.content_type)
