"""AInema's declared periods, enforced with a fake clock on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from retention_kit import NOW, edit, execute, naive, rows, scalar

from policykeeper.engine import Identity, erase
from policykeeper.engine.holds import HeldByLaw
from policykeeper.project import load_project
from policykeeper.retention import (
    add_hold,
    list_holds,
    release_hold,
    retention_plan,
    retention_run,
)

YEAR_AGO = naive(NOW.replace(year=NOW.year - 1))
STAYS = 4  # deleted 10 days before the fake clock
LEDGER_NOT_CREATOR = (
    "SELECT min(user_id) FROM coin_ledger WHERE user_id <> :s "
    "AND user_id NOT IN (SELECT user_id FROM creator_profiles)"
)


def test_due_rows_go_and_the_rest_stays(ainema_dir: Path, database_url: str, loaded: list) -> None:
    url = database_url
    gone = scalar(url, LEDGER_NOT_CREATOR, s=STAYS)  # deleted 31 days before the clock
    execute(
        url,
        "UPDATE users SET deleted_at = :t WHERE id = :u",
        t=naive(NOW) - timedelta(days=31),
        u=gone,
    )
    execute(
        url,
        "UPDATE users SET deleted_at = :t WHERE id = :u",
        t=naive(NOW) - timedelta(days=10),
        u=STAYS,
    )
    fresh_logs = scalar(
        url,
        "SELECT count(*) FROM access_logs WHERE created_at >= :c AND user_id <> :u",
        c=YEAR_AGO,
        u=gone,
    )
    old_logs = scalar(url, "SELECT count(*) FROM access_logs WHERE created_at < :c", c=YEAR_AGO)
    open_reports = scalar(
        url,
        "SELECT count(*) FROM content_reports WHERE resolved_at IS NULL AND reporter_id <> :u",
        u=gone,
    )
    old_reports = scalar(
        url, "SELECT count(*) FROM content_reports WHERE resolved_at < :c", c=YEAR_AGO
    )
    ledger = scalar(url, "SELECT count(*) FROM coin_ledger")
    gone_ledger = scalar(url, "SELECT count(*) FROM coin_ledger WHERE user_id = :u", u=gone)
    stays_views = scalar(url, "SELECT count(*) FROM viewing_history WHERE user_id = :u", u=STAYS)
    stays_email = scalar(url, "SELECT email FROM users WHERE id = :u", u=STAYS)
    assert old_logs and fresh_logs and stays_views

    project = load_project(ainema_dir)
    loaded.append(project)
    plan = retention_plan(project, NOW).to_json()
    due = {(s["rule"], s["table"]): s["due"] for s in plan["sweeps"]}
    assert due[("access_logs", "access_logs")] == old_logs
    assert due[("content_reports", "content_reports")] == old_reports
    assert due[("account", "users")] == 1
    assert due[("transactions", "coin_ledger")] == 0
    assert {
        "rule": "viewing_history",
        "how": "enforced by account erasure: deleted with the account",
    } in plan["not_swept"]

    report = retention_run(project, NOW, batch_size=7).to_json()
    assert report["totals"]["deleted"] == old_logs + old_reports
    assert report["totals"]["accounts_erased"] == 1

    assert scalar(url, "SELECT count(*) FROM access_logs WHERE created_at < :c", c=YEAR_AGO) == 0
    assert scalar(url, "SELECT count(*) FROM access_logs") == fresh_logs
    assert (
        scalar(url, "SELECT count(*) FROM content_reports WHERE resolved_at < :c", c=YEAR_AGO) == 0
    )
    assert (
        scalar(url, "SELECT count(*) FROM content_reports WHERE resolved_at IS NULL")
        == open_reports
    )
    assert scalar(url, "SELECT count(*) FROM coin_ledger") == ledger, "7 years have not passed"
    assert scalar(url, "SELECT count(*) FROM coin_ledger WHERE user_id = :u", u=gone) == gone_ledger
    assert scalar(url, "SELECT count(*) FROM viewing_history WHERE user_id = :u", u=gone) == 0
    email = scalar(url, "SELECT email FROM users WHERE id = :u", u=gone)
    assert email is None or email.startswith("pk:"), "the account is erased or masked"
    assert (
        scalar(url, "SELECT count(*) FROM viewing_history WHERE user_id = :u", u=STAYS)
        == stays_views
    )
    assert scalar(url, "SELECT email FROM users WHERE id = :u", u=STAYS) == stays_email

    again = retention_run(project, NOW).to_json()
    assert again["totals"]["deleted"] == again["totals"]["accounts_erased"] == 0
    assert retention_plan(project, NOW).total_due() == 0

    later = NOW.replace(year=2034)
    retention_run(project, later)
    for table in ("coin_ledger", "purchases", "tips", "payouts"):
        assert scalar(url, f"SELECT count(*) FROM {table}") == 0, f"{table}: 7 years passed"
    assert scalar(url, "SELECT count(*) FROM users WHERE id = :u", u=gone) == 0, (
        "the masked account row goes once the transactions it was kept for are gone"
    )


def test_anonymized_rows_keep_their_non_personal_columns(
    ainema_dir: Path, database_url: str, loaded: list
) -> None:
    edit(
        ainema_dir / "policy.yaml",
        "    clock: collection\n    period: 12 months\n",
        "    clock: collection\n    period: 12 months\n    end_action: anonymize\n",
    )
    url = database_url
    before = rows(url, "SELECT id, user_id, created_at FROM access_logs ORDER BY id")
    old = {r[0] for r in rows(url, "SELECT id FROM access_logs WHERE created_at < :c", c=YEAR_AGO)}
    fresh = rows(url, "SELECT * FROM access_logs WHERE created_at >= :c ORDER BY id", c=YEAR_AGO)
    project = load_project(ainema_dir)
    loaded.append(project)

    report = retention_run(project, NOW, batch_size=5).to_json()

    assert report["totals"]["anonymized"] == len(old)
    assert rows(url, "SELECT id, user_id, created_at FROM access_logs ORDER BY id") == before
    assert (
        rows(url, "SELECT * FROM access_logs WHERE created_at >= :c ORDER BY id", c=YEAR_AGO)
        == fresh
    )
    for ip, agent, path in rows(
        url,
        "SELECT ip_address, user_agent, path FROM access_logs WHERE created_at < :c",
        c=YEAR_AGO,
    ):
        assert ip.startswith("pk:") and path.startswith("pk:") and agent is None
    assert retention_run(project, NOW).to_json()["totals"]["anonymized"] == 0


def test_legal_holds_and_longer_rules_keep_rows(
    ainema_dir: Path, database_url: str, loaded: list
) -> None:
    url = database_url
    held_person = rows(
        url, "SELECT user_id FROM access_logs WHERE created_at < :c ORDER BY id", c=YEAR_AGO
    )[0][0]
    record = scalar(
        url,
        "SELECT min(id) FROM access_logs WHERE created_at < :c AND user_id <> :u",
        c=YEAR_AGO,
        u=held_person,
    )
    project = load_project(ainema_dir)
    loaded.append(project)
    person = add_hold(
        project,
        reason="litigation 2026-014",
        identity=Identity("user_id", str(held_person)),
        now=NOW,
    )
    add_hold(project, reason="investigation", table="access_logs", key=[str(record)], now=NOW)
    assert [h.reason for h in list_holds(project)] == ["litigation 2026-014", "investigation"]
    kept = scalar(
        url,
        "SELECT count(*) FROM access_logs WHERE created_at < :c AND user_id = :u",
        c=YEAR_AGO,
        u=held_person,
    )

    report = retention_run(project, NOW).to_json()

    assert report["totals"]["skipped_legal_hold"] == kept + 1
    left = {r[0] for r in rows(url, "SELECT id FROM access_logs WHERE created_at < :c", c=YEAR_AGO)}
    assert record in left and len(left) == kept + 1
    with pytest.raises(HeldByLaw):
        erase(project, Identity("user_id", str(held_person)))
    assert scalar(url, "SELECT count(*) FROM users WHERE id = :u", u=held_person) == 1

    for hold in list_holds(project):
        release_hold(project, hold.id, now=NOW)
    assert list_holds(project) == [] and len(list_holds(project, released=True)) == 2
    retention_run(project, NOW)
    assert scalar(url, "SELECT count(*) FROM access_logs WHERE created_at < :c", c=YEAR_AGO) == 0
    assert person.id == 1


def test_a_longer_statutory_rule_on_the_same_rows_wins(
    ainema_dir: Path, database_url: str, loaded: list
) -> None:
    edit(
        ainema_dir / "datamap.yaml",
        "      - {rule: access_logs, clock: created_at}\n",
        "      - {rule: access_logs, clock: created_at}\n      - {rule: transactions, clock: created_at}\n",
    )
    url = database_url
    total = scalar(url, "SELECT count(*) FROM access_logs")
    project = load_project(ainema_dir)
    loaded.append(project)
    plan = {(s["rule"], s["table"]): s for s in retention_plan(project, NOW).to_json()["sweeps"]}
    logs = plan[("access_logs", "access_logs")]
    assert logs["due"] == 0 and logs["kept_by_longer_rule"] > 0
    retention_run(project, NOW)
    assert scalar(url, "SELECT count(*) FROM access_logs") == total
    retention_run(project, NOW.replace(year=2034))
    assert scalar(url, "SELECT count(*) FROM access_logs") == 0
