"""Places a request still waits for: tasks for staff (recipients without an API) and processor
calls being retried, with the answers and evidence staff record."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from policykeeper.store.models import Base


class PlaceTask(Base):
    """One place of one request that is not settled yet, until it is done or waived."""

    __tablename__ = "place_tasks"
    __table_args__ = (sa.UniqueConstraint("request_id", "place", "action"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(sa.ForeignKey("requests.id"), index=True)
    place: Mapped[str] = mapped_column(sa.String(100))
    recipient: Mapped[str | None] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(10))
    """manual: staff tell the recipient; retry: a processor call the worker tries again."""
    action: Mapped[str] = mapped_column(sa.String(20))
    state: Mapped[str] = mapped_column(sa.String(10), index=True)
    """open, done or waived."""
    language: Mapped[str] = mapped_column(sa.String(2))
    contact: Mapped[str | None] = mapped_column(sa.String(320))
    subject: Mapped[str | None] = mapped_column(sa.Text)
    body: Mapped[str | None] = mapped_column(sa.Text)
    due_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(sa.String(120))
    answer: Mapped[str | None] = mapped_column(sa.Text)
    waiver_reason: Mapped[str | None] = mapped_column(sa.Text)


class TaskEvidence(Base):
    """A file staff attach to a task: the recipient's confirmation, a screenshot, a letter."""

    __tablename__ = "task_evidence"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    task_id: Mapped[str] = mapped_column(sa.ForeignKey("place_tasks.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    uploaded_at: Mapped[datetime]
    uploaded_by: Mapped[str] = mapped_column(sa.String(120))
