"""The admin console: sign-in, the queue by deadline, a request's detail with the plan preview,
decisions and the audit trail, and staff management. Every page and action checks the role.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from policykeeper import engine
from policykeeper.policy.models import Jurisdiction, RightKind
from policykeeper.policy.types import Duration, Lang
from policykeeper.render.build import Builder
from policykeeper.render.catalog import catalog
from policykeeper.store.models import Export, Upload
from policykeeper.store.models import Request as RequestRow
from policykeeper.web.center import project_of
from policykeeper.web.execution import execute_now
from policykeeper.web.files import document_attachment
from policykeeper.web.i18n import messages
from policykeeper.web.security import (
    client_ip,
    read_form,
    safe_next,
    secure_cookies,
    text_field,
)
from policykeeper.web.views import error_page, language, page, workflow_of, zone_of
from policykeeper.workflow.errors import (
    Invalid,
    NotFound,
    RateLimited,
    Unauthorized,
    WorkflowError,
)
from policykeeper.workflow.service import Workflow
from policykeeper.workflow.staff import Role, StaffDirectory, StaffMember
from policykeeper.workflow.states import EXTENDABLE, OPEN, State

router = APIRouter(prefix="/admin", include_in_schema=False)
CONSOLE_COOKIE = "pk_console"
UNITS = ("day", "week", "month")


class NotSignedIn(Exception):
    """No valid console session: pages send the browser to sign in, actions answer 401."""


# --- who is asking ----------------------------------------------------------------------


def directory(request: Request) -> StaffDirectory:
    return request.app.state.staff  # type: ignore[no-any-return]


def signed_in(request: Request, needed: Role = Role.viewer) -> StaffMember:
    """The member behind the session cookie, holding at least `needed`; else an error."""
    token = request.cookies.get(CONSOLE_COOKIE)
    if not token:
        raise NotSignedIn
    try:
        member = directory(request).authenticate(token)
    except Unauthorized:
        raise NotSignedIn from None
    request.state.member = member
    member.require(needed)
    return member


def not_signed_in(request: Request) -> Response:
    if request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/admin/login?next={target}", status_code=303)
    return error_page(request, 401, "unauthorized", home="/admin/login")


# --- signing in and out -----------------------------------------------------------------


@router.get("")
def console_home() -> Response:
    return RedirectResponse("/admin/requests", status_code=303)


@router.get("/login")
def login_form(request: Request) -> Response:
    t = messages(language(request))
    notice = t("admin.signed_out") if request.query_params.get("out") else None
    return login_page(request, notice=notice)


def login_page(
    request: Request, *, error: str | None = None, notice: str | None = None, status: int = 200
) -> Response:
    return page(
        request,
        "admin/login.html",
        {
            "next": safe_next(request.query_params.get("next"), "/admin/requests"),
            "error": error,
            "notice": notice,
        },
        status=status,
    )


@router.post("/login")
async def login(request: Request) -> Response:
    flow = workflow_of(request)
    form = await read_form(request, flow.secrets)
    t = messages(language(request))
    username, password = text_field(form, "username", 100), str(form.get("password") or "")[:1000]
    try:
        token = await run_in_threadpool(
            directory(request).login, username, password, client_ip(request)
        )
    except RateLimited:
        return login_page(request, error=t("admin.login_limited"), status=429)
    except Unauthorized:
        return login_page(request, error=t("admin.login_failed"), status=401)
    target = safe_next(form.get("next"), "/admin/requests")
    if not target.startswith("/admin"):
        target = "/admin/requests"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        CONSOLE_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path="/admin",
        max_age=int(flow.settings.session_ttl.total_seconds()),
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    signed_in(request)
    await read_form(request, workflow_of(request).secrets)
    await run_in_threadpool(directory(request).revoke, request.cookies.get(CONSOLE_COOKIE, ""))
    response = RedirectResponse("/admin/login?out=1", status_code=303)
    response.delete_cookie(CONSOLE_COOKIE, path="/admin")
    return response


@router.get("/password")
def password_form(request: Request) -> Response:
    signed_in(request)
    return page(request, "admin/password.html", {"error": None, "flashes": []})


@router.post("/password")
async def password(request: Request) -> Response:
    member = signed_in(request)
    flow = workflow_of(request)
    form = await read_form(request, flow.secrets)
    t = messages(language(request))
    current, new = str(form.get("current") or ""), str(form.get("new") or "")
    error, status = None, 422
    if new != str(form.get("confirm") or ""):
        error = t("admin.password_mismatch")
    else:
        try:
            await run_in_threadpool(
                directory(request).change_password,
                member,
                current,
                new,
                request.cookies.get(CONSOLE_COOKIE, ""),
                client_ip(request),
            )
        except Invalid:
            error = t("admin.password_short")
        except Unauthorized:
            error = t("admin.password_wrong")
        except RateLimited:
            error, status = t("admin.login_limited"), 429
    if error:
        return page(request, "admin/password.html", {"error": error, "flashes": []}, status=status)
    return page(
        request, "admin/password.html", {"error": None, "flashes": [t("admin.password_changed")]}
    )


# --- the queue --------------------------------------------------------------------------


def sla(flow: Workflow, row: RequestRow, now: datetime) -> str:
    """on_time, soon, overdue for open requests; closed for the rest."""
    if State(row.state) not in OPEN:
        return "closed"
    if row.due_at < now:
        return "overdue"
    if row.due_at <= now + flow.settings.due_soon:
        return "soon"
    return "on_time"


@router.get("/requests")
def queue(request: Request) -> Response:
    member = signed_in(request)
    flow = workflow_of(request)
    lang = language(request)
    t = messages(lang)
    cat = catalog(Lang(lang))
    builder = Builder(flow.policy, cat)
    params = request.query_params
    state = params.get("state", "open")
    right = params.get("right", "")
    jurisdiction = params.get("jurisdiction", "")
    rows = flow.list_requests(state=state if state in State.__members__ else None, limit=2000)
    if state == "open":
        rows = [r for r in rows if State(r.state) in OPEN]
    if right:
        rows = [r for r in rows if r.kind == right]
    if jurisdiction:
        rows = [r for r in rows if jurisdiction in r.jurisdictions]
    now = flow.clock()
    items = []
    counts = {"overdue": 0, "soon": 0, "on_time": 0, "closed": 0}
    for row in rows:
        level = sla(flow, row, now)
        counts[level] += 1
        right_decl = flow.policy.right(row.kind)
        zone = zone_of(flow, row.jurisdictions[0] if row.jurisdictions else None)
        items.append(
            {
                "id": row.id,
                "right": builder.right_title(right_decl) if right_decl else row.kind,
                "state": t(f"staff_state.{row.state}"),
                "due": t.when(row.due_at, zone),
                "received": t.when(row.received_at, zone),
                "jurisdictions": ", ".join(
                    cat.label("jurisdiction", Jurisdiction(j)) for j in row.jurisdictions
                ),
                "sla": level,
            }
        )
    return page(
        request,
        "admin/queue.html",
        {
            "member": member,
            "items": items,
            "counts": counts,
            "open_count": counts["overdue"] + counts["soon"] + counts["on_time"],
            "filters": {"state": state, "right": right, "jurisdiction": jurisdiction},
            "rights": [(r.kind.value, builder.right_title(r)) for r in flow.policy.rights],
            "states": [(s.value, t(f"staff_state.{s.value}")) for s in State],
            "jurisdiction_choices": [
                (j.value, cat.label("jurisdiction", j)) for j in flow.policy.jurisdictions
            ],
        },
        lang=lang,
    )


# --- one request ------------------------------------------------------------------------


def preview(request: Request, row: RequestRow) -> dict[str, Any]:
    """The engine's plan: tables and row counts only, never personal data."""
    project = project_of(request)
    if project is None:
        return {"error": "no data map"}
    try:
        planned = engine.plan(project, engine.Identity(row.identity_kind, row.identity_value))
    except Exception as exc:
        return {"error": str(exc).splitlines()[0][:300] or type(exc).__name__}
    return planned.to_json()


@router.get("/requests/{request_id}")
def detail(request_id: str, request: Request) -> Response:
    member = signed_in(request)
    flow = workflow_of(request)
    lang = language(request)
    t = messages(lang)
    cat = catalog(Lang(lang))
    try:
        row = flow.get(request_id)
    except NotFound:
        return error_page(request, 404, "not_found", home="/admin")
    right = flow.policy.right(row.kind)
    zone = zone_of(flow, row.jurisdictions[0] if row.jurisdictions else None)
    history = [
        {
            "at": t.when(entry.at, zone),
            "actor": entry.actor,
            "action": entry.action,
            "data": _short(entry.data),
        }
        for entry in flow.history(request_id)
    ]
    can_act = member.role in (Role.handler, Role.admin)
    with flow.store.transaction() as session:
        has_export = session.get(Export, row.id) is not None
        uploads = [
            {
                "id": u.id,
                "filename": u.filename,
                "size": u.size,
                "open": can_act and u.purged_at is None,
            }
            for u in session.execute(sa.select(Upload).where(Upload.request_id == row.id)).scalars()
        ]
    state = State(row.state)
    extendable = state in EXTENDABLE and row.due_at < row.max_due_at
    awaiting_documents = (
        state is State.verifying
        and bool(row.identity_checks)
        and row.email_verified_at is not None
        and row.documents_verified_at is None
    )
    actions = can_act and (
        extendable
        or has_export
        or awaiting_documents
        or state in (State.awaiting_fee, State.in_review, State.executing)
    )
    return page(
        request,
        "admin/detail.html",
        {
            "member": member,
            "row": row,
            "right_label": Builder(flow.policy, cat).right_title(right) if right else row.kind,
            "state_label": t(f"staff_state.{row.state}"),
            "sla": sla(flow, row, flow.clock()),
            "when": lambda moment: t.when(moment, zone),
            "jurisdictions": ", ".join(
                cat.label("jurisdiction", Jurisdiction(j)) for j in row.jurisdictions
            ),
            "plan": preview(request, row) if State(row.state) in OPEN else None,
            "grounds": [(g.id, g.label.get(lang)) for g in right.refusal_grounds] if right else [],
            "history": history,
            "uploads": uploads,
            "has_export": has_export,
            "actions": actions,
            "awaiting_documents": awaiting_documents,
            "extendable": extendable,
            "details": json.dumps(row.details, ensure_ascii=False) if row.details else "",
            "language_name": messages(row.language)("lang_name"),
            "units": [(u, t(f"admin.unit_{u}")) for u in UNITS],
            "fee_status": t(f"fee_status.{row.fee_status}"),
            "fee_amount": cat.money(row.fee_amount, row.fee_currency or "JPY")
            if row.fee_amount is not None
            else "",
            "result": json.dumps(row.result, ensure_ascii=False, indent=1)[:4000]
            if row.result
            else "",
            "partial": right is not None
            and right.kind
            in (RightKind.access, RightKind.portability, RightKind.third_party_records),
            "flashes": [t(f"admin.{k}") for k in ("done", "taken") if request.query_params.get(k)],
        },
        lang=lang,
    )


def _short(data: str) -> str:
    try:
        value = json.loads(data)
    except ValueError:
        return data[:300]
    if not value:
        return ""
    return json.dumps(value, ensure_ascii=False)[:300]


def _done(request_id: str) -> RedirectResponse:
    return RedirectResponse(f"/admin/requests/{request_id}?done=1", status_code=303)


async def _action(
    request: Request, needed: Role = Role.handler
) -> tuple[Workflow, Any, StaffMember]:
    """The session and role first, so a refused caller learns nothing from form checks."""
    member = signed_in(request, needed)
    flow = workflow_of(request)
    return flow, await read_form(request, flow.secrets), member


@router.post("/requests/{request_id}/decision")
async def decide(request_id: str, request: Request) -> Response:
    flow, form, member = await _action(request)
    approve = text_field(form, "outcome", 10) == "approve"
    await run_in_threadpool(
        flow.decide,
        request_id,
        member.actor,
        approve=approve,
        ground=text_field(form, "ground", 60) or None,
        note=text_field(form, "note", 2000),
    )
    return _done(request_id)


@router.post("/requests/{request_id}/extend")
async def extend(request_id: str, request: Request) -> Response:
    flow, form, member = await _action(request)
    amount, unit = text_field(form, "amount", 4), text_field(form, "unit", 10)
    if not amount.isdigit() or not 0 < int(amount) <= 366 or unit not in UNITS:
        raise Invalid("the extension needs a period")
    await run_in_threadpool(
        flow.extend,
        request_id,
        member.actor,
        Duration(int(amount), unit),
        text_field(form, "reason"),
    )
    return _done(request_id)


@router.post("/requests/{request_id}/fee")
async def fee(request_id: str, request: Request) -> Response:
    flow, form, member = await _action(request)
    waived = text_field(form, "waive", 5) == "1"
    amount = text_field(form, "amount", 12)
    if not waived and not amount.isdigit():
        raise Invalid("record the amount paid, or waive the fee")
    await run_in_threadpool(
        flow.record_fee,
        request_id,
        member.actor,
        amount=None if waived else int(amount),
        waived=waived,
    )
    return _done(request_id)


@router.post("/requests/{request_id}/identity")
async def identity(request_id: str, request: Request) -> Response:
    flow, form, member = await _action(request)
    await run_in_threadpool(
        flow.verify_identity,
        request_id,
        member.actor,
        text_field(form, "approved", 5) == "1",
        text_field(form, "note", 2000),
    )
    return _done(request_id)


@router.post("/requests/{request_id}/execute")
async def execute(request_id: str, request: Request) -> Response:
    flow, _form, _member = await _action(request)
    _row, ran = await run_in_threadpool(execute_now, flow, request_id)
    if not ran:
        return RedirectResponse(f"/admin/requests/{request_id}?taken=1", status_code=303)
    return _done(request_id)


@router.get("/requests/{request_id}/download")
def download(request_id: str, request: Request) -> Response:
    signed_in(request, Role.handler)
    flow = workflow_of(request)
    token = flow.staff_download_token(request_id)
    return RedirectResponse(f"/download/{token}", status_code=303)


@router.get("/requests/{request_id}/documents/{upload_id}")
def document(request_id: str, upload_id: str, request: Request) -> Response:
    signed_in(request, Role.handler)
    return document_attachment(workflow_of(request).document(request_id, upload_id))


# --- staff management -------------------------------------------------------------------


@router.get("/staff")
def staff(request: Request) -> Response:
    member = signed_in(request, Role.admin)
    flow = workflow_of(request)
    lang = language(request)
    t = messages(lang)
    flashes = [t(f"admin.staff_{k}") for k in ("created", "updated") if request.query_params.get(k)]
    return staff_page(request, member, flashes=flashes, lang=lang, flow=flow)


def staff_page(
    request: Request,
    member: StaffMember,
    *,
    flow: Workflow,
    lang: str,
    flashes: list[str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    t = messages(lang)
    return page(
        request,
        "admin/staff.html",
        {
            "member": member,
            "accounts": [
                {
                    "id": a.id,
                    "username": a.username,
                    "role": a.role.value,
                    "active": a.active,
                    "created": t.when(a.created_at, zone_of(flow)),
                }
                for a in directory(request).accounts()
            ],
            "roles": [(r.value, t(f"role.{r.value}")) for r in Role],
            "flashes": flashes or [],
            "error": error,
        },
        status=status,
        lang=lang,
    )


@router.post("/staff")
async def add_staff(request: Request) -> Response:
    flow, form, member = await _action(request, Role.admin)
    role = text_field(form, "role", 10)
    if role not in Role.__members__:
        raise Invalid("unknown role")
    username = form.get("username")
    try:
        await run_in_threadpool(
            directory(request).create,
            username if isinstance(username, str) else "",
            str(form.get("password") or ""),
            Role(role),
            member.actor,
        )
    except WorkflowError as exc:
        lang = language(request)
        short = isinstance(exc, Invalid) and exc.field != "username"
        message = messages(lang)("admin.password_short") if short else str(exc)
        return staff_page(request, member, flow=flow, lang=lang, error=message, status=exc.status)
    return RedirectResponse("/admin/staff?created=1", status_code=303)


@router.post("/staff/{staff_id}")
async def edit_staff(staff_id: int, request: Request) -> Response:
    flow, form, member = await _action(request, Role.admin)
    role = text_field(form, "role", 10)
    if role not in Role.__members__:
        raise Invalid("unknown role")
    if staff_id == member.id:
        lang = language(request)
        error = messages(lang)("admin.staff_self")
        return staff_page(request, member, flow=flow, lang=lang, error=error, status=409)
    await run_in_threadpool(
        directory(request).update,
        staff_id,
        Role(role),
        text_field(form, "active", 5) == "1",
        member.actor,
    )
    return RedirectResponse("/admin/staff?updated=1", status_code=303)
