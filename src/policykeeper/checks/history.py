"""Reports kept in the state store: the latest, the history, and what turned red since."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from policykeeper.checks.report import Check, CheckReport
from policykeeper.datamap.connections import unreachable
from policykeeper.store import Store, migrated_store
from policykeeper.store.check_models import CheckRun


def open_store(url: str, audit_key: bytes | None = None) -> Store:
    """The state store the reports go to, at head; unreachable is unusable input, one line."""
    try:
        return migrated_store(url, audit_key=audit_key)
    except sa.exc.OperationalError as exc:
        raise unreachable(url, exc) from None


def save_report(store: Store, report: CheckReport) -> str:
    run_id = uuid.uuid4().hex
    with store.transaction() as session:
        session.add(
            CheckRun(
                id=run_id,
                checked_at=report.checked_at,
                status=report.status,
                policy_version=report.policy_version,
                site=(report.scans.get("site") or {}).get("url"),
                counts=report.counts(),
                report=report.to_json(),
            )
        )
    return run_id


def list_runs(store: Store, limit: int = 50) -> list[CheckRun]:
    with store.transaction() as session:
        return list(
            session.execute(
                sa.select(CheckRun).order_by(CheckRun.checked_at.desc()).limit(limit)
            ).scalars()
        )


def load_run(store: Store, run_id: str) -> CheckReport | None:
    with store.transaction() as session:
        row = session.get(CheckRun, run_id)
        return CheckReport.from_json(row.report) if row is not None else None


def previous_report(store: Store, before: str) -> CheckReport | None:
    """The report stored just before run `before` on the same site (or, for a run without a
    site scan, the previous one without), if any: a one-off run without --site between two
    scheduled ones must not make every site finding look new."""
    with store.transaction() as session:
        current = session.get(CheckRun, before)
        if current is None:
            return None
        same_site = (
            CheckRun.site.is_(None) if current.site is None else CheckRun.site == current.site
        )
        row = session.execute(
            sa.select(CheckRun)
            .where(CheckRun.checked_at < current.checked_at, same_site)
            .order_by(CheckRun.checked_at.desc())
            .limit(1)
        ).scalar_one_or_none()
        return CheckReport.from_json(row.report) if row is not None else None


def turned_red(report: CheckReport, previous: CheckReport | None) -> list[Check]:
    """Checks failing now that were not failing in the previous report (all, the first time)."""
    failing_before = {c.id for c in previous.checks if c.status == "fail"} if previous else set()
    return [c for c in report.failed if c.id not in failing_before]
