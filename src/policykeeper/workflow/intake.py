"""Requests that arrive outside the privacy center: by post, email, phone or at the counter.

Staff record them: the channel, the day received (the deadline counts from it, not from the
day typed in), the person's contact details and the scanned documents. No emailed code ever
checked such a request, so staff always check a document; then the declared fee is paid (how,
and when, recorded), the request is decided as any other, and the reply goes the way the person
chose (APPI Art. 33): the export, or a Japanese letter to post, whose dispatch is recorded.

intake.record(flow, PaperRequest(kind="access", channel="post", received_on=date(2026, 11, 20),
              name="山田 花子", email="hanako@example.jp", postal_code="700-0816",
              address="岡山県岡山市北区…", reply_by="letter"), "staff:alice")
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from policykeeper.policy.models import Jurisdiction, RightKind
from policykeeper.policy.types import Text
from policykeeper.store.intake_models import Intake
from policykeeper.store.models import Export, Upload
from policykeeper.store.models import Request as RequestRow
from policykeeper.workflow.deadlines import compute_deadlines
from policykeeper.workflow.errors import Conflict, Invalid, NotFound
from policykeeper.workflow.inputs import (
    agents_allowed,
    check_agent,
    check_details,
    parse_email,
    plain_text,
)
from policykeeper.workflow.letters import Addressee, Letter, LetterKind, render_letter
from policykeeper.workflow.service import Workflow, _file_name
from policykeeper.workflow.states import State
from policykeeper.workflow.tokens import new_id

CHANNELS = ("post", "email", "phone", "counter")
REPLIES = ("letter", "export")
PAYMENT_METHODS = ("bank_transfer", "postal_money_order", "cash_registered_mail", "stamps")
"""振込, 定額小為替, 現金書留, 郵便切手: the ways a fee sent from outside the center is paid."""
DOCUMENTS = (
    "drivers_license",
    "health_insurance_card",
    "passport",
    "residence_card",
    "other",
)
"""Identity documents staff accept; a health-insurance card only with its numbers masked."""
PURPOSES = ("id_document", "authority")
FILE_TYPES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
"""Scans are accepted by their content, not by the type claimed: PDF, JPEG or PNG only."""
JST = ZoneInfo("Asia/Tokyo")
POSTAL_CODE = re.compile(r"^\d{3}-?\d{4}$")
REGISTERED_MAIL = re.compile(r"^[0-9]{4}-?[0-9]{4}-?[0-9]{4}$")
"""A registered-mail number (書留番号) as Japan Post prints it: 12 digits, 4-4-4."""


@dataclass
class PaperRequest:
    """What staff type from a letter, an email, a call or a visit."""

    kind: str
    channel: str
    received_on: date
    name: str
    email: str
    """The address the person is registered with at the service: it finds their data."""
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    reply_by: str = "letter"
    language: str = "ja"
    jurisdictions: list[str] | None = None
    details: dict[str, Any] = field(default_factory=dict)
    agent: dict[str, Any] | None = None


def record(flow: Workflow, new: PaperRequest, actor: str) -> str:
    """Record a request received outside the center; it waits for staff's document check."""
    if new.channel not in CHANNELS:
        raise Invalid(f"channel: must be one of {', '.join(CHANNELS)}")
    if new.reply_by not in REPLIES:
        raise Invalid(f"reply_by: must be one of {', '.join(REPLIES)}")
    right = flow._right(new.kind)
    jurisdictions = flow._jurisdictions(right, new.jurisdictions)
    zone = ZoneInfo(flow.settings.calendars[jurisdictions[0]].timezone)
    now = flow.clock()
    if new.received_on > now.astimezone(zone).date():
        raise Invalid("received_on: the day received cannot be in the future")
    name = plain_text(new.name, "name", 200)
    if not name:
        raise Invalid("name: the person's name is required")
    email = parse_email(new.email)
    postal_code = plain_text(new.postal_code, "postal_code", 10)
    if postal_code and not POSTAL_CODE.match(postal_code):
        raise Invalid("postal_code: seven digits, e.g. 700-0816")
    address = plain_text(new.address, "address", 500, lines=True)
    phone = plain_text(new.phone, "phone", 40)
    if new.reply_by == "letter" and not (postal_code and address):
        raise Invalid("address: a reply by letter needs the postal code and address")
    if new.reply_by == "letter" and right.kind is not RightKind.access:
        raise Invalid("reply_by: letters are written for disclosure requests only")
    details = check_details(flow.policy, right, new.details, flow.correctable)
    details.update(channel=new.channel, reply_by=new.reply_by)
    agent = None
    if new.agent is not None:
        if not agents_allowed(right, jurisdictions):
            raise Invalid("agent: this right cannot be exercised through an agent")
        agent = check_agent(new.agent)
    received_at = datetime.combine(new.received_on, time(), zone)
    deadlines = compute_deadlines(flow.policy, right, jurisdictions, received_at, flow.settings)
    with flow.store.transaction() as session:
        row = RequestRow(
            id=new_id(),
            kind=right.kind.value,
            state=State.received.value,
            email=email,
            identity_kind="email",
            identity_value=email,
            language=new.language if new.language in ("ja", "en") else "ja",
            jurisdictions=[j.value for j in jurisdictions],
            details=details,
            agent=agent,
            needs_documents=True,
            identity_checks=["documents"],
            received_at=received_at,
            acknowledge_by=deadlines.acknowledge_by,
            acknowledged_at=now,
            due_at=deadlines.due_at,
            max_due_at=deadlines.max_due_at,
            fee_status="none",
        )
        session.add(row)
        session.flush()
        session.add(
            Intake(
                request_id=row.id,
                channel=new.channel,
                received_on=new.received_on,
                name=name,
                postal_code=postal_code or None,
                address=address or None,
                phone=phone or None,
                reply_by=new.reply_by,
                recorded_by=actor,
                recorded_at=now,
            )
        )
        flow._audit(
            session,
            row,
            actor,
            "received",
            {
                "kind": row.kind,
                "channel": new.channel,
                "received_on": new.received_on.isoformat(),
                "reply_by": new.reply_by,
                "jurisdictions": row.jurisdictions,
                "due_at": row.due_at.isoformat(),
                "max_due_at": row.max_due_at.isoformat(),
                "agent": agent is not None,
            },
        )
        flow._move(session, row, State.verifying, actor)
        return row.id


def today(flow: Workflow) -> date:
    """Today in Japan, where these requests arrive: the day letters are dated and sent."""
    return flow.clock().astimezone(JST).date()


def intake_of(flow: Workflow, request_id: str) -> Intake | None:
    with flow.store.transaction() as session:
        return session.get(Intake, request_id)


def attach(
    flow: Workflow,
    request_id: str,
    actor: str,
    purpose: str,
    filename: str,
    content: bytes,
) -> str:
    """Store a scanned identity document or agent's authority sent with a recorded request."""
    if purpose not in PURPOSES:
        raise Invalid(f"purpose: must be one of {', '.join(PURPOSES)}")
    if not content:
        raise Invalid("file: the file is empty")
    limit = flow.settings.upload_max_bytes
    if len(content) > limit:
        raise Invalid(f"file: the file is too large (at most {limit // 2**20} MiB)")
    media = next((kind for magic, kind in FILE_TYPES.items() if content.startswith(magic)), None)
    if media is None:
        raise Invalid("file: only a PDF, JPEG or PNG scan is accepted")
    now = flow.clock()
    with flow.store.transaction() as session:
        row, _intake = _locked(flow, session, request_id)
        if row.state != State.verifying or row.documents_verified_at is not None:
            raise Conflict("this request does not wait for documents")
        count = session.execute(
            sa.select(sa.func.count()).select_from(Upload).where(Upload.request_id == row.id)
        ).scalar_one()
        if count >= flow.settings.uploads_per_request:
            raise Invalid(f"file: at most {flow.settings.uploads_per_request} files per request")
        upload = Upload(
            id=new_id(),
            request_id=row.id,
            purpose=purpose,
            filename=_file_name(filename),
            content_type=media,
            size=len(content),
            content=content,
            uploaded_at=now,
            delete_after=flow.upload_retention().after(now),
        )
        session.add(upload)
        flow._audit(
            session, row, actor, "document_attached", {"upload": upload.id, "purpose": purpose}
        )
        return upload.id


def check_documents(
    flow: Workflow,
    request_id: str,
    actor: str,
    *,
    document: str,
    approved: bool,
    numbers_masked: bool = False,
    authority_checked: bool = False,
    note: str = "",
) -> None:
    """Staff's check of the scanned documents, and the decision it leads to.

    A health-insurance card is accepted only with its insurer number and insured-person
    symbol and number masked (Health Insurance Act Art. 194-2: a business may not ask for
    them); a request through an agent also needs the agent's authority checked."""
    if document not in DOCUMENTS:
        raise Invalid(f"document: must be one of {', '.join(DOCUMENTS)}")
    note = plain_text(note, "note", 2000)
    now = flow.clock()
    with flow.store.transaction() as session:
        row, intake = _locked(flow, session, request_id)
        if row.state != State.verifying or row.documents_verified_at is not None:
            raise Conflict("this request does not wait for a document check")
        purposes = set(
            session.execute(
                sa.select(Upload.purpose).where(
                    Upload.request_id == row.id, Upload.purged_at.is_(None)
                )
            ).scalars()
        )
        if approved:
            if "id_document" not in purposes:
                raise Conflict("no identity document is attached")
            if document == "health_insurance_card" and not numbers_masked:
                raise Invalid(
                    "numbers_masked: the insurer number and the insured person's symbol and "
                    "number must be masked on a health-insurance card"
                )
            if row.agent is not None and not (authority_checked and "authority" in purposes):
                raise Invalid(
                    "authority_checked: the agent's authority must be attached and checked"
                )
        check = {
            "document": document,
            "numbers_masked": numbers_masked if document == "health_insurance_card" else None,
            "authority_checked": authority_checked if row.agent is not None else None,
            "decision": "approved" if approved else "rejected",
            "note": note,
            "by": actor,
            "at": now.isoformat(),
        }
        intake.document_check = check
        flow._audit(session, row, actor, "document_checked", check)
        if approved:
            row.documents_verified_at = now
            flow._after_identity(session, row, now)
        else:
            flow._deny(session, row, actor, "identity_not_verified", note, now)


def set_fee(flow: Workflow, request_id: str, actor: str, amount: int) -> None:
    """The amount of a fee declared as actual cost (Audiostock: the registered-mail cost)."""
    if amount <= 0 or amount > 100_000:
        raise Invalid("amount: a whole number of yen between 1 and 100,000")
    with flow.store.transaction() as session:
        row = flow._lock(session, request_id)
        if row.state != State.awaiting_fee:
            raise Conflict(f"the request is {row.state}, not awaiting a fee")
        right = flow._right(row.kind)
        if right.fee is not None and right.fee.kind == "fixed":
            raise Conflict(f"the declared fee is fixed at {row.fee_amount} {row.fee_currency}")
        row.fee_amount = amount
        flow._audit(
            session, row, actor, "fee_set", {"amount": amount, "currency": row.fee_currency}
        )


def record_payment(
    flow: Workflow,
    request_id: str,
    actor: str,
    *,
    amount: int,
    method: str,
    paid_on: date,
    reference: str = "",
) -> None:
    """The fee received, how and when: only then does the request go to review."""
    if method not in PAYMENT_METHODS:
        raise Invalid(f"method: must be one of {', '.join(PAYMENT_METHODS)}")
    reference = plain_text(reference, "reference", 100)
    now = flow.clock()
    with flow.store.transaction() as session:
        row = flow._lock(session, request_id)
        if row.state != State.awaiting_fee:
            raise Conflict(f"the request is {row.state}, not awaiting a fee")
        zone = ZoneInfo(flow.settings.calendars[Jurisdiction(row.jurisdictions[0])].timezone)
        if paid_on > now.astimezone(zone).date():
            raise Invalid("paid_on: the day paid cannot be in the future")
        if row.fee_amount is None:
            raise Conflict("set the amount of the fee before recording its payment")
        if amount != row.fee_amount:
            raise Invalid(f"amount: the fee is {row.fee_amount} {row.fee_currency}, not {amount}")
        payment = {
            "amount": amount,
            "currency": row.fee_currency,
            "method": method,
            "paid_on": paid_on.isoformat(),
            "reference": reference,
        }
        row.fee_status = "paid"
        intake = session.get(Intake, row.id)
        if intake is not None:
            intake.payment = payment
        flow._audit(session, row, actor, "fee_paid", payment)
        flow._move(session, row, State.in_review, actor)


# --- the reply by post -------------------------------------------------------------------


def letter(flow: Workflow, request_id: str, dated: date) -> tuple[Letter, bytes]:
    """The printable reply to a decided disclosure request, in the request's language."""
    with flow.store.transaction() as session:
        row = session.get(RequestRow, request_id)
        intake = session.get(Intake, request_id)
        if row is None or intake is None:
            raise NotFound("no such request recorded by staff")
        export = session.get(Export, request_id)
        content = export.content if export is not None else None
    if intake.reply_by != "letter" or not (intake.address and intake.postal_code):
        raise Conflict("the person did not ask for a reply by letter")
    decision = row.decision or {}
    addressee = Addressee(intake.name, intake.address, intake.postal_code)
    common: dict[str, Any] = {
        "addressee": addressee,
        "reference": row.id,
        "received": intake.received_on,
        "dated": dated,
    }
    if row.state == State.denied:
        composed = Letter(
            LetterKind.non_disclosure, grounds=(decision.get("ground", ""),), **common
        )
    elif row.state == State.completed:
        disclosed = _disclosed(content)
        withhold = list(decision.get("withhold", []))
        if disclosed is None:
            composed = Letter(LetterKind.not_held, **common)
        elif withhold and decision.get("ground"):
            composed = Letter(
                LetterKind.partial_disclosure,
                disclosed=disclosed,
                grounds=(decision["ground"],),
                withheld=_labels(flow, withhold),
                **common,
            )
        else:
            composed = Letter(LetterKind.disclosure, disclosed=disclosed, **common)
    else:
        raise Conflict(f"the request is {row.state}: a letter follows the decision")
    return composed, render_letter(flow.policy, composed, row.language)


def record_dispatch(
    flow: Workflow, request_id: str, actor: str, *, number: str, sent_on: date
) -> None:
    """The letter posted by registered mail: its number, the day, and which letter it was."""
    number = plain_text(number, "number", 20)
    if not REGISTERED_MAIL.match(number):
        raise Invalid("number: a registered-mail number has 12 digits, e.g. 1234-5678-9012")
    if sent_on > today(flow):
        raise Invalid("sent_on: the day sent cannot be in the future")
    composed, pdf = letter(flow, request_id, sent_on)
    with flow.store.transaction() as session:
        row, intake = _locked(flow, session, request_id)
        if intake.dispatch is not None:
            raise Conflict("the letter was already sent")
        dispatch = {
            "registered_mail_number": number.replace("-", ""),
            "sent_on": sent_on.isoformat(),
            "letter": composed.kind.value,
            "sha256": hashlib.sha256(pdf).hexdigest(),
        }
        intake.dispatch = dispatch
        flow._audit(session, row, actor, "letter_sent", dispatch)


def _locked(flow: Workflow, session: Session, request_id: str) -> tuple[RequestRow, Intake]:
    row = flow._lock(session, request_id)
    intake = session.get(Intake, request_id)
    if intake is None:
        raise NotFound("no such request recorded by staff")
    return row, intake


def _disclosed(content: bytes | None) -> dict[str, Any] | None:
    """The access export as the letter reads it; None when the person is not in the data."""
    if content is None:
        return None
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            found: dict[str, Any] = json.loads(archive.read("access.json"))
    else:
        found = json.loads(content)
    return None if found.get("found") is False else found


def _labels(flow: Workflow, keys: list[str]) -> Text:
    """The withheld categories, by their declared labels, in the declaration's order."""
    chosen = {c.key: c for key in keys for c in flow.policy.categories_under(key)}
    unique = list(chosen.values())
    return Text(
        ja="、".join(c.label.get("ja") for c in unique),
        en=", ".join(c.label.get("en") for c in unique),
    )
