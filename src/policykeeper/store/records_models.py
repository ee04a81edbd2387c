"""Legal records kept in PolicyKeeper's store: mailings with one row per person told, leak
incidents with their clocks, and third-party provision records (APPI Arts. 29 and 30).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from policykeeper.store.models import Base


class Mailing(Base):
    """A notice sent to many people, paced; its text is frozen when it is created."""

    __tablename__ = "mailings"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(20))
    ref: Mapped[str] = mapped_column(sa.String(64), index=True)
    audience: Mapped[dict[str, Any]]
    messages: Mapped[dict[str, Any]]
    fallback: Mapped[list[Any]]
    """Languages, in order, for a person whose language the data map does not know."""
    state: Mapped[str] = mapped_column(sa.String(12), index=True)
    total: Mapped[int] = mapped_column(default=0)
    sent: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[dict[str, Any]]
    pace: Mapped[float]
    """Emails per second."""
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    lease_holder: Mapped[str | None] = mapped_column(sa.String(32))
    """The job whose slice holds the lease: that job, retried after its worker died, may
    take the lease over at once, since the job's own lease proves the worker is gone."""
    last_error: Mapped[str | None] = mapped_column(sa.Text)


class MailingRecipient(Base):
    """One person of a mailing; the address is dropped once the email has gone."""

    __tablename__ = "mailing_recipients"
    __table_args__ = (
        sa.UniqueConstraint("mailing_id", "person"),
        sa.Index("ix_mailing_recipients_queue", "mailing_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    mailing_id: Mapped[str] = mapped_column(sa.ForeignKey("mailings.id"))
    person: Mapped[str] = mapped_column(sa.String(255))
    address: Mapped[str | None] = mapped_column(sa.String(320))
    language: Mapped[str | None] = mapped_column(sa.String(5))
    state: Mapped[str] = mapped_column(sa.String(10))
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(sa.Text)


class Incident(Base):
    """A leak, loss or damage of personal data (漏えい等) and what the law asks of it."""

    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    texts: Mapped[dict[str, Any]]
    cause: Mapped[str] = mapped_column(sa.String(30))
    discovered_at: Mapped[datetime] = mapped_column(index=True)
    occurred_from: Mapped[datetime | None]
    occurred_to: Mapped[datetime | None]
    scope: Mapped[list[Any]]
    persons: Mapped[int]
    persons_elsewhere: Mapped[int]
    categories: Mapped[list[Any]]
    assessment: Mapped[dict[str, Any]]
    appi_reportable: Mapped[bool]
    gdpr_reportable: Mapped[bool | None]
    preliminary_from: Mapped[datetime | None]
    preliminary_due: Mapped[datetime | None]
    final_due: Mapped[datetime | None]
    gdpr_due: Mapped[datetime | None]
    preliminary_reported_at: Mapped[datetime | None]
    final_reported_at: Mapped[datetime | None]
    gdpr_notified_at: Mapped[datetime | None]
    mailing_id: Mapped[str | None] = mapped_column(sa.String(32))
    announcement: Mapped[dict[str, Any] | None]
    state: Mapped[str] = mapped_column(sa.String(10), index=True)
    recorded_by: Mapped[str] = mapped_column(sa.String(120))
    recorded_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class ProvisionRecord(Base):
    """A provision of personal data to a third party, or a receipt from one (第三者提供記録)."""

    __tablename__ = "provision_records"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    direction: Mapped[str] = mapped_column(sa.String(10))
    recipient: Mapped[str | None] = mapped_column(sa.String(100))
    """The declared recipient's id, for data provided."""
    counterparty_name: Mapped[str] = mapped_column(sa.Text)
    counterparty_address: Mapped[str | None] = mapped_column(sa.Text)
    counterparty_representative: Mapped[str | None] = mapped_column(sa.Text)
    basis: Mapped[str] = mapped_column(sa.String(20))
    items: Mapped[list[Any]]
    beyond_declared: Mapped[list[Any]]
    person_name: Mapped[str | None] = mapped_column(sa.String(200))
    acquisition: Mapped[str | None] = mapped_column(sa.Text)
    ppc_published: Mapped[bool | None]
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]
    recurring: Mapped[bool]
    keep: Mapped[str] = mapped_column(sa.String(20))
    purge_after: Mapped[datetime] = mapped_column(index=True)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(sa.String(120))
    note: Mapped[str | None] = mapped_column(sa.Text)


class ProvisionSubject(Base):
    """An identifier of the person a provision record is about (KIND=VALUE)."""

    __tablename__ = "provision_subjects"

    record_id: Mapped[str] = mapped_column(
        sa.ForeignKey("provision_records.id", ondelete="CASCADE"), primary_key=True
    )
    subject: Mapped[str] = mapped_column(sa.String(400), primary_key=True, index=True)
