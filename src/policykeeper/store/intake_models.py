"""Requests staff record from outside the privacy center: how each arrived, who sent it and
where to reply, the document check, the fee's payment and the letter's dispatch."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from policykeeper.store.models import Base


class Intake(Base):
    """One request received by post, email, phone or at the counter, beside its request row."""

    __tablename__ = "intake"

    request_id: Mapped[str] = mapped_column(sa.ForeignKey("requests.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(10))
    """post, email, phone or counter."""
    received_on: Mapped[date] = mapped_column(sa.Date)
    """The day the request reached the service: its deadline counts from this day."""
    name: Mapped[str] = mapped_column(sa.String(200))
    postal_code: Mapped[str | None] = mapped_column(sa.String(10))
    address: Mapped[str | None] = mapped_column(sa.Text)
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    reply_by: Mapped[str] = mapped_column(sa.String(10))
    """letter (printed and posted) or export (the electronic file), as the person chose."""
    recorded_by: Mapped[str] = mapped_column(sa.String(120))
    recorded_at: Mapped[datetime]
    document_check: Mapped[dict[str, Any] | None]
    payment: Mapped[dict[str, Any] | None]
    dispatch: Mapped[dict[str, Any] | None]
