"""Rules the data map cannot bind fail validate with file:line:column; bad clocks are reported."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from retention_kit import NOW, edit, execute, naive, scalar
from typer.testing import CliRunner

from policykeeper.cli import app
from policykeeper.errors import ProblemsFound
from policykeeper.project import load_project
from policykeeper.retention import retention_plan, retention_run
from policykeeper.review import validate_project

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def messages(directory: Path) -> list[str]:
    return [str(p) for p in validate_project(directory)]


def test_an_unbound_rule_fails_validate(ainema_dir: Path) -> None:
    edit(ainema_dir / "datamap.yaml", "      - {rule: access_logs, clock: created_at}\n", "")
    edit(ainema_dir / "datamap.yaml", "    retention:\n    columns:\n", "    columns:\n")
    [line] = messages(ainema_dir)
    assert line.startswith(f"{ainema_dir / 'datamap.yaml'}:12:1: ")
    assert "rule 'access_logs' (12 months, clock collection) is bound to no table" in line
    with pytest.raises(ProblemsFound):
        retention_run(load_project(ainema_dir), NOW)


def _line_of(path: Path, text: str) -> int:
    """The 1-based line of the data map holding `text`: the error must point at it."""
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_rule_without_period_cannot_be_bound(ainema_dir: Path) -> None:
    edit(
        ainema_dir / "datamap.yaml",
        "  favorites:\n    rows: owned\n",
        "  favorites:\n    rows: owned\n    retention: [{rule: viewing_history, clock: created_at}]\n",
    )
    [line] = messages(ainema_dir)
    at = _line_of(ainema_dir / "datamap.yaml", "retention: [{rule: viewing_history")
    assert f":{at}:18: rule 'viewing_history' has no period (clock account_active)" in line


def test_a_rule_with_a_period_needs_a_clock_or_a_table_to_go_with(ainema_dir: Path) -> None:
    edit(
        ainema_dir / "datamap.yaml",
        "  favorites:\n    rows: owned\n",
        "  favorites:\n    rows: owned\n    retention: [{rule: access_logs}]\n",
    )
    edit(
        ainema_dir / "datamap.yaml",
        "  sessions:\n    label: {ja: ログインの記録, en: Sign-ins}\n",
        "  sessions:\n    label: {ja: ログインの記録, en: Sign-ins}\n"
        "    retention: [{rule: access_logs, with: access_logs}]\n",
    )
    alone, joined = messages(ainema_dir)
    path = ainema_dir / "datamap.yaml"
    assert f":{_line_of(path, 'retention: [{rule: access_logs}]')}:18: " in alone
    assert (
        "rule 'access_logs' runs for 12 months: name the column its period runs from "
        "(clock: COLUMN), or the table its rows go with (with: TABLE)"
    ) in alone
    assert f":{_line_of(path, 'with: access_logs}]')}:" in joined
    assert "'sessions' has no via to 'access_logs'" in joined
    with pytest.raises(ProblemsFound):
        retention_plan(load_project(ainema_dir), NOW)


def test_an_unknown_clock_column_stops_the_run_before_anything(ainema_dir: Path) -> None:
    edit(
        ainema_dir / "datamap.yaml",
        "{rule: access_logs, clock: created_at}",
        "{rule: access_logs, clock: logged_at}",
    )
    result = CliRunner().invoke(app, ["retention", "run", str(ainema_dir), "--now", "2026-03-01"])
    assert result.exit_code == 1
    at = _line_of(ainema_dir / "datamap.yaml", "{rule: access_logs, clock: logged_at}")
    assert (
        f"datamap.yaml:{at}:29: column 'access_logs.logged_at' is not in the live database"
        in result.stderr
    )


def test_null_and_future_clocks_are_reported_not_guessed(
    ainema_dir: Path, database_url: str
) -> None:
    execute(
        database_url,
        "UPDATE access_logs SET created_at = :t WHERE id <= 2",
        t=naive(NOW) + timedelta(days=40),
    )
    execute(database_url, "UPDATE content_reports SET resolved_at = NULL")
    project = load_project(ainema_dir)
    plan = retention_plan(project, NOW)
    assert any(
        p.startswith("access_logs.created_at: 2 rows have a clock in the future")
        for p in plan.problems
    )
    assert not any("content_reports" in p for p in plan.problems), "unresolved is normal"
    reports = next(s for s in plan.sweeps if s.sweep.table == "content_reports")
    assert reports.clock_unset > 0 and reports.due == 0
    ran = retention_run(project, NOW).to_json()
    assert any("2 rows have a clock in the future" in p for p in ran["problems"])
    assert scalar(database_url, "SELECT count(*) FROM access_logs WHERE id <= 2") == 2


def test_cli_plan_run_and_holds(ainema_dir: Path) -> None:
    runner = CliRunner()
    directory = str(ainema_dir)
    planned = runner.invoke(app, ["retention", "plan", directory, "--now", "2026-03-01", "--json"])
    assert planned.exit_code == 0, planned.output
    due = json.loads(planned.stdout)["total_due"]
    held = runner.invoke(
        app,
        [
            "retention",
            "hold",
            "add",
            directory,
            "--table",
            "access_logs",
            "--key",
            "1",
            "--reason",
            "court order",
        ],
    )
    assert held.exit_code == 0, held.output
    listed = runner.invoke(app, ["retention", "hold", "list", directory])
    assert "record access_logs [1]\tcourt order" in listed.stdout
    ran = runner.invoke(app, ["retention", "run", directory, "--now", "2026-03-01T00:00", "--json"])
    assert ran.exit_code == 0, ran.output
    report = json.loads(ran.stdout)
    assert (
        report["totals"]["deleted"]
        + report["totals"]["accounts_erased"]
        + report["totals"]["skipped_legal_hold"]
        == due
    )
    released = runner.invoke(app, ["retention", "hold", "release", directory, "1"])
    assert released.exit_code == 0 and "released hold 1" in released.stderr
    bad = runner.invoke(app, ["retention", "run", directory, "--now", "yesterday"])
    assert bad.exit_code == 2 and "expected an ISO datetime" in bad.stderr


def test_a_column_kept_under_an_unbound_rule_is_refused(ainema_dir: Path) -> None:
    edit(
        ainema_dir / "datamap.yaml",
        "      path: {category: user.behavior.browsing_history, label:",
        "      path: {category: user.behavior.purchase_history, erase: {keep: transactions}, label:",
    )
    [line] = messages(ainema_dir)
    assert "'access_logs.path' is kept under 'transactions', which has no binding" in line


def test_block_sets_the_restricted_flag_once(ainema_dir: Path, database_url: str) -> None:
    edit(
        ainema_dir / "policy.yaml",
        "    clock: account_deletion\n    period: 30 days\n",
        "    clock: account_deletion\n    period: 30 days\n    end_action: block\n",
    )
    execute(
        database_url,
        "UPDATE users SET deleted_at = :t WHERE id <= 3",
        t=naive(NOW) - timedelta(days=40),
    )
    project = load_project(ainema_dir)
    assert retention_run(project, NOW).to_json()["totals"]["restricted"] == 3
    flagged = "SELECT count(*) FROM users WHERE processing_restricted = :t"
    assert scalar(database_url, flagged, t=True) == 3
    assert retention_run(project, NOW).to_json()["totals"]["restricted"] == 0
