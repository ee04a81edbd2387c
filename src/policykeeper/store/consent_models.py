"""The consent ledger's tables: append-only records and the notices they point to.

A record is never changed: a withdrawal is a new record. The current state is the latest record
per subject and purpose (the `consent_current` view). Migration 0100 adds triggers that refuse
UPDATE and DELETE on both tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from policykeeper.store.models import Base


class ConsentNotice(Base):
    """The exact text and scope a person was shown for one purpose, keyed by its hash."""

    __tablename__ = "consent_notices"

    hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    policy_version: Mapped[str] = mapped_column(sa.String(64))
    language: Mapped[str] = mapped_column(sa.String(2))
    purpose: Mapped[str] = mapped_column(sa.String(100))
    text: Mapped[dict[str, Any]]
    scope: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class ConsentRecord(Base):
    """One choice: who, for what, given or withdrawn, how, from where, shown what, when."""

    __tablename__ = "consent_records"
    __table_args__ = (sa.Index("ix_consent_records_subject_purpose", "subject", "purpose", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    purpose: Mapped[str] = mapped_column(sa.String(100))
    action: Mapped[str] = mapped_column(sa.String(10))
    mechanism: Mapped[str] = mapped_column(sa.String(10))
    source: Mapped[str] = mapped_column(sa.String(10))
    policy_version: Mapped[str] = mapped_column(sa.String(64))
    language: Mapped[str] = mapped_column(sa.String(2))
    notice_hash: Mapped[str] = mapped_column(sa.ForeignKey("consent_notices.hash"))
    scope_hash: Mapped[str] = mapped_column(sa.String(64))
    recorded_at: Mapped[datetime]
