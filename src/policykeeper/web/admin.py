"""The admin console: sign-in, the queue by deadline, a request's detail with the plan preview,
decisions and the audit trail, and staff management. Every page and action checks the role.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyotp
import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from policykeeper import engine
from policykeeper.errors import SubjectNotFound
from policykeeper.policy.models import Jurisdiction, RightKind
from policykeeper.policy.types import Duration, Lang
from policykeeper.render.build import Builder
from policykeeper.render.catalog import catalog
from policykeeper.store.models import Export, Upload
from policykeeper.store.models import Request as RequestRow
from policykeeper.web.center import project_of
from policykeeper.web.console_view import Reader, console_messages, raw
from policykeeper.web.execution import execute_now, execution_queued
from policykeeper.web.files import document_attachment
from policykeeper.web.security import (
    client_ip,
    read_form,
    safe_next,
    secure_cookies,
    text_field,
)
from policykeeper.web.views import error_page, language, page, texts, workflow_of, zone_of
from policykeeper.workflow.errors import (
    Conflict,
    Expired,
    Invalid,
    NotFound,
    RateLimited,
    Unauthorized,
    WorkflowError,
)
from policykeeper.workflow.service import SamePerson, Workflow
from policykeeper.workflow.staff import Role, StaffDirectory, StaffMember
from policykeeper.workflow.staff_access import INVITE_TTL, RESET_TTL, Letter, StaffAccounts
from policykeeper.workflow.states import EXTENDABLE, OPEN, State

router = APIRouter(prefix="/admin", include_in_schema=False)
CONSOLE_COOKIE = "pk_console"
UNITS = ("day", "week", "month")
IRREVERSIBLE = frozenset({RightKind.erasure, RightKind.rectification})
"""Rights whose approval changes the person's data for good: approved from the confirmation
page only, after staff saw what will be deleted, kept and changed."""


class NotSignedIn(Exception):
    """No valid console session: pages send the browser to sign in, actions answer 401."""


# --- who is asking ----------------------------------------------------------------------


def directory(request: Request) -> StaffDirectory:
    return request.app.state.staff  # type: ignore[no-any-return]


def access(request: Request) -> StaffAccounts:
    """Invitations, resets and forced password changes, made once per app."""
    state = request.app.state
    if not hasattr(state, "staff_access"):
        flow = workflow_of(request)
        state.staff_access = StaffAccounts(
            flow.store, directory(request), flow.mailer, flow.clock, flow.settings.rate_window
        )
    return state.staff_access  # type: ignore[no-any-return]


PASSWORD_PAGES = ("/admin/password", "/admin/logout")
"""Where a member whose password an admin chose may go before replacing it."""


def signed_in(request: Request, needed: Role = Role.viewer) -> StaffMember:
    """The member behind the session cookie, holding at least `needed`; else an error. A
    member who must replace an admin-chosen password reaches only the password page."""
    token = request.cookies.get(CONSOLE_COOKIE)
    if not token:
        raise NotSignedIn
    try:
        member = directory(request).authenticate(token)
    except Unauthorized:
        raise NotSignedIn from None
    request.state.member = member
    if request.url.path not in PASSWORD_PAGES and access(request).must_change(member.id):
        request.state.must_change = True
        raise NotSignedIn
    member.require(needed)
    return member


def not_signed_in(request: Request) -> Response:
    if getattr(request.state, "must_change", False):
        if request.method == "GET":
            return RedirectResponse("/admin/password?must=1", status_code=303)
        return error_page(request, 403, "forbidden", home="/admin/password")
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
    t = texts(request)
    notice = t("admin.signed_out") if request.query_params.get("out") else None
    if request.query_params.get("set"):
        notice = texts(request, of=console_messages)("account.password_set")
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
            "c": texts(request, of=console_messages),
        },
        status=status,
    )


@router.post("/login")
async def login(request: Request) -> Response:
    flow = workflow_of(request)
    form = await read_form(request, flow.secrets)
    t = texts(request)
    c = texts(request, of=console_messages)
    username, password = text_field(form, "username", 100), str(form.get("password") or "")[:1000]
    try:
        token = await run_in_threadpool(
            directory(request).login, username, password, client_ip(request)
        )
    except RateLimited:
        return login_page(request, error=t("admin.login_limited"), status=429)
    except Unauthorized:
        return login_page(request, error=c("account.login_failed"), status=401)
    # The second factor, when the member set one up: the session stands only with a good code.
    member = directory(request).authenticate(token)
    try:
        passed = await run_in_threadpool(
            access(request).check_totp, member.id, text_field(form, "code", 12)
        )
    except RateLimited:
        passed = None
    if not passed:
        await run_in_threadpool(directory(request).revoke, token)
        if passed is None:
            return login_page(request, error=t("admin.login_limited"), status=429)
        return login_page(request, error=c("account.login_failed"), status=401)
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


# --- invitations and resets: one-time links to set a password ---------------------------


def letter(request: Request, kind: str, token: str, lang: str) -> Letter:
    """The email carrying a password link, in the console's language, with its expiry."""
    flow = workflow_of(request)
    c, t = texts(request, lang, of=console_messages), texts(request, lang)
    ttl = INVITE_TTL if kind == "invite" else RESET_TTL
    return Letter(
        c(f"account.mail_{kind}_subject", service=flow.policy.service.name.get(lang)),
        c(
            f"account.mail_{kind}_body",
            service=flow.policy.service.name.get(lang),
            link=f"{flow.settings.base_url}/admin/link/{token}",
            until=t.when(flow.clock() + ttl, zone_of(flow)),
        ),
    )


@router.get("/reset")
def reset_form(request: Request) -> Response:
    lang = language(request)
    return page(
        request,
        "admin/reset.html",
        {"c": texts(request, lang, of=console_messages), "sent": False, "error": None},
    )


@router.post("/reset")
async def reset(request: Request) -> Response:
    """The same answer whether or not the name or address is known (no enumeration)."""
    flow = workflow_of(request)
    form = await read_form(request, flow.secrets)
    lang = language(request)
    c = texts(request, lang, of=console_messages)
    try:
        await run_in_threadpool(
            access(request).request_reset,
            text_field(form, "who", 320),
            client_ip(request),
            lambda token: letter(request, "reset", token, lang),
        )
    except RateLimited:
        context = {"c": c, "sent": False, "error": texts(request, lang)("admin.login_limited")}
        return page(request, "admin/reset.html", context, status=429)
    return page(request, "admin/reset.html", {"c": c, "sent": True, "error": None})


@router.get("/link/{token}")
def link_form(token: str, request: Request) -> Response:
    try:
        purpose = access(request).link_purpose(token)
    except Expired:
        return error_page(request, 410, "expired", "expired_link_staff", home="/admin/login")
    return link_page(request, token, purpose)


def link_page(
    request: Request, token: str, purpose: str, error: str | None = None, status: int = 200
) -> Response:
    context = {
        "c": texts(request, of=console_messages),
        "token": token,
        "purpose": purpose,
        "error": error,
    }
    return page(request, "admin/link.html", context, status=status)


@router.post("/link/{token}")
async def use_link(token: str, request: Request) -> Response:
    flow = workflow_of(request)
    form = await read_form(request, flow.secrets)
    t = texts(request)
    new = str(form.get("new") or "")[:1000]
    try:
        purpose = access(request).link_purpose(token)
    except Expired:
        return error_page(request, 410, "expired", "expired_link_staff", home="/admin/login")
    if new != str(form.get("confirm") or "")[:1000]:
        return link_page(request, token, purpose, t("admin.password_mismatch"), 422)
    try:
        await run_in_threadpool(access(request).set_password, token, new)
    except Invalid:
        return link_page(request, token, purpose, t("admin.password_short"), 422)
    except Expired:
        return error_page(request, 410, "expired", "expired_link_staff", home="/admin/login")
    return RedirectResponse("/admin/login?set=1", status_code=303)


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
    c = texts(request, of=console_messages)
    must = [c("account.must_change")] if request.query_params.get("must") else []
    return page(request, "admin/password.html", {"error": None, "flashes": [], "notices": must})


@router.post("/password")
async def password(request: Request) -> Response:
    member = signed_in(request)
    flow = workflow_of(request)
    form = await read_form(request, flow.secrets)
    t = texts(request)
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
        return page(
            request,
            "admin/password.html",
            {"error": error, "flashes": [], "notices": []},
            status=status,
        )
    await run_in_threadpool(access(request).changed, member.id)
    return page(
        request,
        "admin/password.html",
        {"error": None, "flashes": [t("admin.password_changed")], "notices": []},
    )


@router.get("/totp")
def totp_form(request: Request) -> Response:
    member = signed_in(request)
    return totp_page(request, member)


def totp_page(
    request: Request,
    member: StaffMember,
    *,
    error: str | None = None,
    flashes: list[str] | None = None,
    status: int = 200,
) -> Response:
    """The second factor: on, or a secret to add to an authenticator app and a code field."""
    accounts = access(request)
    enabled = accounts.totp_enabled(member.id)
    secret = None
    if not enabled:
        secret = accounts.pending_totp(member.id) or accounts.start_totp(member.id)
    flow = workflow_of(request)
    issuer = flow.policy.service.name.get("en") or "PolicyKeeper"
    return page(
        request,
        "admin/totp.html",
        {
            "member": member,
            "c": texts(request, of=console_messages),
            "enabled": enabled,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
            if secret
            else "",
            "uri": pyotp.TOTP(secret).provisioning_uri(name=member.username, issuer_name=issuer)
            if secret
            else "",
            "error": error,
            "flashes": flashes or [],
        },
        status=status,
    )


@router.post("/totp")
async def totp(request: Request) -> Response:
    member = signed_in(request)
    form = await read_form(request, workflow_of(request).secrets)
    c = texts(request, of=console_messages)
    confirmed = await run_in_threadpool(
        access(request).confirm_totp, member, text_field(form, "code", 12)
    )
    if not confirmed:
        return totp_page(request, member, error=c("totp.wrong"), status=422)
    return totp_page(request, member, flashes=[c("totp.enabled_now")])


# --- the queue --------------------------------------------------------------------------


def sla(flow: Workflow, row: RequestRow, now: datetime) -> str:
    """on_time, soon, overdue for open requests; closed for the rest; unconfirmed while the
    person has not confirmed the request (no deadline is running for staff yet)."""
    if State(row.state) not in OPEN:
        return "closed"
    if row.state in (State.received, State.verifying) and row.email_verified_at is None:
        return "unconfirmed"
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
    t = texts(request, lang)
    cat = catalog(Lang(lang))
    builder = Builder(flow.policy, cat)
    params = request.query_params
    state = params.get("state", "open")
    right = params.get("right", "")
    jurisdiction = params.get("jurisdiction", "")
    search = params.get("q", "").strip()[:320]
    if search:
        rows = flow.find(search, limit=2000)
    else:
        rows = flow.list_requests(state=state if state in State.__members__ else None, limit=2000)
    if state == "open" and not search:
        rows = [r for r in rows if State(r.state) in OPEN]
    if right:
        rows = [r for r in rows if r.kind == right]
    if jurisdiction:
        rows = [r for r in rows if jurisdiction in r.jurisdictions]
    now = flow.clock()
    items = []
    counts = {"overdue": 0, "soon": 0, "on_time": 0, "closed": 0, "unconfirmed": 0}
    for row in rows:
        level = sla(flow, row, now)
        counts[level] += 1
        right_decl = flow.policy.right(row.kind)
        zone = zone_of(flow, row.jurisdictions[0] if row.jurisdictions else None)
        items.append(
            {
                "id": row.id,
                "reference": flow.reference(row),
                "requester": row.email,
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
            "search": search,
            "c": texts(request, lang, of=console_messages),
            "rights": [(r.kind.value, builder.right_title(r)) for r in flow.policy.rights],
            "states": [(s.value, t(f"staff_state.{s.value}")) for s in State],
            "jurisdiction_choices": [
                (j.value, cat.label("jurisdiction", j)) for j in flow.policy.jurisdictions
            ],
        },
        lang=lang,
    )


# --- one request ------------------------------------------------------------------------


def reader(request: Request, flow: Workflow, row: RequestRow | None, lang: str) -> Reader:
    """The console's translator for one request, in its first jurisdiction's time zone."""
    project = project_of(request)
    zone = zone_of(flow, row.jurisdictions[0] if row and row.jurisdictions else None)
    return Reader(flow.policy, project.datamap if project else None, lang, zone)


def preview(request: Request, row: RequestRow, read: Reader) -> dict[str, Any]:
    """The engine's plan by declared label and row count only, never personal data; a failure
    is a translated sentence, its English text only behind the toggle."""
    project = project_of(request)
    if project is None:
        return {"error": read.c("plan.no_datamap"), "raw": ""}
    try:
        planned = engine.plan(project, engine.Identity(row.identity_kind, row.identity_value))
    except SubjectNotFound:
        return {"lines": [], "total": read.count(0), "raw": ""}
    except Exception as exc:
        return {"error": read.c("plan.unavailable"), "raw": str(exc)[:2000]}
    return read.plan(planned.to_json())


@router.get("/requests/{request_id}")
def detail(request_id: str, request: Request) -> Response:
    member = signed_in(request)
    flow = workflow_of(request)
    lang = language(request)
    t = texts(request, lang)
    cat = catalog(Lang(lang))
    try:
        row = flow.get(request_id)
    except NotFound:
        return error_page(request, 404, "not_found", home="/admin")
    right = flow.policy.right(row.kind)
    zone = zone_of(flow, row.jurisdictions[0] if row.jurisdictions else None)
    read = reader(request, flow, row, lang)
    history = [read.audit(entry, row) for entry in flow.history(request_id)]
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
            "plan": preview(request, row, read) if State(row.state) in OPEN else None,
            "c": read.c,
            "identity_kind": read.identity_kind(row.identity_kind),
            "grounds": [(g.id, g.label.get(lang)) for g in right.refusal_grounds] if right else [],
            "history": history,
            "uploads": uploads,
            "has_export": has_export,
            "actions": actions,
            "awaiting_documents": awaiting_documents,
            "extendable": extendable,
            "details": read.details(row),
            "details_raw": raw(row.details) if row.details else "",
            "language_name": read.c(f"language.{row.language}")
            if read.c.has(f"language.{row.language}")
            else row.language,
            "units": [(u, t(f"admin.unit_{u}")) for u in UNITS],
            "fee_status": t(f"fee_status.{row.fee_status}"),
            "fee_amount": cat.money(row.fee_amount, row.fee_currency or "JPY")
            if row.fee_amount is not None
            else "",
            "result": read.result(row),
            "decided": read.decided_items(row),
            "reference": flow.reference(row),
            "partial": right is not None
            and right.kind
            in (RightKind.access, RightKind.portability, RightKind.third_party_records),
            "flashes": [t(f"admin.{k}") for k in ("done", "taken") if request.query_params.get(k)]
            + ([read.c("confirm.proposed_flash")] if request.query_params.get("proposed") else []),
            "irreversible": row.kind in IRREVERSIBLE,
            "proposed_by": read.actor(proposed) if (proposed := flow.proposal(row)) else None,
            "queued": state is State.executing and execution_queued(flow, row.id),
        },
        lang=lang,
    )


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
    row = flow.get(request_id)
    confirm_url = f"/admin/requests/{request_id}/confirm"
    if approve and row.kind in IRREVERSIBLE and text_field(form, "confirmed", 5) != "1":
        return RedirectResponse(confirm_url, status_code=303)
    items = None
    if approve and row.kind == RightKind.rectification:
        read = reader(request, flow, row, language(request))
        items = {}
        for index, item in enumerate(await run_in_threadpool(corrections_of, request, row, read)):
            items[item["name"]] = {
                "accept": text_field(form, f"accept-{index}", 1) == "1",
                "reason": text_field(form, f"reason-{index}", 2000),
                "old": item["old"] if item["held"] else "",
            }
    try:
        await run_in_threadpool(
            flow.decide,
            request_id,
            member.actor,
            approve=approve,
            ground=text_field(form, "ground", 60) or None,
            note=text_field(form, "note", 2000),
            items=items,
        )
    except SamePerson:
        return confirm_page(request, request_id, member, error="confirm.same_person", status=409)
    except Invalid:
        if items is None:
            raise
        return confirm_page(request, request_id, member, error="confirm.reason_needed", status=422)
    if approve and flow.proposal(flow.get(request_id)):
        return RedirectResponse(f"/admin/requests/{request_id}?proposed=1", status_code=303)
    return _done(request_id)


def corrections_of(request: Request, row: RequestRow, read: Reader) -> list[dict[str, Any]]:
    """Each item the person asks to correct with the value held now (none when the person or
    the data map cannot be found: staff then decide on the request alone)."""
    project = project_of(request)
    current: dict[str, list[dict[str, Any]]] = {}
    if project is not None:
        try:
            identity = engine.Identity(row.identity_kind, row.identity_value)
            current = engine.access(project, identity).tables
        except Exception:
            current = {}
    return read.corrections(row.details.get("changes", {}), current)


@router.get("/requests/{request_id}/confirm")
def confirm(request_id: str, request: Request) -> Response:
    member = signed_in(request, Role.handler)
    return confirm_page(request, request_id, member)


def confirm_page(
    request: Request,
    request_id: str,
    member: StaffMember,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    """What approving will do, before it is done: the erasure's dry run (deleted, masked, kept
    under which rule until when) or each correction's current and new value; under the
    four-eyes rule, who proposed it and whether this member may approve."""
    flow = workflow_of(request)
    lang = language(request)
    try:
        row = flow.get(request_id)
    except NotFound:
        return error_page(request, 404, "not_found", home="/admin")
    if row.state != State.in_review or row.kind not in IRREVERSIBLE:
        return RedirectResponse(f"/admin/requests/{request_id}", status_code=303)
    read = reader(request, flow, row, lang)
    right = flow.policy.right(row.kind)
    project = project_of(request)
    identity = engine.Identity(row.identity_kind, row.identity_value)
    erasure, corrections, problem, nobody = None, [], None, False
    if row.kind == RightKind.rectification:
        corrections = corrections_of(request, row, read)
    else:
        try:
            if project is None:
                raise LookupError("no data map")
            erasure = read.erasure(engine.erase(project, identity, dry_run=True).to_json())
        except SubjectNotFound:
            nobody = True
        except Exception:
            problem = read.c("confirm.unavailable")
    proposed_by = flow.proposal(row)
    proposal_at = next(
        (e.at for e in reversed(flow.history(request_id)) if e.action == "proposed"), None
    )
    return page(
        request,
        "admin/confirm.html",
        {
            "member": member,
            "row": row,
            "c": read.c,
            "right_label": Builder(flow.policy, catalog(Lang(lang))).right_title(right)
            if right
            else row.kind,
            "erasure": erasure,
            "corrections": corrections,
            "problem": problem,
            "nobody": nobody,
            "four_eyes": row.kind in flow.procedures().four_eyes,
            "proposed_by": read.actor(proposed_by) if proposed_by else None,
            "proposed_at": read.when(proposal_at),
            "own_proposal": proposed_by == member.actor,
            "error": read.c(error) if error else None,
            "reference": flow.reference(row),
        },
        status=status,
        lang=lang,
    )


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
    t = texts(request, lang)
    flashes = [t(f"admin.staff_{k}") for k in ("created", "updated") if request.query_params.get(k)]
    if request.query_params.get("invited"):
        flashes.append(texts(request, lang, of=console_messages)("account.invited"))
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
    t = texts(request, lang)
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
            "c": texts(request, lang, of=console_messages),
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
        created = await run_in_threadpool(
            directory(request).create,
            username if isinstance(username, str) else "",
            str(form.get("password") or ""),
            Role(role),
            member.actor,
        )
    except WorkflowError as exc:
        return staff_error(request, member, flow, exc)
    await run_in_threadpool(access(request).require_change, created.id)
    return RedirectResponse("/admin/staff?created=1", status_code=303)


def staff_error(
    request: Request, member: StaffMember, flow: Workflow, exc: WorkflowError
) -> Response:
    """A refused account form, said in the console's language."""
    lang = language(request)
    c = texts(request, lang, of=console_messages)
    key = {Invalid: "account.invalid", Conflict: "account.taken"}.get(type(exc), "account.invalid")
    return staff_page(request, member, flow=flow, lang=lang, error=c(key), status=exc.status)


@router.post("/staff/invite")
async def invite_staff(request: Request) -> Response:
    flow, form, member = await _action(request, Role.admin)
    role = text_field(form, "role", 10)
    if role not in Role.__members__:
        raise Invalid("unknown role")
    lang = language(request)
    try:
        await run_in_threadpool(
            access(request).invite,
            text_field(form, "username", 100),
            text_field(form, "email", 320),
            Role(role),
            member.actor,
            lambda token: letter(request, "invite", token, lang),
        )
    except WorkflowError as exc:
        return staff_error(request, member, flow, exc)
    return RedirectResponse("/admin/staff?invited=1", status_code=303)


@router.post("/staff/{staff_id}")
async def edit_staff(staff_id: int, request: Request) -> Response:
    flow, form, member = await _action(request, Role.admin)
    role = text_field(form, "role", 10)
    if role not in Role.__members__:
        raise Invalid("unknown role")
    if staff_id == member.id:
        lang = language(request)
        error = texts(request, lang)("admin.staff_self")
        return staff_page(request, member, flow=flow, lang=lang, error=error, status=409)
    await run_in_threadpool(
        directory(request).update,
        staff_id,
        Role(role),
        text_field(form, "active", 5) == "1",
        member.actor,
    )
    return RedirectResponse("/admin/staff?updated=1", status_code=303)
