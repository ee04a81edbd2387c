"""The JSON API for requests staff record from post, email, phone or the counter
(policykeeper.workflow.intake): record, attach scans, check documents, fee, letter, dispatch."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from pydantic import BaseModel, Field

from policykeeper.web import api
from policykeeper.web.api import Flow, Handler, Payload, RequestOut
from policykeeper.web.files import attachment
from policykeeper.workflow import intake
from policykeeper.workflow.errors import NotFound

router = APIRouter(prefix="/api/staff", tags=["staff intake"], responses=api.router.responses)


class IntakeIn(Payload):
    kind: str = Field(description="A right the service declares: access, rectification, ...")
    channel: Literal["post", "email", "phone", "counter"]
    received_on: date = Field(
        description="The day the request arrived: the deadline counts from it."
    )
    name: str
    email: str = Field(description="The address the person is registered with at the service.")
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    reply_by: Literal["letter", "export"] = "letter"
    language: Literal["ja", "en"] = "ja"
    jurisdictions: list[str] | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    agent: dict[str, Any] | None = None


class IntakeOut(BaseModel):
    channel: str
    received_on: date
    name: str
    postal_code: str | None
    address: str | None
    phone: str | None
    reply_by: str
    recorded_by: str
    document_check: dict[str, Any] | None
    payment: dict[str, Any] | None
    dispatch: dict[str, Any] | None


class RecordedOut(RequestOut):
    intake: IntakeOut


class CheckIn(Payload):
    document: Literal[intake.DOCUMENTS]  # type: ignore[valid-type]
    approved: bool
    numbers_masked: bool = Field(
        False,
        description="A health-insurance card's insurer and insured-person numbers are masked.",
    )
    authority_checked: bool = False
    note: str = ""


class FeeAmountIn(Payload):
    amount: int = Field(description="Yen, for a fee declared as actual cost.")


class PaymentIn(Payload):
    amount: int
    method: Literal[intake.PAYMENT_METHODS]  # type: ignore[valid-type]
    paid_on: date
    reference: str = ""


class DispatchIn(Payload):
    registered_mail_number: str
    sent_on: date


def _out(flow: Flow, request_id: str) -> RecordedOut:
    found = intake.intake_of(flow, request_id)
    row = RequestOut.of(flow.get(request_id))
    return RecordedOut(
        **row.model_dump(),
        intake=IntakeOut.model_validate(found, from_attributes=True),
    )


@router.post("/intake", status_code=201, response_model=RecordedOut)
def record(body: IntakeIn, flow: Flow, member: Handler) -> RecordedOut:
    """A request received outside the privacy center; it waits for the document check."""
    request_id = intake.record(flow, intake.PaperRequest(**body.model_dump()), member.actor)
    return _out(flow, request_id)


@router.get("/requests/{request_id}/intake", response_model=RecordedOut)
def read(request_id: str, flow: Flow, member: Handler) -> RecordedOut:
    if intake.intake_of(flow, request_id) is None:
        raise NotFound("no such request recorded by staff")
    return _out(flow, request_id)


@router.post("/requests/{request_id}/intake/documents", status_code=201)
async def attach(
    request_id: str,
    flow: Flow,
    member: Handler,
    purpose: Annotated[Literal["id_document", "authority"], Form()],
    file: Annotated[UploadFile, File()],
) -> dict[str, str]:
    """A scanned identity document or agent's authority: PDF, JPEG or PNG, within the limit."""
    content = await file.read(flow.settings.upload_max_bytes + 1)
    upload_id = intake.attach(
        flow, request_id, member.actor, purpose, file.filename or "scan", content
    )
    return {"upload": upload_id}


@router.post("/requests/{request_id}/intake/check", response_model=RecordedOut)
def check(request_id: str, body: CheckIn, flow: Flow, member: Handler) -> RecordedOut:
    intake.check_documents(flow, request_id, member.actor, **body.model_dump())
    return _out(flow, request_id)


@router.post("/requests/{request_id}/intake/fee", response_model=RecordedOut)
def fee_amount(request_id: str, body: FeeAmountIn, flow: Flow, member: Handler) -> RecordedOut:
    intake.set_fee(flow, request_id, member.actor, body.amount)
    return _out(flow, request_id)


@router.post("/requests/{request_id}/intake/payment", response_model=RecordedOut)
def payment(request_id: str, body: PaymentIn, flow: Flow, member: Handler) -> RecordedOut:
    intake.record_payment(flow, request_id, member.actor, **body.model_dump())
    return _out(flow, request_id)


@router.get("/requests/{request_id}/intake/letter.pdf")
def letter(
    request_id: str, flow: Flow, member: Handler, dated: Annotated[date | None, Query()] = None
) -> Response:
    """The reply to post, dated today in Japan unless `dated` is given."""
    _composed, pdf = intake.letter(flow, request_id, dated or intake.today(flow))
    return attachment(pdf, f"letter-{request_id}.pdf", "application/pdf")


@router.post("/requests/{request_id}/intake/dispatch", response_model=RecordedOut)
def dispatch(request_id: str, body: DispatchIn, flow: Flow, member: Handler) -> RecordedOut:
    intake.record_dispatch(
        flow,
        request_id,
        member.actor,
        number=body.registered_mail_number,
        sent_on=body.sent_on,
    )
    return _out(flow, request_id)
