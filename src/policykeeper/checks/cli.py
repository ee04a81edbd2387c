"""What `policykeeper check` does between parsing and printing: one call into the checks, the
files it writes, the lines it prints and its exit code (1 when any promise is broken)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from policykeeper.checks.html import render_report
from policykeeper.checks.pages import load_pages
from policykeeper.checks.run import run_checks
from policykeeper.checks.schedule import queue_checks
from policykeeper.checks.text import phrases
from policykeeper.errors import InputError
from policykeeper.output import write_atomic
from policykeeper.project import load_project


@dataclass
class CommandResult:
    exit_code: int
    text: str = ""
    """What goes to standard output: the JSON report with --json."""
    lines: list[str] = field(default_factory=list)
    """One line per finding and a summary, for standard error."""


def check_command(
    directory: Path,
    *,
    site: str | None,
    pages: Path | None,
    data: bool,
    sample: int,
    now: datetime | None,
    store_url: str,
    schedule: bool,
    notify: list[str],
    output: Path | None,
    html: Path | None,
    lang: str,
    as_json: bool,
    progress: Callable[[str], None] | None = None,
) -> CommandResult:
    project = load_project(directory)
    if lang not in ("ja", "en"):
        raise InputError(f"--lang {lang!r}: use ja or en")
    if pages is not None and site is None:
        raise InputError("--pages needs --site URL: the pages are scanned on that site")
    if notify and not schedule:
        raise InputError("--notify needs --schedule: it says whom the daily run emails")
    plan = load_pages(pages, project.policy) if pages is not None else None
    if schedule:
        job = queue_checks(
            store_url, now, site=site, pages=plan, data=data, notify=notify, sample=sample
        )
        when = f"for {job.run_after:%Y-%m-%d %H:%M} UTC" if job else "already queued"
        return CommandResult(0, lines=[f"daily promise checks {when}"])
    outcome = run_checks(
        project,
        store_url=store_url,
        now=now,
        site=site,
        plan=plan,
        data=data,
        sample=sample,
        progress=progress,
    )
    report = outcome.report
    body = json.dumps(report.to_json(), ensure_ascii=False, indent=2)
    if output is not None:
        write_atomic(output, body + "\n")
    if html is not None:
        write_atomic(html, render_report(report, lang))
    english = phrases("en")
    lines = []
    for check in report.checks:
        if check.status in ("fail", "warn"):
            lines.append(english.line(report, check))
    lines.append(
        f"{english('status.' + report.status)}: {english.counts(report)} (report {outcome.run_id})"
    )
    return CommandResult(1 if report.failed else 0, body if as_json else "", lines)
