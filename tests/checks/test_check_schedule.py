"""The worker runs the checks on schedule and emails the designated staff, over real SMTP, only
when a check turns red; each run queues the next day's."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from checks_kit import NOW, SECRET, add_phone_column, ainema_project, database_url, state_url
from store.kit import FakeClock, Mailbox, quick_settings

from policykeeper.checks.schedule import JOB_KIND, queue_checks
from policykeeper.job_handlers import JOB_HANDLERS
from policykeeper.jobs.worker import Worker
from policykeeper.store.models import Job
from policykeeper.workflow.mail import SmtpMailer
from policykeeper.workflow.setup import open_workflow

STAFF = "dpo@ainema.example"


def test_staff_are_told_once_when_a_check_turns_red(
    tmp_path: Path, mailer: SmtpMailer, mailbox: Mailbox
) -> None:
    folder = tmp_path / "ainema"
    project = ainema_project(folder, users=15)
    store = state_url(folder)
    clock = FakeClock(NOW)
    flow = open_workflow(
        folder,
        database_url=store,
        mailer=mailer,
        settings=quick_settings(base_url="https://privacy.ainema.example"),
        clock=clock,
        secret_key=SECRET,
    )
    queue_checks(store, NOW, site=None, pages=None, data=True, notify=[STAFF])
    worker = Worker(flow, JOB_HANDLERS)

    clock.advance(days=1)
    assert worker.run_until_idle() == 1  # all kept: no email
    assert mailbox.to(STAFF) == []

    add_phone_column(database_url(project))
    clock.advance(days=1)
    assert worker.run_until_idle() == 1
    message = mailbox.last(STAFF)
    assert message["Subject"] == "【AInema】プライバシーポリシーの点検：新たな相違1件"
    body = Mailbox.body(message)
    assert "✗ 2. 取得する情報：users.tel2：データマップに記載のない個人情報を保存しています" in body
    assert "https://privacy.ainema.example/admin/checks/" in body

    clock.advance(days=1)
    assert worker.run_until_idle() == 1  # still red, not newly: no second email
    assert len(mailbox.to(STAFF)) == 1

    with flow.store.transaction() as session:
        jobs = session.execute(sa.select(Job).where(Job.kind == JOB_KIND)).scalars().all()
        states = sorted(j.state for j in jobs)
        waiting = next(j for j in jobs if j.state == "queued")
    assert states == ["done", "done", "done", "queued"]
    assert waiting.run_after == (clock.now + timedelta(days=1)).replace(hour=4, minute=0)
    flow.store.dispose()


def test_without_notify_the_workflows_staff_address_is_told(
    tmp_path: Path, mailer: SmtpMailer, mailbox: Mailbox
) -> None:
    folder = tmp_path / "ainema"
    project = ainema_project(folder, users=10)
    add_phone_column(database_url(project))
    store = state_url(folder)
    clock = FakeClock(NOW)
    flow = open_workflow(
        folder,
        database_url=store,
        mailer=mailer,
        settings=quick_settings(staff_email="privacy-team@ainema.example"),
        clock=clock,
        secret_key=SECRET,
    )
    queue_checks(store, NOW, site=None, pages=None, data=True, notify=[])
    clock.advance(days=1)
    assert Worker(flow, JOB_HANDLERS).run_until_idle() == 1
    assert "users.tel2" in Mailbox.body(mailbox.last("privacy-team@ainema.example"))
    flow.store.dispose()


def test_a_run_that_cannot_check_tells_staff_why_and_the_schedule_goes_on(
    tmp_path: Path, mailer: SmtpMailer, mailbox: Mailbox
) -> None:
    folder = tmp_path / "ainema"
    ainema_project(folder, users=10)
    store = state_url(folder)
    clock = FakeClock(NOW)
    flow = open_workflow(folder, database_url=store, mailer=mailer, clock=clock, secret_key=SECRET)
    queue_checks(store, NOW, site=None, pages=None, data=True, notify=[STAFF], sample=30)
    worker = Worker(flow, JOB_HANDLERS)
    service_db = folder / "ainema.sqlite3"
    service_db.rename(folder / "moved-away.sqlite3")  # the service's database is gone

    clock.advance(days=1)
    assert worker.run_until_idle() == 1
    message = mailbox.last(STAFF)
    assert message["Subject"] == "【AInema】プライバシーポリシーの点検を実行できませんでした"
    assert "cannot reach the database" in Mailbox.body(message)

    with flow.store.transaction() as session:
        jobs = session.execute(sa.select(Job).where(Job.kind == JOB_KIND)).scalars().all()
        failed = next(j for j in jobs if j.state == "failed")
        waiting = next(j for j in jobs if j.state == "queued")
    assert "cannot reach the database" in (failed.last_error or "")
    assert waiting.run_after == (clock.now + timedelta(days=1)).replace(hour=4, minute=0)
    assert waiting.payload["sample"] == 30  # what to scan goes on to the next day too

    (folder / "moved-away.sqlite3").rename(service_db)
    clock.advance(days=1)
    assert worker.run_until_idle() == 1  # back: the next day's run checks again
    with flow.store.transaction() as session:
        states = sorted(
            j.state for j in session.execute(sa.select(Job).where(Job.kind == JOB_KIND)).scalars()
        )
    assert states == ["done", "failed", "queued"]
    flow.store.dispose()
