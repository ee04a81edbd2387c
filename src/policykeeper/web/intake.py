"""The console's pages for requests received by post, email, phone or at the counter: record
one, attach the scans, check the documents, set and record the fee, decide, print the letter
and record its dispatch (policykeeper.workflow.intake). Their wording lives apart, in
`messages/intake/<lang>.yaml`; every action needs a handler's session and the CSRF token."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from policykeeper.policy.types import Lang
from policykeeper.render.build import Builder
from policykeeper.render.catalog import catalog
from policykeeper.store.intake_models import Intake
from policykeeper.store.models import Request as RequestRow
from policykeeper.store.models import Upload
from policykeeper.web.admin import signed_in
from policykeeper.web.execution import execute_now
from policykeeper.web.files import attachment
from policykeeper.web.i18n import Messages, load_messages
from policykeeper.web.security import read_form, text_field
from policykeeper.web.views import error_page, language, page, texts, workflow_of, zone_of
from policykeeper.workflow import intake
from policykeeper.workflow.errors import Conflict, Invalid, NotFound, WorkflowError
from policykeeper.workflow.service import Workflow
from policykeeper.workflow.staff import Role
from policykeeper.workflow.states import State

router = APIRouter(prefix="/admin/intake", include_in_schema=False)


@cache
def intake_messages(lang: str, we: str) -> Messages:
    return load_messages(lang, we, "intake")


def _page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    lang = language(request)
    return page(
        request,
        template,
        {"i": texts(request, lang, of=intake_messages), **context},
        status=status,
        lang=lang,
    )


def _day(form: FormData, name: str) -> date:
    try:
        return date.fromisoformat(text_field(form, name, 10))
    except ValueError:
        raise Invalid(f"{name}: a date is required") from None


def _problem(request: Request, exc: WorkflowError) -> tuple[str, str]:
    """What staff are told on the page, in their language, and the workflow's own words."""
    i = texts(request, of=intake_messages)
    field = (getattr(exc, "field", None) or "").split(".")[0]
    key = (
        "conflict" if isinstance(exc, Conflict) else field if i.has(f"errors.{field}") else "other"
    )
    limit = workflow_of(request).settings.upload_max_bytes // 2**20
    return i(f"errors.{key}", limit=limit), str(exc)


def _day_text(t: Messages, value: date | str) -> str:
    """A day in the reader's form: 「2026年11月28日」 / "28 November 2026"."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    month = t.tree["format"]["months"][day.month - 1]
    return t("format.date", year=day.year, month=day.month, day=day.day, month_name=month)


def _mail_number(number: str) -> str:
    """A registered-mail number as Japan Post prints it: 1234-5678-9012."""
    return "-".join(number[i : i + 4] for i in range(0, len(number), 4))


def _back(request_id: str) -> RedirectResponse:
    return RedirectResponse(f"/admin/intake/{request_id}?done=1", status_code=303)


@router.get("")
def listing(request: Request) -> Response:
    member = signed_in(request)
    flow = workflow_of(request)
    t = texts(request)
    with flow.store.transaction() as session:
        found = session.execute(
            sa.select(Intake, RequestRow)
            .join(RequestRow, RequestRow.id == Intake.request_id)
            .order_by(RequestRow.due_at)
            .limit(500)
        ).all()
    zone = zone_of(flow)
    items = [
        {
            "id": row.id,
            "name": record.name,
            "channel": record.channel,
            "received_on": _day_text(t, record.received_on),
            "due": t.when(row.due_at, zone),
            "state": t(f"staff_state.{row.state}"),
        }
        for record, row in found
    ]
    return _page(request, "intake/list.html", {"member": member, "items": items})


FIELDS = ("kind", "channel", "received_on", "name", "email", "postal_code", "address", "phone")
FIELDS += ("reply_by", "language", "agent_name", "agent_relationship")


@router.get("/new")
def new_form(request: Request) -> Response:
    return _new_page(request, {})


def _new_page(
    request: Request,
    values: dict[str, str],
    error: tuple[str, str] | None = None,
    status: int = 200,
) -> Response:
    member = signed_in(request, Role.handler)
    flow = workflow_of(request)
    builder = Builder(flow.policy, catalog(Lang(language(request))))
    today = intake.today(flow).isoformat()
    lang = language(request)
    return page(
        request,
        "intake/new.html",
        {
            "i": texts(request, lang, of=intake_messages),
            "member": member,
            "rights": [(r.kind.value, builder.right_title(r)) for r in flow.policy.rights],
            "today": today,
            "values": {name: values.get(name, "") for name in FIELDS}
            | {"received_on": values.get("received_on") or today},
            "error": error,
        },
        status=status,
        lang=lang,
    )


@router.post("")
async def record(request: Request) -> Response:
    member = signed_in(request, Role.handler)
    flow = workflow_of(request)
    form = await read_form(request, flow.secrets)
    agent_name = text_field(form, "agent_name", 200)
    try:
        received_on = _day(form, "received_on")
    except Invalid as exc:
        values = {name: text_field(form, name, 500) for name in FIELDS}
        return _new_page(request, values, _problem(request, exc), exc.status)
    new = intake.PaperRequest(
        kind=text_field(form, "kind", 40),
        channel=text_field(form, "channel", 10),
        received_on=received_on,
        name=text_field(form, "name", 200),
        email=text_field(form, "email", 320),
        postal_code=text_field(form, "postal_code", 10),
        address=text_field(form, "address", 500),
        phone=text_field(form, "phone", 40),
        reply_by=text_field(form, "reply_by", 10),
        language=text_field(form, "language", 2) or "ja",
        agent={"name": agent_name, "relationship": text_field(form, "agent_relationship", 200)}
        if agent_name
        else None,
    )
    try:
        request_id = await run_in_threadpool(intake.record, flow, new, member.actor)
    except WorkflowError as exc:
        values = {name: text_field(form, name, 500) for name in FIELDS}
        return _new_page(request, values, _problem(request, exc), exc.status)
    return RedirectResponse(f"/admin/intake/{request_id}", status_code=303)


@router.get("/{request_id}")
def detail(request_id: str, request: Request) -> Response:
    return _detail_page(request, request_id)


def _detail_page(
    request: Request, request_id: str, error: tuple[str, str] | None = None, status: int = 200
) -> Response:
    member = signed_in(request)
    flow = workflow_of(request)
    lang = language(request)
    t = texts(request, lang)
    record = intake.intake_of(flow, request_id)
    if record is None:
        return error_page(request, 404, "not_found", home="/admin")
    row = flow.get(request_id)
    zone = zone_of(flow, row.jurisdictions[0] if row.jurisdictions else None)
    right = flow._right(row.kind)
    cat = catalog(Lang(lang))
    with flow.store.transaction() as session:
        uploads = list(
            session.execute(
                sa.select(Upload).where(Upload.request_id == row.id).order_by(Upload.uploaded_at)
            ).scalars()
        )
    grounds = [(g.id, g.label.get(lang)) for g in right.refusal_grounds]
    history = [
        {
            "at": t.when(e.at, zone),
            "actor": e.actor,
            "action": e.action,
            "data": json.dumps(json.loads(e.data), ensure_ascii=False)[:300],
        }
        for e in flow.history(request_id)
    ]
    state = State(row.state)
    return _page(
        request,
        "intake/detail.html",
        {
            "member": member,
            "can_act": member.role in (Role.handler, Role.admin),
            "row": row,
            "record": record,
            "right_label": Builder(flow.policy, cat).right_title(right),
            "state_label": t(f"staff_state.{row.state}"),
            "due": t.when(row.due_at, zone),
            "uploads": uploads,
            "awaiting_documents": state is State.verifying and row.documents_verified_at is None,
            "awaiting_fee": state is State.awaiting_fee,
            "in_review": state is State.in_review,
            "decided": state in (State.completed, State.denied),
            "fee": cat.money(row.fee_amount, row.fee_currency or "JPY")
            if row.fee_amount is not None
            else None,
            "actual_cost": right.fee is not None and right.fee.kind == "actual_cost",
            "withheld": right.withheld.get(lang) if right.withheld else None,
            "grounds": grounds,
            "history": history,
            "day": lambda value: _day_text(t, value),
            "mail_number": _mail_number,
            "today": intake.today(flow).isoformat(),
            "upload_limit": flow.settings.upload_max_bytes // 2**20,
            "documents": intake.DOCUMENTS,
            "methods": intake.PAYMENT_METHODS,
            "flashes": [texts(request, lang, of=intake_messages)("done")]
            if request.query_params.get("done") and error is None
            else [],
            "error": error,
        },
        status=status,
    )


async def _action(request: Request, max_bytes: int | None = None) -> tuple[Workflow, Any, str]:
    member = signed_in(request, Role.handler)
    flow = workflow_of(request)
    if max_bytes is None:
        return flow, await read_form(request, flow.secrets), member.actor
    return flow, await read_form(request, flow.secrets, max_bytes), member.actor


async def _run(request: Request, request_id: str, work: Callable[[], object]) -> Response:
    """Do one step; a refused step shows the page again with what to correct."""
    try:
        await run_in_threadpool(work)
    except (Invalid, Conflict) as exc:
        return _detail_page(request, request_id, _problem(request, exc), exc.status)
    return _back(request_id)


def _amount(form: FormData) -> int:
    amount = text_field(form, "amount", 7)
    if not amount.isdigit():
        raise Invalid("amount: a whole number of yen")
    return int(amount)


@router.post("/{request_id}/documents")
async def attach(request_id: str, request: Request) -> Response:
    limit = workflow_of(request).settings.upload_max_bytes
    flow, form, actor = await _action(request, limit + 64 * 1024)
    file = form.get("file")
    name, content = "", b""
    if file is not None and not isinstance(file, str) and file.filename:
        name, content = file.filename, await file.read(limit + 1)
    purpose = text_field(form, "purpose", 20)
    return await _run(
        request,
        request_id,
        lambda: intake.attach(flow, request_id, actor, purpose, name, content),
    )


@router.get("/{request_id}/documents/{upload_id}")
def document(request_id: str, upload_id: str, request: Request) -> Response:
    signed_in(request, Role.handler)
    upload = workflow_of(request).document(request_id, upload_id)
    if upload.content is None:
        raise NotFound("the document was purged")
    return attachment(upload.content, upload.filename, upload.content_type)


@router.post("/{request_id}/check")
async def check(request_id: str, request: Request) -> Response:
    flow, form, actor = await _action(request)
    return await _run(
        request,
        request_id,
        lambda: intake.check_documents(
            flow,
            request_id,
            actor,
            document=text_field(form, "document", 30),
            approved=text_field(form, "decision", 10) == "approved",
            numbers_masked=text_field(form, "numbers_masked", 5) == "1",
            authority_checked=text_field(form, "authority_checked", 5) == "1",
            note=text_field(form, "note", 2000),
        ),
    )


@router.post("/{request_id}/fee")
async def fee(request_id: str, request: Request) -> Response:
    flow, form, actor = await _action(request)
    return await _run(
        request, request_id, lambda: intake.set_fee(flow, request_id, actor, _amount(form))
    )


@router.post("/{request_id}/payment")
async def payment(request_id: str, request: Request) -> Response:
    flow, form, actor = await _action(request)
    return await _run(
        request,
        request_id,
        lambda: intake.record_payment(
            flow,
            request_id,
            actor,
            amount=_amount(form),
            method=text_field(form, "method", 30),
            paid_on=_day(form, "paid_on"),
            reference=text_field(form, "reference", 100),
        ),
    )


@router.post("/{request_id}/decision")
async def decide(request_id: str, request: Request) -> Response:
    """Approve (then execute at once, so the letter can follow) or refuse on a declared ground."""
    flow, form, actor = await _action(request)
    approve = text_field(form, "outcome", 10) == "approve"
    # Checked, or not offered: what the declaration withholds in principle (with its reason).
    unchecked = text_field(form, "history_offered", 5) == "1" and not form.get("withhold_history")

    def work() -> None:
        flow.decide(
            request_id,
            actor,
            approve=approve,
            ground=text_field(form, "ground", 60) or None,
            note=text_field(form, "note", 2000),
            withhold=[] if unchecked else None,
        )
        if approve:
            execute_now(flow, request_id)

    return await _run(request, request_id, work)


@router.get("/{request_id}/letter.pdf")
def letter(request_id: str, request: Request) -> Response:
    signed_in(request, Role.handler)
    flow = workflow_of(request)
    _composed, pdf = intake.letter(flow, request_id, intake.today(flow))
    return attachment(pdf, f"letter-{request_id}.pdf", "application/pdf")


@router.post("/{request_id}/dispatch")
async def dispatch(request_id: str, request: Request) -> Response:
    flow, form, actor = await _action(request)
    return await _run(
        request,
        request_id,
        lambda: intake.record_dispatch(
            flow,
            request_id,
            actor,
            number=text_field(form, "number", 20),
            sent_on=_day(form, "sent_on"),
        ),
    )
