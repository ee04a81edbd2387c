"""The leak register (漏えい等): record an incident, count who and what it touched through the data
map, decide whether APPI and the GDPR make it reportable, run the report clocks, tell the
people affected (or record why a public announcement replaced that), all in the audit log.

APPI Art. 26 and the Enforcement Rules Art. 7: a leak, loss or damage (or its risk) must be
reported to the Personal Information Protection Commission when it involves sensitive personal
information, data whose misuse could cause financial harm, an act possibly done for a wrongful
purpose, or more than 1,000 people; data protected by strong encryption is exempt. A
preliminary report goes "promptly" (about 3–5 days, configurable), the final report within 30
days, or 60 for a wrongful act. GDPR Art. 33: the authority within 72 hours unless the breach
is unlikely to result in a risk; Art. 34: the people where the risk is high.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Literal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from pydantic import Field

from policykeeper.datamap.values import coerce
from policykeeper.engine.keys import Key
from policykeeper.engine.runtime import Runtime, runtime
from policykeeper.policy.models import CategoryKey, Identifier, Jurisdiction, Policy
from policykeeper.policy.taxonomy import builtin
from policykeeper.policy.types import Lang, Strict
from policykeeper.project import Project
from policykeeper.records.mailings import DEFAULT_PACE, Message, create_mailing
from policykeeper.records.people import Person, Skipped, affected_people, persons_reached
from policykeeper.records.text import words
from policykeeper.store import Store
from policykeeper.store.records_models import Incident
from policykeeper.workflow import audit
from policykeeper.workflow.deadlines import is_business_day
from policykeeper.workflow.errors import Conflict, Invalid, NotFound
from policykeeper.workflow.settings import Calendar

Scalar = str | int | float | bool
OVER = 1000
"""APPI Rules Art. 7(iv): more than this many people."""
FINANCIAL = ("user.financial.credit_card", "user.financial.bank_account", "user.payment")
CREDENTIALS = "user.authorization"
LOGIN_IDS = ("user.contact.email", "user.account.username", "user.unique_id")
PAYMENT_USE = "essential.service.payment_processing"
STAGES = ("preliminary", "final", "gdpr")
APPI_SENSITIVE = (
    "user.demographic.race_ethnicity",
    "user.demographic.religious_belief",
    "user.demographic.political_opinion",
    "user.demographic.philosophical_belief",
    "user.social_status",
    "user.health",
    "user.criminal_history",
    "user.criminal_victim",
)
"""The taxonomy's 要配慮個人情報: race, creed, social status, health (medical history, check-ups,
disabilities), criminal record, having been a crime victim."""
GDPR_ONLY_SENSITIVE = (
    "user.demographic.sex_life",
    "user.demographic.sexual_orientation",
    "user.biometrics",
    "user.authorization.biometrics",
    "user.demographic.union_membership",
)


class Cause(StrEnum):
    unauthorized_access = "unauthorized_access"
    malware = "malware"
    insider_misuse = "insider_misuse"
    theft = "theft"
    misdelivery = "misdelivery"
    loss = "loss"
    misconfiguration = "misconfiguration"
    other = "other"


WRONGFUL = {Cause.unauthorized_access, Cause.malware, Cause.insider_misuse, Cause.theft}
"""Acts possibly done for a wrongful purpose (Rules Art. 7(iii)): the final report gets 60 days."""


class Span(Strict):
    """Rows whose column lies in [from, until)."""

    from_: Scalar | None = Field(None, alias="from")
    until: Scalar | None = None


class AffectedTable(Strict):
    """Rows of a mapped table: every row, or those matching `where` (all conditions)."""

    table: str
    columns: list[str] = Field(
        [], description="The columns that leaked; empty means every categorised column."
    )
    where: dict[str, Scalar | list[Scalar] | Span] = {}
    encrypted: bool = Field(
        False, description="Protected by strong encryption whose key did not leak (exempt)."
    )


class AffectedElsewhere(Strict):
    """A store or processor PolicyKeeper does not read: its categories and an estimate."""

    name: str
    recipient: Identifier | None = None
    categories: list[CategoryKey] = Field(min_length=1)
    persons: int = Field(ge=0)
    encrypted: bool = False


class IncidentTexts(Strict):
    """What staff write, in one language: the person-facing and report-facing text."""

    summary: str = Field(min_length=1)
    cause: str | None = None
    harm: str | None = None
    response: str | None = None
    prevention: str | None = None
    other: str | None = None


class NewIncident(Strict):
    title: str = Field(min_length=1, max_length=200)
    discovered_at: datetime
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None
    cause: Cause
    tables: list[AffectedTable] = []
    elsewhere: list[AffectedElsewhere] = []
    texts: dict[Lang, IncidentTexts] = Field(min_length=1)
    gdpr_risk: Literal["unlikely", "risk", "high"] = Field(
        "risk",
        description="Staff's GDPR assessment: 'unlikely' to result in a risk is not notified "
        "(Art. 33(1)); 'high' risk means the people must be told (Art. 34).",
    )


@dataclass(frozen=True)
class IncidentClocks:
    """The report clocks; LAW.md marks "about 3–5 days" as a reading of the guidelines."""

    preliminary_from: int = 3
    preliminary_by: int = 5
    final: int = 30
    final_wrongful: int = 60
    gdpr: timedelta = timedelta(hours=72)
    roll_final_to_business_day: bool = True
    """A final report due on a weekend, holiday or the year-end closure is due the next
    business day, as the Commission's guidelines count it."""
    due_soon: timedelta = timedelta(days=3)
    calendar: Calendar = field(
        default_factory=lambda: Calendar(
            "JP",
            "Asia/Tokyo",
            extra_holidays=frozenset(),
        )
    )


@dataclass
class Findings:
    """What an incident touched, read from the data map and the live databases."""

    keys: set[Key]
    counted: int
    elsewhere: int
    categories: list[str]
    exposed_keys: set[Key]
    exposed_elsewhere: int
    exposed_categories: list[str]

    @property
    def persons(self) -> int:
        return self.counted + self.elsewhere


# --- recording ---------------------------------------------------------------------------------


def record_incident(
    project: Project,
    store: Store,
    new: NewIncident,
    *,
    now: datetime,
    actor: str,
    clocks: IncidentClocks | None = None,
) -> Incident:
    """Count, assess and register an incident; its clocks start at `discovered_at`."""
    chosen = clocks or IncidentClocks()
    if new.discovered_at.tzinfo is None:
        raise Invalid("discovered_at needs a time zone, e.g. 2026-05-01T12:00+09:00")
    findings = find(project, new)
    assessment = assess(project.policy, new, findings)
    due = deadlines(new.discovered_at, assessment, chosen)
    incident = Incident(
        id=uuid.uuid4().hex,
        title=new.title,
        texts={lang.value: t.model_dump(exclude_none=True) for lang, t in new.texts.items()},
        cause=new.cause.value,
        discovered_at=new.discovered_at,
        occurred_from=new.occurred_from,
        occurred_to=new.occurred_to,
        scope=_scope_json(project, new),
        persons=findings.counted,
        persons_elsewhere=findings.elsewhere,
        categories=findings.categories,
        assessment=assessment,
        appi_reportable=bool(assessment["appi"]["reportable"]),
        gdpr_reportable=assessment["gdpr"]["reportable"] if assessment["gdpr"] else None,
        preliminary_from=due.get("preliminary_from"),
        preliminary_due=due.get("preliminary"),
        final_due=due.get("final"),
        gdpr_due=due.get("gdpr"),
        state="open",
        recorded_by=actor,
        recorded_at=now,
    )
    with store.transaction() as session:
        session.add(incident)
        session.flush()
        audit.append(
            session,
            at=now,
            actor=actor,
            action="incident_recorded",
            data={
                "incident": incident.id,
                "cause": incident.cause,
                "persons": findings.counted,
                "persons_elsewhere": findings.elsewhere,
                "categories": findings.categories,
                "assessment": assessment,
                "due": {k: v.isoformat() for k, v in due.items()},
            },
        )
    return get_incident(store, incident.id)


def find(project: Project, new: NewIncident | dict[str, Any]) -> Findings:
    """The people and categories an incident touched; encrypted items count, but not towards
    reportability (Rules Art. 7: data protected by strong encryption is exempt)."""
    scope = new if isinstance(new, NewIncident) else NewIncident.model_validate(new)
    rt = runtime(project)
    keys: set[Key] = set()
    exposed: set[Key] = set()
    categories: list[str] = []
    exposed_categories: list[str] = []
    for item in scope.tables:
        reached = persons_reached(rt, item.table, _condition(rt, item))
        keys |= reached
        item_categories = _table_categories(project, item)
        categories += item_categories
        if not item.encrypted:
            exposed |= reached
            exposed_categories += item_categories
    elsewhere = exposed_elsewhere = 0
    for other in scope.elsewhere:
        _check_categories(project.policy, other.categories)
        categories += other.categories
        elsewhere += other.persons
        if not other.encrypted:
            exposed_categories += other.categories
            exposed_elsewhere += other.persons
    return Findings(
        keys,
        len(keys),
        elsewhere,
        list(dict.fromkeys(categories)),
        exposed,
        exposed_elsewhere,
        list(dict.fromkeys(exposed_categories)),
    )


def assess(policy: Policy, new: NewIncident, findings: Findings) -> dict[str, Any]:
    """Whether, and why, APPI and the GDPR make the incident reportable."""
    reasons: list[str] = []
    exposed = findings.exposed_categories
    if any(_sensitive(policy, key) for key in exposed):
        reasons.append("sensitive")
    if _financial(policy, exposed):
        reasons.append("financial")
    if new.cause in WRONGFUL and exposed:
        reasons.append("wrongful_purpose")
    if len(findings.exposed_keys) + findings.exposed_elsewhere > OVER:
        reasons.append("over_1000")
    appi = Jurisdiction.appi in policy.jurisdictions
    gdpr = None
    if Jurisdiction.gdpr in policy.jurisdictions:
        gdpr = {
            "reportable": new.gdpr_risk != "unlikely",
            "tell_people": new.gdpr_risk == "high",
            "risk": new.gdpr_risk,
        }
    return {
        "appi": {"applies": appi, "reportable": appi and bool(reasons), "reasons": reasons},
        "gdpr": gdpr,
        "wrongful": new.cause in WRONGFUL,
    }


def deadlines(
    discovered_at: datetime, assessment: dict[str, Any], clocks: IncidentClocks
) -> dict[str, datetime]:
    """The report clocks. Days count from the day after the incident became known (day 1),
    in Japan's time zone; each deadline is the end of its day."""
    due: dict[str, datetime] = {}
    zone = ZoneInfo(clocks.calendar.timezone)
    known = discovered_at.astimezone(zone).date()
    if assessment["appi"]["reportable"]:
        due["preliminary_from"] = datetime.combine(
            known + timedelta(days=clocks.preliminary_from), time(0), zone
        )
        due["preliminary"] = _end(known + timedelta(days=clocks.preliminary_by), zone)
        days = clocks.final_wrongful if assessment["wrongful"] else clocks.final
        final = known + timedelta(days=days)
        if clocks.roll_final_to_business_day:
            while not _open_day(final, clocks.calendar):
                final += timedelta(days=1)
        due["final"] = _end(final, zone)
    gdpr = assessment.get("gdpr")
    if gdpr and gdpr["reportable"]:
        due["gdpr"] = discovered_at + clocks.gdpr
    return due


# --- reading ---------------------------------------------------------------------------------


def get_incident(store: Store, incident_id: str) -> Incident:
    with store.transaction() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound("no such incident")
        return incident


def list_incidents(store: Store, state: str | None = None) -> list[Incident]:
    query = sa.select(Incident).order_by(Incident.discovered_at.desc())
    if state is not None:
        query = query.where(Incident.state == state)
    with store.transaction() as session:
        return list(session.execute(query).scalars())


@dataclass(frozen=True)
class ClockState:
    stage: str
    due: datetime
    soon_from: datetime
    done_at: datetime | None
    level: str
    """done, overdue, soon or on_time, as the request queue colours them."""


def clock_states(incident: Incident, now: datetime, clocks: IncidentClocks) -> list[ClockState]:
    states = []
    for stage, due, done in (
        ("preliminary", incident.preliminary_due, incident.preliminary_reported_at),
        ("final", incident.final_due, incident.final_reported_at),
        ("gdpr", incident.gdpr_due, incident.gdpr_notified_at),
    ):
        if due is None:
            continue
        soon_from = (
            incident.preliminary_from
            if stage == "preliminary" and incident.preliminary_from
            else due - (timedelta(hours=24) if stage == "gdpr" else clocks.due_soon)
        )
        if done is not None:
            level = "done"
        elif now > due:
            level = "overdue"
        elif now >= soon_from:
            level = "soon"
        else:
            level = "on_time"
        states.append(ClockState(stage, due, soon_from, done, level))
    return states


def affected_keys(project: Project, incident: Incident) -> set[Key]:
    """The accounts the incident touched, found again from its recorded scope."""
    return find(project, _scope_input(incident)).keys


def people_to_tell(project: Project, incident: Incident) -> Iterator[Person | Skipped]:
    languages = [lang.value for lang in project.policy.languages.published]
    return affected_people(project, affected_keys(project, incident), languages)


# --- acting ----------------------------------------------------------------------------------


def record_report(
    store: Store, incident_id: str, stage: str, *, at: datetime, now: datetime, actor: str
) -> Incident:
    """Record that the preliminary or final report (or the GDPR notification) was made."""
    if stage not in STAGES:
        raise Invalid(f"the report is one of: {', '.join(STAGES)}")
    with store.transaction() as session:
        incident = _lock(session, incident_id)
        due = {"preliminary": incident.preliminary_due, "final": incident.final_due}.get(
            stage, incident.gdpr_due
        )
        if due is None:
            raise Conflict(f"this incident has no {stage} report to make")
        column = {"preliminary": "preliminary_reported_at", "final": "final_reported_at"}.get(
            stage, "gdpr_notified_at"
        )
        if getattr(incident, column) is not None:
            raise Conflict(f"the {stage} report was already recorded")
        if at > now:
            raise Invalid("a report cannot be recorded as made in the future")
        setattr(incident, column, at)
        audit.append(
            session,
            at=now,
            actor=actor,
            action="incident_reported",
            data={"incident": incident_id, "stage": stage, "at": at.isoformat(), "late": at > due},
        )
        return incident


def notify_persons(
    project: Project,
    store: Store,
    incident_id: str,
    *,
    now: datetime,
    actor: str,
    pace: float = DEFAULT_PACE,
) -> str:
    """Queue the email to every affected person (ja/en, paced, one recorded send each)."""
    policy = project.policy
    with store.transaction() as session:
        incident = _lock(session, incident_id)
        if incident.mailing_id is not None:
            raise Conflict("the affected people are already being told")
        messages = {
            lang: incident_message(policy, incident, lang)
            for lang in incident.texts
            if lang in [p.value for p in policy.languages.published]
        }
        if not messages:
            raise Invalid("write the notice in a published language first")
        order = [policy.languages.authoritative.value] + [
            p.value for p in policy.languages.published
        ]
        mailing = create_mailing(
            session,
            purpose="incident",
            ref=incident_id,
            audience={"kind": "incident", "incident": incident_id},
            messages=messages,
            fallback=[lang for lang in dict.fromkeys(order) if lang in messages],
            now=now,
            actor=actor,
            pace=pace,
        )
        incident.mailing_id = mailing.id
        audit.append(
            session,
            at=now,
            actor=actor,
            action="incident_notice_started",
            data={"incident": incident_id, "mailing": mailing.id},
        )
        return mailing.id


def announce(
    store: Store, incident_id: str, *, now: datetime, actor: str, url: str, reason: str
) -> Incident:
    """Record a public announcement and why it replaced (or completed) telling each person
    (APPI Art. 26(2) proviso: when notice is difficult, an alternative measure)."""
    if not url.strip() or not reason.strip():
        raise Invalid("an announcement needs where it was published and why it replaced notice")
    with store.transaction() as session:
        incident = _lock(session, incident_id)
        incident.announcement = {
            "at": now.isoformat(),
            "url": url.strip(),
            "reason": reason.strip(),
        }
        audit.append(
            session,
            at=now,
            actor=actor,
            action="incident_announced",
            data={"incident": incident_id, **incident.announcement},
        )
        return incident


def close(store: Store, incident_id: str, *, now: datetime, actor: str) -> Incident:
    with store.transaction() as session:
        incident = _lock(session, incident_id)
        if incident.state == "closed":
            raise Conflict("the incident is already closed")
        if incident.appi_reportable and incident.final_reported_at is None:
            raise Conflict("the final report to the Commission has not been recorded")
        incident.state, incident.closed_at = "closed", now
        audit.append(
            session, at=now, actor=actor, action="incident_closed", data={"incident": incident_id}
        )
        return incident


def incident_message(policy: Policy, incident: Incident, lang: str) -> Message:
    """The notice to an affected person (Rules Art. 10: overview, items, cause, harm, other)."""
    w = words(lang, policy.self_reference)
    texts = incident.texts.get(lang) or {}
    service = policy.service.name.get(lang)
    lines = [w("notice.opening", service=service), "", w("notice.apology"), ""]
    lines += [w("notice.summary"), texts.get("summary", "")]
    if incident.occurred_from or incident.occurred_to:
        lines.append(
            w("notice.period", period=w.span(incident.occurred_from, incident.occurred_to))
        )
    lines += ["", w("notice.items"), w.categories(policy, incident.categories), ""]
    lines += [w("notice.cause"), texts.get("cause") or w.cause(incident.cause), ""]
    lines += [w("notice.harm"), texts.get("harm") or w("notice.none"), ""]
    if texts.get("response"):
        lines += [w("notice.response"), texts["response"], ""]
    if texts.get("other"):
        lines += [w("notice.other"), texts["other"], ""]
    complaints = policy.complaints.contact if policy.complaints else None
    contact = policy.contact(complaints) if complaints else None
    contact = contact or (policy.contacts[0] if policy.contacts else None)
    if contact is not None and isinstance(contact.value, str) and contact.value != "on_request":
        lines.append(w("notice.contact", contact=contact.value))
    return Message(w("notice.subject", service=service), "\n".join(lines).rstrip() + "\n")


# --- internals ---------------------------------------------------------------------------------


def _lock(session: Any, incident_id: str) -> Incident:
    incident = session.get(Incident, incident_id, with_for_update=True)
    if incident is None:
        raise NotFound("no such incident")
    return incident


def _scope_json(project: Project, new: NewIncident) -> list[Any]:
    """Each item as given, beside the categories it was found to hold."""
    return [
        {
            "table": t.model_dump(mode="json", by_alias=True, exclude_defaults=True),
            "categories": _table_categories(project, t),
        }
        for t in new.tables
    ] + [
        {"elsewhere": e.model_dump(mode="json", exclude_defaults=True), "categories": e.categories}
        for e in new.elsewhere
    ]


def _scope_input(incident: Incident) -> dict[str, Any]:
    return {
        "title": incident.title,
        "discovered_at": incident.discovered_at,
        "cause": incident.cause,
        "texts": incident.texts,
        "tables": [item["table"] for item in incident.scope if "table" in item],
        "elsewhere": [item["elsewhere"] for item in incident.scope if "elsewhere" in item],
    }


def _condition(rt: Runtime, item: AffectedTable) -> sa.ColumnElement[bool]:
    datamap = rt.project.datamap
    if item.table not in datamap.tables:
        raise Invalid(f"the data map has no table '{item.table}'")
    if datamap.tables[item.table].rows != "owned":
        raise Invalid(f"'{item.table}' holds no one's own rows (rows: reference)")
    live = rt.tables.get(item.table)
    if live is None:
        raise Invalid(f"the table '{item.table}' is not in the live database")
    for column in item.columns:
        if column not in live.c:
            raise Invalid(f"'{item.table}' has no column '{column}'")
    conditions: list[sa.ColumnElement[bool]] = []
    for name, wanted in item.where.items():
        if name not in live.c:
            raise Invalid(f"'{item.table}' has no column '{name}' to select rows by")
        column = live.c[name]
        try:
            if isinstance(wanted, Span):
                if wanted.from_ is not None:
                    conditions.append(column >= coerce(column, wanted.from_))
                if wanted.until is not None:
                    conditions.append(column < coerce(column, wanted.until))
            elif isinstance(wanted, list):
                conditions.append(column.in_([coerce(column, v) for v in wanted]))
            else:
                conditions.append(column == coerce(column, wanted))
        except ValueError as exc:
            raise Invalid(f"{item.table}.{name}: {exc}") from None
    return sa.and_(sa.true(), *conditions)


def _table_categories(project: Project, item: AffectedTable) -> list[str]:
    columns = project.datamap.tables[item.table].columns
    chosen = item.columns or list(columns)
    return [c.category for name in chosen if (c := columns.get(name)) and c.category]


def _check_categories(policy: Policy, keys: list[str]) -> None:
    for key in keys:
        known = policy.category(key) or policy.categories_under(key)
        if not known and builtin().builtin_ancestor(key) is None:
            raise Invalid(f"unknown category '{key}'")


def _sensitive(policy: Policy, key: str) -> bool:
    """要配慮個人情報 (APPI Art. 2(3), a closed list). GDPR special categories outside it (sex
    life, sexual orientation, biometrics, union membership) do not make a leak reportable here;
    any other category the declaration marks sensitive does, to err on the side of reporting."""
    if any(_under(key, k) for k in APPI_SENSITIVE):
        return True
    if any(_under(key, k) for k in GDPR_ONLY_SENSITIVE):
        return False
    declared = [c for c in policy.categories if _under(key, c.key) or _under(c.key, key)]
    return any(c.sensitive for c in declared)


def _financial(policy: Policy, keys: list[str]) -> bool:
    """Card or bank data; or a login ID with its password at a service that takes payments
    (the Commission's example of data whose misuse can cause financial harm)."""
    if any(_under(key, f) for key in keys for f in FINANCIAL):
        return True
    credentials = any(_under(key, CREDENTIALS) for key in keys)
    login = any(_under(key, i) for key in keys for i in LOGIN_IDS)
    pays = any(_under(use, PAYMENT_USE) for purpose in policy.purposes for use in purpose.uses)
    return credentials and login and pays


def _under(key: str, parent: str) -> bool:
    return key == parent or key.startswith(parent + ".")


def _open_day(day: date, calendar: Calendar) -> bool:
    """A business day, and not in the year-end closure (29 December to 3 January)."""
    year_end = (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)
    return not year_end and is_business_day(day, calendar)


def _end(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(23, 59, 59), zone)
