"""Retention's own tables: legal holds, sweep runs, and inactive-account notices sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from policykeeper.store.models import Base


class LegalHold(Base):
    """A hold on a person (their rows, found again from `roots`) or on one record.

    The identity value is never stored: a digest finds the hold again, the roots find the rows.
    """

    __tablename__ = "retention_holds"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(sa.String(10))
    table_name: Mapped[str | None] = mapped_column(sa.String(255))
    row_key: Mapped[list[Any] | None]
    identity_kind: Mapped[str | None] = mapped_column(sa.String(40))
    identity_digest: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    roots: Mapped[dict[str, Any] | None]
    reason: Mapped[str] = mapped_column(sa.Text)
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]
    released_at: Mapped[datetime | None] = mapped_column(index=True)
    released_by: Mapped[str | None] = mapped_column(sa.String(120))


class RetentionRun(Base):
    """One sweep: the clock it ran at, whether it finished, and its report."""

    __tablename__ = "retention_runs"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    as_of: Mapped[datetime] = mapped_column(index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(sa.String(12), index=True)
    actor: Mapped[str] = mapped_column(sa.String(120))
    resumes: Mapped[str | None] = mapped_column(sa.String(32))
    report: Mapped[dict[str, Any] | None]


class RetentionNotice(Base):
    """A notice sent before an inactive account is deleted; one per period of inactivity."""

    __tablename__ = "retention_notices"
    __table_args__ = (sa.UniqueConstraint("rule", "table_name", "row_key", "clock_value"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(sa.String(100))
    table_name: Mapped[str] = mapped_column(sa.String(255))
    row_key: Mapped[str] = mapped_column(sa.String(255))
    clock_value: Mapped[str] = mapped_column(sa.String(40))
    delete_after: Mapped[datetime]
    sent_at: Mapped[datetime]
