"""The JSON API: the person's side (submit, verify, follow, download) and the staff's side
(queue, decisions, extensions, fees, execution, export links), each route one workflow call.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from policykeeper.errors import (
    Conflict,
    Expired,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    Unauthorized,
)
from policykeeper.policy.types import Duration
from policykeeper.store.models import Request as RequestRow
from policykeeper.web.files import attachment, document_attachment
from policykeeper.workflow.audit import verify_chain
from policykeeper.workflow.service import NewRequest, Workflow
from policykeeper.workflow.staff import Role, StaffDirectory, StaffMember

SESSION_COOKIE = "pk_session"


class ErrorOut(BaseModel):
    """Every error: a stable code and one readable sentence."""

    error: str
    message: str


_ERRORS = (Unauthorized, Forbidden, NotFound, Conflict, Expired, Invalid, RateLimited)
"""The errors every route may answer with, documented by their own status and docstring."""
router = APIRouter(
    prefix="/api",
    responses={
        kind.status: {"model": ErrorOut, "description": (kind.__doc__ or "").strip()}
        for kind in _ERRORS
    },
)


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SubmitIn(Payload):
    """The values are checked by the workflow's one set of rules (`workflow.inputs`), the same
    the form uses; only their JSON types are checked here."""

    kind: str = Field(description="A right the service declares: access, erasure, ...")
    email: str = Field(description="Exactly one address (an RFC 5322 addr-spec).")
    language: Literal["ja", "en"] = "en"
    jurisdictions: list[str] | None = Field(None, description="appi, gdpr, ccpa")
    details: dict[str, Any] = Field(
        default_factory=dict,
        description="rectification: {'changes': {'table.column': value}}; objection: "
        "{'purposes': [...]}; restriction, erasure: {'ground': ...}",
    )
    agent: dict[str, Any] | None = Field(
        None,
        description="Where the declaration allows agents: {'name', 'email', 'relationship'}.",
    )


class SubmitOut(BaseModel):
    message: str
    submission_token: str = Field(
        description="Lets the submitter type the emailed code "
        "(POST /api/submissions/{token}/verify); it shows nothing about the request."
    )
    status_token: str | None = Field(
        None,
        description="Only for rights without an email check: when identity is checked by "
        "email, the status link is sent to that address and nowhere else.",
    )
    status_url: str | None = None


class Confirmed(BaseModel):
    state: Literal["waiting", "confirmed"]
    message: str


class CodeIn(Payload):
    code: str = Field(pattern=r"^\s*\d{6}\s*$")


class Status(BaseModel):
    reference: str
    right: str
    right_label: str
    state: str
    waiting_for: str | None
    received_at: str
    due_at: str
    extended: bool
    extension_reason: str | None
    needs_documents: bool
    identity_checks: list[str] = Field(
        description="Identity steps still to be confirmed by staff after the code."
    )
    fee: dict[str, Any] | None
    ground: str | None = None
    outcome: str | None = Field(
        None, description="'no_personal_data' when a completed request found nothing held."
    )


class LoginIn(Payload):
    username: str
    password: str


class StaffIn(Payload):
    """Checked by the staff directory's one rule (`StaffDirectory.create`), as the console
    form is."""

    username: str
    password: str
    role: Role


class IdentityIn(Payload):
    approved: bool
    note: str = ""


class FeeIn(Payload):
    amount: int | None = Field(None, ge=0)
    waived: bool = False


class DecisionIn(Payload):
    outcome: Literal["approve", "deny"]
    ground: str | None = None
    note: str = ""
    withhold: list[str] | None = Field(
        None,
        description="Category keys not disclosed (partial disclosure); omitted: what the "
        "declaration withholds in principle.",
    )


class ExtendIn(Payload):
    period: str = Field(description="How much longer, e.g. '1 month' or '30 days'.")
    reason: str = Field(min_length=1)


class RequestOut(BaseModel):
    id: str
    kind: str
    state: str
    email: str
    language: str
    jurisdictions: list[str]
    details: dict[str, Any]
    agent: dict[str, Any] | None
    received_at: datetime
    acknowledge_by: datetime | None
    acknowledged_at: datetime | None
    due_at: datetime
    max_due_at: datetime
    extension_reason: str | None
    email_verified_at: datetime | None
    needs_documents: bool
    identity_checks: list[str]
    documents_verified_at: datetime | None
    fee_status: str
    fee_amount: int | None
    fee_currency: str | None
    decision: dict[str, Any] | None
    result: dict[str, Any] | None
    closed_at: datetime | None

    @classmethod
    def of(cls, row: RequestRow) -> RequestOut:
        return cls.model_validate(row, from_attributes=True)


class AuditOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    data: str


class RequestDetail(RequestOut):
    history: list[AuditOut]


class LinkOut(BaseModel):
    url: str
    expires_at: datetime


# --- dependencies ------------------------------------------------------------------------


def workflow(request: Request) -> Workflow:
    return request.app.state.workflow  # type: ignore[no-any-return]


def directory(request: Request) -> StaffDirectory:
    return request.app.state.staff  # type: ignore[no-any-return]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def credential(request: Request) -> str | None:
    """The Bearer token, else the API session cookie."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    return token or request.cookies.get(SESSION_COOKIE)


def signed_in(request: Request) -> StaffMember:
    token = credential(request)
    if not token:
        raise Unauthorized("not signed in")
    return directory(request).authenticate(token)


def role(needed: Role) -> Any:
    def check(member: Annotated[StaffMember, Depends(signed_in)]) -> StaffMember:
        member.require(needed)
        return member

    return Depends(check)


Flow = Annotated[Workflow, Depends(workflow)]
Viewer = Annotated[StaffMember, role(Role.viewer)]
Handler = Annotated[StaffMember, role(Role.handler)]
Admin = Annotated[StaffMember, role(Role.admin)]


# --- the person --------------------------------------------------------------------------


@router.post("/requests", status_code=202, response_model=SubmitOut, tags=["person"])
def submit(body: SubmitIn, flow: Flow, request: Request) -> SubmitOut:
    """Make a request; a code, a confirmation link and the status link go to the address. The
    answer is the same for any address, and never carries the status link of a request whose
    identity is checked by email: whoever submits for someone else must not see it."""
    submitted = flow.submit(
        NewRequest(
            kind=body.kind,
            email=body.email,
            language=body.language,
            jurisdictions=list(body.jurisdictions) if body.jurisdictions else None,
            details=body.details,
            agent=body.agent,
        ),
        client_ip(request),
    )
    if not submitted.by_email:
        return SubmitOut(
            message="The request is recorded.",
            submission_token=submitted.submission_token,
            status_token=submitted.status_token,
            status_url=f"{flow.settings.base_url}/api/status/{submitted.status_token}",
        )
    return SubmitOut(
        message="Check your email: if the address can receive email, a code, a confirmation "
        "link and the link to follow the request are on their way."
        if submitted.code_sent
        else "The request is recorded, but the code could not be sent yet; ask for a new code.",
        submission_token=submitted.submission_token,
    )


@router.post("/submissions/{token}/verify", response_model=Confirmed, tags=["person"])
def verify_submission(token: str, body: CodeIn, flow: Flow, request: Request) -> Confirmed:
    """The emailed code, typed where the request was made. It confirms the request and tells
    nothing else: the status link stays in the email."""
    flow.verify_submission(token, body.code, client_ip(request))
    return Confirmed(
        state="confirmed", message="Confirmed. Follow the request with the link in the email."
    )


@router.post("/submissions/{token}/code", status_code=202, tags=["person"])
def resend_for_submission(token: str, flow: Flow, request: Request) -> dict[str, str]:
    flow.resend_for_submission(token, client_ip(request))
    return {"message": "A new code is on its way."}


@router.get("/status/{token}", response_model=Status, tags=["person"])
def status(token: str, flow: Flow) -> Status:
    return Status(**flow.status(token))


@router.post("/status/{token}/verify", response_model=Status, tags=["person"])
def verify(token: str, body: CodeIn, flow: Flow, request: Request) -> Status:
    flow.verify_code(token, body.code, client_ip(request))
    return Status(**flow.status(token))


@router.post("/status/{token}/code", status_code=202, tags=["person"])
def resend(token: str, flow: Flow, request: Request) -> dict[str, str]:
    flow.resend_code(token, client_ip(request))
    return {"message": "A new code is on its way."}


@router.post("/verify/{link}", response_model=Status, tags=["person"])
def verify_link(link: str, flow: Flow) -> Status:
    """Confirm with the link from the verification email: single-use and expiring like the
    code. Only a POST confirms, so a mail scanner that opens the link changes nothing."""
    return Status(**flow.status(flow.verify_link(link)))


@router.post("/status/{token}/documents", status_code=201, tags=["person"])
async def upload(
    token: str,
    flow: Flow,
    purpose: Annotated[Literal["id_document", "authority", "additional_information"], Form()],
    file: Annotated[UploadFile, File()],
) -> dict[str, str]:
    """An identity document, an agent's proof of authority or further information the request
    asks for, kept only as long as declared."""
    content = await file.read(flow.settings.upload_max_bytes + 1)
    upload_id = flow.upload(
        token,
        purpose,
        file.filename or "upload",
        file.content_type or "application/octet-stream",
        content,
    )
    return {"upload": upload_id}


@router.post("/status/{token}/withdraw", response_model=Status, tags=["person"])
def withdraw(token: str, flow: Flow) -> Status:
    flow.withdraw(token)
    return Status(**flow.status(token))


@router.get("/download/{token}", tags=["person"])
def download(token: str, flow: Flow) -> Response:
    export = flow.download(token)
    return attachment(export.content, export.filename, export.content_type)


# --- staff -------------------------------------------------------------------------------


@router.post("/staff/login", tags=["staff"])
def login(body: LoginIn, request: Request, response: Response) -> dict[str, str]:
    """A session cookie; wrong passwords are limited per username and address together, as on
    the console (both count in the same place)."""
    token = directory(request).login(body.username, body.password, client_ip(request))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=int(workflow(request).settings.session_ttl.total_seconds()),
    )
    return {"message": "signed in"}


@router.post("/staff/logout", tags=["staff"])
def logout(request: Request, response: Response, member: Viewer) -> dict[str, str]:
    """End the credential this call was made with (the session, or the Bearer token)."""
    for token in {credential(request), request.cookies.get(SESSION_COOKIE)} - {None, ""}:
        directory(request).revoke(str(token))
    response.delete_cookie(SESSION_COOKIE)
    return {"message": "signed out"}


class TokenIn(Payload):
    label: str = Field("", max_length=100)
    days: int | None = Field(None, ge=1, le=3650, description="Lifetime (default 30 days).")


class TokenOut(BaseModel):
    id: int
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(BaseModel):
    id: int
    token: str = Field(description="Shown once; only its hash is stored.")
    expires_at: datetime


@router.post("/staff/tokens", status_code=201, response_model=NewTokenOut, tags=["staff"])
def new_token(request: Request, member: Viewer, body: TokenIn | None = None) -> NewTokenOut:
    """An expiring API token with the caller's own role."""
    body = body or TokenIn()
    lifetime = timedelta(days=body.days) if body.days else None
    issued = directory(request).issue_api_token(member, lifetime, body.label)
    return NewTokenOut(id=issued.id, token=issued.token, expires_at=issued.expires_at)


@router.get("/staff/tokens", response_model=list[TokenOut], tags=["staff"])
def list_tokens(request: Request, member: Viewer) -> list[TokenOut]:
    """The caller's API tokens (never their secrets)."""
    return [TokenOut(**vars(info)) for info in directory(request).tokens(member)]


@router.delete("/staff/tokens/{token_id}", status_code=204, tags=["staff"])
def revoke_token(token_id: int, request: Request, member: Viewer) -> Response:
    """Revoke one of the caller's tokens (an admin: anyone's); it stops working at once."""
    directory(request).revoke_token(member, token_id)
    return Response(status_code=204)


@router.post("/staff/users", status_code=201, tags=["staff"])
def add_staff(body: StaffIn, request: Request, member: Admin) -> dict[str, str]:
    created = directory(request).create(body.username, body.password, body.role)
    return {"username": created.username, "role": created.role.value}


@router.get("/staff/requests", response_model=list[RequestOut], tags=["staff"])
def queue(
    flow: Flow,
    member: Viewer,
    state: Annotated[str | None, Query()] = None,
    due: Annotated[Literal["soon", "overdue"] | None, Query()] = None,
) -> list[RequestOut]:
    try:
        rows = flow.list_requests(state=state, due=due)
    except ValueError:
        raise Invalid(f"unknown state {state!r}") from None
    return [RequestOut.of(row) for row in rows]


@router.get("/staff/requests/{request_id}", response_model=RequestDetail, tags=["staff"])
def read(request_id: str, flow: Flow, member: Viewer) -> RequestDetail:
    row = flow.get(request_id)
    history = [
        AuditOut(seq=e.seq, at=e.at, actor=e.actor, action=e.action, data=e.data)
        for e in flow.history(request_id)
    ]
    return RequestDetail(**RequestOut.of(row).model_dump(), history=history)


@router.post("/staff/requests/{request_id}/identity", response_model=RequestOut, tags=["staff"])
def check_identity(request_id: str, body: IdentityIn, flow: Flow, member: Handler) -> RequestOut:
    flow.verify_identity(request_id, member.actor, body.approved, body.note)
    return RequestOut.of(flow.get(request_id))


@router.post("/staff/requests/{request_id}/fee", response_model=RequestOut, tags=["staff"])
def fee(request_id: str, body: FeeIn, flow: Flow, member: Handler) -> RequestOut:
    flow.record_fee(request_id, member.actor, amount=body.amount, waived=body.waived)
    return RequestOut.of(flow.get(request_id))


@router.post("/staff/requests/{request_id}/decision", response_model=RequestOut, tags=["staff"])
def decide(request_id: str, body: DecisionIn, flow: Flow, member: Handler) -> RequestOut:
    flow.decide(
        request_id,
        member.actor,
        approve=body.outcome == "approve",
        ground=body.ground,
        note=body.note,
        withhold=body.withhold,
    )
    return RequestOut.of(flow.get(request_id))


@router.post("/staff/requests/{request_id}/extend", response_model=RequestOut, tags=["staff"])
def extend(request_id: str, body: ExtendIn, flow: Flow, member: Handler) -> RequestOut:
    try:
        period = Duration.parse(body.period)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    flow.extend(request_id, member.actor, period, body.reason)
    return RequestOut.of(flow.get(request_id))


@router.post(
    "/staff/requests/{request_id}/execute",
    response_model=RequestOut,
    responses={202: {"model": RequestOut, "description": "The worker is executing it"}},
    tags=["staff"],
)
def execute(request_id: str, flow: Flow, member: Handler, response: Response) -> RequestOut:
    """Run an approved request's execution now instead of waiting for the worker. Pressed
    again, or after the worker took the job: the request's state (202 while it runs)."""
    from policykeeper.web.execution import execute_now

    row, _ran = execute_now(flow, request_id)
    if row.state == "executing":
        response.status_code = 202
    return RequestOut.of(row)


@router.get("/staff/requests/{request_id}/export", response_model=LinkOut, tags=["staff"])
def export_link(request_id: str, flow: Flow, member: Handler) -> LinkOut:
    """An expiring link to the export; viewers cannot see personal data, so handlers only."""
    token = flow.staff_download_token(request_id)
    return LinkOut(
        url=f"{flow.settings.base_url}/api/download/{token}",
        expires_at=flow.clock() + flow.settings.download_ttl,
    )


@router.get("/staff/requests/{request_id}/documents/{upload_id}", tags=["staff"])
def document(request_id: str, upload_id: str, flow: Flow, member: Handler) -> Response:
    return document_attachment(flow.document(request_id, upload_id))


@router.get("/staff/audit", tags=["staff"])
def audit(flow: Flow, member: Admin) -> dict[str, Any]:
    with flow.store.transaction() as session:
        report = verify_chain(session)
    return {
        "ok": report.ok,
        "entries": report.entries,
        "broken_at": report.broken_at,
        "reason": report.reason,
    }
