"""Daily promise checks through the job worker, and an email to staff when a check turns red.

`policykeeper check DIR --schedule` queues the first run; each run stores its report, mails the
designated staff the checks that were not failing in the previous report, and queues the next
day's. A run that cannot check (the site or a database unreachable, the project unreadable)
mails staff why, and the next day's run is queued all the same: the schedule never stops on its
own. The job carries what to scan (site, pages, hosts, sample size) and whom to tell.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from policykeeper.checks.datascan import SAMPLE
from policykeeper.checks.history import open_store, previous_report, turned_red
from policykeeper.checks.pages import HostTie, SitePlan
from policykeeper.checks.run import Outcome, run_checks
from policykeeper.checks.text import phrases
from policykeeper.errors import PolicyKeeperError
from policykeeper.project import load_project
from policykeeper.store import Store
from policykeeper.store.models import Job
from policykeeper.store.queue import queue_daily
from policykeeper.workflow.mail import Mailer

JOB_KIND = "promise_checks"
RUN_AT = time(4, 0)
"""Daily at 04:00 UTC, after the retention sweep, so its result is what is checked."""


def queue_checks(
    store_url: str,
    now: datetime | None,
    *,
    site: str | None,
    pages: SitePlan | None,
    data: bool,
    notify: list[str],
    sample: int = SAMPLE,
) -> Job | None:
    payload = {
        "site": site,
        "pages": pages.pages if pages else None,
        "hosts": {h: [t.kind, t.ref] for h, t in pages.hosts.items()} if pages else {},
        "data": data,
        "sample": sample,
        "notify": notify,
    }
    store = open_store(store_url)
    try:
        with store.transaction() as session:
            at = (now or datetime.now(UTC)).astimezone(UTC)
            return queue_daily(session, JOB_KIND, at, RUN_AT, payload)
    finally:
        store.dispose()


def check_job(workflow: Any, job: Job) -> None:
    """The worker's handler: run the checks, tell staff what turned red (or why nothing could
    be checked), and queue tomorrow's run whatever happened."""
    if workflow.project_dir is None:
        raise LookupError("the worker has no project directory to check")
    payload = dict(job.payload)
    recipients = list(payload.get("notify") or []) or (
        [workflow.settings.staff_email] if workflow.settings.staff_email else []
    )
    lang = workflow.policy.languages.authoritative.value
    try:
        plan = None
        if payload.get("site"):
            hosts = {
                h: HostTie(kind, ref) for h, (kind, ref) in (payload.get("hosts") or {}).items()
            }
            plan = SitePlan(payload.get("pages") or ["/"], hosts)
        outcome = run_checks(
            load_project(workflow.project_dir),
            store_url=workflow.store.url,
            now=workflow.clock(),
            site=payload.get("site"),
            plan=plan,
            data=bool(payload.get("data", True)),
            sample=int(payload.get("sample") or SAMPLE),
            settings=workflow.settings,
            audit_key=workflow.store.audit_key,
        )
        notify_red(
            workflow.mailer,
            workflow.store,
            outcome,
            recipients,
            base_url=workflow.settings.base_url,
            lang=lang,
        )
    except PolicyKeeperError as exc:
        service = workflow.policy.service.name.get(lang) or ""
        notify_failed(workflow.mailer, recipients, exc, service=service, lang=lang)
        raise
    finally:
        with workflow.store.transaction() as session:
            queue_daily(session, JOB_KIND, workflow.clock(), RUN_AT, payload, besides=job.id)


def notify_failed(
    mailer: Mailer, recipients: list[str], error: Exception, *, service: str, lang: str
) -> None:
    """Email each recipient that today's checks could not run, and why (one line per problem)."""
    p = phrases(lang)
    subject = p("email.failed_subject", service=service)
    body = "\n\n".join([p("email.failed_intro"), str(error), p("email.failed_outro")])
    for address in recipients:
        mailer.send(address, subject, body + "\n")


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
    lines = [p.line(report, check) for check in red]
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
