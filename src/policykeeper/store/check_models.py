"""Promise-check reports, kept so the console shows the latest one and its history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from policykeeper.store.models import Base


class CheckRun(Base):
    """One run of `policykeeper check`: when, the overall result, its counts and the report."""

    __tablename__ = "check_runs"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(sa.String(10))
    policy_version: Mapped[str] = mapped_column(sa.String(64))
    site: Mapped[str | None] = mapped_column(sa.String(500))
    counts: Mapped[dict[str, Any]]
    report: Mapped[dict[str, Any]]
