"""Evidence from what PolicyKeeper already records: retention, requests, consent and audit.

Each piece is read, never changed: the retention plan's counts plus the oldest row per binding;
requests of the last twelve months against the declared and the legal deadline; the consent
ledger for every consent-requiring cookie the site scan saw; the audit chain walked end to end.
Recipients are checked through `coverage`, which connectors and manual tasks will provide;
until then each recipient says so instead of passing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from policykeeper.checks.report import Check, Proposal, Status, Tie
from policykeeper.checks.sections import RECORDS, Labels
from policykeeper.checks.site_checks import declared_tracker
from policykeeper.checks.sitescan import SiteScan
from policykeeper.engine.runtime import runtime
from policykeeper.policy.models import Jurisdiction, Policy, Recipient
from policykeeper.project import Project
from policykeeper.retention import conditions as c
from policykeeper.retention.plan import retention_plan
from policykeeper.store import Store
from policykeeper.store.consent_models import ConsentRecord
from policykeeper.store.models import Request as RequestRow
from policykeeper.workflow.audit import verify_chain
from policykeeper.workflow.deadlines import LEGAL_CLOCKS, add_period, compute_deadlines
from policykeeper.workflow.settings import WorkflowSettings
from policykeeper.workflow.states import OPEN, State

Coverage = Callable[[Recipient], dict[str, Any] | None]
"""A recipient's coverage: {'by': 'connector'|'manual_task', 'name': ...}, or None if none."""
LOOKBACK = timedelta(days=365)


def retention_checks(project: Project, now: datetime, store_url: str | None = None) -> list[Check]:
    """Per bound rule: rows past the period that nothing keeps (0 expected), the oldest row."""
    labels = Labels(project.policy)
    plan = retention_plan(project, now, store_url=store_url)
    rt = runtime(project)
    checks: list[Check] = []
    for item in plan.sweeps:
        sweep = item.sweep
        live = rt.tables[sweep.table]
        with rt.source_of(sweep.table).engine.connect() as connection:
            oldest = connection.execute(
                sa.select(sa.func.min(live.c[sweep.clock])).where(c.covers(live, sweep.binding))
            ).scalar_one()
            connection.rollback()
        start = c.as_utc(oldest)
        age = (now - start).days if start is not None else None
        status: Status = "fail" if item.due else "pass"
        checks.append(
            Check(
                f"retention:{sweep.rule.id}:{sweep.table}",
                "retention.rule",
                status,
                Tie("retention", f"rule:{sweep.rule.id}", labels.rule(sweep.rule.id)),
                f"{sweep.table}.{sweep.clock}",
                {
                    "period": str(sweep.rule.period),
                    "past_period": item.due,
                    "held_by_legal_hold": item.held,
                    "kept_by_longer_rule": item.kept_longer,
                    "awaiting_notice": item.awaiting_notice,
                    "oldest_age_days": age,
                    "clock_null": item.clock_unset,
                },
                (Proposal("system", "policykeeper retention run DIR", "retention_run"),)
                if item.due
                else (),
            )
        )
    for unswept in plan.unswept:
        checks.append(
            Check(
                f"retention:{unswept.rule.id}",
                "retention.unswept",
                "pass",
                Tie("retention", f"rule:{unswept.rule.id}", labels.rule(unswept.rule.id)),
                unswept.rule.id,
                {"how": unswept.reason},
            )
        )
    return checks


def request_checks(
    policy: Policy, store: Store, now: datetime, settings: WorkflowSettings
) -> list[Check]:
    """Per declared right: the share answered within the declared and the legal deadline over
    the last twelve months, and open requests at risk."""
    labels = Labels(policy)
    with store.transaction() as session:
        rows = list(
            session.execute(
                sa.select(RequestRow).where(RequestRow.received_at >= now - LOOKBACK)
            ).scalars()
        )
    checks = []
    for right in policy.rights:
        mine = [r for r in rows if r.kind == right.kind.value]
        closed = [r for r in mine if r.closed_at is not None and r.state != State.withdrawn.value]
        declared_ok = legal_ok = 0
        for row in closed:
            jurisdictions = [Jurisdiction(j) for j in row.jurisdictions] or list(
                policy.jurisdictions
            )
            declared = compute_deadlines(policy, right, jurisdictions, row.received_at, settings)
            declared_ok += (
                row.closed_at <= declared.max_due_at
                if row.extended_at
                else row.closed_at <= declared.due_at
            )
            legal_ok += row.closed_at <= legal_deadline(row, jurisdictions, settings)
        still_open = [r for r in mine if State(r.state) in OPEN]
        overdue = [r for r in still_open if r.due_at < now]
        at_risk = [r for r in still_open if now <= r.due_at <= now + settings.due_soon]
        status: Status = "pass"
        if legal_ok < len(closed) or overdue:
            status = "fail"
        elif declared_ok < len(closed) or at_risk:
            status = "warn"
        checks.append(
            Check(
                f"requests:{right.kind.value}",
                "requests.deadline",
                status,
                Tie("rights", f"right:{right.kind.value}", labels.right(right.kind.value)),
                right.kind.value,
                {
                    "deadline": str(right.deadline.period)
                    if right.deadline and right.deadline.period
                    else None,
                    "received": len(mine),
                    "answered": len(closed),
                    "within_declared": _share(declared_ok, len(closed)),
                    "within_legal": _share(legal_ok, len(closed)),
                    "open": len(still_open),
                    "at_risk": len(at_risk),
                    "overdue": len(overdue),
                },
                (Proposal("system", None, "requests_queue"),) if status != "pass" else (),
            )
        )
    return checks


def legal_deadline(
    row: RequestRow, jurisdictions: list[Jurisdiction], settings: WorkflowSettings
) -> datetime:
    """The latest answer the law allows: the strictest jurisdiction, extensions included when
    the request was extended; APPI's "without delay" is the configured working clock."""
    limits = []
    for jurisdiction in jurisdictions:
        legal = LEGAL_CLOCKS[jurisdiction]
        calendar = settings.calendars[jurisdiction]
        period = legal.period or settings.appi_working_period
        due = add_period(row.received_at, period, False, calendar)
        if row.extended_at is not None and legal.extension is not None:
            due = add_period(due, legal.extension, False, calendar)
        limits.append(due)
    return min(limits)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def consent_checks(policy: Policy, store: Store, scan: SiteScan) -> list[Check]:
    """Every consent-requiring cookie the scan saw has a 'given' record for the browser that
    got it, in the consent ledger."""
    checks = []
    for run in scan.runs.values():
        for name in sorted(run.cookies):
            tracker = declared_tracker(policy, name)
            if tracker is None or not tracker.consent_required:
                continue
            record = _latest(store, run.device, tracker.purpose) if run.device else None
            given = record is not None and record.action == "given"
            checks.append(
                Check(
                    f"consent:{run.name}:{name}",
                    "consent.record",
                    "pass" if given else "fail",
                    Tie("trackers", f"tracker:{tracker.name}", Labels.plain(tracker.name)),
                    name,
                    {
                        "run": run.name,
                        "purpose": tracker.purpose,
                        "device": bool(run.device),
                        "record": record.action if record else None,
                        "recorded_at": record.recorded_at.isoformat() if record else None,
                    },
                    () if given else (Proposal("system", None, "site_gate"),),
                )
            )
    return checks


def _latest(store: Store, subject: str, purpose: str) -> ConsentRecord | None:
    with store.transaction() as session:
        return session.execute(
            sa.select(ConsentRecord)
            .where(ConsentRecord.subject == subject, ConsentRecord.purpose == purpose)
            .order_by(ConsentRecord.id.desc())
            .limit(1)
        ).scalar_one_or_none()


def audit_check(store: Store) -> Check:
    with store.transaction() as session:
        chain = verify_chain(session)
    return Check(
        "audit.chain",
        "audit.chain",
        "pass" if chain.ok else "fail",
        Tie(RECORDS, "audit"),
        "audit_log",
        {"entries": chain.entries, "broken_at": chain.broken_at, "reason": chain.reason},
        () if chain.ok else (Proposal("system", "policykeeper audit verify DIR", "audit_restore"),),
    )


def recipient_checks(policy: Policy, coverage: Coverage | None) -> list[Check]:
    """Each declared recipient is reached by a connector or a manual task. Neither exists in
    PolicyKeeper yet, so without `coverage` each recipient reports 'not available yet'."""
    labels = Labels(policy)
    checks = []
    for recipient in policy.recipients:
        found = coverage(recipient) if coverage is not None else None
        status: Status = "unavailable" if coverage is None else ("pass" if found else "fail")
        kind = "recipients.unavailable" if coverage is None else "recipients.coverage"
        checks.append(
            Check(
                f"recipients:{recipient.id}",
                kind,
                status,
                Tie("recipients", f"recipient:{recipient.id}", labels.recipient(recipient.id)),
                recipient.id,
                {"coverage": found},
            )
        )
    return checks
