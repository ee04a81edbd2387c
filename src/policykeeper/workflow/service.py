"""The request workflow: every step is one transaction holding the state change, its audit entry
and the jobs it causes, so a crash at any point leaves a request that can continue.
"""

from __future__ import annotations

import hmac
import re
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from policykeeper.datamap.models import Procedures
from policykeeper.errors import MailUnavailable, SamePerson
from policykeeper.policy.models import (
    Jurisdiction,
    Policy,
    Right,
    RightKind,
    Verification,
)
from policykeeper.policy.types import Duration, Text
from policykeeper.project import Project
from policykeeper.store import Store
from policykeeper.store.engine_models import EnginePlaceRun
from policykeeper.store.models import (
    AuditEntry,
    Export,
    RateEvent,
    RequestNumber,
    Upload,
    VerificationCode,
)
from policykeeper.store.models import Request as RequestRow
from policykeeper.store.queue import enqueue
from policykeeper.store.task_models import PlaceTask
from policykeeper.workflow import audit, tasks
from policykeeper.workflow.deadlines import (
    add_period,
    applicable_jurisdictions,
    compute_deadlines,
)
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
from policykeeper.workflow.fees import fee_due
from policykeeper.workflow.grounds import (
    WITHHELD_IN_PRINCIPLE,
    declared_ground,
    ground_label,
    partial_ground,
)
from policykeeper.workflow.inputs import (
    CorrectableField,
    agents_allowed,
    check_agent,
    check_details,
    correctable_fields,
    correction_labels,
    parse_email,
    staff_procedures,
)
from policykeeper.workflow.limits import request_limit
from policykeeper.workflow.mail import Mailer
from policykeeper.workflow.notifications import render_email
from policykeeper.workflow.outcome import local_time, outcome
from policykeeper.workflow.settings import WorkflowSettings
from policykeeper.workflow.states import EXTENDABLE, OPEN, State, check_move
from policykeeper.workflow.tokens import Secrets, new_code, new_id, new_link_token
from policykeeper.workflow.uploads import proof_rules, purge_uploads

DOCUMENT_METHODS = frozenset(
    {
        Verification.id_document,
        Verification.postal_application,
        Verification.two_data_points,
        Verification.three_data_points_signed,
        Verification.company_procedure,
    }
)
"""Methods a person at the service checks by hand, on an upload, after the emailed code."""
EMAIL_METHODS = frozenset({Verification.email_code, Verification.registered_email})
"""Methods the emailed code satisfies; any other declared method is then an alternative."""
STAFF_CHECKS = ("documents", "account_login", "additional_information")
"""Identity steps staff confirm after the emailed code, in the order they are listed."""
UPLOADS_FOR = frozenset({"documents", "additional_information"})
"""Checks for which the person sends a file: a document, a proof of authority, an answer."""
UPLOAD_PURPOSES = ("id_document", "authority", "additional_information")
REFERENCE = re.compile(r"(?:[A-Z][A-Z0-9]{1,7}-\d{4}-)?(?P<serial>\d{1,9})")
StoreWrite = Callable[[sa.Connection], None]
"""A write to this store inside another's transaction (see `Workflow.complete`)."""
"""A short reference as typed into the queue's search: the whole of it, or the serial alone."""
DISCLOSURE_KINDS = frozenset(
    {RightKind.access, RightKind.portability, RightKind.third_party_records}
)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class NewRequest:
    kind: str
    email: str
    language: str = "en"
    jurisdictions: list[str] | None = None
    details: dict[str, Any] = field(default_factory=dict)
    agent: dict[str, Any] | None = None
    request_id: str | None = None
    """Chosen by the caller to make a submission idempotent: a repeat fails on the primary key."""
    recorded: dict[str, Any] = field(default_factory=dict)
    """Facts the calling code (never the person) records with the request, e.g. the consent
    record a withdrawal came from; kept beside the checked details."""


@dataclass(frozen=True)
class Submitted:
    request_id: str
    status_token: str
    """The request's status link. When `by_email` is true it is sent to the address being
    verified, and a page or API answering the submitter must not show it: whoever submits for
    someone else must never see the request's status or its download."""
    submission_token: str
    """What the submitter may keep: it lets them type the emailed code, and shows nothing."""
    by_email: bool = True
    """Identity is checked by an emailed code and link."""
    code_sent: bool = True
    """False when the mail server refused the code: the request stands; ask for a new code."""


ExportAddition = Callable[
    [Store, str, tuple[str, str, bytes] | None], tuple[str, str, bytes] | None
]
"""Adds a part's records for one subject to an access export (or returns it unchanged)."""


class Workflow:
    """The Python API behind the JSON API and the worker; `clock` is injectable for tests."""

    def __init__(
        self,
        store: Store,
        policy: Policy,
        *,
        secrets: Secrets,
        mailer: Mailer,
        settings: WorkflowSettings | None = None,
        clock: Callable[[], datetime] = utcnow,
        project_dir: Path | None = None,
        export_additions: Sequence[ExportAddition] = (),
        project_source: Callable[[], Project] | None = None,
    ) -> None:
        self.store = store
        self.policy = policy
        self.secrets = secrets
        self.mailer = mailer
        self.settings = settings or WorkflowSettings()
        self.clock = clock
        self.project_dir = project_dir
        # What other parts add to an access export (consent's records), handed in by the Keeper
        # so the workflow depends on none of them.
        self.export_additions = tuple(export_additions)
        # The Keeper's project (loaded and reflected once, again only when its files change);
        # without one, each execution loads the project for itself.
        self.project_source = project_source
        self._correctable: list[CorrectableField] | None = None
        self._procedures: Procedures | None = None

    # --- the person ----------------------------------------------------------------------

    def submit(self, new: NewRequest, ip: str) -> Submitted:
        """Record a request and send its verification code; the answer never depends on
        whether the address is known to the service."""
        right = self._right(new.kind)
        email = parse_email(new.email)
        jurisdictions = self._jurisdictions(right, new.jurisdictions)
        details = check_details(self.policy, right, new.details, self.correctable)
        details.update((key, value) for key, value in new.recorded.items() if key not in details)
        agent = None
        if new.agent is not None:
            if not agents_allowed(right, jurisdictions):
                raise Invalid("agent: this right cannot be exercised through an agent")
            agent = check_agent(new.agent)
        now = self.clock()
        deadlines = compute_deadlines(self.policy, right, jurisdictions, now, self.settings)
        methods = _verification(right, jurisdictions)
        needs_email = Verification.none not in methods
        checks = required_checks(right, jurisdictions, agent is not None)
        code: tuple[str, str] | None = None
        with self.store.transaction() as session:
            if needs_email:
                self._rate(session, now, email, ip)
            row = RequestRow(
                id=new.request_id or new_id(),
                kind=right.kind.value,
                state=State.received.value,
                email=email,
                identity_kind="email",
                identity_value=email,
                language=new.language if new.language in ("ja", "en") else "en",
                jurisdictions=[j.value for j in jurisdictions],
                details=details,
                agent=agent,
                needs_documents=bool(UPLOADS_FOR.intersection(checks)),
                identity_checks=checks,
                received_at=now,
                acknowledge_by=deadlines.acknowledge_by,
                due_at=deadlines.due_at,
                max_due_at=deadlines.max_due_at,
                fee_status="none",
            )
            session.add(row)
            session.flush()
            serial = RequestNumber(request_id=row.id)
            session.add(serial)
            session.flush()
            row.number = serial.number
            self._audit(
                session,
                row,
                "person",
                "received",
                {
                    "kind": row.kind,
                    "jurisdictions": row.jurisdictions,
                    "due_at": row.due_at.isoformat(),
                    "max_due_at": row.max_due_at.isoformat(),
                    "acknowledge_by": row.acknowledge_by.isoformat()
                    if row.acknowledge_by
                    else None,
                    "agent": agent is not None,
                    "identity_checks": checks,
                },
            )
            self._notify(session, row, "received")
            if needs_email:
                self._move(session, row, State.verifying, "system")
                code = self._new_code(session, row, now)
            else:
                self._after_identity(session, row, now)
        sent = True
        if code is not None:
            try:
                self._send_code(row, *code)
            except MailUnavailable:
                sent = False
        return Submitted(
            row.id,
            self.secrets.status_token(row.id),
            self.secrets.submission_token(row.id),
            by_email=needs_email,
            code_sent=sent,
        )

    def resend_code(self, status_token: str, ip: str) -> None:
        self._resend(self.secrets.request_for_status(status_token), ip)

    def resend_for_submission(self, submission_token: str, ip: str) -> None:
        """A new code for the submitter, who never sees the status link."""
        self._resend(self.secrets.request_for_submission(submission_token), ip)

    def verify_code(self, status_token: str, code: str, ip: str) -> None:
        """The code typed on the status page (reached from the email)."""
        self._verify_code(self.secrets.request_for_status(status_token), code, ip)

    def verify_submission(self, submission_token: str, code: str, ip: str) -> None:
        """The code typed where the request was made: confirms it and shows nothing more; the
        status link stays in the email."""
        self._verify_code(self.secrets.request_for_submission(submission_token), code, ip)

    def submission_state(self, submission_token: str) -> str:
        """What the submitter may learn: 'waiting' for the code, or 'confirmed'. Nothing else."""
        request_id = self.secrets.request_for_submission(submission_token)
        with self.store.transaction() as session:
            row = session.get(RequestRow, request_id)
            if row is None:
                raise NotFound("no such request")
            return "waiting" if row.email_verified_at is None else "confirmed"

    def _resend(self, request_id: str, ip: str) -> None:
        now = self.clock()
        with self.store.transaction() as session:
            row = self._lock(session, request_id)
            if row.state != State.verifying or row.email_verified_at is not None:
                raise Conflict("this request does not wait for a code")
            self._rate(session, now, row.email, ip)
            code = self._new_code(session, row, now)
        self._send_code(row, *code)

    def _verify_code(self, request_id: str, code: str, ip: str) -> None:
        now = self.clock()
        failure: WorkflowError | None = None
        with self.store.transaction() as session:
            row = self._lock(session, request_id)
            if row.state != State.verifying or row.email_verified_at is not None:
                raise Conflict("this request does not wait for a code")
            self._rate_bucket(session, now, f"try-ip:{ip}", self.settings.codes_per_ip * 5)
            codes = list(
                session.execute(
                    sa.select(VerificationCode)
                    .where(VerificationCode.request_id == row.id)
                    .order_by(VerificationCode.id.desc())
                ).scalars()
            )
            if not codes:
                raise Expired("no code is waiting; ask for a new one")
            latest = codes[0]
            expected = self.secrets.keyed_hash("code", f"{row.id}:{code.strip()}")
            matched = [c for c in codes if hmac.compare_digest(c.code_hash, expected)]
            if matched and matched[0].used_at is not None:
                raise Expired("this code was already used; ask for a new one")
            if (matched and matched[0] is not latest) or latest.expires_at <= now:
                raise Expired("this code has expired; ask for a new one")
            if latest.failed_attempts >= self.settings.max_code_attempts:
                raise TooManyAttempts("too many wrong codes; ask for a new one")
            if not matched:
                latest.failed_attempts += 1
                failure = WrongCode(self.settings.max_code_attempts - latest.failed_attempts)
            else:
                self._identity_confirmed(session, row, latest, now)
        if failure is not None:
            raise failure

    def verify_link(self, link_token: str) -> str:
        """Confirm by the emailed link; returns the status token to show the request."""
        now = self.clock()
        with self.store.transaction() as session:
            candidate = session.execute(
                sa.select(VerificationCode).where(
                    VerificationCode.link_hash == self.secrets.keyed_hash("link", link_token)
                )
            ).scalar_one_or_none()
            if candidate is None:
                raise NotFound("no such verification link")
            if candidate.used_at is not None:
                raise Expired("this link was already used")
            if candidate.expires_at <= now:
                raise Expired("this link has expired; ask for a new code")
            row = self._lock(session, candidate.request_id)
            if row.state != State.verifying or row.email_verified_at is not None:
                raise Expired("this link is no longer valid")
            self._identity_confirmed(session, row, candidate, now)
            return self.secrets.status_token(row.id)

    def upload(
        self, status_token: str, purpose: str, filename: str, content_type: str, content: bytes
    ) -> str:
        """Store an identity document, proof of authority or further information the request
        asks for, until its declared retention ends; at most `uploads_per_request` files."""
        if purpose not in UPLOAD_PURPOSES:
            raise Invalid(f"purpose must be one of: {', '.join(UPLOAD_PURPOSES)}")
        if not content:
            raise Invalid("the file is empty")
        if len(content) > self.settings.upload_max_bytes:
            raise Invalid(
                f"the file is too large (at most {self.settings.upload_max_bytes // 2**20} MiB)"
            )
        now = self.clock()
        with self.store.transaction() as session:
            row = self._by_status(session, status_token)
            waiting = row.state in (State.received, State.verifying)
            if not waiting or not row.needs_documents or row.documents_verified_at is not None:
                raise Conflict("this request does not wait for documents")
            count = session.execute(
                sa.select(sa.func.count()).select_from(Upload).where(Upload.request_id == row.id)
            ).scalar_one()
            if count >= self.settings.uploads_per_request:
                raise Invalid(
                    f"at most {self.settings.uploads_per_request} files can be sent per request"
                )
            upload = Upload(
                id=new_id(),
                request_id=row.id,
                purpose=purpose,
                filename=_file_name(filename),
                content_type=_media_type(content_type),
                size=len(content),
                content=content,
                uploaded_at=now,
                delete_after=self.upload_retention().after(now),
            )
            session.add(upload)
            self._audit(
                session,
                row,
                "person",
                "document_uploaded",
                {"upload": upload.id, "purpose": purpose},
            )
            return upload.id

    def withdraw(self, status_token: str) -> None:
        now = self.clock()
        with self.store.transaction() as session:
            row = self._by_status(session, status_token)
            self._move(session, row, State.withdrawn, "person")
            row.closed_at = now

    def status(self, status_token: str) -> dict[str, Any]:
        """What the person may see through the secret link: progress, never the data itself."""
        with self.store.transaction() as session:
            row = self._by_status(session, status_token)
            return self._public_view(row)

    def download(self, token: str) -> Export:
        now = self.clock()
        request_id = self.secrets.request_for_download(token, now)
        with self.store.transaction() as session:
            export = session.get(Export, request_id)
            if export is None:
                raise NotFound("no such download")
            # However fresh the link, the copy is handed over only within its lifetime (the
            # status page mints new links; the purge job may not have run yet).
            if export.created_at + self.settings.download_ttl < now:
                raise Expired("this download has expired")
            return export

    # --- staff ---------------------------------------------------------------------------

    def get(self, request_id: str) -> RequestRow:
        """A request by its internal id or by the short reference people quote."""
        with self.store.transaction() as session:
            return self._by_key(session, request_id)

    def list_requests(
        self, state: str | None = None, due: str | None = None, limit: int = 200
    ) -> list[RequestRow]:
        """The queue, oldest deadline first; `due` is 'soon' or 'overdue' among open requests."""
        now = self.clock()
        query = sa.select(RequestRow).order_by(RequestRow.due_at).limit(limit)
        if state is not None:
            query = query.where(RequestRow.state == State(state).value)
        if due is not None:
            query = query.where(RequestRow.state.in_([s.value for s in OPEN]))
            if due == "overdue":
                query = query.where(RequestRow.due_at < now)
            elif due == "soon":
                query = query.where(
                    RequestRow.due_at >= now, RequestRow.due_at <= now + self.settings.due_soon
                )
            else:
                raise Invalid("due must be 'soon' or 'overdue'")
        with self.store.transaction() as session:
            return list(session.execute(query).scalars())

    def history(self, request_id: str) -> list[AuditEntry]:
        with self.store.transaction() as session:
            request_id = self._by_key(session, request_id).id
            return list(
                session.execute(
                    sa.select(AuditEntry)
                    .where(AuditEntry.request_id == request_id)
                    .order_by(AuditEntry.seq)
                ).scalars()
            )

    def verify_identity(self, request_id: str, actor: str, approved: bool, note: str) -> None:
        """Staff's confirmation of the identity steps the declaration asks for beyond the code:
        uploaded documents (an ID copy, a postal application, an agent's proof), a confirmation
        through the person's account, further information. One decision covers them all."""
        now = self.clock()
        with self.store.transaction() as session:
            row = self._lock(session, request_id)
            if row.state != State.verifying or not row.identity_checks:
                raise Conflict("this request does not wait for an identity check")
            if row.documents_verified_at is not None:
                raise Conflict("the identity was already checked")
            if approved:
                has_upload = session.execute(
                    sa.select(sa.func.count())
                    .select_from(Upload)
                    .where(Upload.request_id == row.id)
                ).scalar_one()
                if "documents" in row.identity_checks and not has_upload:
                    raise Conflict("no document has been uploaded")
                row.documents_verified_at = now
                self._audit(
                    session,
                    row,
                    actor,
                    "documents_verified",
                    {"note": note, "checks": list(row.identity_checks)},
                )
                if row.email_verified_at is not None:
                    self._after_identity(session, row, now)
            else:
                self._deny(session, row, actor, "identity_not_verified", note, now)

    def record_fee(self, request_id: str, actor: str, *, amount: int | None, waived: bool) -> None:
        with self.store.transaction() as session:
            row = self._lock(session, request_id)
            if row.state != State.awaiting_fee:
                raise Conflict(f"the request is {row.state}, not awaiting a fee")
            if not waived and row.details.get("channel"):
                raise Conflict(
                    "a request recorded by staff needs how the fee was paid: record the "
                    "payment on its intake (workflow.intake.record_payment)"
                )
            if waived:
                row.fee_status = "waived"
                self._audit(session, row, actor, "fee_waived", {})
            else:
                if amount is None or amount < 0:
                    raise Invalid("record the amount paid, or waive the fee")
                if row.fee_amount is not None and amount != row.fee_amount:
                    raise Invalid(
                        f"the declared fee is {row.fee_amount} {row.fee_currency}, not {amount}"
                    )
                row.fee_amount = amount
                row.fee_status = "paid"
                self._audit(
                    session,
                    row,
                    actor,
                    "fee_paid",
                    {"amount": amount, "currency": row.fee_currency},
                )
            self._move(session, row, State.in_review, actor)

    def decide(
        self,
        request_id: str,
        actor: str,
        *,
        approve: bool,
        ground: str | None = None,
        note: str = "",
        withhold: list[str] | None = None,
        items: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        """Approve (fully or, for disclosure, partly) or deny on a declared refusal ground.

        A partial disclosure keeps its reason (APPI Art. 36): the declared ground staff cite, or
        else the declaration's statement of what it withholds in principle. A correction may be
        decided item by item (`items`: name → accept, reason, old): the accepted ones are
        corrected, the rest are not, each with its reason; with none accepted the request ends
        as not corrected (APPI Art. 34(3): the person is told)."""
        now = self.clock()
        with self.store.transaction() as session:
            row = self._lock(session, request_id)
            right = self._right(row.kind)
            if row.state != State.in_review:
                raise Conflict(f"the request is {row.state}, not in review")
            decided = self._items(row, items) if items is not None else None
            if approve and decided is not None and not any(i["accept"] for i in decided.values()):
                self._deny(session, row, actor, "not_corrected", note, now)
                row.decision = {**(row.decision or {}), "items": decided}
                return
            if not approve:
                if not ground or declared_ground(right, ground) is None:
                    declared = ", ".join(g.id for g in right.refusal_grounds) or "none"
                    raise Invalid(f"a denial must cite a declared refusal ground ({declared})")
                self._deny(session, row, actor, ground, note, now)
                return
            withheld = self.default_withhold(right) if withhold is None else list(withhold)
            if withheld and right.kind not in DISCLOSURE_KINDS:
                raise Invalid("only a disclosure can be partial")
            unknown = [key for key in withheld if not self.policy.categories_under(key)]
            if unknown:
                raise Invalid(f"unknown categories: {', '.join(unknown)}")
            proposed = dict(row.decision or {})
            if right.kind in self.procedures().four_eyes and proposed.get("outcome") != "proposed":
                # Four eyes: this approval is a proposal; a second handler carries it out.
                row.decision = {
                    "outcome": "proposed",
                    "by": actor,
                    "withhold": withheld,
                    "note": note,
                }
                if decided is not None:
                    row.decision["items"] = decided
                self._audit(session, row, actor, "proposed", row.decision)
                return
            if proposed.get("outcome") == "proposed":
                if proposed.get("by") == actor:
                    raise SamePerson("the person who proposed cannot also approve")
                withheld = list(proposed.get("withhold", withheld))
                decided = proposed.get("items", decided)
            row.decision = {"outcome": "approved", "withhold": withheld, "note": note}
            if withheld:
                reason = ground or (WITHHELD_IN_PRINCIPLE if right.withheld else None)
                if reason is not None and partial_ground(right, reason) is None:
                    declared = [g.id for g in right.refusal_grounds]
                    declared += [WITHHELD_IN_PRINCIPLE] if right.withheld else []
                    raise Invalid(
                        "a partial disclosure must cite a declared refusal ground "
                        f"({', '.join(declared) or 'none'})"
                    )
                if reason is not None:
                    row.decision["ground"] = reason
            if proposed.get("outcome") == "proposed":
                row.decision["proposed_by"] = proposed.get("by")
            if decided is not None:
                row.decision["items"] = decided
                every = all(i["accept"] for i in decided.values())
                row.decision["correction"] = "corrected" if every else "partly_corrected"
            self._audit(session, row, actor, "approved", row.decision)
            self._move(session, row, State.executing, actor)
            enqueue(session, "execute", now=now, request_id=row.id, job_id=new_id())

    def _items(
        self, row: RequestRow, items: dict[str, dict[str, Any]]
    ) -> dict[str, dict[str, Any]]:
        """A correction's per-item decision, checked: exactly the items asked for, each
        accepted or declined with a reason the person is told."""
        asked = {str(k): str(v) for k, v in (row.details or {}).get("changes", {}).items()}
        if row.kind != RightKind.rectification or not asked:
            raise Invalid("only a correction is decided item by item")
        if set(items) != set(asked):
            raise Invalid("decide every item the person asked to correct, and only those")
        decided = {}
        for name, value in asked.items():
            item = items[name]
            reason = str(item.get("reason") or "").strip()[:2000]
            accept = bool(item.get("accept"))
            if not accept and not reason:
                raise Invalid(f"{name}: give the reason for not correcting it")
            old = str(item.get("old") or "")[:2000]
            decided[name] = {"accept": accept, "reason": reason, "old": old, "new": value}
        return decided

    def reference(self, row: RequestRow) -> str:
        """The short reference people and staff quote: PREFIX-YEAR-SERIAL (AIN-2026-000123),
        the prefix from the data map's procedures, the year the request was received."""
        if row.number is None:
            return row.id[:8]
        zone = self.settings.calendars[Jurisdiction(row.jurisdictions[0])].timezone
        year = row.received_at.astimezone(ZoneInfo(zone)).year
        return f"{self.procedures().reference_prefix}-{year}-{row.number:06d}"

    def find(self, text: str, limit: int = 200) -> list[RequestRow]:
        """Requests by short reference (AIN-2026-000123, or its serial), by the requester's
        email address, or by the start of the internal id; newest deadline last."""
        text = text.strip()
        query = sa.select(RequestRow).order_by(RequestRow.due_at).limit(limit)
        found = REFERENCE.fullmatch(text.upper())
        if found:
            query = query.where(RequestRow.number == int(found.group("serial")))
        elif "@" in text:
            query = query.where(sa.func.lower(RequestRow.email) == text.lower())
        elif re.fullmatch(r"[0-9a-f]{6,32}", text):
            query = query.where(RequestRow.id.startswith(text, autoescape=True))
        else:
            return []
        with self.store.transaction() as session:
            return list(session.execute(query).scalars())

    def proposal(self, row: RequestRow) -> str | None:
        """Who proposed this request's approval under the four-eyes rule, if anyone has."""
        decision = row.decision or {}
        if row.state != State.in_review or decision.get("outcome") != "proposed":
            return None
        return str(decision.get("by", ""))

    def default_withhold(self, right: Right) -> list[str]:
        """What the declaration withholds in principle (ALLIN STUDIO: history and characteristic
        information): the categories marked as such, when the right declares a withholding."""
        if right.withheld is None or right.kind not in DISCLOSURE_KINDS:
            return []
        return [c.key for c in self.policy.categories if c.history_information]

    def extend(self, request_id: str, actor: str, period: Duration, reason: str) -> datetime:
        """Move the deadline within the legal maximum, with a reason the person is told."""
        if not reason.strip():
            raise Invalid("an extension needs a reason")
        now = self.clock()
        with self.store.transaction() as session:
            row = self._lock(session, request_id)
            if row.state not in EXTENDABLE:
                raise Conflict(f"a request that is {row.state} cannot be extended")
            if now > row.due_at:
                raise Conflict("the deadline has passed; an extension must be notified before it")
            calendar = self.settings.calendars[Jurisdiction(row.jurisdictions[0])]
            new_due = add_period(row.due_at, period, False, calendar)
            if new_due > row.max_due_at:
                raise Invalid(
                    f"the latest allowed deadline is {row.max_due_at.isoformat()}; "
                    f"{period} would pass it"
                )
            self._audit(
                session,
                row,
                actor,
                "extended",
                {"from": row.due_at.isoformat(), "to": new_due.isoformat(), "reason": reason},
            )
            row.due_at, row.extension_reason, row.extended_at = new_due, reason, now
            self._notify(session, row, "extended")
            return new_due

    def document(self, request_id: str, upload_id: str) -> Upload:
        with self.store.transaction() as session:
            upload = session.get(Upload, upload_id)
            if upload is None or upload.request_id != request_id:
                raise NotFound("no such document")
            return upload

    def staff_download_token(self, request_id: str) -> str:
        with self.store.transaction() as session:
            if session.get(Export, request_id) is None:
                raise NotFound("this request has no export")
        return self.secrets.download_token(request_id, self.clock() + self.settings.download_ttl)

    # --- the worker ----------------------------------------------------------------------

    def complete(
        self,
        request_id: str,
        result: dict[str, Any],
        export: tuple[str, str, bytes] | None,
        places: dict[str, Any] | None = None,
        also: Sequence[StoreWrite] = (),
    ) -> bool:
        """Record a finished execution once; False if another run already completed it.

        With places left to settle (a recipient to tell, a processor to retry), the request
        waits in partially_complete instead (policykeeper.workflow.tasks). `also`: writes to
        this store that commit with the completion (the engine's journal of the run)."""
        now = self.clock()
        with self.store.transaction() as session:
            for write in also:
                write(session.connection())
            row = self._lock(session, request_id)
            if row.state != State.executing:
                return False
            if export is not None:
                filename, content_type, content = export
                session.merge(
                    Export(
                        request_id=row.id,
                        filename=filename,
                        content_type=content_type,
                        content=content,
                        created_at=now,
                    )
                )
            row.result = result
            # The audit log cannot forget: a corrected value never enters it in clear.
            shown = without_values(result, corrected_values(row))
            self._audit(session, row, "worker", "executed", {"result": shown})
            if row.kind == RightKind.erasure and not nothing_held(row):
                self._forget_corrections(session, row)
            if places is not None and tasks.pending(places):
                tasks.wait_for_places(self, session, row, places)
                return True
            row.closed_at = now
            self._move(session, row, State.completed, "worker")
            self._notify(session, row, "completed")
            return True

    def _forget_corrections(self, session: Session, erased: RequestRow) -> None:
        """Once a person is erased, the values their corrections wrote are erased here too:
        in those requests' details and results and in their recipients' messages."""
        rows = session.execute(
            sa.select(RequestRow).where(
                RequestRow.kind == RightKind.rectification.value,
                RequestRow.identity_kind == erased.identity_kind,
                RequestRow.identity_value == erased.identity_value,
            )
        ).scalars()
        for row in rows:
            values = corrected_values(row)
            if not values:
                continue
            row.details = without_values(row.details, values)
            row.result = without_values(row.result, values)
            for task in session.execute(
                sa.select(PlaceTask).where(PlaceTask.request_id == row.id)
            ).scalars():
                task.subject = without_values(task.subject, values)
                task.body = without_values(task.body, values)
            self._audit(session, row, "worker", "corrections_erased", {"by": erased.id})
            # The engine's run journal lives in this store: its copy goes in this transaction.
            session.execute(
                sa.delete(EnginePlaceRun).where(
                    EnginePlaceRun.run_key == f"request:{row.id}",
                    EnginePlaceRun.action == "rectify",
                )
            )

    def execution_failed(self, request_id: str, error: str) -> None:
        """After the last retry: back to review with the error, never stuck in executing."""
        with self.store.transaction() as session:
            row = self._lock(session, request_id)
            if row.state != State.executing:
                return
            self._audit(session, row, "worker", "execution_failed", {"error": error[:2000]})
            self._move(session, row, State.in_review, "worker")

    def send_notification(self, request_id: str, event: str) -> None:
        """Render and send one email; 'received' is the acknowledgment, so it is recorded."""
        row = self.get(request_id)
        subject, body = render_email(event, row.language, self._context(row, event))
        self.mailer.send(row.email, subject, body)
        if event == "received":
            with self.store.transaction() as session:
                locked = self._lock(session, request_id)
                if locked.acknowledged_at is None:
                    locked.acknowledged_at = self.clock()
                    self._audit(session, locked, "worker", "acknowledged", {})

    def purge_uploads(self) -> int:
        """Delete uploaded documents whose retention has ended; the row records that it was."""
        now = self.clock()
        with self.store.transaction() as session:
            return purge_uploads(session, Upload.delete_after <= now, now=now, actor="worker")

    def remind(self) -> bool:
        """Send staff the digest of overdue, due-soon and unacknowledged requests, at most once
        per interval (the last one is found in the audit log, so restarts do not repeat it)."""
        if not self.settings.staff_email:
            return False
        now = self.clock()
        with self.store.transaction() as session:
            last = session.execute(
                sa.select(sa.func.max(AuditEntry.at)).where(AuditEntry.action == "reminder_sent")
            ).scalar_one()
        if last is not None and last.replace(tzinfo=UTC) > now - self.settings.reminder_interval:
            return False
        open_states = [s.value for s in OPEN]
        with self.store.transaction() as session:
            rows = list(
                session.execute(
                    sa.select(RequestRow)
                    .where(RequestRow.state.in_(open_states))
                    .order_by(RequestRow.due_at)
                ).scalars()
            )
        soon = now + self.settings.due_soon

        def line(row: RequestRow, moment: datetime) -> str:
            return f"{row.id} {row.kind} {row.state} {self._when(row, moment)}"

        context = {
            "service": self.policy.service.name.get(self.policy.languages.authoritative),
            "now": now.strftime("%Y-%m-%d %H:%M UTC"),
            "overdue": [line(r, r.due_at) for r in rows if r.due_at < now],
            "due_soon": [line(r, r.due_at) for r in rows if now <= r.due_at <= soon],
            "unacknowledged": [
                line(r, r.acknowledge_by)
                for r in rows
                if r.acknowledge_by is not None and r.acknowledged_at is None
            ],
        }
        if not (context["overdue"] or context["due_soon"] or context["unacknowledged"]):
            return False
        with self.store.transaction() as session:
            # The chain's head, printed where the database cannot rewrite it: the staff's mail.
            context["audit_head"] = audit.anchor(session, now).to_json()
        subject, body = render_email("reminder", self.policy.languages.authoritative.value, context)
        self.mailer.send(self.settings.staff_email, subject, body)
        with self.store.transaction() as session:
            audit.append(
                session,
                at=now,
                actor="worker",
                action="reminder_sent",
                data={"overdue": len(context["overdue"]), "due_soon": len(context["due_soon"])},
            )
        return True

    def purge_exports(self) -> int:
        """Delete delivered exports once their download links have expired: a copy of the
        person's data is not kept longer than it takes to hand it over."""
        now = self.clock()
        cutoff = now - self.settings.download_ttl
        with self.store.transaction() as session:
            expired = list(
                session.execute(sa.select(Export.request_id).where(Export.created_at < cutoff))
                .scalars()
                .all()
            )
            for request_id in expired:
                session.execute(sa.delete(Export).where(Export.request_id == request_id))
                audit.append(
                    session, at=now, actor="worker", action="export_purged", request_id=request_id
                )
            return len(expired)

    def prune_rate_events(self) -> int:
        """Forget rate-limit counters older than their window; they serve no other purpose."""
        cutoff = self.clock() - self.settings.rate_window
        with self.store.transaction() as session:
            result = session.execute(sa.delete(RateEvent).where(RateEvent.at < cutoff))
            return int(result.rowcount or 0)

    def upload_retention(self) -> Duration:
        """The declared retention of identity documents (jasminai: 5 days), else the setting."""
        periods = [rule.period for rule in proof_rules(self.policy) if rule.period is not None]
        return min(periods, key=Duration.approx_days, default=self.settings.upload_retention)

    def checked_by_email(self, row: RequestRow) -> bool:
        """Whether this request's identity is checked by an emailed code and link (then its
        status link goes to that address only)."""
        jurisdictions = [Jurisdiction(j) for j in row.jurisdictions]
        return Verification.none not in _verification(self._right(row.kind), jurisdictions)

    def correctable(self) -> list[CorrectableField]:
        """The fields a correction may name, from the data map (read once)."""
        if self._correctable is None:
            self._correctable = correctable_fields(self.project_dir, self.policy)
        return self._correctable

    def procedures(self) -> Procedures:
        """The data map's internal procedures (four eyes), read once; none without a map."""
        if self._procedures is None:
            self._procedures = staff_procedures(self.project_dir)
        return self._procedures

    # --- internals -----------------------------------------------------------------------

    def _right(self, kind: str) -> Right:
        right = self.policy.right(kind) if kind in RightKind.__members__ else None
        if right is None:
            declared = ", ".join(r.kind.value for r in self.policy.rights)
            raise Invalid(f"unknown request type {kind!r}; this service accepts: {declared}")
        return right

    def _jurisdictions(self, right: Right, requested: list[str] | None) -> list[Jurisdiction]:
        chosen: list[Jurisdiction] = []
        for value in requested or []:
            if value not in Jurisdiction.__members__:
                raise Invalid(f"unknown jurisdiction {value!r}")
            chosen.append(Jurisdiction(value))
        return applicable_jurisdictions(self.policy, right, chosen)

    def _by_status(self, session: Session, token: str) -> RequestRow:
        row = self._lock(session, self.secrets.request_for_status(token))
        if status_expired(row.closed_at, self.clock(), self.settings):
            raise Expired("this status link has expired")
        return row

    def _lock(self, session: Session, request_id: str) -> RequestRow:
        return self._by_key(session, request_id, lock=True)

    def _by_key(self, session: Session, key: str, *, lock: bool = False) -> RequestRow:
        """The request whose internal id is `key`, or whose whole short reference it is (the
        serial alone is only for the queue's search)."""
        row = session.get(RequestRow, key, with_for_update=lock)
        found = REFERENCE.fullmatch(key.upper()) if row is None and "-" in key else None
        if found:
            query = sa.select(RequestRow).where(RequestRow.number == int(found.group("serial")))
            row = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
            if row is not None and self.reference(row) != key.upper():
                row = None
        if row is None:
            raise NotFound("no such request")
        return row

    def _move(self, session: Session, row: RequestRow, target: State, actor: str) -> None:
        previous = row.state
        row.state = check_move(row.state, target).value
        self._audit(session, row, actor, "transition", {"from": previous, "to": target.value})

    def _audit(
        self, session: Session, row: RequestRow, actor: str, action: str, data: dict[str, Any]
    ) -> None:
        session.flush()
        audit.append(
            session, at=self.clock(), actor=actor, action=action, request_id=row.id, data=data
        )

    def _notify(self, session: Session, row: RequestRow, event: str) -> None:
        if row.details.get("reply_by") == "letter":
            return  # the person chose paper: staff post the letter (workflow.intake)
        enqueue(
            session,
            "notify",
            now=self.clock(),
            request_id=row.id,
            payload={"event": event},
            job_id=new_id(),
        )

    def _rate(self, session: Session, now: datetime, email: str, ip: str) -> None:
        """Codes are counted per address and source together, and per source: counting per
        address alone let anyone spend a victim's allowance so the victim could not ask."""
        pair = self.secrets.keyed_hash("addr", email + "\0" + ip)[:32]
        self._rate_bucket(session, now, f"addr:{pair}", self.settings.codes_per_address)
        self._rate_bucket(session, now, f"ip:{ip}", self.settings.codes_per_ip)

    def _rate_bucket(self, session: Session, now: datetime, bucket: str, limit: int) -> None:
        since = now - self.settings.rate_window
        used = session.execute(
            sa.select(sa.func.count())
            .select_from(RateEvent)
            .where(RateEvent.bucket == bucket, RateEvent.at > since)
        ).scalar_one()
        if used >= limit:
            raise RateLimited("too many attempts; please try again later")
        session.add(RateEvent(bucket=bucket, at=now))

    def _new_code(self, session: Session, row: RequestRow, now: datetime) -> tuple[str, str]:
        code, link = new_code(), new_link_token()
        session.execute(
            sa.update(VerificationCode)
            .where(VerificationCode.request_id == row.id, VerificationCode.used_at.is_(None))
            .values(expires_at=now)
        )
        session.add(
            VerificationCode(
                request_id=row.id,
                code_hash=self.secrets.keyed_hash("code", f"{row.id}:{code}"),
                link_hash=self.secrets.keyed_hash("link", link),
                created_at=now,
                expires_at=now + self.settings.code_ttl,
                failed_attempts=0,
            )
        )
        self._audit(session, row, "system", "code_sent", {})
        return code, link

    def _send_code(self, row: RequestRow, code: str, link: str) -> None:
        context = self._context(row, "code")
        context.update(
            code=code,
            verify_url=f"{self.settings.base_url}/verify/{link}",
            expires_at=self._when(row, self.clock() + self.settings.code_ttl),
        )
        subject, body = render_email("code", row.language, context)
        try:
            self.mailer.send(row.email, subject, body)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailUnavailable(
                "the verification email could not be sent; ask for a new code"
            ) from exc

    def _identity_confirmed(
        self, session: Session, row: RequestRow, code: VerificationCode, now: datetime
    ) -> None:
        code.used_at = now
        row.email_verified_at = now
        self._audit(session, row, "person", "email_verified", {})
        if not row.identity_checks or row.documents_verified_at is not None:
            self._after_identity(session, row, now)

    def _after_identity(self, session: Session, row: RequestRow, now: datetime) -> None:
        right = self._right(row.kind)
        jurisdictions = [Jurisdiction(j) for j in row.jurisdictions]
        if self._over_limit(session, row, right, jurisdictions, now):
            self._deny(session, row, "system", "request_limit", "", now)
            return
        fee = fee_due(right, jurisdictions)
        if fee is None:
            self._move(session, row, State.in_review, "system")
            return
        row.fee_status, row.fee_amount, row.fee_currency = "due", fee.amount, fee.currency
        self._move(session, row, State.awaiting_fee, "system")
        self._notify(session, row, "fee_due")

    def _over_limit(
        self,
        session: Session,
        row: RequestRow,
        right: Right,
        jurisdictions: list[Jurisdiction],
        now: datetime,
    ) -> bool:
        limit = request_limit(right, jurisdictions)
        if limit is None:
            return False
        since = limit.per.before(now)
        earlier = session.execute(
            sa.select(sa.func.count())
            .select_from(RequestRow)
            .where(
                RequestRow.email == row.email,
                RequestRow.kind == row.kind,
                RequestRow.id != row.id,
                RequestRow.received_at > since,
                RequestRow.email_verified_at.is_not(None),
                # Withdrawn and refused requests do not use up the person's allowance.
                RequestRow.state.not_in([State.withdrawn.value, State.denied.value]),
            )
        ).scalar_one()
        return bool(earlier >= limit.count)

    def _deny(
        self, session: Session, row: RequestRow, actor: str, ground: str, note: str, now: datetime
    ) -> None:
        row.decision = {"outcome": "denied", "ground": ground, "note": note}
        self._audit(session, row, actor, "denied", row.decision)
        self._move(session, row, State.denied, actor)
        row.closed_at = now
        self._notify(session, row, "denied")

    def _public_view(self, row: RequestRow) -> dict[str, Any]:
        right = self._right(row.kind)
        waiting_for = None
        pending = [] if row.documents_verified_at is not None else list(row.identity_checks)
        if row.state == State.verifying:
            waiting_for = "email_code"
            if row.email_verified_at is not None:
                waiting_for = "document_check" if row.needs_documents else "identity_check"
        elif row.state == State.awaiting_fee:
            waiting_for = "fee"
        elif row.state == State.partially_complete:
            waiting_for = "recipients"
        view: dict[str, Any] = {
            "reference": row.id,
            "short_reference": self.reference(row),
            "right": row.kind,
            "right_label": (right.label.get(row.language) if right.label else row.kind),
            "state": row.state,
            "waiting_for": waiting_for,
            "received_at": row.received_at.isoformat(),
            "due_at": row.due_at.isoformat(),
            "extended": row.extended_at is not None,
            "extension_reason": row.extension_reason,
            "needs_documents": row.needs_documents and row.documents_verified_at is None,
            "identity_checks": pending if row.state == State.verifying else [],
            "fee": {
                "status": row.fee_status,
                "amount": row.fee_amount,
                "currency": row.fee_currency,
            }
            if row.fee_status != "none"
            else None,
        }
        if row.state == State.denied and row.decision:
            view["ground"] = ground_label(right, row.decision["ground"]).get(row.language)
        if row.state == State.completed and nothing_held(row):
            view["outcome"] = "no_personal_data"
        if row.state == State.partially_complete:
            view["left"] = tasks.open_places(self, row)
        items = (row.decision or {}).get("items")
        if items and row.state in (State.completed, State.partially_complete, State.denied):
            view["correction"] = (row.decision or {}).get("correction", "not_corrected")
            view["corrections"] = self.corrections(row)
        return view

    def _zone(self, row: RequestRow) -> str:
        return self.settings.calendars[Jurisdiction(row.jurisdictions[0])].timezone

    def correction_labels(self, lang: str) -> dict[str, str]:
        """The correctable items by their declared labels, no two alike, as the form named them."""
        return correction_labels(self.correctable(), self.policy, lang)

    def corrections(self, row: RequestRow) -> list[dict[str, Any]]:
        """A decided correction item by item (old → new, or not corrected and why), for the
        status page and the email alike; none before staff decided."""
        items = (row.decision or {}).get("items") or {}
        labels = self.correction_labels(row.language)
        return [{**item, "item": labels.get(name, name)} for name, item in items.items()]

    def _when(self, row: RequestRow, moment: datetime | None) -> str:
        if moment is None:
            return ""
        return local_time(moment, self._zone(row), row.language)

    def _signature(self, lang: str, contact: str) -> list[str]:
        """The operator as the declaration names it: name, address, contact. What it does not
        state is left out, never made up."""
        lines = [self.policy.service.name.get(lang) or ""]
        operator = self.policy.operators[0] if self.policy.operators else None
        if operator is not None:
            name = operator.name.get(lang)
            if name and name not in lines:
                lines.append(name)
            if isinstance(operator.address, Text) and operator.address.get(lang):
                lines.append(operator.address.get(lang) or "")
        if contact:
            lines.append(contact)
        return [line for line in lines if line]

    def _context(self, row: RequestRow, event: str) -> dict[str, Any]:
        lang = row.language
        right = self._right(row.kind)
        declared = self.policy.complaints
        complaints = self.policy.contact(declared.contact or "") if declared else None
        if complaints is None:  # no complaints window declared: the first reachable contact
            complaints = next((c for c in self.policy.contacts if c.value), None)
        complaint_text = ""
        if complaints is not None:
            name = complaints.name.get(lang) if complaints.name else ""
            complaint_text = f"{name} {complaints.value or ''}".strip()
        context: dict[str, Any] = {
            "addressee": row.email,
            "signature": self._signature(lang, complaint_text),
            "no_reply": not self.settings.replies_read,
            "service": self.policy.service.name.get(lang),
            "we": self.policy.self_reference,
            "right": right.label.get(lang) if right.label else row.kind,
            "request_id": self.reference(row),
            "received_at": self._when(row, row.received_at),
            "due_at": self._when(row, row.due_at),
            "acknowledge_by": self._when(row, row.acknowledge_by),
            "status_url": f"{self.settings.base_url}/status/{self.secrets.status_token(row.id)}",
            "reason": row.extension_reason or "",
            "complaints": complaint_text,
            "authorities": [
                f"{a.name.get(lang)} {a.url or ''}".strip()
                for a in (declared.authorities if declared else [])
            ],
            "amount": row.fee_amount,
            "currency": row.fee_currency or "",
            "payment_methods": ", ".join(
                m.get(lang) for m in (right.fee.payment_methods if right.fee else [])
            ),
            "ground": "",
            "note": "",
            "download_url": "",
            "download_expires": "",
            "withheld": "",
            "withheld_reason": "",
            "places": tasks.place_lines(self, row) if event == "completed" else [],
            "no_data": False,
            "erased": [],
            "kept": [],
            "nothing_held": event == "completed" and nothing_held(row),
            "disclosure": row.kind in DISCLOSURES,
            "correction": "",
            "corrections": [],
        }
        decision = row.decision or {}
        if event in ("completed", "denied") and decision.get("items") and not nothing_held(row):
            # APPI Art. 34(3): the person is told what was corrected, item by item.
            context["correction"] = decision.get("correction", "not_corrected")
            context["corrections"] = self.corrections(row)
        if event == "denied":
            context["ground"] = ground_label(right, decision.get("ground", "")).get(lang)
            context["note"] = decision.get("note", "")
        if event == "completed":
            done = outcome(self.policy, row.result, self._zone(row), lang)
            # An access that found no one says so in APPI Art. 33(3)'s words; any other request
            # that found no one says nothing was deleted or changed (nothing_held).
            no_data = done.no_data and row.kind in DISCLOSURES
            context.update(no_data=no_data, erased=done.erased, kept=done.kept)
            withheld = [
                c.label.get(lang)
                for key in decision.get("withhold", [])
                for c in self.policy.categories_under(key)
            ]
            context["withheld"] = ", ".join(withheld)
            if withheld and decision.get("ground"):
                context["withheld_reason"] = ground_label(right, decision["ground"]).get(lang)
            with self.store.transaction() as session:
                has_export = session.get(Export, row.id) is not None
            if has_export:
                expires = self.clock() + self.settings.download_ttl
                token = self.secrets.download_token(row.id, expires)
                context["download_url"] = f"{self.settings.base_url}/download/{token}"
                context["download_expires"] = self._when(row, expires)
        return context


def status_expired(closed_at: datetime | None, now: datetime, settings: WorkflowSettings) -> bool:
    """A status link lasts while its request is open and `status_ttl` after it closed."""
    return closed_at is not None and closed_at + settings.status_ttl < now


ERASED_VALUE = "[erased]"


def corrected_values(row: RequestRow) -> list[str]:
    """The new values a rectification asked for (longest first, so none hides in another)."""
    if row.kind != RightKind.rectification.value or not isinstance(row.details, dict):
        return []
    changes = row.details.get("changes") or {}
    values = (
        {str(v) for v in changes.values() if str(v).strip()} if isinstance(changes, dict) else set()
    )
    return sorted(values, key=len, reverse=True)


def without_values(data: Any, values: list[str]) -> Any:
    """`data` (JSON-like) with every occurrence of `values` in its strings replaced."""
    if not values or data is None:
        return data
    if isinstance(data, str):
        for value in values:
            data = data.replace(value, ERASED_VALUE)
        return data
    if isinstance(data, dict):
        return {key: without_values(item, values) for key, item in data.items()}
    if isinstance(data, list):
        return [without_values(item, values) for item in data]
    return data


DISCLOSURES = frozenset({"access", "portability", "third_party_records"})


def nothing_held(row: RequestRow) -> bool:
    """Execution found no one with the request's identity: the person is told that no
    personal data is held, never that it was "deleted" or "corrected"."""
    return isinstance(row.result, dict) and row.result.get("found") is False


def _verification(right: Right, jurisdictions: list[Jurisdiction]) -> set[Verification]:
    """The declared methods plus any a jurisdiction adds: every check either law asks for."""
    methods = set(right.verification)
    for jurisdiction in jurisdictions:
        terms = right.by_jurisdiction.get(jurisdiction)
        if terms is not None and terms.verification:
            methods |= set(terms.verification)
    if len(methods) > 1:
        methods.discard(Verification.none)
    return methods


def required_checks(right: Right, jurisdictions: list[Jurisdiction], agent: bool) -> list[str]:
    """The staff checks of the declaration AND of every jurisdiction's terms: methods within
    one list are alternatives, lists are each required. Pooling them would let a jurisdiction
    that accepts an emailed code waive the account login another one (or the right) asks for."""
    sets = [set(right.verification)]
    for jurisdiction in jurisdictions:
        terms = right.by_jurisdiction.get(jurisdiction)
        if terms is not None and terms.verification:
            sets.append(set(terms.verification))
    wanted = {check for methods in sets for check in staff_checks(methods, agent)}
    return [check for check in STAFF_CHECKS if check in wanted]


def staff_checks(methods: set[Verification], agent: bool) -> list[str]:
    """The identity steps staff confirm after the emailed code: a document check (or an
    agent's proof) where the declaration asks for one, and, where it accepts no emailed check
    at all (jasminai: account login and further information), its own methods: the code
    alone then proves only the address, not the person."""
    by_email = bool(EMAIL_METHODS & methods)
    wanted = {
        "documents": bool(DOCUMENT_METHODS & methods) or agent,
        "account_login": Verification.account_login in methods and not by_email,
        "additional_information": Verification.additional_information in methods and not by_email,
    }
    return [check for check in STAFF_CHECKS if wanted[check]]


def _file_name(name: str) -> str:
    """The last part of a sent file's name, without control characters, for staff to read."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isprintable()).strip()
    return cleaned[:255] or "upload"


def _media_type(value: str) -> str:
    """The type the browser claimed, kept for information only (files are served as
    application/octet-stream attachments whatever it says)."""
    kind = value.split(";")[0].strip().lower()
    valid = kind.count("/") == 1 and all(c.isalnum() or c in "/.+-_" for c in kind)
    return kind[:100] if valid else "application/octet-stream"
