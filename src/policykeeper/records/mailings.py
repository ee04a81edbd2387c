"""Notices to many people: paced, resumable, one recorded send per person.

A mailing freezes its text when it is created. The worker first collects its recipients (one
transaction, so a crash while collecting leaves nothing half-made), then sends in slices. A
slice holds the mailing's lease, so two workers never send the same mailing at once; it claims
one recipient at a time (pending → sending), sends, and records the send, dropping the address.
A slice that dies leaves at most one recipient 'sending', which the next slice sends again: no
one is skipped, and an email can go twice only if the server accepted it in the instant before
its record committed.
"""

from __future__ import annotations

import smtplib
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from policykeeper.records.people import Person, Skipped
from policykeeper.store import Store
from policykeeper.store.models import Job
from policykeeper.store.queue import defer
from policykeeper.store.records_models import Mailing, MailingRecipient
from policykeeper.workflow import audit
from policykeeper.workflow.errors import NotFound
from policykeeper.workflow.mail import Mailer

JOB_KIND = "mailing"
DEFAULT_PACE = 10.0
"""Emails per second: well inside what mail providers accept from one sender."""
RETRY_AFTER = timedelta(minutes=1)
SLICE_SECONDS = 50.0
SEPARATOR = "\n\n" + "-" * 40 + "\n\n"
Clock = Callable[[], datetime]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


@dataclass(frozen=True)
class Outcome:
    """How one recipient's email went: 'sent' or 'failed' (the server refused the address)."""

    recipient_id: int
    state: str
    error: str | None


@dataclass(frozen=True)
class SliceResult:
    """What one slice did: 'done', 'more' (budget used up), 'retry' (mail server trouble) or
    'busy' (another slice holds the lease)."""

    outcome: str
    sent: int
    error: str | None = None


def create_mailing(
    session: Session,
    *,
    purpose: str,
    ref: str,
    audience: dict[str, Any],
    messages: dict[str, Message],
    fallback: list[str],
    now: datetime,
    actor: str,
    pace: float = DEFAULT_PACE,
) -> Mailing:
    """Record a mailing and queue its first slice, in the caller's transaction."""
    if pace <= 0:
        raise ValueError("the pace must be a positive number of emails per second")
    mailing = Mailing(
        id=uuid.uuid4().hex,
        purpose=purpose,
        ref=ref,
        audience=audience,
        messages={lang: {"subject": m.subject, "body": m.body} for lang, m in messages.items()},
        fallback=fallback,
        state="collecting",
        total=0,
        sent=0,
        failed=0,
        skipped={},
        pace=pace,
        created_at=now,
    )
    session.add(mailing)
    session.flush()
    queue_slice(session, mailing.id, now)
    audit.append(
        session,
        at=now,
        actor=actor,
        action="mailing_created",
        data={"mailing": mailing.id, "purpose": purpose, "ref": ref, "pace": pace},
    )
    return mailing


def queue_slice(session: Session, mailing_id: str, at: datetime) -> Job:
    job = Job(
        id=uuid.uuid4().hex,
        kind=JOB_KIND,
        payload={"mailing": mailing_id},
        state="queued",
        attempts=0,
        run_after=at,
        created_at=at,
    )
    session.add(job)
    session.flush()
    defer(session, job.id, at)
    return job


def get_mailing(store: Store, mailing_id: str) -> Mailing:
    with store.transaction() as session:
        mailing = session.get(Mailing, mailing_id)
        if mailing is None:
            raise NotFound("no such mailing")
        return mailing


def collect(
    store: Store, mailing_id: str, people: Iterable[Person | Skipped], now: datetime
) -> Mailing:
    """Write the recipients once; a mailing past collecting is left as it is."""
    with store.transaction() as session:
        mailing = session.get(Mailing, mailing_id, with_for_update=True)
        if mailing is None:
            raise NotFound("no such mailing")
        if mailing.state != "collecting":
            return mailing
        session.execute(
            sa.delete(MailingRecipient).where(MailingRecipient.mailing_id == mailing_id)
        )
        skipped: dict[str, int] = {}
        rows: list[dict[str, Any]] = []
        total = 0
        for person in people:
            if isinstance(person, Skipped):
                skipped[person.reason] = skipped.get(person.reason, 0) + 1
                continue
            rows.append(
                {
                    "mailing_id": mailing_id,
                    "person": person.key,
                    "address": person.address,
                    "language": person.language,
                    "state": "pending",
                    "attempts": 0,
                }
            )
            total += 1
            if len(rows) >= 1000:
                session.execute(sa.insert(MailingRecipient), rows)
                rows = []
        if rows:
            session.execute(sa.insert(MailingRecipient), rows)
        mailing.total, mailing.skipped, mailing.state = total, skipped, "sending"
        mailing.started_at = now
        audit.append(
            session,
            at=now,
            actor="worker",
            action="mailing_collected",
            data={"mailing": mailing_id, "recipients": total, "skipped": skipped},
        )
        return mailing


def send_slice(
    store: Store,
    mailer: Mailer,
    mailing_id: str,
    *,
    clock: Clock,
    lease: timedelta,
    people: Callable[[], Iterable[Person | Skipped]],
    budget: float = SLICE_SECONDS,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
    holder: str | None = None,
) -> SliceResult:
    """Send for up to `budget` seconds at the mailing's pace; resumable at any point.

    `holder` names the job running the slice (a retried job takes its own lease over)."""
    if not _take_lease(store, mailing_id, clock, lease, holder or uuid.uuid4().hex):
        return SliceResult("busy", 0)
    mailing = get_mailing(store, mailing_id)
    if mailing.state == "done":
        return SliceResult("done", 0)
    if mailing.state == "collecting":
        mailing = collect(store, mailing_id, people(), clock())
    texts = _texts(mailing)
    interval = 1.0 / mailing.pace
    stop_at = time.monotonic() + min(budget, lease.total_seconds() / 2)
    next_at = time.monotonic()
    sent = 0
    finished: Outcome | None = None
    while True:
        out_of_time = time.monotonic() >= stop_at
        claimed, done, total = _step(store, mailing_id, finished, clock(), claim=not out_of_time)
        if finished is not None and finished.state == "sent" and progress is not None:
            progress(done, total)
        finished = None
        if out_of_time:
            _release(store, mailing_id)
            return SliceResult("more", sent)
        if claimed is None:
            _finish(store, mailing_id, clock())
            return SliceResult("done", sent)
        recipient_id, address, language = claimed
        pause = next_at - time.monotonic()
        if pause > 0:
            sleep(pause)
        next_at = max(next_at + interval, time.monotonic())
        message = texts.get(language or "", texts[""])
        try:
            mailer.send(address, message.subject, message.body)
        except smtplib.SMTPRecipientsRefused as exc:
            finished = Outcome(recipient_id, "failed", str(exc)[:500])
            continue
        except (OSError, smtplib.SMTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
            _retry_later(store, mailing_id, recipient_id, error)
            return SliceResult("retry", sent, error)
        finished = Outcome(recipient_id, "sent", None)
        sent += 1


def run_mailing(
    store: Store,
    mailer: Mailer,
    mailing_id: str,
    *,
    clock: Clock,
    lease: timedelta,
    people: Callable[[], Iterable[Person | Skipped]],
    progress: Progress | None = None,
) -> Mailing:
    """Send the whole mailing in this thread (the CLI and tests); slices until done."""
    while True:
        result = send_slice(
            store, mailer, mailing_id, clock=clock, lease=lease, people=people, progress=progress
        )
        if result.outcome in ("done", "busy"):
            return get_mailing(store, mailing_id)
        if result.outcome == "retry":
            raise OSError(f"the mail server refused the notices: {result.error}")


def resume(store: Store, mailing_id: str, now: datetime, actor: str) -> None:
    """Queue a slice again, e.g. after the mail server was down for longer than the retries."""
    with store.transaction() as session:
        mailing = session.get(Mailing, mailing_id)
        if mailing is None:
            raise NotFound("no such mailing")
        if mailing.state == "done":
            return
        queue_slice(session, mailing_id, now)
        audit.append(
            session, at=now, actor=actor, action="mailing_resumed", data={"mailing": mailing_id}
        )


def sent_to(store: Store, mailing_id: str) -> list[MailingRecipient]:
    """The recipients' records (no addresses once sent), in the order they were collected."""
    with store.transaction() as session:
        return list(
            session.execute(
                sa.select(MailingRecipient)
                .where(MailingRecipient.mailing_id == mailing_id)
                .order_by(MailingRecipient.id)
            ).scalars()
        )


# --- internals --------------------------------------------------------------------------------


def _texts(mailing: Mailing) -> dict[str, Message]:
    """Per language; "" is for a person whose language is unknown: every language, in order."""
    texts = {
        lang: Message(str(m["subject"]), str(m["body"])) for lang, m in mailing.messages.items()
    }
    order = [lang for lang in mailing.fallback if lang in texts] or list(texts)
    texts[""] = Message(texts[order[0]].subject, SEPARATOR.join(texts[lang].body for lang in order))
    return texts


def _take_lease(store: Store, mailing_id: str, clock: Clock, lease: timedelta, holder: str) -> bool:
    now = clock()
    with store.transaction() as session:
        mailing = session.get(Mailing, mailing_id, with_for_update=True)
        if mailing is None:
            raise NotFound("no such mailing")
        held = mailing.lease_until is not None and mailing.lease_until > now
        if held and mailing.lease_holder != holder:
            return False
        mailing.lease_until, mailing.lease_holder = now + lease, holder
        return True


def _release(store: Store, mailing_id: str) -> None:
    with store.transaction() as session:
        session.execute(sa.update(Mailing).where(Mailing.id == mailing_id).values(lease_until=None))


def _step(
    store: Store, mailing_id: str, finished: Outcome | None, now: datetime, *, claim: bool
) -> tuple[tuple[int, str, str | None] | None, int, int]:
    """In one transaction: record the last recipient's outcome, then claim the next one.

    The next is marked 'sending' before its email goes; one left 'sending' by a dead slice is
    taken again first, since its email may never have left. Returns the claim (or None) and
    the mailing's progress (done, total)."""
    with store.transaction() as session:
        if finished is not None:
            session.execute(
                sa.update(MailingRecipient)
                .where(MailingRecipient.id == finished.recipient_id)
                .values(
                    state=finished.state,
                    sent_at=now if finished.state == "sent" else None,
                    address=None if finished.state == "sent" else MailingRecipient.address,
                    error=finished.error,
                )
            )
            counter = Mailing.sent if finished.state == "sent" else Mailing.failed
            session.execute(
                sa.update(Mailing).where(Mailing.id == mailing_id).values({counter: counter + 1})
            )
        mailing = session.get(Mailing, mailing_id, populate_existing=True)
        assert mailing is not None
        progress = (mailing.sent + mailing.failed, mailing.total)
        if not claim:
            return None, *progress
        recipient = session.execute(
            sa.select(MailingRecipient)
            .where(
                MailingRecipient.mailing_id == mailing_id,
                MailingRecipient.state.in_(("sending", "pending")),
            )
            .order_by(MailingRecipient.id)
            .limit(1)
            .with_for_update()
        ).scalar_one_or_none()
        if recipient is None:
            return None, *progress
        recipient.state = "sending"
        recipient.attempts += 1
        return (recipient.id, str(recipient.address), recipient.language), *progress


def _retry_later(store: Store, mailing_id: str, recipient_id: int, error: str) -> None:
    with store.transaction() as session:
        session.execute(
            sa.update(MailingRecipient)
            .where(MailingRecipient.id == recipient_id)
            .values(state="pending", error=error)
        )
        session.execute(
            sa.update(Mailing)
            .where(Mailing.id == mailing_id)
            .values(lease_until=None, lease_holder=None, last_error=error)
        )


def _finish(store: Store, mailing_id: str, now: datetime) -> None:
    with store.transaction() as session:
        mailing = session.get(Mailing, mailing_id, with_for_update=True)
        assert mailing is not None
        if mailing.state == "done":
            return
        mailing.state, mailing.finished_at = "done", now
        mailing.lease_until = mailing.lease_holder = None
        audit.append(
            session,
            at=now,
            actor="worker",
            action="mailing_finished",
            data={
                "mailing": mailing_id,
                "purpose": mailing.purpose,
                "ref": mailing.ref,
                "sent": mailing.sent,
                "failed": mailing.failed,
                "skipped": mailing.skipped,
            },
        )
