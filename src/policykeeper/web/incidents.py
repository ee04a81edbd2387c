"""The leak register in the console and the JSON API: incidents by deadline with their report
clocks, the Commission's report fields ready to copy, and the actions (viewer reads; handler
records an incident, its reports, the notice to the people and a public announcement).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from policykeeper.project import Project
from policykeeper.records import incidents as register
from policykeeper.records.incidents import (
    Cause,
    ClockState,
    IncidentClocks,
    NewIncident,
    clock_states,
)
from policykeeper.records.mailings import DEFAULT_PACE, get_mailing
from policykeeper.records.ppc import ppc_report
from policykeeper.records.text import Words, words
from policykeeper.store.records_models import Incident
from policykeeper.web.admin import signed_in
from policykeeper.web.api import Flow, Handler, Viewer
from policykeeper.web.center import project_of
from policykeeper.web.duties import problem_text, project, staff_action
from policykeeper.web.duty_text import done, duty_page, local_moment
from policykeeper.web.security import text_field
from policykeeper.web.views import language, workflow_of, zone_of
from policykeeper.workflow.errors import Invalid
from policykeeper.workflow.service import Workflow
from policykeeper.workflow.staff import Role

router = APIRouter()
CLOCKS = IncidentClocks()


# --- the JSON API ---------------------------------------------------------------------------


class ClockOut(BaseModel):
    stage: str
    due: datetime
    soon_from: datetime
    done_at: datetime | None
    level: str


class IncidentOut(BaseModel):
    id: str
    title: str
    cause: str
    state: str
    discovered_at: datetime
    persons: int
    persons_elsewhere: int
    categories: list[str]
    appi_reportable: bool
    gdpr_reportable: bool | None
    reasons: list[str]
    clocks: list[ClockOut]
    mailing: dict[str, Any] | None
    announcement: dict[str, Any] | None

    @classmethod
    def of(cls, flow: Workflow, incident: Incident) -> IncidentOut:
        return cls(
            id=incident.id,
            title=incident.title,
            cause=incident.cause,
            state=incident.state,
            discovered_at=incident.discovered_at,
            persons=incident.persons,
            persons_elsewhere=incident.persons_elsewhere,
            categories=incident.categories,
            appi_reportable=incident.appi_reportable,
            gdpr_reportable=incident.gdpr_reportable,
            reasons=list(incident.assessment["appi"]["reasons"]),
            clocks=[
                ClockOut(**vars(state)) for state in clock_states(incident, flow.clock(), CLOCKS)
            ],
            mailing=_mailing(flow, incident),
            announcement=incident.announcement,
        )


class ReportIn(BaseModel):
    stage: Literal["preliminary", "final", "gdpr"]
    at: datetime | None = None


class NotifyIn(BaseModel):
    pace: float = Field(DEFAULT_PACE, gt=0, le=1000, description="Emails per second.")


class AnnounceIn(BaseModel):
    url: str
    reason: str


class FieldOut(BaseModel):
    label: str
    value: str


ProjectDep = Annotated[Project, Depends(project)]


@router.post("/api/staff/incidents", status_code=201, response_model=IncidentOut, tags=["staff"])
def record_api(body: NewIncident, flow: Flow, member: Handler, found: ProjectDep) -> IncidentOut:
    incident = register.record_incident(
        found, flow.store, body, now=flow.clock(), actor=member.actor, clocks=CLOCKS
    )
    return IncidentOut.of(flow, incident)


@router.get("/api/staff/incidents", response_model=list[IncidentOut], tags=["staff"])
def list_api(flow: Flow, member: Viewer) -> list[IncidentOut]:
    return [IncidentOut.of(flow, i) for i in register.list_incidents(flow.store)]


@router.get("/api/staff/incidents/{incident_id}", response_model=IncidentOut, tags=["staff"])
def read_api(incident_id: str, flow: Flow, member: Viewer) -> IncidentOut:
    return IncidentOut.of(flow, register.get_incident(flow.store, incident_id))


@router.get(
    "/api/staff/incidents/{incident_id}/report/{stage}",
    response_model=list[FieldOut],
    tags=["staff"],
)
def report_api(
    incident_id: str, stage: Literal["preliminary", "final"], flow: Flow, member: Viewer
) -> list[FieldOut]:
    """The report to the Commission, field by field, in Japanese."""
    incident = register.get_incident(flow.store, incident_id)
    fields = ppc_report(flow.policy, incident, _mailing_row(flow, incident), stage)
    return [FieldOut(label=f.label, value=f.value) for f in fields]


@router.post(
    "/api/staff/incidents/{incident_id}/reports", response_model=IncidentOut, tags=["staff"]
)
def reported_api(incident_id: str, body: ReportIn, flow: Flow, member: Handler) -> IncidentOut:
    now = flow.clock()
    incident = register.record_report(
        flow.store, incident_id, body.stage, at=body.at or now, now=now, actor=member.actor
    )
    return IncidentOut.of(flow, incident)


@router.post(
    "/api/staff/incidents/{incident_id}/notify",
    status_code=202,
    response_model=IncidentOut,
    tags=["staff"],
)
def notify_api(
    incident_id: str, flow: Flow, member: Handler, found: ProjectDep, body: NotifyIn | None = None
) -> IncidentOut:
    """Queue the email to every affected person; the worker sends it, paced."""
    register.notify_persons(
        found,
        flow.store,
        incident_id,
        now=flow.clock(),
        actor=member.actor,
        pace=(body or NotifyIn()).pace,
    )
    return IncidentOut.of(flow, register.get_incident(flow.store, incident_id))


@router.post(
    "/api/staff/incidents/{incident_id}/announcement",
    response_model=IncidentOut,
    tags=["staff"],
)
def announce_api(incident_id: str, body: AnnounceIn, flow: Flow, member: Handler) -> IncidentOut:
    incident = register.announce(
        flow.store,
        incident_id,
        now=flow.clock(),
        actor=member.actor,
        url=body.url,
        reason=body.reason,
    )
    return IncidentOut.of(flow, incident)


# --- the console --------------------------------------------------------------------------------


@router.get("/admin/incidents", include_in_schema=False)
def incidents_page(request: Request) -> Response:
    member = signed_in(request)
    flow = workflow_of(request)
    lang = language(request)
    w = words(lang, flow.policy.self_reference)
    now = flow.clock()
    items = []
    counts = {"overdue": 0, "soon": 0, "on_time": 0}
    for incident in register.list_incidents(flow.store):
        states = clock_states(incident, now, CLOCKS)
        level = _worst(states) if incident.state == "open" else "closed"
        if level in counts:
            counts[level] += 1
        items.append(_summary(incident, states, level, w))
    return duty_page(
        request,
        "duties/incidents.html",
        {"member": member, "items": items, "counts": counts},
        lang=lang,
    )


@router.get("/admin/incidents/new", include_in_schema=False)
def new_incident_page(request: Request) -> Response:
    member = signed_in(request, Role.handler)
    return _form(request, member, {}, None)


@router.post("/admin/incidents", include_in_schema=False)
async def record_page(request: Request) -> Response:
    flow, form, member = await staff_action(request)
    values = {key: text_field(form, key, 4000) for key in form}
    try:
        new = _new_incident(values, zone_of(flow))
        found = project(request)
        incident = await run_in_threadpool(
            register.record_incident,
            found,
            flow.store,
            new,
            now=flow.clock(),
            actor=member.actor,
            clocks=CLOCKS,
        )
    except (Invalid, ValidationError) as exc:
        return _form(request, member, values, problem_text(exc), status=422)
    return RedirectResponse(f"/admin/incidents/{incident.id}", status_code=303)


@router.get("/admin/incidents/{incident_id}", include_in_schema=False)
def incident_page(incident_id: str, request: Request) -> Response:
    member = signed_in(request)
    flow = workflow_of(request)
    lang = language(request)
    incident = register.get_incident(flow.store, incident_id)
    states = clock_states(incident, flow.clock(), CLOCKS)
    mailing = _mailing_row(flow, incident)
    w = words(lang, flow.policy.self_reference)
    stage = "final" if incident.preliminary_reported_at else "preliminary"
    return duty_page(
        request,
        "duties/incident.html",
        {
            "member": member,
            "incident": incident,
            "summary": _summary(incident, states, _worst(states), w),
            "reasons": [w(f"reason.{r}") for r in incident.assessment["appi"]["reasons"]],
            "gdpr": incident.assessment.get("gdpr"),
            "categories": w.categories(flow.policy, incident.categories),
            "clocks": states,
            "mailing": _mailing(flow, incident),
            "stage": stage,
            "report": ppc_report(flow.policy, incident, mailing, stage)
            if incident.appi_reportable
            else [],
            "texts": incident.texts,
            "can_act": member.role in (Role.handler, Role.admin) and incident.state == "open",
            "stages": [s.stage for s in states if s.done_at is None],
            "flashes": ["done"] if request.query_params.get("done") else [],
        },
        lang=lang,
    )


@router.post("/admin/incidents/{incident_id}/reports", include_in_schema=False)
async def reported_page(incident_id: str, request: Request) -> Response:
    flow, form, member = await staff_action(request)
    stage = text_field(form, "stage", 20)
    now = flow.clock()
    at_text = text_field(form, "at", 40)
    at = local_moment(at_text, zone_of(flow), "at") if at_text else now
    await run_in_threadpool(
        register.record_report, flow.store, incident_id, stage, at=at, now=now, actor=member.actor
    )
    return done(f"/admin/incidents/{incident_id}")


@router.post("/admin/incidents/{incident_id}/notify", include_in_schema=False)
async def notify_page(incident_id: str, request: Request) -> Response:
    flow, _form, member = await staff_action(request)
    await run_in_threadpool(
        register.notify_persons,
        project(request),
        flow.store,
        incident_id,
        now=flow.clock(),
        actor=member.actor,
    )
    return done(f"/admin/incidents/{incident_id}")


@router.post("/admin/incidents/{incident_id}/announcement", include_in_schema=False)
async def announce_page(incident_id: str, request: Request) -> Response:
    flow, form, member = await staff_action(request)
    await run_in_threadpool(
        register.announce,
        flow.store,
        incident_id,
        now=flow.clock(),
        actor=member.actor,
        url=text_field(form, "url", 500),
        reason=text_field(form, "reason", 2000),
    )
    return done(f"/admin/incidents/{incident_id}")


@router.post("/admin/incidents/{incident_id}/close", include_in_schema=False)
async def close_page(incident_id: str, request: Request) -> Response:
    flow, _form, member = await staff_action(request)
    await run_in_threadpool(
        register.close, flow.store, incident_id, now=flow.clock(), actor=member.actor
    )
    return done(f"/admin/incidents/{incident_id}")


# --- helpers -------------------------------------------------------------------------------------


def _new_incident(values: dict[str, str], zone: str) -> NewIncident:
    """The console form: one mapped table (all its rows, or a range of one column) and,
    optionally, one store or processor PolicyKeeper does not read. The API takes any number."""
    tables = []
    if values.get("table"):
        where: dict[str, Any] = {}
        if values.get("where_column"):
            span = {k: values[f"where_{k}"] for k in ("from", "until") if values.get(f"where_{k}")}
            if not span:
                raise Invalid("give the range of rows: from, until or both")
            where[values["where_column"]] = span
        columns = [c.strip() for c in values.get("columns", "").split(",") if c.strip()]
        tables.append({"table": values["table"], "columns": columns, "where": where})
    elsewhere = []
    if values.get("elsewhere_name"):
        persons = values.get("elsewhere_persons", "0")
        if not persons.isdigit():
            raise Invalid("the number of people elsewhere is a whole number")
        elsewhere.append(
            {
                "name": values["elsewhere_name"],
                "categories": [
                    c.strip()
                    for c in values.get("elsewhere_categories", "").split(",")
                    if c.strip()
                ],
                "persons": int(persons),
            }
        )
    texts = {
        lang: {
            key: values[f"{lang}_{key}"]
            for key in ("summary", "cause", "harm", "response", "prevention", "other")
            if values.get(f"{lang}_{key}")
        }
        for lang in ("ja", "en")
    }
    data = {
        "title": values.get("title", ""),
        "discovered_at": local_moment(values.get("discovered_at", ""), zone, "discovered_at"),
        "cause": values.get("cause", ""),
        "tables": tables,
        "elsewhere": elsewhere,
        "texts": {lang: t for lang, t in texts.items() if t},
        "gdpr_risk": values.get("gdpr_risk") or "risk",
    }
    for key in ("occurred_from", "occurred_to"):
        if values.get(key):
            data[key] = local_moment(values[key], zone, key)
    return NewIncident.model_validate(data)


def _form(
    request: Request, member: Any, values: dict[str, str], error: str | None, status: int = 200
) -> Response:
    found = project_of(request)
    tables = (
        [name for name, t in found.datamap.tables.items() if t.rows == "owned"] if found else []
    )
    lang = language(request)
    w = words(lang, workflow_of(request).policy.self_reference)
    return duty_page(
        request,
        "duties/incident_new.html",
        {
            "member": member,
            "values": values,
            "error": error,
            "tables": tables,
            "causes": [(c.value, w.cause(c.value)) for c in Cause],
        },
        status=status,
        lang=lang,
    )


def _worst(states: list[ClockState]) -> str:
    levels = [s.level for s in states]
    for level in ("overdue", "soon", "on_time"):
        if level in levels:
            return level
    return "closed"


def _summary(incident: Incident, states: list[ClockState], level: str, w: Words) -> dict[str, Any]:
    next_due = min((s.due for s in states if s.done_at is None), default=None)
    return {
        "id": incident.id,
        "title": incident.title,
        "cause": w.cause(incident.cause),
        "persons": incident.persons + incident.persons_elsewhere,
        "reportable": incident.appi_reportable or bool(incident.gdpr_reportable),
        "discovered": incident.discovered_at,
        "next_due": next_due,
        "state": incident.state,
        "sla": level,
    }


def _mailing_row(flow: Workflow, incident: Incident) -> Any:
    return get_mailing(flow.store, incident.mailing_id) if incident.mailing_id else None


def _mailing(flow: Workflow, incident: Incident) -> dict[str, Any] | None:
    mailing = _mailing_row(flow, incident)
    if mailing is None:
        return None
    return {
        "state": mailing.state,
        "sent": mailing.sent,
        "failed": mailing.failed,
        "total": mailing.total,
        "skipped": mailing.skipped,
        "error": mailing.last_error,
    }
