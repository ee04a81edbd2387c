"""Consent over HTTP: the banner's assets and API, GPC support, the service's runtime checks,
and the preferences page (a plain form, so it works without JavaScript).

A browser only ever records choices for the device in its own signed cookie; choices for a
service's users and the runtime checks need a staff API token (Bearer).
"""

from __future__ import annotations

import threading
from importlib.resources import files
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from policykeeper.consent.banner import banner_config, messages, pick_language, tracker_line
from policykeeper.consent.cookie import COOKIE_NAME, MAX_AGE, DeviceCookie, ForgedCookie
from policykeeper.consent.ledger import check_subject
from policykeeper.consent.service import ConsentService, Outcome
from policykeeper.web.i18n import negotiate
from policykeeper.web.security import FormRejected, read_form, secure_cookies
from policykeeper.web.views import page
from policykeeper.workflow.errors import Invalid, NotFound, Unauthorized, WorkflowError
from policykeeper.workflow.staff import Role, StaffMember

router = APIRouter()
ENDPOINT = "/api/consent/device"
PREFERENCES = "/consent/preferences"
_lock = threading.Lock()


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeviceChoice(Payload):
    """What the banner posts: the choices, the version and language it showed, the signals."""

    policy_version: str = Field(max_length=64)
    language: Literal["ja", "en"]
    choices: dict[str, StrictBool] = Field(default_factory=dict, max_length=100)
    source: Literal["banner", "settings"] = "banner"
    gpc: StrictBool = False
    dnt: StrictBool = False


class SubjectChoice(Payload):
    """What a service records for one of its users, e.g. from its own consent settings."""

    choices: dict[str, StrictBool] = Field(min_length=1, max_length=100)
    language: Literal["ja", "en"]
    source: Literal["api", "settings"] = "api"
    policy_version: str | None = Field(None, max_length=64)
    email: str | None = Field(None, max_length=320)


def consent_service(request: Request) -> ConsentService:
    """One service per app, beside its workflow (same store, declaration, secret, clock)."""
    state = request.app.state
    service: ConsentService | None = getattr(state, "consent", None)
    if service is None:
        with _lock:
            service = getattr(state, "consent", None)
            if service is None:
                service = ConsentService.for_workflow(state.workflow)
                state.consent = service
    return service


def staff_member(request: Request, needed: Role) -> StaffMember:
    """The Bearer token's staff member. The directory remembers verified tokens briefly, since
    the runtime check is called for every request the service handles, and forgets them the
    moment it revokes anything (a sign-out, a deactivation, a password change)."""
    token = _bearer(request)
    if not token:
        raise Unauthorized("a staff API token is required (Authorization: Bearer …)")
    member: StaffMember = request.app.state.staff.authenticate(token, cached=True)
    member.require(needed)
    return member


def cached_member(request: Request) -> bool:
    token = _bearer(request)
    return bool(token) and bool(request.app.state.staff.is_cached(token))


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


async def allowed(request: Request) -> JSONResponse:
    """GET /api/consent/allowed?subject=…&purpose=…[&signal=gpc|dnt]: may the service process
    `subject`'s data for `purpose`? `signal` is the person's GPC or DNT header, forwarded.

    The service calls it for every request it handles, so it is a plain route (no dependency
    solving), registered first, and answers on the event loop when the token and the subject
    are cached, going to a thread only to read the store.
    """
    query = request.query_params
    subject, purpose, signal = query.get("subject"), query.get("purpose"), query.get("signal")
    if not subject or not purpose or signal not in (None, "gpc", "dnt"):
        raise Invalid("query parameters: subject, purpose and optionally signal=gpc|dnt")
    service: ConsentService | None = getattr(request.app.state, "consent", None)
    if service is None:
        service = await run_in_threadpool(consent_service, request)
    honoured = service.rules.source(gpc=signal == "gpc", dnt=signal == "dnt") is not None
    if not cached_member(request) or not service.checker.is_cached(subject):
        await run_in_threadpool(staff_member, request, Role.viewer)
        await run_in_threadpool(service.allowed, subject, purpose, signal=honoured)
    staff_member(request, Role.viewer)
    answer = service.allowed(subject, purpose, signal=honoured)
    return JSONResponse({"subject": subject, "purpose": purpose, "allowed": answer})


router.add_route("/api/consent/allowed", allowed, methods=["GET"], include_in_schema=False)


# --- public: GPC support, banner assets and configuration ----------------------------------


@router.get("/.well-known/gpc.json")
def gpc_json(request: Request) -> JSONResponse:
    service = consent_service(request)
    body = service.rules.well_known(service.clock().date())
    if body is None:
        raise NotFound("this service publishes no Global Privacy Control statement")
    return JSONResponse(body, headers={"Cache-Control": "public, max-age=86400"})


@router.get("/consent/banner.js")
def banner_js() -> Response:
    return _asset("banner.js", "text/javascript; charset=utf-8")


@router.get("/consent/banner.css")
def banner_css() -> Response:
    return _asset("banner.css", "text/css; charset=utf-8")


@router.get("/consent/config.json")
def config(request: Request) -> JSONResponse:
    service = consent_service(request)
    body = banner_config(service.catalog, service.rules, endpoint=ENDPOINT, preferences=PREFERENCES)
    return JSONResponse(body, headers={"Cache-Control": "no-cache"})


# --- the browser: its own device's choices --------------------------------------------------


@router.get(ENDPOINT)
def device_state(request: Request) -> JSONResponse:
    service = consent_service(request)
    cookie = service.read_cookie(request.cookies.get(COOKIE_NAME))
    signal = service.rules.from_headers(request.headers)
    if cookie is None:
        return JSONResponse({"device": None, "signal": signal, "state": None})
    state = service.state(cookie.device, signal=bool(signal))
    return JSONResponse(
        {
            "device": cookie.device,
            "signal": signal,
            "state": {key: s.to_json() for key, s in state.items()},
        }
    )


@router.post(ENDPOINT)
def device_choice(body: DeviceChoice, request: Request) -> JSONResponse:
    """The banner's choice. JSON only: a cross-site form cannot send it, so no CSRF token."""
    service = consent_service(request)
    cookie = service.read_cookie(request.cookies.get(COOKIE_NAME))
    signal = service.rules.from_headers(request.headers) or service.rules.source(
        gpc=body.gpc, dnt=body.dnt
    )
    outcome = service.choose_on_device(
        cookie,
        body.choices,
        source=body.source,
        language=body.language,
        policy_version=body.policy_version,
        signal=signal,
    )
    response = JSONResponse({**outcome.to_json(), "signal": signal})
    _set_cookie(request, response, service, outcome)
    return response


# --- the service: its users' choices and the runtime check ----------------------------------


@router.post("/api/consent/subjects/{subject}")
def subject_choice(subject: str, body: SubjectChoice, request: Request) -> JSONResponse:
    staff_member(request, Role.handler)
    outcome = consent_service(request).choose_for_subject(
        subject,
        body.choices,
        source=body.source,
        language=body.language,
        policy_version=body.policy_version,
        email=body.email,
        ip=request.client.host if request.client else "unknown",
    )
    return JSONResponse(outcome.to_json())


@router.get("/api/consent/subjects/{subject}")
def subject_state(subject: str, request: Request) -> JSONResponse:
    staff_member(request, Role.viewer)
    service = consent_service(request)
    check_subject(subject)
    if not service.ledger.latest(subject):
        raise NotFound(f"no consent is recorded for subject {subject!r}")
    state = service.state(subject)
    return JSONResponse(
        {
            "subject": subject,
            "restricted": service.checker.is_restricted(subject),
            "state": {key: s.to_json() for key, s in state.items()},
        }
    )


@router.get("/api/consent/subjects/{subject}/records")
def subject_records(subject: str, request: Request) -> JSONResponse:
    staff_member(request, Role.viewer)
    check_subject(subject)
    records = consent_service(request).export(subject)
    if not records:
        raise NotFound(f"no consent is recorded for subject {subject!r}")
    return JSONResponse({"subject": subject, "records": records})


# --- the preferences page -------------------------------------------------------------------


@router.get(PREFERENCES)
def preferences(request: Request, saved: int = 0) -> Response:
    service = consent_service(request)
    # ?lang= first, then the remembered choice, then the browser's Accept-Language.
    authoritative = service.catalog.policy.languages.authoritative.value
    lang = pick_language(service.catalog, negotiate(request, authoritative))
    try:
        cookie = service.read_cookie(request.cookies.get(COOKIE_NAME))
    except ForgedCookie as exc:
        return _preferences_page(request, service, lang, None, status=exc.status, error="forged")
    return _preferences_page(request, service, lang, cookie, saved=bool(saved))


@router.post(PREFERENCES)
async def save_preferences(request: Request) -> Response:
    """The form: one checkbox per purpose, or the 'accept all' / 'reject all' buttons."""
    service = consent_service(request)
    lang = pick_language(service.catalog, request.query_params.get("lang"))
    try:
        form = await read_form(request, request.app.state.workflow.secrets)
        cookie = service.read_cookie(request.cookies.get(COOKIE_NAME))
    except FormRejected as exc:
        return _preferences_page(request, service, lang, None, status=exc.status, error="form")
    except ForgedCookie as exc:
        return _preferences_page(request, service, lang, None, status=exc.status, error="forged")
    lang = pick_language(service.catalog, str(form.get("language") or lang))
    action = form.get("action")
    banner = [item.key for item in service.catalog.on_device()]
    if action == "accept_all":
        choices = dict.fromkeys(banner, True)
    elif action == "reject_all":
        choices = dict.fromkeys(banner, False)
    else:
        choices = {key: form.get(f"purpose.{key}") == "on" for key in banner}
    signal = service.rules.from_headers(request.headers)
    try:
        outcome = service.choose_on_device(
            cookie,
            choices,
            source="settings",
            language=lang,
            policy_version=str(form.get("policy_version") or ""),
            signal=signal,
        )
    except WorkflowError:
        return _preferences_page(request, service, lang, cookie, status=409, error="stale")
    response = RedirectResponse(f"{PREFERENCES}?lang={lang}&saved=1", status_code=303)
    _set_cookie(request, response, service, outcome)
    return response


def _preferences_page(
    request: Request,
    service: ConsentService,
    lang: str,
    cookie: DeviceCookie | None,
    *,
    status: int = 200,
    saved: bool = False,
    error: str | None = None,
) -> Response:
    signal = service.rules.from_headers(request.headers)
    state = service.state(cookie.device, signal=bool(signal)) if cookie else {}
    items = []
    for item in service.catalog.on_device():
        current = state.get(item.key)
        items.append(
            {
                "key": item.key,
                "text": item.text(lang),
                "mechanism": item.mechanism,
                "allowed": current.allowed if current else item.default and not signal,
                "by_signal": bool(current.by_signal if current else signal and item.opt_out_use),
                "needs_reconsent": bool(current and current.needs_reconsent),
                "recorded_at": current.entry.recorded_at if current and current.entry else None,
            }
        )
    necessary = [
        {
            "name": t.name,
            "provider": t.provider.get(lang) if t.provider else "",
            "description": t.description.get(lang) if t.description else "",
        }
        for t in service.catalog.necessary
    ]
    context: dict[str, Any] = {
        "m": messages(service.catalog, lang),
        "items": items,
        "necessary": necessary,
        "policy_version": service.catalog.version,
        "signal": signal or (cookie.signal if cookie else None),
        "saved": saved,
        "error": error,
        "form_lang": lang,
        "tracker": lambda t: tracker_line(lang, t),
    }
    response = page(request, "consent/preferences.html", context, status=status, lang=lang)
    if error == "forged":
        # Refused, and forgotten: the next choice starts a new, genuine record.
        response.delete_cookie(COOKIE_NAME, path="/")
    return response


def _set_cookie(
    request: Request, response: Response, service: ConsentService, outcome: Outcome
) -> None:
    if outcome.cookie is None:
        return
    response.set_cookie(
        COOKIE_NAME,
        service.signer.dump(outcome.cookie),
        max_age=MAX_AGE,
        path="/",
        samesite="lax",
        secure=secure_cookies(request),
    )


def _asset(name: str, media_type: str) -> Response:
    content = files("policykeeper.consent").joinpath("static", name).read_bytes()
    return Response(
        content, media_type=media_type, headers={"Cache-Control": "public, max-age=3600"}
    )
