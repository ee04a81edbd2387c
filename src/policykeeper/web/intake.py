"""The console's pages for requests received by post, email, phone or at the counter: record
one, attach the scans, check the documents, set and record the fee, decide, print the letter
and record its dispatch (policykeeper.workflow.intake). Their wording lives apart, in
`messages/intake/<lang>.yaml`; every action needs a handler's session and the CSRF token."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from ruamel.yaml import YAML
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
from policykeeper.web.i18n import Messages, messages
from policykeeper.web.security import read_form, text_field
from policykeeper.web.views import error_page, language, page, workflow_of, zone_of
from policykeeper.workflow import intake
from policykeeper.workflow.errors import Invalid, NotFound
from policykeeper.workflow.service import Workflow
from policykeeper.workflow.staff import Role
from policykeeper.workflow.states import State

router = APIRouter(prefix="/admin/intake", include_in_schema=False)


@cache
def intake_messages(lang: str) -> Messages:
    chosen = lang if lang in ("ja", "en") else "en"
    source = files("policykeeper.web").joinpath("messages", "intake", f"{chosen}.yaml")
    return Messages(chosen, YAML(typ="safe").load(source.read_text("utf-8")))


def _page(request: Request, template: str, context: dict[str, Any]) -> Response:
    lang = language(request)
    return page(request, template, {"i": intake_messages(lang), **context}, lang=lang)


def _day(form: FormData, name: str) -> date:
    try:
        return date.fromisoformat(text_field(form, name, 10))
    except ValueError:
        raise Invalid(f"{name}: a date is required") from None


def _back(request_id: str) -> RedirectResponse:
    return RedirectResponse(f"/admin/intake/{request_id}?done=1", status_code=303)


@router.get("")
def listing(request: Request) -> Response:
    member = signed_in(request)
    flow = workflow_of(request)
    t = messages(language(request))
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
            "received_on": record.received_on,
            "due": t.when(row.due_at, zone),
            "state": t(f"staff_state.{row.state}"),
        }
        for record, row in found
    ]
    return _page(request, "intake/list.html", {"member": member, "items": items})


@router.get("/new")
def new_form(request: Request) -> Response:
    member = signed_in(request, Role.handler)
    flow = workflow_of(request)
    builder = Builder(flow.policy, catalog(Lang(language(request))))
    return _page(
        request,
        "intake/new.html",
        {
            "member": member,
            "rights": [(r.kind.value, builder.right_title(r)) for r in flow.policy.rights],
            "today": intake.today(flow).isoformat(),
        },
    )


@router.post("")
async def record(request: Request) -> Response:
    member = signed_in(request, Role.handler)
    flow = workflow_of(request)
    form = await read_form(request, flow.secrets)
    agent_name = text_field(form, "agent_name", 200)
    new = intake.PaperRequest(
        kind=text_field(form, "kind", 40),
        channel=text_field(form, "channel", 10),
        received_on=_day(form, "received_on"),
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
    request_id = await run_in_threadpool(intake.record, flow, new, member.actor)
    return RedirectResponse(f"/admin/intake/{request_id}", status_code=303)


@router.get("/{request_id}")
def detail(request_id: str, request: Request) -> Response:
    member = signed_in(request)
    flow = workflow_of(request)
    lang = language(request)
    t = messages(lang)
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
            "today": intake.today(flow).isoformat(),
            "upload_limit": flow.settings.upload_max_bytes // 2**20,
            "documents": intake.DOCUMENTS,
            "methods": intake.PAYMENT_METHODS,
            "flashes": [intake_messages(lang)("done")] if request.query_params.get("done") else [],
        },
    )


async def _action(request: Request, max_bytes: int | None = None) -> tuple[Workflow, Any, str]:
    member = signed_in(request, Role.handler)
    flow = workflow_of(request)
    if max_bytes is None:
        return flow, await read_form(request, flow.secrets), member.actor
    return flow, await read_form(request, flow.secrets, max_bytes), member.actor


@router.post("/{request_id}/documents")
async def attach(request_id: str, request: Request) -> Response:
    limit = workflow_of(request).settings.upload_max_bytes
    flow, form, actor = await _action(request, limit + 64 * 1024)
    file = form.get("file")
    if file is None or isinstance(file, str) or not file.filename:
        raise Invalid("file: choose a scanned document")
    content = await file.read(limit + 1)
    purpose = text_field(form, "purpose", 20)
    await run_in_threadpool(intake.attach, flow, request_id, actor, purpose, file.filename, content)
    return _back(request_id)


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
    await run_in_threadpool(
        lambda: intake.check_documents(
            flow,
            request_id,
            actor,
            document=text_field(form, "document", 30),
            approved=text_field(form, "decision", 10) == "approved",
            numbers_masked=text_field(form, "numbers_masked", 5) == "1",
            authority_checked=text_field(form, "authority_checked", 5) == "1",
            note=text_field(form, "note", 2000),
        )
    )
    return _back(request_id)


@router.post("/{request_id}/fee")
async def fee(request_id: str, request: Request) -> Response:
    flow, form, actor = await _action(request)
    amount = text_field(form, "amount", 7)
    if not amount.isdigit():
        raise Invalid("amount: a whole number of yen")
    await run_in_threadpool(intake.set_fee, flow, request_id, actor, int(amount))
    return _back(request_id)


@router.post("/{request_id}/payment")
async def payment(request_id: str, request: Request) -> Response:
    flow, form, actor = await _action(request)
    amount = text_field(form, "amount", 7)
    if not amount.isdigit():
        raise Invalid("amount: a whole number of yen")
    await run_in_threadpool(
        lambda: intake.record_payment(
            flow,
            request_id,
            actor,
            amount=int(amount),
            method=text_field(form, "method", 30),
            paid_on=_day(form, "paid_on"),
            reference=text_field(form, "reference", 100),
        )
    )
    return _back(request_id)


@router.post("/{request_id}/decision")
async def decide(request_id: str, request: Request) -> Response:
    """Approve (then execute at once, so the letter can follow) or refuse on a declared ground."""
    flow, form, actor = await _action(request)
    approve = text_field(form, "outcome", 10) == "approve"
    ground = text_field(form, "ground", 60) or None
    # Checked, or not offered: what the declaration withholds in principle (with its reason).
    unchecked = text_field(form, "history_offered", 5) == "1" and not form.get("withhold_history")
    withhold = [] if unchecked else None
    await run_in_threadpool(
        lambda: flow.decide(
            request_id,
            actor,
            approve=approve,
            ground=ground,
            note=text_field(form, "note", 2000),
            withhold=withhold,
        )
    )
    if approve:
        await run_in_threadpool(execute_now, flow, request_id)
    return _back(request_id)


@router.get("/{request_id}/letter.pdf")
def letter(request_id: str, request: Request) -> Response:
    signed_in(request, Role.handler)
    flow = workflow_of(request)
    _composed, pdf = intake.letter(flow, request_id, intake.today(flow))
    return attachment(pdf, f"letter-{request_id}.pdf", "application/pdf")


@router.post("/{request_id}/dispatch")
async def dispatch(request_id: str, request: Request) -> Response:
    flow, form, actor = await _action(request)
    await run_in_threadpool(
        lambda: intake.record_dispatch(
            flow,
            request_id,
            actor,
            number=text_field(form, "number", 20),
            sent_on=_day(form, "sent_on"),
        )
    )
    return _back(request_id)
