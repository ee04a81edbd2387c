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

from policykeeper.document import Document, Field, Line, Span
from policykeeper.policy.models import (
    Policy,
    Right,
    RightKind,
)
from policykeeper.policy.types import Lang
from policykeeper.project import Project
from policykeeper.render.build import Builder, build_document
from policykeeper.render.catalog import catalog
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
    texts,
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
    TooManyAttempts,
    WorkflowError,
    WrongCode,
)
from policykeeper.workflow.grounds import ground_label
from policykeeper.workflow.inputs import (
    accepted_grounds,
    agents_allowed,
    objectable,
    parse_email,
)
from policykeeper.workflow.outcome import outcome
from policykeeper.workflow.service import (
    DISCLOSURES,
    NewRequest,
    Submitted,
    Workflow,
    status_expired,
)

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
FLASH_COOKIE = "pk_flash"
WITHDRAWABLE = ("received", "verifying", "awaiting_fee", "in_review")
SUBMISSION_TTL = timedelta(days=1)


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


def policy_document(request: Request, policy: Policy, lang: str) -> Document:
    """The policy as the renderer builds it, once per language and declaration (kept in the
    Keeper's cache beside the declaration it was built from, so it is never another's)."""
    cache = request.app.state.keeper.cache
    cached = cache.get(("policy_document", lang))
    if cached is None or cached[0] is not policy:
        cached = cache[("policy_document", lang)] = (policy, build_document(policy, Lang(lang)))
    return cached[1]  # type: ignore[no-any-return]


def project_of(request: Request) -> Project | None:
    """The project with its data map, or None when only a declaration is published."""
    try:
        return request.app.state.keeper.project  # type: ignore[no-any-return]
    except Exception:
        return None


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def correctable(request: Request, lang: str) -> list[Choice]:
    """The fields the workflow accepts in a correction, by their declared labels (no two
    alike: a shared label is qualified by its table's)."""
    flow = workflow_of(request)
    return [Choice(name, label) for name, label in flow.correction_labels(lang).items()]


MAX_ITEMS = 20
"""Rows a correction form carries at most when the data map offers no list of fields."""


def correction_rows(form: FormData | None) -> list[tuple[str, str]]:
    """The item rows as sent (field, value), in order; rows left blank are kept so the page
    shows them again as they were."""
    if form is None:
        return []
    fields = [v[:400] if isinstance(v, str) else "" for v in form.getlist("field")]
    values = [v[:4000] if isinstance(v, str) else "" for v in form.getlist("value")]
    count = min(max(len(fields), len(values)), MAX_ITEMS)
    fields += [""] * (count - len(fields))
    values += [""] * (count - len(values))
    return list(zip(fields[:count], values[:count], strict=True))


def asked_changes(rows: list[tuple[str, str]]) -> dict[str, str] | None:
    """The changes the rows ask for (blank rows left out), or None when one item is named
    twice: the person says which value they mean rather than the page picking one."""
    changes: dict[str, str] = {}
    for field, value in rows:
        if not field and not value.strip():
            continue
        if field in changes:
            return None
        changes[field] = value
    return changes


def legal_holds(request: Request, lang: str) -> list[str]:
    """What erasure keeps under a statutory rule, as the data map binds it."""
    project = project_of(request)
    if project is None:
        return []
    t = texts(request, lang)
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
    t = texts(request, lang)
    cat = catalog(Lang(lang))
    grounds = (
        accepted_grounds(right) if right.grounds or right.kind is RightKind.restriction else []
    )
    return {
        "right": right,
        "summary": summary,
        "terms": open_channels(builder, right, t),
        "expected": t("form.expected", date=t.day(due, zone_of(flow))),
        "holds": legal_holds(request, lang) if right.kind is RightKind.erasure else [],
        "irreversible": irreversible(policy, lang) if right.kind is RightKind.erasure else [],
        "fee_applies": any(fee.kind != "free" for fee in _fees(right)),
        "jurisdictions": [Choice(j.value, cat.label("jurisdiction", j)) for j in applicable]
        if len(applicable) > 1
        else [],
        "fields": correctable(request, lang) if right.kind is RightKind.rectification else [],
        "rows": [("", "")],
        "room": len(correctable(request, lang)) or MAX_ITEMS
        if right.kind is RightKind.rectification
        else 0,
        "purposes": [Choice(p.id, p.label.get(lang)) for p in objectable(policy)]
        if right.kind is RightKind.objection
        else [],
        "grounds": [Choice(g.value, cat.label("ground", g)) for g in grounds],
        "agents": agents_allowed(right, applicable),
        "agent_proof": builder.t(right.agents.proof) if right.agents else "",
        "form_id": _new_form_id(),
        "values": {},
        "errors": [],
    }


def irreversible(policy: Policy, lang: str) -> list[str]:
    """What an erasure cannot give back, said before the person submits: the data itself and
    any unused balance the declaration marks (coins, points)."""
    t = messages(lang, policy.self_reference)
    lines = [t("form.irreversible_data")]
    balances = [c.label.get(lang) for c in policy.categories if c.balance and c.stored]
    if balances:
        lines.append(t("form.irreversible_balance", labels=t("form.list_separator").join(balances)))
    return lines


@dataclass(frozen=True)
class FieldError:
    """One problem in a form: the field it is about (for the summary's link) and the text."""

    field: str
    text: str


ERROR_FIELDS = {
    "invalid_email": "email",
    "invalid_changes": "value",
    "duplicate_item": "field",
    "invalid_purposes": "purposes",
    "invalid_agent": "agent_name",
    "confirm_irreversible": "confirm",
    "invalid": "email",
}


def open_channels(builder: Builder, right: Right, t: Any) -> list[Field]:
    """The right's terms as the side panel shows them, with the ways to ask as they really
    are: this form first, then only the channels the declaration itself opens."""
    label = builder.cat("field.channels")
    fields = builder.right_fields(right)
    for index, item in enumerate(fields):
        if item.label == label:
            others = [[Span(t("form.channel_other"))], *item.lines]
            fields[index] = Field(label, [[Span(t("form.channel_here"))], *others], bullets=True)
    return fields


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
            **versions.center_context(view, lang, policy.self_reference),
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
            "doc": policy_document(request, published, lang),
            **versions.center_context(view, lang, flow.policy.self_reference),
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

    rows = correction_rows(form) or [("", "")]

    def again(*problems: str, extra_row: bool = False) -> Response:
        context = form_context(request, right, lang)
        context.update(form_id=form_id, values=_kept_values(form))
        more = extra_row and len(rows) < context["room"]
        context["rows"] = [*rows, ("", "")] if more else rows
        t = texts(request, lang)
        context["errors"] = [FieldError(ERROR_FIELDS[p], t(f"error.{p}")) for p in problems]
        status = 422 if problems else 200
        return page(request, "center/request.html", context, status=status, lang=lang)

    if right.kind is RightKind.rectification:
        if text_field(form, "add_item", 5) == "1":
            return again(extra_row=True)  # "add another item": the same form, one row more
        if asked_changes(rows) is None:
            return again("duplicate_item")

    if right.kind is RightKind.erasure and text_field(form, "confirm", 5) != "1":
        # Every problem at once, as the summary lists them: the address too, if it is wrong.
        try:
            parse_email(email)
        except Invalid:
            return again("invalid_email", "confirm_irreversible")
        return again("confirm_irreversible")

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
        return _to_status(request, submitted.status_token, flash)
    response = flashed(request, RedirectResponse("/confirm", status_code=303), flash)
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
        "reason": text_field(form, "reason", 2000),
        "ground": text_field(form, "ground", 60),
        "purposes": [v for v in form.getlist("purpose") if isinstance(v, str)],
        "jurisdictions": [v for v in form.getlist("jurisdiction") if isinstance(v, str)],
        "agent": text_field(form, "agent", 5) == "1",
        "agent_name": text_field(form, "agent_name", 200),
        "agent_relationship": text_field(form, "agent_relationship", 200),
        "confirm": text_field(form, "confirm", 5) == "1",
    }


def _details(right: Right, form: FormData) -> dict[str, Any]:
    """The request's details as the form sent them; the workflow decides what is acceptable."""
    details: dict[str, Any] = {}
    if right.kind is RightKind.rectification:
        details["changes"] = asked_changes(correction_rows(form)) or {}
        reason = form_value(form, "reason", 4000)
        if reason.strip():
            details["reason"] = reason
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


def _to_status(request: Request, token: str, flash: str) -> RedirectResponse:
    return flashed(request, RedirectResponse(f"/status/{token}", status_code=303), flash)


def flashed(request: Request, response: Response, flash: str) -> Response:
    """Post/redirect/get: the banner rides in a short-lived cookie, shown once by the next
    page, never in the URL (where a bookmark or a shared link would show it again)."""
    response.set_cookie(
        FLASH_COOKIE,
        flash,
        max_age=300,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
    )
    return response


def flash_of(request: Request, allowed: tuple[str, ...]) -> str:
    value = request.cookies.get(FLASH_COOKIE, "")
    return value if value in allowed else ""


def shown_once(request: Request, response: Response) -> Response:
    """The banner has been shown: the cookie goes with this response."""
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, httponly=True, samesite="lax")
    return response


def code_error(t: Any, exc: WorkflowError) -> str:
    """Why a code was refused, as the person can act on it: tries left, too many, or expired."""
    if isinstance(exc, WrongCode) and exc.left > 0:
        return t("error.invalid_code_left", left=exc.left)
    if isinstance(exc, TooManyAttempts | WrongCode):
        return t("error.too_many_attempts")
    return t("error.invalid_code" if isinstance(exc, Invalid) else "error.expired_code")


# --- confirming where the request was made ----------------------------------------------------


@router.get("/confirm")
def confirm_page(request: Request) -> Response:
    """'Check your email': the same page for any address. With this browser's submission cookie
    it also takes the code; it never shows the request or links to its status."""
    return _confirm_page(request)


def _confirm_page(request: Request, *, status: int = 200, error: str | None = None) -> Response:
    flow = workflow_of(request)
    t = texts(request)
    state = None
    token = request.cookies.get(SUBMISSION_COOKIE, "")
    if token:
        try:
            state = flow.submission_state(token)
        except NotFound:
            state = None
    flash = flash_of(request, CONFIRM_FLASHES)
    flashes = [t(f"confirm.{flash}")] if flash else []
    return shown_once(
        request,
        page(
            request,
            "center/confirm.html",
            {
                "state": state,
                "flashes": flashes,
                "error": error,
                "code_minutes": int(flow.settings.code_ttl.total_seconds() // 60),
            },
            status=status,
        ),
    )


@router.post("/confirm")
async def confirm_code(request: Request) -> Response:
    flow = workflow_of(request)
    form = await read_form(request, flow.secrets)
    return await run_in_threadpool(_confirm_code, request, flow, form)


def _confirm_code(request: Request, flow: Workflow, form: FormData) -> Response:
    token = request.cookies.get(SUBMISSION_COOKIE, "")
    code = text_field(form, "code", 20).replace(" ", "")
    t = texts(request)
    try:
        flow.verify_submission(token, code, client_ip(request))
    except (Invalid, Expired) as exc:
        return _confirm_page(request, status=exc.status, error=code_error(t, exc))
    except (NotFound, Conflict, RateLimited) as exc:
        return domain_error(request, exc, "/confirm")
    return flashed(request, RedirectResponse("/confirm", status_code=303), "verified")


@router.post("/confirm/code")
async def confirm_resend(request: Request) -> Response:
    flow = workflow_of(request)
    await read_form(request, flow.secrets)
    token = request.cookies.get(SUBMISSION_COOKIE, "")
    try:
        await run_in_threadpool(flow.resend_for_submission, token, client_ip(request))
    except WorkflowError as exc:
        return domain_error(request, exc, "/confirm")
    return flashed(request, RedirectResponse("/confirm", status_code=303), "resent")


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
    flash = flash_of(request, FLASHES)
    return ("status", token, request.url.query, flash, version) if version else None


def status_context(
    request: Request, flow: Workflow, token: str, lang: str, error: str | None
) -> dict[str, Any]:
    t = texts(request, lang)
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
    flash = flash_of(request, FLASHES)
    flashes = [t(f"status.{flash}")] if flash else []
    label = Builder(flow.policy, catalog(Lang(lang))).right_title(right) if right else row.kind
    result = outcome(flow.policy, row.result, zone, lang) if view["state"] == "completed" else None
    if result and result.no_data and row.kind in DISCLOSURES:  # APPI Art. 33(3)
        state_label = t("state.completed_no_data")
    elif view.get("outcome"):  # any other request that found no one: nothing was changed
        state_label = t("state.nothing_held")
    else:
        state_label = t(f"state.{view['state']}")
    return {
        "token": token,
        "view": view,
        "label": label,
        "state_label": state_label,
        "received": t.when(row.received_at, zone),
        "due": t.when(row.due_at, zone),
        "events": timeline(flow.history(request_id), t, zone),
        "download": download,
        "outcome": result,
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
                    built = await run_in_threadpool(status_page, request, token)
                    return shown_once(request, built)
        finally:
            _rendering.pop((key, lang), None)
    return shown_once(request, page(request, STATUS_TEMPLATE, None, cache_key=key))


@router.post("/status/{token}/verify")
async def verify(token: str, request: Request) -> Response:
    flow = workflow_of(request)
    form = await read_form(request, flow.secrets)
    return await run_in_threadpool(_verify, request, flow, token, form)


def _verify(request: Request, flow: Workflow, token: str, form: FormData) -> Response:
    code = text_field(form, "code", 20).replace(" ", "")
    t = texts(request)
    try:
        flow.verify_code(token, code, client_ip(request))
    except (Invalid, Expired) as exc:
        return status_page(request, token, status=exc.status, error=code_error(t, exc))
    except (NotFound, Conflict, RateLimited) as exc:
        return domain_error(request, exc, f"/status/{token}")
    return _to_status(request, token, "verified")


@router.post("/status/{token}/code")
async def resend(token: str, request: Request) -> Response:
    flow = workflow_of(request)
    await read_form(request, flow.secrets)
    return await run_in_threadpool(
        _attempt, request, token, "resent", flow.resend_code, token, client_ip(request)
    )


@router.get("/status/{token}/withdraw")
def withdraw_page(token: str, request: Request) -> Response:
    """'Are you sure?': withdrawing ends the request, so it takes a second, deliberate step."""
    flow = workflow_of(request)
    try:
        view = flow.status(token)
    except NotFound:
        return error_page(request, 404, "not_found")
    if view["state"] not in WITHDRAWABLE:
        return RedirectResponse(f"/status/{token}", status_code=303)
    return page(request, "center/withdraw.html", {"token": token})


@router.post("/status/{token}/withdraw")
async def withdraw(token: str, request: Request) -> Response:
    flow = workflow_of(request)
    form = await read_form(request, flow.secrets)
    if text_field(form, "confirm", 5) != "1":
        return RedirectResponse(f"/status/{token}/withdraw", status_code=303)
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
    return _to_status(request, token, "verified")


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
    return _to_status(request, token, flash)


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
