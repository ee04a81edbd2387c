"""`run_checks`: every promise check on one project, one report, stored in the state store.

Everything is passed in (the project, the state store's URL, the moment, the site), so the
command line, the worker and tests call the same function; nothing here reads the environment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from policykeeper.checks.data_checks import data_checks
from policykeeper.checks.datascan import SAMPLE, scan_databases
from policykeeper.checks.evidence import (
    Coverage,
    audit_check,
    consent_checks,
    recipient_checks,
    request_checks,
    retention_checks,
)
from policykeeper.checks.history import open_store, save_report
from policykeeper.checks.pages import SitePlan
from policykeeper.checks.report import Check, CheckReport
from policykeeper.checks.sections import headings
from policykeeper.checks.site_checks import site_checks
from policykeeper.checks.sitescan import scan_site
from policykeeper.project import Project
from policykeeper.store.database import STATE_DIR
from policykeeper.workflow.audit import load_audit_key
from policykeeper.workflow.settings import WorkflowSettings


@dataclass(frozen=True)
class Outcome:
    report: CheckReport
    run_id: str


def run_checks(
    project: Project,
    *,
    store_url: str,
    now: datetime | None = None,
    site: str | None = None,
    plan: SitePlan | None = None,
    data: bool = True,
    sample: int = SAMPLE,
    settings: WorkflowSettings | None = None,
    coverage: Coverage | None = None,
    progress: Callable[[str], None] | None = None,
    audit_key: bytes | None = None,
) -> Outcome:
    """Run the checks, store the report, return it with its id. Changes nothing else.
    `audit_key` checks the audit chain (default: the project's key file)."""
    at = (now or datetime.now(UTC)).astimezone(UTC)
    policy = project.policy
    key = audit_key or load_audit_key(project.directory / STATE_DIR)
    store = open_store(store_url, key)
    try:
        checks: list[Check] = []
        scans: dict[str, object] = {}
        if data:
            _say(progress, "database scan")
            columns = scan_databases(project, sample=sample, today=at.date(), progress=progress)
            checks += data_checks(policy, project.datamap, columns)
            scans["data"] = {"sample": sample, "columns": [c.to_json() for c in columns]}
        if site is not None:
            chosen = plan or SitePlan()
            _say(progress, f"site scan of {site}")
            scan = scan_site(site, chosen.pages, progress=progress)
            checks += site_checks(policy, scan, chosen)
            checks += consent_checks(policy, store, scan)
            scans["site"] = scan.to_json()
        _say(progress, "retention, requests, audit")
        checks += retention_checks(project, at, store_url)
        checks += request_checks(policy, store, at, settings or WorkflowSettings())
        checks.append(audit_check(store))
        checks += recipient_checks(policy, coverage)
        report = CheckReport(
            checked_at=at,
            policy_version=policy.version,
            service={lang: policy.service.name.get(lang) for lang in ("ja", "en")},
            headings=headings(policy),
            checks=checks,
            scans=scans,
        )
        return Outcome(report, save_report(store, report))
    finally:
        store.dispose()


def _say(progress: Callable[[str], None] | None, what: str) -> None:
    if progress is not None:
        progress(what)
