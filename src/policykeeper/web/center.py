"""The privacy center: the pages a person uses to read the policy, make a request, confirm it,
follow it and download the result. Every page works without JavaScript, in Japanese and English.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.types import ASGIApp, Receive, Scope, Send

from policykeeper.policy.models import (
    Policy,
    Right,
    RightKind,
)
from policykeeper.policy.types import Lang
from policykeeper.project import Project, load_project
from policykeeper.render.build import Builder, build_document
from policykeeper.render.catalog import catalog
from policykeeper.render.document import Document, Line
from policykeeper.store.models import AuditEntry
from policykeeper.store.models import Request as RequestRow
from policykeeper.web import published as versions
from policykeeper.web.errors import domain_error
from policykeeper.web.files import attachment
from policykeeper.web.i18n import messages
from policykeeper.web.security import client_ip, read_form, secure_cookies, text_field
from policykeeper.web.views import (
    error_page,
    is_cached,
    language,
    page,
    workflow_of,
    zone_of,
)
from policykeeper.workflow.deadlines import applicable_jurisdictions, compute_deadlines
from policykeeper.workflow.errors import (
    Conflict,
    Expired,
    Invalid,
    NotFound,
    RateLimited,
    WorkflowError,
)
from policykeeper.workflow.grounds import ground_label
from policykeeper.workflow.inputs import (
    accepted_grounds,
    agents_allowed,
    objectable,
    parse_email,
)
from policykeeper.workflow.service import NewRequest, Submitted, Workflow, status_expired

router = APIRouter(include_in_schema=False)

FORM_KINDS = (
    RightKind.access,
    RightKind.third_party_records,
    RightKind.notify_purposes,
    RightKind.portability,
    RightKind.rectification,
    RightKind.erasure,
    RightKind.restriction,
    RightKind.objection,
    RightKind.automated_decision,
)
"""Rights asked for through a form; consent withdrawal and opt-outs live on the consent pages."""

FORM_ID = re.compile(r"^[0-9a-f]{32}$")
PUBLIC_EVENTS = {
    "received",
    "code_sent",
    "email_verified",
    "documents_verified",
    "document_uploaded",
    "acknowledged",
    "fee_paid",
    "fee_waived",
    "approved",
    "extended",
    "executed",
    "denied",
}
PUBLIC_TRANSITIONS = {"in_review", "awaiting_fee", "withdrawn"}
STATUS_TEMPLATE = "center/status.html"
FLASHES = ("resent", "verified", "uploaded", "withdrawn", "duplicate")
CONFIRM_FLASHES = ("sent", "duplicate", "resent", "verified")
SUBMISSION_COOKIE = "pk_submission"
SUBMISSION_TTL = timedelta(days=1)
_documents: dict[tuple[int, str], Document] = {}


# --- what the declaration says, for the pages ------------------------------------------------


def plain(line: Line) -> str:
    return "".join(span.text for span in line)


def form_rights(policy: Policy) -> list[Right]:
    return [r for r in policy.rights if r.kind in FORM_KINDS]


def form_right(policy: Policy, kind: str) -> Right:
    right = next((r for r in form_rights(policy) if r.kind.value == kind), None)
    if right is None:
        raise NotFound("no such request type")
    return right


def policy_document(policy: Policy, lang: str) -> Document:
    """The policy as the renderer builds it, once per language and declaration."""
    key = (id(policy), lang)
    if key not in _documents:
        _documents[key] = build_document(policy, Lang(lang))
    return _documents[key]


def project_of(request: Request) -> Project | None:
    """The project with its data map, or None when only a declaration is published."""
    state = request.app.state
    if not hasattr(state, "center_project"):
        directory = workflow_of(request).project_dir
        try:
            state.center_project = load_project(directory) if directory else None
        except Exception:
            state.center_project = None
    return state.center_project  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def correctable(request: Request, lang: str) -> list[Choice]:
    """The fields the workflow accepts in a correction, named by their category's label."""
    flow = workflow_of(request)
    choices = []
    for field in flow.correctable():
        category = flow.policy.category(field.category)
        choices.append(Choice(field.name, category.label.get(lang) if category else field.name))
    return choices


def legal_holds(request: Request, lang: str) -> list[str]:
    """What erasure keeps under a statutory rule, as the data map binds it."""
    project = project_of(request)
    if project is None:
        return []
    t = messages(lang)
    cat = catalog(Lang(lang))
    held = {table.held_by() for table in project.datamap.tables.values()} - {None}
    lines = []
    for rule in project.policy.retention:
        if rule.id in held and rule.period is not None:
            lines.append(
                t(
                    "form.hold",
                    label=rule.label.get(lang),
                    period=cat.duration(rule.period),
                    statute=(rule.statute or rule.legal_basis or rule.label).get(lang),
                )
            )
    return lines


def right_summary(policy: Policy, right: Right, lang: str) -> dict[str, str]:
    builder = Builder(policy, catalog(Lang(lang)))
    deadline = builder.deadline_lines(right.deadline)
    fee = builder.fee_lines(right.fee)
    return {
        "kind": right.kind.value,
        "label": builder.right_title(right),
        "description": builder.t(right.description),
        "deadline": plain(deadline[0]) if deadline else "",
        "fee": plain(fee[0]) if fee else "",
    }


def form_context(request: Request, right: Right, lang: str) -> dict[str, Any]:
    flow = workflow_of(request)
    policy = flow.policy
    builder = Builder(policy, catalog(Lang(lang)))
    summary = right_summary(policy, right, lang)
    applicable = applicable_jurisdictions(policy, right, None)
    due = compute_deadlines(policy, right, applicable, flow.clock(), flow.settings).due_at
    t = messages(lang)
    cat = catalog(Lang(lang))
    grounds = (
        accepted_grounds(right) if right.grounds or right.kind is RightKind.restriction else []
    )
    return {
        "right": right,
        "summary": summary,
        "terms": builder.right_fields(right),
        "expected": t("form.expected", date=t.day(due, zone_of(flow))),
        "holds": legal_holds(request, lang) if right.kind is RightKind.erasure else [],
        "fee_applies": any(fee.kind != "free" for fee in _fees(right)),
        "jurisdictions": [Choice(j.value, cat.label("jurisdiction", j)) for j in applicable]
        if len(applicable) > 1
        else [],
        "fields": correctable(request, lang) if right.kind is RightKind.rectification else [],
        "purposes": [Choice(p.id, p.label.get(lang)) for p in objectable(policy)]
        if right.kind is RightKind.objection
        else [],
        "grounds": [Choice(g.value, cat.label("ground", g)) for g in grounds],
        "agents": agents_allowed(right, applicable),
        "agent_proof": builder.t(right.agents.proof) if right.agents else "",
        "form_id": _new_form_id(),
        "values": {},
        "error": None,
    }


def _fees(right: Right) -> list[Any]:
    declared = [right.fee, *(t.fee for t in right.by_jurisdiction.values())]
    return [fee for fee in declared if fee is not None]


def _new_form_id() -> str:
    return secrets.token_hex(16)


# --- pages ----------------------------------------------------------------------------------


@router.get("/")
async def home(request: Request) -> Response:
    flow = workflow_of(request)
    lang = language(request)
    view = await run_in_threadpool(versions.shown, flow)
    policy = flow.policy

    def context() -> dict[str, Any]:
        cat = catalog(Lang(lang))
        dated = view.effective and view.label == view.effective.isoformat()
        return {
            "rights": [right_summary(policy, r, lang) for r in form_rights(policy)],
            "version": "" if dated else view.label,
            "effective": cat.date(view.effective) if view.effective else "",
            **versions.center_context(view, lang),
        }

    key = (*_where(request), view.key)
    return page(request, "center/home.html", context, lang=lang, cache_key=key)


@router.get("/policy")
async def policy_page(request: Request) -> Response:
    lang = language(request)
    flow = workflow_of(request)
    view = await run_in_threadpool(versions.shown, flow)
    if view.policy is None:
        return await run_in_threadpool(versions.frozen_page, flow, view, lang)
    published = view.policy
    return page(
        request,
        "center/policy.html",
        lambda: {
            "doc": policy_document(published, lang),
            **versions.center_context(view, lang),
        },
        lang=lang,
        cache_key=(*_where(request), view.key),
    )


def _where(request: Request) -> tuple[str, str]:
    return request.url.path, request.url.query


@router.get("/requests/{kind}")
def request_form(kind: str, request: Request) -> Response:
    flow = workflow_of(request)
    lang = language(request)
    try:
        right = form_right(flow.policy, kind)
    except NotFound:
        return error_page(request, 404, "not_found")
    return page(request, "center/request.html", form_context(request, right, lang), lang=lang)


@router.post("/requests/{kind}")
async def submit(kind: str, request: Request) -> Response:
    flow = workflow_of(request)
    lang = language(request)
    try:
        right = form_right(flow.policy, kind)
    except NotFound:
        return error_page(request, 404, "not_found")
    form = await read_form(request, flow.secrets)
    return await run_in_threadpool(_submit, request, flow, right, form, lang)


def _submit(request: Request, flow: Workflow, right: Right, form: FormData, lang: str) -> Response:
    """Record the request once per form: the id comes from the form's one-time token. The
    workflow checks every value; the page only says which one to fix."""
    form_id = text_field(form, "form_id", 64)
    if not FORM_ID.match(form_id):
        return error_page(request, 400, "csrf")
    email = form_value(form, "email", 400)
    request_id = flow.secrets.keyed_hash("form", form_id)[:32]

    def again(problem: str) -> Response:
        context = form_context(request, right, lang)
        context.update(form_id=form_id, values=_kept_values(form))
        context["error"] = messages(lang)(f"error.{problem}")
        return page(request, "center/request.html", context, status=422, lang=lang)

    chosen = [v for v in form.getlist("jurisdiction") if isinstance(v, str)]
    try:
        submitted = flow.submit(
            NewRequest(
                kind=right.kind.value,
                email=email,
                language=lang,
                jurisdictions=chosen or None,
                details=_details(right, form),
                agent=_agent(form),
                request_id=request_id,
            ),
            client_ip(request),
        )
    except sa.exc.IntegrityError:
        return _repeated(request, flow, request_id, email) or error_page(request, 409, "conflict")
    except Invalid as exc:
        return again(field_error(exc.field))
    return _after_submit(request, flow, submitted, "sent")


_FIELD_ERRORS = {
    "email": "invalid_email",
    "details.changes": "invalid_changes",
    "details.purposes": "invalid_purposes",
    "agent": "invalid_agent",
}


def field_error(field: str | None) -> str:
    """The form's message for a field the workflow refused (`details.changes.x` -> changes)."""
    for prefix, key in _FIELD_ERRORS.items():
        if field is not None and (field == prefix or field.startswith(prefix + ".")):
            return key
    return "invalid"


def form_value(form: FormData, name: str, limit: int) -> str:
    """A field as sent (line breaks included), cut only far beyond any valid value, so the
    workflow sees and refuses what is wrong instead of the page quietly repairing it."""
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def _after_submit(
    request: Request, flow: Workflow, submitted: Submitted, flash: str
) -> RedirectResponse:
    """Where the submitter goes next. When identity is checked by email, the status link is
    only in that email: the submitter gets a page to type the code, bound to this browser by
    a cookie that confirms the request and shows nothing else."""
    if not submitted.by_email:
        return _to_status(submitted.status_token, flash)
    response = RedirectResponse(f"/confirm?{flash}=1", status_code=303)
    response.set_cookie(
        SUBMISSION_COOKIE,
        submitted.submission_token,
        max_age=int(SUBMISSION_TTL.total_seconds()),
        path="/confirm",
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
    )
    return response


def _repeated(request: Request, flow: Workflow, request_id: str, email: str) -> Response | None:
    """The request this same form already created, if it did: the same answer as the first."""
    try:
        row = flow.get(request_id)
        same = row.email == parse_email(email)
    except (NotFound, Invalid):
        return None
    if not same:
        return None
    submitted = Submitted(
        row.id,
        flow.secrets.status_token(row.id),
        flow.secrets.submission_token(row.id),
        by_email=flow.checked_by_email(row),
    )
    return _after_submit(request, flow, submitted, "duplicate")


def _kept_values(form: FormData) -> dict[str, Any]:
    return {
        "email": text_field(form, "email", 320),
        "field": text_field(form, "field", 200),
        "value": text_field(form, "value", 2000),
        "ground": text_field(form, "ground", 60),
        "purposes": [v for v in form.getlist("purpose") if isinstance(v, str)],
        "jurisdictions": [v for v in form.getlist("jurisdiction") if isinstance(v, str)],
        "agent": text_field(form, "agent", 5) == "1",
        "agent_name": text_field(form, "agent_name", 200),
        "agent_relationship": text_field(form, "agent_relationship", 200),
    }


def _details(right: Right, form: FormData) -> dict[str, Any]:
    """The request's details as the form sent them; the workflow decides what is acceptable."""
    details: dict[str, Any] = {}
    if right.kind is RightKind.rectification:
        field, value = form_value(form, "field", 400), form_value(form, "value", 4000)
        details["changes"] = {field: value} if field or value else {}
    if right.kind is RightKind.objection:
        details["purposes"] = [v for v in form.getlist("purpose") if isinstance(v, str)]
    ground = text_field(form, "ground", 60)
    if ground and right.kind is not RightKind.objection:
        details["ground"] = ground
    return details


def _agent(form: FormData) -> dict[str, str] | None:
    """The agent acting for the person, when the box is ticked (None otherwise)."""
    if text_field(form, "agent", 5) != "1":
        return None
    agent = {"name": form_value(form, "agent_name", 400)}
    relationship = form_value(form, "agent_relationship", 400)
    if relationship:
        agent["relationship"] = relationship
    return agent


def _to_status(token: str, flash: str) -> RedirectResponse:
    return RedirectResponse(f"/status/{token}?{flash}=1", status_code=303)


# --- confirming where the request was made ----------------------------------------------------


@router.get("/confirm")
def confirm_page(request: Request) -> Response:
    """'Check your email': the same page for any address. With this browser's submission cookie
    it also takes the code; it never shows the request or links to its status."""
    return _confirm_page(request)


def _confirm_page(request: Request, *, status: int = 200, error: str | None = None) -> Response:
    flow = workflow_of(request)
    t = messages(language(request))
    state = None
    token = request.cookies.get(SUBMISSION_COOKIE, "")
    if token:
        try:
            state = flow.submission_state(token)
        except NotFound:
            state = None
    flashes = [t(f"confirm.{name}") for name in CONFIRM_FLASHES if request.query_params.get(name)]
    return page(
        request,
        "center/confirm.html",
        {
            "state": state,
            "flashes": flashes,
            "error": error,
            "code_minutes": int(flow.settings.code_ttl.total_seconds() // 60),
        },
        status=status,
    )


@router.post("/confirm")
async def confirm_code(request: Request) -> Response:
    flow = workflow_of(request)
    form = await read_form(request, flow.secrets)
    return await run_in_threadpool(_confirm_code, request, flow, form)


def _confirm_code(request: Request, flow: Workflow, form: FormData) -> Response:
    token = request.cookies.get(SUBMISSION_COOKIE, "")
    code = text_field(form, "code", 20).replace(" ", "")
    t = messages(language(request))
    try:
        flow.verify_submission(token, code, client_ip(request))
    except Invalid as exc:
        return _confirm_page(request, status=exc.status, error=t("error.invalid_code"))
    except Expired as exc:
        return _confirm_page(request, status=exc.status, error=t("error.expired_code"))
    except (Conflict, RateLimited) as exc:
        return domain_error(request, exc, "/confirm")
    return RedirectResponse("/confirm?verified=1", status_code=303)


@router.post("/confirm/code")
async def confirm_resend(request: Request) -> Response:
    flow = workflow_of(request)
    await read_form(request, flow.secrets)
    token = request.cookies.get(SUBMISSION_COOKIE, "")
    try:
        await run_in_threadpool(flow.resend_for_submission, token, client_ip(request))
    except WorkflowError as exc:
        return domain_error(request, exc, "/confirm")
    return RedirectResponse("/confirm?resent=1", status_code=303)


# --- following a request --------------------------------------------------------------------


def timeline(entries: list[AuditEntry], t: Any, zone: str) -> list[dict[str, str]]:
    """What the person may see of the audit trail: events, never staff names or notes."""
    events = []
    for entry in entries:
        key = entry.action
        if key == "transition":
            key = json.loads(entry.data).get("to", "")
            if key not in PUBLIC_TRANSITIONS:
                continue
        elif key not in PUBLIC_EVENTS:
            continue
        events.append({"when": t.when(entry.at, zone), "what": t(f"event.{key}")})
    return events


@dataclass(frozen=True)
class Fingerprint:
    """The version query compiled once per database dialect, run on a raw connection."""

    sql: str
    positional: tuple[str, ...] | None

    @classmethod
    def compile(cls, engine: sa.Engine) -> Fingerprint:
        last_entry = (
            sa.select(sa.func.max(AuditEntry.seq))
            .where(AuditEntry.request_id == RequestRow.id)
            .scalar_subquery()
        )
        query = sa.select(RequestRow.version, last_entry, RequestRow.closed_at).where(
            RequestRow.id == sa.bindparam("request_id")
        )
        compiled = query.compile(dialect=engine.dialect)
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        return cls(str(compiled), order)

    def read(self, engine: sa.Engine, request_id: str) -> tuple[int, int, datetime | None] | None:
        values = {"request_id": request_id}
        params: Any = tuple(values[n] for n in self.positional) if self.positional else values
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(self.sql, params)
            found = cursor.fetchone()
            cursor.close()
        finally:
            connection.close()
        return (int(found[0]), int(found[1] or 0), _utc(found[2])) if found else None


def _utc(value: Any) -> datetime | None:
    """A raw driver's timestamp (SQLite gives text) as an aware UTC datetime."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_fingerprints: dict[str, Fingerprint] = {}
_rendering: dict[tuple[Any, str], asyncio.Lock] = {}


def fingerprint(flow: Workflow, token: str) -> tuple[int, int, datetime | None] | None:
    """What a request's page depends on: its row version and its last audit entry.

    Read outside a transaction: on SQLite every store transaction takes the write lock, and
    this read, made for every view of a status page, must not queue behind writers."""
    request_id = flow.secrets.request_for_status(token)
    engine = flow.store.engine
    dialect = engine.dialect.name
    if dialect not in _fingerprints:
        _fingerprints[dialect] = Fingerprint.compile(engine)
    return _fingerprints[dialect].read(engine, request_id)


def status_page(
    request: Request, token: str, *, status: int = 200, error: str | None = None
) -> Response:
    flow = workflow_of(request)
    lang = language(request)
    try:
        key = None if error else status_key(request, flow, token)
    except Expired:
        return error_page(request, 410, "expired")
    if key is None and error is None:
        return error_page(request, 404, "not_found")
    return page(
        request,
        STATUS_TEMPLATE,
        lambda: status_context(request, flow, token, lang, error),
        status=status,
        lang=lang,
        cache_key=key,
    )


def status_key(request: Request, flow: Workflow, token: str) -> tuple[Any, ...] | None:
    """The cache key of a status page, or None for a request that does not exist; Expired
    once the request closed longer ago than a status link lasts (a cached page included)."""
    try:
        version = fingerprint(flow, token)
    except NotFound:
        return None
    if version and status_expired(version[2], flow.clock(), flow.settings):
        raise Expired("this status link has expired")
    return ("status", token, request.url.query, version) if version else None


def status_context(
    request: Request, flow: Workflow, token: str, lang: str, error: str | None
) -> dict[str, Any]:
    t = messages(lang)
    view = flow.status(token)
    request_id = view["reference"]
    row = flow.get(request_id)
    zone = zone_of(flow, row.jurisdictions[0] if row.jurisdictions else None)
    right = flow.policy.right(row.kind)
    download = None
    if view["state"] == "completed":
        try:
            link = flow.staff_download_token(request_id)
            export = flow.download(link)
            expires = flow.clock() + flow.settings.download_ttl
            download = {
                "url": f"/download/{link}",
                "filename": export.filename,
                "expires": t.when(expires, zone),
            }
        except (NotFound, Expired):
            download = None
    fee = view.get("fee") or {}
    fee_text = ""
    if view["state"] == "awaiting_fee":
        amount = fee.get("amount")
        fee_text = (
            t("status.fee_due", amount=catalog(Lang(lang)).money(amount, fee["currency"] or "JPY"))
            if amount is not None
            else t("status.fee_due_unknown")
        )
    ground = ""
    if view["state"] == "denied" and right is not None:
        ground = ground_label(right, (row.decision or {}).get("ground", "")).get(lang)
    flashes = [t(f"status.{name}") for name in FLASHES if request.query_params.get(name)]
    label = Builder(flow.policy, catalog(Lang(lang))).right_title(right) if right else row.kind
    return {
        "token": token,
        "view": view,
        "label": label,
        "state_label": t("state.nothing_held" if view.get("outcome") else f"state.{view['state']}"),
        "received": t.when(row.received_at, zone),
        "due": t.when(row.due_at, zone),
        "events": timeline(flow.history(request_id), t, zone),
        "download": download,
        "fee_text": fee_text,
        "ground": ground,
        "flashes": flashes,
        "error": error,
        "open": view["state"] not in ("completed", "denied", "withdrawn"),
        "code_minutes": int(flow.settings.code_ttl.total_seconds() // 60),
        "upload_mb": flow.settings.upload_max_bytes // (1024 * 1024),
    }


@router.get("/status/{token}")
async def status(token: str, request: Request) -> Response:
    """Served from the event loop when the page is cached; built in a thread otherwise."""
    try:
        key = status_key(request, workflow_of(request), token)
    except Expired:
        return error_page(request, 410, "expired")
    if key is None:
        return await run_in_threadpool(status_page, request, token)
    lang = language(request)
    if not is_cached(request, STATUS_TEMPLATE, lang, key):
        # One render per page at a time: readers arriving meanwhile wait for it.
        lock = _rendering.setdefault((key, lang), asyncio.Lock())
        try:
            async with lock:
                if not is_cached(request, STATUS_TEMPLATE, lang, key):
                    return await run_in_threadpool(status_page, request, token)
        finally:
            _rendering.pop((key, lang), None)
    return page(request, STATUS_TEMPLATE, None, cache_key=key)


@router.post("/status/{token}/verify")
async def verify(token: str, request: Request) -> Response:
    flow = workflow_of(request)
    form = await read_form(request, flow.secrets)
    return await run_in_threadpool(_verify, request, flow, token, form)


def _verify(request: Request, flow: Workflow, token: str, form: FormData) -> Response:
    code = text_field(form, "code", 20).replace(" ", "")
    t = messages(language(request))
    try:
        flow.verify_code(token, code, client_ip(request))
    except Invalid as exc:
        return status_page(request, token, status=exc.status, error=t("error.invalid_code"))
    except Expired as exc:
        return status_page(request, token, status=exc.status, error=t("error.expired_code"))
    except (Conflict, RateLimited) as exc:
        return domain_error(request, exc, f"/status/{token}")
    return _to_status(token, "verified")


@router.post("/status/{token}/code")
async def resend(token: str, request: Request) -> Response:
    flow = workflow_of(request)
    await read_form(request, flow.secrets)
    return await run_in_threadpool(
        _attempt, request, token, "resent", flow.resend_code, token, client_ip(request)
    )


@router.post("/status/{token}/withdraw")
async def withdraw(token: str, request: Request) -> Response:
    flow = workflow_of(request)
    await read_form(request, flow.secrets)
    return await run_in_threadpool(_attempt, request, token, "withdrawn", flow.withdraw, token)


@router.post("/status/{token}/documents")
async def upload(token: str, request: Request) -> Response:
    flow = workflow_of(request)
    form = await read_form(request, flow.secrets, flow.settings.upload_max_bytes + 64 * 1024)
    purpose = text_field(form, "purpose", 40)
    file = form.get("file")
    if file is None or isinstance(file, str):
        return error_page(request, 422, "invalid", "invalid_upload", home=f"/status/{token}")
    content = await file.read(flow.settings.upload_max_bytes + 1)
    if len(content) > flow.settings.upload_max_bytes:
        return error_page(request, 413, "too_large", home=f"/status/{token}")
    return await run_in_threadpool(
        _attempt,
        request,
        token,
        "uploaded",
        flow.upload,
        token,
        purpose,
        file.filename or "upload",
        file.content_type or "application/octet-stream",
        content,
    )


@router.get("/verify/{link}")
def verify_link_page(link: str, request: Request) -> Response:
    """A button, not an action: mail scanners that open links must not use up the link."""
    return page(request, "center/verify.html", {"link": link})


@router.post("/verify/{link}")
async def verify_link(link: str, request: Request) -> Response:
    flow = workflow_of(request)
    await read_form(request, flow.secrets)
    return await run_in_threadpool(_follow_link, request, flow, link)


def _follow_link(request: Request, flow: Workflow, link: str) -> Response:
    try:
        token = flow.verify_link(link)
    except NotFound:
        return error_page(request, 404, "not_found")
    except Expired:
        return error_page(request, 410, "expired", "expired_link")
    return _to_status(token, "verified")


@router.get("/download/{token}")
def download(token: str, request: Request) -> Response:
    flow = workflow_of(request)
    try:
        export = flow.download(token)
    except NotFound:
        return error_page(request, 404, "not_found")
    except Expired:
        return error_page(request, 410, "expired", "expired_download")
    return attachment(export.content, export.filename, export.content_type)


def _attempt(
    request: Request, token: str, flash: str, action: Callable[..., Any], *args: Any
) -> Response:
    """Run one workflow step for the person; back to the status page, or a friendly error."""
    try:
        action(*args)
    except WorkflowError as exc:
        return domain_error(request, exc, f"/status/{token}")
    return _to_status(token, flash)


class BrowserLinks:
    """Links in emails point at the API; a browser opening one is sent to the page instead."""

    PAGES = {"/api/status/": "/status/", "/api/verify/": "/verify/", "/api/download/": "/download/"}

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path: str = scope["path"]
            for prefix, target in self.PAGES.items():
                rest = path[len(prefix) :]
                if path.startswith(prefix) and rest and "/" not in rest and _wants_html(scope):
                    response = RedirectResponse(target + rest, status_code=303)
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def _wants_html(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"accept":
            return b"text/html" in value
    return False
