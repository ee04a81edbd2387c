"""Stored reports: what counts as "turned red" is judged against the previous report of the same
scope, so a one-off run without a site scan does not make every site finding look new."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from policykeeper.checks.history import open_store, previous_report, save_report, turned_red
from policykeeper.checks.report import Check, CheckReport, Tie

AT = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)


def report(hours: int, site: str | None, failing: list[str]) -> CheckReport:
    checks = [
        Check(name, "site.undeclared_cookie", "fail", Tie("trackers"), name) for name in failing
    ]
    scans = {"site": {"url": site}} if site else {}
    return CheckReport(AT + timedelta(hours=hours), "1", {}, {}, checks, scans)


def test_red_is_judged_against_the_previous_report_of_the_same_site(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    try:
        save_report(store, report(0, "https://ainema.example", ["site.undeclared_cookie:_ga"]))
        save_report(store, report(1, None, []))  # someone ran `check` without --site
        today = report(24, "https://ainema.example", ["site.undeclared_cookie:_ga"])
        run_id = save_report(store, today)
        previous = previous_report(store, run_id)
        assert previous is not None and previous.scans["site"]["url"] == "https://ainema.example"
        assert turned_red(today, previous) == []  # still red, not newly red
    finally:
        store.dispose()
