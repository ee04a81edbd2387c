"""Mailings: one recorded email per person even when the sender is killed (-9) at any point,
paced, resumed after a mail server outage, never sent by two workers at once; deleted,
restricted and erased accounts skipped; each person in their language where the data map has it.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from records_kit import copy_ainema, query
from store.kit import FakeClock, Mailbox, free_port, quick_settings

from policykeeper.project import load_project
from policykeeper.records.jobs import audience, mailing_job, people_of
from policykeeper.records.mailings import Message, create_mailing, get_mailing, send_slice, sent_to
from policykeeper.store import Store
from policykeeper.store.models import Job
from policykeeper.store.records_models import MailingRecipient
from policykeeper.workflow.mail import SmtpMailer

CHILD = Path(__file__).with_name("mailing_child.py")
MESSAGES = {
    "ja": Message("【AInema】お知らせ", "日本語の本文です。"),
    "en": Message("AInema: a notice", "The English text."),
}
LEASE = timedelta(minutes=5)


@pytest.fixture
def ainema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    return copy_ainema(tmp_path, 30, monkeypatch, languages=True)


def new_mailing(store: Store, pace: float = 500.0) -> str:
    with store.transaction() as session:
        return create_mailing(
            session,
            purpose="policy_change",
            ref="2",
            audience={"kind": "account_holders"},
            messages=MESSAGES,
            fallback=["ja", "en"],
            now=datetime.now(UTC),
            actor="test",
            pace=pace,
        ).id


def slice_now(store: Store, mailer: object, mailing_id: str, project: Path, **options: object):  # type: ignore[no-untyped-def]
    options.setdefault("clock", lambda: datetime.now(UTC))
    return send_slice(
        store,
        mailer,  # type: ignore[arg-type]
        mailing_id,
        lease=LEASE,
        people=people_of(project, store, mailing_id),
        **options,  # type: ignore[arg-type]
    )


def addresses(url: str, where: str = "1=1") -> set[str]:
    return {str(r[0]) for r in query(url, f"SELECT email FROM users WHERE {where}")}


@pytest.mark.parametrize("when", ["after_record", "before_send"])
def test_killed_sender_resumes_and_each_person_gets_exactly_one_email(
    when: str,
    ainema: tuple[Path, str],
    store: Store,
    smtp_server: tuple[str, int, Mailbox],
) -> None:
    project, url = ainema
    host, port, mailbox = smtp_server
    mailing_id = new_mailing(store)
    child = subprocess.run(
        [
            sys.executable,
            str(CHILD),
            store.url,
            str(project),
            mailing_id,
            host,
            str(port),
            when,
            "7",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -9, child.stderr
    before = Counter(str(m["To"]) for m in mailbox.messages)
    assert sum(before.values()) == (7 if when == "after_record" else 6)
    rows = sent_to(store, mailing_id)
    assert [r.state for r in rows].count("sending") == 1  # the dead slice's claim

    busy = slice_now(store, SmtpMailer(host, port, "privacy@example.test"), mailing_id, project)
    assert busy.outcome == "busy"  # its lease has not run out yet
    later = datetime.now(UTC) + LEASE + timedelta(seconds=1)
    done = slice_now(
        store,
        SmtpMailer(host, port, "privacy@example.test"),
        mailing_id,
        project,
        clock=lambda: later,
    )
    assert done.outcome == "done"
    sent = Counter(str(m["To"]) for m in mailbox.messages)
    assert set(sent) == addresses(url) and set(sent.values()) == {1}
    mailing = get_mailing(store, mailing_id)
    assert (mailing.state, mailing.sent, mailing.total) == ("done", 30, 30)
    rows = sent_to(store, mailing_id)
    assert {r.state for r in rows} == {"sent"} and all(r.address is None for r in rows)
    assert sorted(r.attempts for r in rows)[-1] == 2  # the claimed one went out on resume


def test_pace_budget_and_a_mail_server_outage(
    ainema: tuple[Path, str], store: Store, smtp_server: tuple[str, int, Mailbox]
) -> None:
    project, url = ainema
    host, port, mailbox = smtp_server
    mailing_id = new_mailing(store, pace=10.0)
    started = time.monotonic()
    first = slice_now(  # 1.5 s leaves room for the slice's set-up on a loaded machine
        store, SmtpMailer(host, port, "privacy@example.test"), mailing_id, project, budget=1.5
    )
    elapsed = time.monotonic() - started
    assert first.outcome == "more" and 5 <= first.sent <= 16  # not all 30: the budget ran out
    assert elapsed >= (first.sent - 1) / 10.0  # paced: at most 10 a second

    down = SmtpMailer("127.0.0.1", free_port(), "privacy@example.test", timeout=2)
    outage = slice_now(store, down, mailing_id, project)
    assert outage.outcome == "retry" and "refused" in (outage.error or "").lower()
    mailing = get_mailing(store, mailing_id)
    assert mailing.last_error and mailing.lease_until is None
    assert "sending" not in {r.state for r in sent_to(store, mailing_id)}

    rest = slice_now(store, SmtpMailer(host, port, "privacy@example.test"), mailing_id, project)
    assert rest.outcome == "done" and first.sent + rest.sent == 30
    assert Counter(str(m["To"]) for m in mailbox.messages) == Counter(addresses(url))


class Refusing:
    """An SMTP server that refuses one address and takes the rest."""

    def __init__(self, refused: str) -> None:
        self.refused = refused
        self.accepted: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
        if address == self.refused:
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.accepted.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def refusing(ainema: tuple[Path, str]) -> Iterator[tuple[Refusing, int]]:
    refused = sorted(addresses(ainema[1]))[0]
    handler = Refusing(refused)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


def test_a_refused_address_is_recorded_failed_and_the_rest_are_sent(
    ainema: tuple[Path, str], store: Store, refusing: tuple[Refusing, int]
) -> None:
    project, url = ainema
    handler, port = refusing
    mailing_id = new_mailing(store)
    result = slice_now(
        store, SmtpMailer("127.0.0.1", port, "privacy@example.test"), mailing_id, project
    )
    assert result.outcome == "done"
    mailing = get_mailing(store, mailing_id)
    assert (mailing.sent, mailing.failed) == (29, 1)
    failed = [r for r in sent_to(store, mailing_id) if r.state == "failed"]
    assert failed[0].address == handler.refused and "550" in (failed[0].error or "")
    assert set(handler.accepted) == addresses(url) - {handler.refused}


def test_only_account_holders_each_in_their_language(
    ainema: tuple[Path, str], store: Store, smtp_server: tuple[str, int, Mailbox]
) -> None:
    project, url = ainema
    host, port, mailbox = smtp_server
    query(url, "UPDATE users SET deleted_at = created_at WHERE id IN (1, 2)")
    query(url, "UPDATE users SET processing_restricted = :t WHERE id = 3", t=True)
    query(url, "UPDATE users SET email = 'a3f9c0e1d2' WHERE id = 4")  # erased: a keyed hash
    query(url, "UPDATE users SET language = 'fr' WHERE id = 5")
    query(url, "UPDATE users SET language = 'en-US' WHERE id = 6")
    found = list(audience(load_project(project), store, {"kind": "account_holders"}))
    assert len(found) == 30
    mailing_id = new_mailing(store)
    assert (
        slice_now(
            store, SmtpMailer(host, port, "privacy@example.test"), mailing_id, project
        ).outcome
        == "done"
    )
    assert get_mailing(store, mailing_id).skipped == {
        "deleted": 2,
        "restricted": 1,
        "no_address": 1,
    }
    expected = addresses(url, "id > 4")
    assert Counter(str(m["To"]) for m in mailbox.messages) == Counter(expected)
    languages = {str(e): str(lang) for e, lang in query(url, "SELECT email, language FROM users")}
    for message in mailbox.messages:
        body = Mailbox.body(message)
        language = languages[str(message["To"])]
        if language == "ja":
            assert "日本語の本文です。" in body and "English" not in body
        elif language in ("en", "en-US"):
            assert (
                body.strip() == "The English text."
                and str(message["Subject"]) == "AInema: a notice"
            )
        else:  # 'fr' is not published: both languages, the authoritative one first
            assert body.index("日本語の本文です。") < body.index("The English text.")


def test_the_worker_sends_in_slices_and_queues_the_next_one(
    ainema: tuple[Path, str], store: Store, mailer: SmtpMailer, mailbox: Mailbox
) -> None:
    from store.kit import drain

    from policykeeper.policy import load_policy
    from policykeeper.workflow.service import Workflow
    from policykeeper.workflow.tokens import Secrets

    project, url = ainema
    mailing_id = new_mailing(store, pace=25.0)
    clock = FakeClock(datetime.now(UTC) + timedelta(seconds=1))
    flow = Workflow(
        store,
        load_policy(project),
        secrets=Secrets(b"mailing-test-secret-0123456789ab"),
        mailer=mailer,
        settings=quick_settings(job_lease=timedelta(seconds=1)),  # slices of half a second
        clock=clock,
        project_dir=project,
    )
    assert drain(flow) >= 2
    with store.transaction() as session:
        jobs = session.execute(sa.select(Job).where(Job.kind == "mailing")).scalars().all()
    assert len(jobs) >= 2 and {j.state for j in jobs} == {"done"}
    assert get_mailing(store, mailing_id).state == "done"
    assert Counter(str(m["To"]) for m in mailbox.messages) == Counter(addresses(url))
    job = jobs[0]
    assert mailing_job(flow, job).outcome == "done"  # a repeated job finds nothing left
    with store.transaction() as session:
        assert (
            session.execute(
                sa.select(sa.func.count())
                .select_from(MailingRecipient)
                .where(MailingRecipient.attempts > 1)
            ).scalar_one()
            == 0
        )


class Died(BaseException):
    """The worker's death mid-send, as far as the slice can tell (nothing catches it)."""


def test_a_retried_job_takes_its_own_lease_over_and_others_wait(
    ainema: tuple[Path, str], store: Store, smtp_server: tuple[str, int, Mailbox]
) -> None:
    project, url = ainema
    host, port, mailbox = smtp_server
    smtp = SmtpMailer(host, port, "privacy@example.test")
    mailing_id = new_mailing(store)
    calls = 0

    class Dying:
        def send(self, to: str, subject: str, body: str) -> None:
            nonlocal calls
            calls += 1
            if calls == 4:
                raise Died
            smtp.send(to, subject, body)

    with pytest.raises(Died):
        slice_now(store, Dying(), mailing_id, project, holder="job-a")
    assert slice_now(store, smtp, mailing_id, project, holder="job-b").outcome == "busy"
    assert slice_now(store, smtp, mailing_id, project, holder="job-a").outcome == "done"
    assert Counter(str(m["To"]) for m in mailbox.messages) == Counter(addresses(url))
