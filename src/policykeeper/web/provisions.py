"""Third-party provision records in the JSON API and the console, and the record of processing
activities as a download. Services record each provision from their backend with a handler's
API token; staff find a person's records, and record provisions and receipts by hand.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from policykeeper.project import Project
from policykeeper.records import provisions as ledger
from policykeeper.records.provisions import NewProvision, NewReceipt
from policykeeper.records.ropa import render_ropa
from policykeeper.store.records_models import ProvisionRecord
from policykeeper.web.admin import signed_in
from policykeeper.web.api import Flow, Handler, Viewer
from policykeeper.web.duties import problem_text, project, staff_action
from policykeeper.web.duty_text import duty_page, local_moment
from policykeeper.web.files import attachment
from policykeeper.web.security import text_field
from policykeeper.web.views import language, workflow_of, zone_of
from policykeeper.workflow.errors import Invalid
from policykeeper.workflow.staff import Role

router = APIRouter()
ProjectDep = Annotated[Project, Depends(project)]


class ProvisionOut(BaseModel):
    id: str
    direction: str
    recipient: str | None
    counterparty_name: str
    counterparty_address: str | None
    counterparty_representative: str | None
    basis: str
    items: list[dict[str, Any]]
    beyond_declared: list[str]
    person_name: str | None
    acquisition: str | None
    ppc_published: bool | None
    first_at: datetime
    last_at: datetime
    recurring: bool
    keep: str
    purge_after: datetime
    recorded_at: datetime
    recorded_by: str
    note: str | None
    subjects: list[str]

    @classmethod
    def of(cls, record: ProvisionRecord, subjects: list[str]) -> ProvisionOut:
        data = {name: getattr(record, name) for name in cls.model_fields if name != "subjects"}
        return cls(**data, subjects=subjects)


class RecurrenceIn(BaseModel):
    at: datetime


@router.post(
    "/api/staff/provisions", status_code=201, response_model=ProvisionOut, tags=["records"]
)
def provide_api(body: NewProvision, flow: Flow, member: Handler, found: ProjectDep) -> ProvisionOut:
    """Record one provision (or a recurring one) to a recipient declared as third-party provision."""
    record = ledger.record_provision(found, flow.store, body, now=flow.clock(), actor=member.actor)
    return ProvisionOut.of(record, ledger.subjects_of(flow.store, record.id))


@router.post(
    "/api/staff/provisions/received",
    status_code=201,
    response_model=ProvisionOut,
    tags=["records"],
)
def receive_api(body: NewReceipt, flow: Flow, member: Handler, found: ProjectDep) -> ProvisionOut:
    """Record personal data received from a third party, with the Art. 30 confirmation items."""
    record = ledger.record_receipt(found, flow.store, body, now=flow.clock(), actor=member.actor)
    return ProvisionOut.of(record, ledger.subjects_of(flow.store, record.id))


@router.post(
    "/api/staff/provisions/{record_id}/recurrences", response_model=ProvisionOut, tags=["records"]
)
def recur_api(record_id: str, body: RecurrenceIn, flow: Flow, member: Handler) -> ProvisionOut:
    record = ledger.recur(flow.store, record_id, at=body.at, now=flow.clock(), actor=member.actor)
    return ProvisionOut.of(record, ledger.subjects_of(flow.store, record.id))


@router.get("/api/staff/provisions", response_model=list[ProvisionOut], tags=["records"])
def list_api(
    flow: Flow,
    member: Viewer,
    subject: Annotated[str | None, Query(max_length=400)] = None,
    recipient: Annotated[str | None, Query(max_length=100)] = None,
    direction: Annotated[Literal["provided", "received"] | None, Query()] = None,
) -> list[ProvisionOut]:
    records = ledger.list_provisions(
        flow.store, subject=subject, recipient=recipient, direction=direction
    )
    return [ProvisionOut.of(r, ledger.subjects_of(flow.store, r.id)) for r in records]


# --- the console ---------------------------------------------------------------------------------


@router.get("/admin/provisions", include_in_schema=False)
def provisions_page(request: Request) -> Response:
    member = signed_in(request)
    return _page(request, member, {}, None)


@router.post("/admin/provisions", include_in_schema=False)
async def record_page(request: Request) -> Response:
    flow, form, member = await staff_action(request)
    values = {key: text_field(form, key, 4000) for key in form}
    zone = zone_of(flow)
    try:
        found = project(request)
        subjects = [s.strip() for s in values.get("subjects", "").splitlines() if s.strip()]
        items = [i.strip() for i in values.get("items", "").split(",") if i.strip()]
        at = local_moment(values.get("at", ""), zone, "at")
        if values.get("direction") == "received":
            receipt = NewReceipt.model_validate(
                {
                    "provider_name": values.get("provider_name", ""),
                    "provider_address": values.get("provider_address", ""),
                    "provider_representative": values.get("provider_representative") or None,
                    "acquisition": values.get("acquisition", ""),
                    "subjects": subjects,
                    "items": items,
                    "received_at": at,
                    "basis": values.get("basis") or "consent",
                    "ppc_published": values.get("ppc_published") == "1" or None,
                }
            )
            await run_in_threadpool(
                ledger.record_receipt,
                found,
                flow.store,
                receipt,
                now=flow.clock(),
                actor=member.actor,
            )
        else:
            provision = NewProvision.model_validate(
                {
                    "recipient": values.get("recipient", ""),
                    "subjects": subjects,
                    "items": items,
                    "provided_at": at,
                    "recipient_address": values.get("recipient_address") or None,
                }
            )
            await run_in_threadpool(
                ledger.record_provision,
                found,
                flow.store,
                provision,
                now=flow.clock(),
                actor=member.actor,
            )
    except (Invalid, ValidationError) as exc:
        return _page(request, member, values, problem_text(exc), status=422)
    return RedirectResponse("/admin/provisions?done=1", status_code=303)


@router.get("/admin/ropa", include_in_schema=False)
def ropa(
    request: Request,
    lang: Annotated[Literal["ja", "en"], Query()] = "ja",
    format: Annotated[Literal["html", "csv"], Query()] = "html",
) -> Response:
    """The record of processing activities (GDPR Art. 30), generated now."""
    signed_in(request)
    flow = workflow_of(request)
    found = project(request)
    text = render_ropa(found.policy, found.datamap, lang, format, flow.clock().date())
    if format == "csv":
        return attachment(text.encode("utf-8"), f"ropa-{lang}.csv", "text/csv; charset=utf-8")
    return Response(text, media_type="text/html; charset=utf-8")


def _page(
    request: Request,
    member: Any,
    values: dict[str, str],
    error: str | None,
    status: int = 200,
) -> Response:
    flow = workflow_of(request)
    lang = language(request)
    params = request.query_params
    subject = (params.get("subject") or "").strip()[:400] or None
    recipient = (params.get("recipient") or "").strip()[:100] or None
    records = ledger.list_provisions(flow.store, subject=subject, recipient=recipient, limit=200)
    recorded = ledger.provided_by_recipient(flow.policy)
    return duty_page(
        request,
        "duties/provisions.html",
        {
            "member": member,
            "records": [
                {"record": r, "subjects": ledger.subjects_of(flow.store, r.id)} for r in records
            ],
            "recipients": [(r.id, r.name.get(lang)) for r in recorded],
            "filters": {"subject": subject or "", "recipient": recipient or ""},
            "values": values,
            "error": error,
            "can_act": member.role in (Role.handler, Role.admin),
            "gdpr": any(j.value == "gdpr" for j in flow.policy.jurisdictions),
            "flashes": ["done"] if params.get("done") else [],
        },
        status=status,
        lang=lang,
    )
