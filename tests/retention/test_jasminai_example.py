"""The jasminai example project itself: every declared period over the service's data, with a
fake clock, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from retention_kit import copy_example, naive, rows, scalar
from store.kit import Mailbox

from policykeeper.engine.runtime import release
from policykeeper.examples.generation import generate
from policykeeper.project import Project, load_project
from policykeeper.retention import retention_plan, retention_run
from policykeeper.review import validate_project
from policykeeper.workflow.mail import SmtpMailer

NOW = datetime(2025, 3, 1, tzinfo=UTC)
"""The jasminai generator dates everything before this moment."""
DAY = timedelta(days=1)
INACTIVE = "SELECT id FROM members WHERE last_activity_at < :c ORDER BY id"


@pytest.fixture
def jasminai(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Project]:
    generate("jasminai", database_url, 40, progress=False)
    monkeypatch.setenv("JASMINAI_DATABASE_URL", database_url)
    monkeypatch.delenv("POLICYKEEPER_DATABASE_URL", raising=False)
    directory = copy_example("jasminai", tmp_path)
    assert validate_project(directory) == []
    project = load_project(directory)
    yield project
    release(project)


def test_the_example_keeps_its_promises(
    jasminai: Project, database_url: str, mailer: SmtpMailer, mailbox: Mailbox
) -> None:
    url = database_url
    year_ago = naive(NOW) - 365 * DAY
    inactive = [r[0] for r in rows(url, INACTIVE, c=year_ago)]
    usernames = dict(rows(url, "SELECT id, username FROM members"))
    assert inactive, "the generator leaves some members inactive for over a year"
    plan = retention_plan(jasminai, NOW).to_json()
    assert {(s["rule"], s["table"]) for s in plan["sweeps"]} >= {("activity_logs", "chats")}
    assert {s["rule"] for s in plan["sweeps"]} == {
        "inactive_accounts",
        "former_usernames",
        "activity_logs",
        "financial_records",
        "guests",
    }
    assert {n["rule"] for n in plan["not_swept"]} == {
        "identity_verification",
        "member_account",
        "fraud_records",
        "backups",
    }

    first = retention_run(jasminai, NOW, mailer=mailer).to_json()

    guest_logs = "SELECT count(*) FROM access_logs WHERE member_id IS NULL AND created_at < :c"
    assert scalar(url, guest_logs, c=naive(NOW) - 15 * DAY) == 0, "guests: 15 days"
    assert scalar(url, guest_logs.replace(" < ", " >= "), c=naive(NOW) - 15 * DAY) > 0
    logs = "SELECT count(*) FROM access_logs WHERE created_at < :c"
    assert scalar(url, logs, c=naive(NOW) - 120 * DAY) == 0, "logs: 120 days"
    posts = "SELECT count(*) FROM wall_posts WHERE created_at < :c"
    assert scalar(url, posts, c=naive(NOW) - 120 * DAY) == 0
    chats = "SELECT count(*) FROM chats WHERE last_message_at < :c"
    assert scalar(url, chats, c=naive(NOW) - 120 * DAY) == 0, "chat logs: 120 days"
    orphans = "SELECT count(*) FROM chat_messages WHERE chat_id NOT IN (SELECT id FROM chats)"
    assert scalar(url, orphans) == 0, "a chat's messages go with it"
    assert scalar(url, "SELECT count(*) FROM chats") > 0
    assert first["totals"]["notices_sent"] >= len(inactive)
    assert first["totals"]["accounts_erased"] == 0, "nobody is deleted unwarned"
    assert len(mailbox.messages) == first["totals"]["notices_sent"]

    later = NOW + 31 * DAY
    second = retention_run(jasminai, later, mailer=mailer).to_json()

    assert second["totals"]["accounts_erased"] >= len(inactive)
    left = dict(rows(url, "SELECT id, username FROM members"))
    for member in inactive:
        assert left.get(member, "pk:").startswith("pk:"), "erased, or kept masked for holds"
        kept = rows(url, "SELECT username FROM former_usernames WHERE member_id = :m", m=member)
        if member in left:
            assert (usernames[member],) in kept, "the last username joins the blocklist"

    eleven_years = later.replace(year=later.year + 11)
    retention_run(jasminai, eleven_years, mailer=mailer)
    assert scalar(url, "SELECT count(*) FROM credit_purchases") == 0, "10 years"
    old_names = "SELECT count(*) FROM former_usernames WHERE changed_at < :c"
    assert scalar(url, old_names, c=naive(eleven_years.replace(year=eleven_years.year - 5))) == 0
    masked = {r[0] for r in rows(url, "SELECT id FROM members WHERE username LIKE 'pk:%'")}
    blocked = {r[0] for r in rows(url, "SELECT member_id FROM former_usernames")}
    assert masked <= blocked, "a masked account stays only while its former names are blocked"
