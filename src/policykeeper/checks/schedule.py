"""Daily promise checks through the job worker, and an email to staff when a check turns red.

`policykeeper check DIR --schedule` queues the first run; each run stores its report, mails the
designated staff the checks that were not failing in the previous report, and queues the next
day's. The job carries what to scan (site, pages, hosts) and whom to tell.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from policykeeper.checks.history import previous_report, turned_red
from policykeeper.checks.pages import HostTie, SitePlan
from policykeeper.checks.run import Outcome, run_checks
from policykeeper.checks.text import phrases
from policykeeper.jobs.queue import defer
from policykeeper.project import load_project
from policykeeper.store import Store, migrated_store
from policykeeper.store.models import Job
from policykeeper.workflow.mail import Mailer

JOB_KIND = "promise_checks"
RUN_AT = time(4, 0)
"""Daily at 04:00 UTC, after the retention sweep, so its result is what is checked."""


def next_slot(now: datetime) -> datetime:
    today = datetime.combine(now.date(), RUN_AT, tzinfo=now.tzinfo)
    return today if today > now else today + timedelta(days=1)


def schedule(
    session: Session, now: datetime, payload: dict[str, Any], *, besides: str | None = None
) -> Job | None:
    """Queue the next run unless one is already waiting; None when it is."""
    waiting = session.execute(
        sa.select(Job.id).where(
            Job.kind == JOB_KIND, Job.state.in_(("queued", "running")), Job.id != (besides or "")
        )
    ).first()
    if waiting is not None:
        return None
    at = next_slot(now)
    job = Job(
        id=uuid.uuid4().hex,
        kind=JOB_KIND,
        payload=payload,
        state="queued",
        attempts=0,
        run_after=at,
        created_at=now,
    )
    session.add(job)
    session.flush()
    defer(session, job.id, at)
    return job


def queue_checks(
    store_url: str,
    now: datetime | None,
    *,
    site: str | None,
    pages: SitePlan | None,
    data: bool,
    notify: list[str],
) -> Job | None:
    payload = {
        "site": site,
        "pages": pages.pages if pages else None,
        "hosts": {h: [t.kind, t.ref] for h, t in pages.hosts.items()} if pages else {},
        "data": data,
        "notify": notify,
    }
    store = migrated_store(store_url)
    try:
        with store.transaction() as session:
            return schedule(session, (now or datetime.now(UTC)).astimezone(UTC), payload)
    finally:
        store.dispose()


def check_job(workflow: Any, job: Job) -> None:
    """The worker's handler: run the checks, tell staff what turned red, queue tomorrow's."""
    if workflow.project_dir is None:
        raise LookupError("the worker has no project directory to check")
    payload = dict(job.payload)
    plan = None
    if payload.get("site"):
        hosts = {h: HostTie(kind, ref) for h, (kind, ref) in (payload.get("hosts") or {}).items()}
        plan = SitePlan(payload.get("pages") or ["/"], hosts)
    outcome = run_checks(
        load_project(workflow.project_dir),
        store_url=workflow.store.url,
        now=workflow.clock(),
        site=payload.get("site"),
        plan=plan,
        data=bool(payload.get("data", True)),
        settings=workflow.settings,
        audit_key=workflow.store.audit_key,
    )
    recipients = list(payload.get("notify") or []) or (
        [workflow.settings.staff_email] if workflow.settings.staff_email else []
    )
    notify_red(
        workflow.mailer,
        workflow.store,
        outcome,
        recipients,
        base_url=workflow.settings.base_url,
        lang=workflow.policy.languages.authoritative.value,
    )
    with workflow.store.transaction() as session:
        schedule(session, workflow.clock(), payload, besides=job.id)


def notify_red(
    mailer: Mailer,
    store: Store,
    outcome: Outcome,
    recipients: list[str],
    *,
    base_url: str,
    lang: str,
) -> int:
    """Email each recipient the checks that turned red since the previous report; how many."""
    report = outcome.report
    red = turned_red(report, previous_report(store, outcome.run_id))
    if not red or not recipients:
        return 0
    p = phrases(lang)
    service = report.service.get(lang, "")
    lines = [
        f"{check.mark} {report.headings.get(check.tie.section, {}).get(lang, check.tie.section)}"
        f"{'：' if lang == 'ja' else ': '}{p.title(check)}"
        for check in red
    ]
    body = "\n\n".join(
        [
            p(
                "email.intro",
                count=len(red),
                checked_at=report.checked_at.strftime("%Y-%m-%d %H:%M UTC"),
            ),
            "\n".join(lines),
            p("email.outro", url=f"{base_url.rstrip('/')}/admin/checks/{outcome.run_id}"),
        ]
    )
    subject = p("email.subject", service=service, count=len(red))
    for address in recipients:
        mailer.send(address, subject, body + "\n")
    return len(red)
