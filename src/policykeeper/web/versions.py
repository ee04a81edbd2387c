"""Policy versions in the console: each version with what changed, whether it is material, and
its notice mailing's progress (viewer reads, handler resumes a mailing, admin publishes).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from policykeeper.lifecycle.versions import declared, in_force, list_versions, publish_project
from policykeeper.records.mailings import get_mailing, resume
from policykeeper.store.lifecycle_models import PolicyVersion
from policykeeper.web.admin import signed_in
from policykeeper.web.duties import staff_action
from policykeeper.web.duty_text import done, duty_messages, duty_page
from policykeeper.web.published import entry
from policykeeper.web.security import text_field
from policykeeper.web.views import language, texts, workflow_of
from policykeeper.workflow.errors import Invalid, NotFound
from policykeeper.workflow.service import Workflow
from policykeeper.workflow.staff import Role

router = APIRouter(include_in_schema=False)


@router.get("/admin/versions")
def versions_page(request: Request) -> Response:
    member = signed_in(request)
    flow = workflow_of(request)
    lang = language(request)
    now = flow.clock()
    current = in_force(flow.store, now)
    rows = []
    for version in reversed(list_versions(flow.store)):
        row = entry(version, None, current, lang)
        row["material"] = version.material
        row["changes_count"] = len(version.changes)
        row["mailing"] = _mailing(flow, version)
        rows.append(row)
    return duty_page(
        request,
        "duties/versions.html",
        {
            "member": member,
            "rows": rows,
            "today": now.date().isoformat(),
            "flashes": [texts(request, lang, of=duty_messages)("versions.published")]
            if request.query_params.get("done")
            else [],
        },
        lang=lang,
    )


@router.get("/admin/versions/{number}")
def version_page(number: int, request: Request) -> Response:
    member = signed_in(request)
    flow = workflow_of(request)
    lang = language(request)
    versions = {v.number: v for v in list_versions(flow.store)}
    version = versions.get(number)
    if version is None:
        raise NotFound("no such version")
    older = request.query_params.get("from", "")
    base = versions.get(int(older)) if older.isdigit() else None
    if older and base is None:
        raise NotFound("no such version")
    if base is None and version.previous is not None:
        base = versions.get(version.previous)
    shown = entry(version, base, in_force(flow.store, flow.clock()), lang)
    policy = declared(version)
    return duty_page(
        request,
        "duties/version.html",
        {
            "member": member,
            "version": version,
            "entry": shown,
            "others": [n for n in versions if n != number],
            "mailing": _mailing(flow, version),
            "reconsent": [
                p.label.get(lang) for key in version.reconsent if (p := policy.purpose(key))
            ],
            "can_act": member.role in (Role.handler, Role.admin),
            "flashes": [texts(request, lang, of=duty_messages)("versions.resumed")]
            if request.query_params.get("done")
            else [],
        },
        lang=lang,
    )


@router.post("/admin/versions")
async def publish_now(request: Request) -> Response:
    """Publish policy.yaml as it is on disk now (admins only), as `policykeeper publish` does."""
    flow, form, member = await staff_action(request, Role.admin)
    if flow.project_dir is None:
        raise Invalid("the server has no project directory to publish from")
    try:
        effective = date.fromisoformat(text_field(form, "effective", 10))
    except ValueError:
        raise Invalid("give the effective date as YYYY-MM-DD") from None
    await run_in_threadpool(
        publish_project,
        flow.project_dir,
        flow.store,
        effective,
        now=flow.clock(),
        actor=member.actor,
        base_url=flow.settings.base_url,
    )
    return done("/admin/versions")


@router.post("/admin/versions/{number}/resume")
async def resume_notice(number: int, request: Request) -> Response:
    flow, _form, member = await staff_action(request)
    versions = {v.number: v for v in list_versions(flow.store)}
    version = versions.get(number)
    if version is None or version.mailing_id is None:
        raise NotFound("this version has no notice mailing")
    await run_in_threadpool(resume, flow.store, version.mailing_id, flow.clock(), member.actor)
    return done(f"/admin/versions/{number}")


def _mailing(flow: Workflow, version: PolicyVersion) -> dict[str, Any] | None:
    if version.mailing_id is None:
        return None
    mailing = get_mailing(flow.store, version.mailing_id)
    return {
        "state": mailing.state,
        "sent": mailing.sent,
        "failed": mailing.failed,
        "total": mailing.total,
        "skipped": mailing.skipped,
        "error": mailing.last_error,
    }
