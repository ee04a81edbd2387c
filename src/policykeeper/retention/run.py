"""`retention run`: apply every bound rule as of `now`, record the run, write it to the audit log.

A run is idempotent: it acts on what is due and not yet done, so a run killed at any moment
is finished by the next one, which records that it resumed it.
"""

from __future__ import annotations

import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from policykeeper.engine.hashkey import hash_secret
from policykeeper.engine.holds import HeldKeys, held_keys
from policykeeper.engine.runtime import Runtime, runtime
from policykeeper.policy.types import Duration
from policykeeper.progress import Progress, Step
from policykeeper.project import Project
from policykeeper.records.provisions import purge_provisions
from policykeeper.retention import conditions as c
from policykeeper.retention.accounts import sweep_accounts
from policykeeper.retention.batches import (
    DEFAULT_BATCH,
    Advance,
    SweepStats,
    anonymization,
    not_applied,
    sweep_rows,
)
from policykeeper.retention.groups import Links, kept_lines
from policykeeper.retention.lock import retention_lock
from policykeeper.retention.notices import Notices, needs_notice, notice_period
from policykeeper.retention.plan import check_bindings, clock_report
from policykeeper.retention.proofs import purge_proofs
from policykeeper.retention.rules import Sweep, sweeps, unswept
from policykeeper.retention.store import aware, open_store, utcnow
from policykeeper.store import Store
from policykeeper.store.retention_models import RetentionRun
from policykeeper.workflow import audit
from policykeeper.workflow.mail import Mailer
from policykeeper.workflow.uploads import proof_rules


@dataclass
class RunReport:
    run_id: str
    as_of: datetime
    resumed: str | None
    sweeps: list[SweepStats]
    missed_days: int = 0
    notices_sent: int = 0
    not_swept: list[dict[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def totals(self) -> dict[str, Any]:
        def total(action: str) -> int:
            return sum(s.done for s in self.sweeps if s.action == action)

        return {
            "deleted": total("delete") + sum(sum(s.with_rows.values()) for s in self.sweeps),
            "anonymized": total("anonymize"),
            "restricted": total("restrict"),
            "accounts_erased": total("erase_account"),
            "skipped_legal_hold": sum(s.held for s in self.sweeps),
            "blocked": sum(s.blocked for s in self.sweeps),
            "kept_for_others": sum(k.rows for s in self.sweeps for k in s.kept_for),
            "masked_kept": sum(s.masked for s in self.sweeps),
            "notices_sent": self.notices_sent,
            "max_batch_seconds": round(
                max((s.max_batch_seconds for s in self.sweeps), default=0), 4
            ),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "action": "retention_run",
            "run": self.run_id,
            "as_of": self.as_of.isoformat(),
            "resumed": self.resumed,
            "missed_days": self.missed_days,
            "totals": self.totals(),
            "sweeps": [s.to_json() for s in self.sweeps],
            "not_swept": self.not_swept,
            "problems": self.problems,
        }


def retention_run(
    project: Project,
    now: datetime | None = None,
    *,
    batch_size: int = DEFAULT_BATCH,
    mailer: Mailer | None = None,
    notice: Duration | None = None,
    actor: str = "cli",
    progress: Progress | None = None,
    store_url: str | None = None,
    missed_days: int = 0,
) -> RunReport:
    """Sweep everything due as of `now` (the fake clock in tests; default: the real time).

    Everything due is swept, however late: a run after missed days catches them all up.
    """
    check_bindings(project)
    at = aware(now)
    store = open_store(project, store_url)
    try:
        with retention_lock(store):
            return _locked_run(
                project, store, at, batch_size, mailer, notice, actor, progress, missed_days
            )
    finally:
        store.dispose()


def _locked_run(
    project: Project,
    store: Store,
    at: datetime,
    batch_size: int,
    mailer: Mailer | None,
    notice: Duration | None,
    actor: str,
    progress: bool,
    missed_days: int,
) -> RunReport:
    """The run itself, with the retention lock held: a run still marked running was killed."""
    run_id, resumed = _start(store, at, actor)
    report = RunReport(run_id, at, resumed, [], missed_days)
    report.not_swept = [
        {"rule": u.rule.id, "how": u.how} for u in unswept(project.policy, project.datamap)
    ]
    try:
        rt = runtime(project)
        with ExitStack() as stack:
            connections = {
                name: stack.enter_context(source.engine.connect())
                for name, source in rt.sources.items()
            }
            held = held_keys(project, connections, store)
        _sweep_all(rt, store, report, held, at, batch_size, mailer, notice, progress)
        for rule in proof_rules(project.policy):
            report.sweeps.append(purge_proofs(store, rule, at, actor))
        report.sweeps.append(_provision_records(store, at, actor))
    except Exception as exc:
        _finish(store, report, actor, error=exc)
        raise
    _finish(store, report, actor)
    return report


def _sweep_all(
    rt: Runtime,
    store: Store,
    report: RunReport,
    held: HeldKeys,
    at: datetime,
    size: int,
    mailer: Mailer | None,
    notice: Duration | None,
    progress: Progress | None,
) -> None:
    project = rt.project
    secret = hash_secret(project)
    planned = sweeps(project.policy, project.datamap)
    links = Links(rt, at)
    ordered = _children_first([s for s in planned if s.kind != "erase_account"], links) + [
        s for s in planned if s.kind == "erase_account"
    ]
    for sweep in ordered:
        total = _due_count(rt, sweep, at) if progress is not None else None
        counted = Step(f"{sweep.rule.id} → {sweep.table}", 0, total)
        if progress is not None:
            progress(counted)

        def advance(n: int) -> None:
            nonlocal counted
            counted = replace(counted, done=counted.done + n)
            if progress is not None:
                progress(counted)

        report.sweeps.append(
            _one(rt, store, report, sweep, at, held, links, size, secret, mailer, notice, advance)
        )


def _one(
    rt: Runtime,
    store: Store,
    report: RunReport,
    sweep: Sweep,
    at: datetime,
    everyone_held: HeldKeys,
    links: Links,
    size: int,
    secret: str | None,
    mailer: Mailer | None,
    notice: Duration | None,
    advance: Advance,
) -> SweepStats:
    held = everyone_held.get(sweep.table, set())
    if sweep.kind != "erase_account":
        stats = sweep_rows(
            rt, sweep, at, everyone_held, links, size=size, secret=secret, advance=advance
        )
        undecided = [k for k in stats.kept_for if not k.decided]
        report.problems.extend(kept_lines(sweep.table, sweep.rule.id, undecided))
    elif needs_notice(sweep):
        notices = Notices(rt, sweep, store, mailer, notice_period(sweep, notice), at)
        sent, problems = notices.send_due(held, size)
        report.notices_sent += sent
        report.problems.extend(problems)
        stats = sweep_accounts(
            rt, sweep, at, held, size=size, may_erase=notices.may_erase, advance=advance
        )
    else:
        stats = sweep_accounts(rt, sweep, at, held, size=size, advance=advance)
    report.problems.extend(stats.problems)
    report.problems.extend(clock_report(rt, sweep, at))
    return stats


def _provision_records(store: Store, at: datetime, actor: str) -> SweepStats:
    """Third-party provision records end three years (one) after their last provision."""
    stats = SweepStats("provision_records", "provision_records (PolicyKeeper store)", "delete")
    stats.done = purge_provisions(store, at, actor)
    return stats


def _children_first(planned: list[Sweep], links: Links) -> list[Sweep]:
    """Deletions of a table (or of what goes with it) another deleting sweep's table
    references come after it, so one run sweeps a whole chain (Audiostock: royalties →
    order_items → orders) instead of keeping rows for it; otherwise the declared order. A
    cycle keeps the declared order."""
    rt = links.rt
    rest, out = list(planned), []
    while rest:

        def waits(sweep: Sweep) -> bool:
            if sweep.kind != "delete" or sweep.table not in rt.tables:
                return False
            mine = links.group(sweep).tables
            parents = [rt.tables[t] for t in mine if t in rt.tables]
            return any(
                other.kind == "delete"
                and other.table not in mine
                and other.table in rt.tables
                and any(
                    fk.references(parent)
                    for parent in parents
                    for fk in rt.tables[other.table].foreign_keys
                )
                for other in rest
            )

        ready = next((s for s in rest if not waits(s)), rest[0])
        rest.remove(ready)
        out.append(ready)
    return out


def _due_count(rt: Runtime, sweep: Sweep, at: datetime) -> int:
    live = rt.tables[sweep.table]
    condition = c.due(live, sweep, at)
    if sweep.kind in ("anonymize", "restrict"):
        condition = sa.and_(
            condition, not_applied(live, anonymization(rt.project.datamap, sweep, live))
        )
    with rt.source_of(sweep.table).engine.connect() as connection:
        return connection.execute(
            sa.select(sa.func.count()).select_from(live).where(condition)
        ).scalar_one()


def _start(store: Store, at: datetime, actor: str) -> tuple[str, str | None]:
    """Record the run; a run left unfinished (killed) is marked interrupted and resumed here."""
    run_id = uuid.uuid4().hex
    with store.transaction() as session:
        unfinished = list(
            session.execute(
                sa.select(RetentionRun)
                .where(RetentionRun.state == "running")
                .order_by(RetentionRun.started_at)
            ).scalars()
        )
        for old in unfinished:
            old.state = "interrupted"
        resumed = unfinished[-1].id if unfinished else None
        session.add(
            RetentionRun(
                id=run_id,
                as_of=at,
                started_at=utcnow(),
                state="running",
                actor=actor,
                resumes=resumed,
            )
        )
    return run_id, resumed


def _finish(store: Store, report: RunReport, actor: str, error: Exception | None = None) -> None:
    """Close the run record and write the run, finished or failed, to the audit log."""
    if error is not None:
        report.problems.append(f"the run stopped: {error}")
    data = report.to_json()
    with store.transaction() as session:
        run = session.get(RetentionRun, report.run_id)
        assert run is not None
        run.state = "failed" if error is not None else "done"
        run.finished_at, run.report = utcnow(), data
        audit.append(
            session,
            at=utcnow(),
            actor=actor,
            action="retention_run_failed" if error is not None else "retention_run",
            data={
                "run": report.run_id,
                "problems": report.problems,
                "as_of": report.as_of.isoformat(),
                "resumed": report.resumed,
                "missed_days": report.missed_days,
                "totals": report.totals(),
                "rules": {
                    f"{s.rule}:{s.table}": {"action": s.action, "rows": s.done, "held": s.held}
                    for s in report.sweeps
                },
            },
        )


def last_run(store: Store) -> RetentionRun | None:
    """The newest finished run: the scheduler catches up from its clock."""
    with store.transaction() as session:
        return session.execute(
            sa.select(RetentionRun)
            .where(RetentionRun.state == "done")
            .order_by(RetentionRun.as_of.desc())
            .limit(1)
        ).scalar_one_or_none()
