"""Published policy versions: each declaration frozen with its rendered text and its changes.

A version is never edited. The one in force at a moment is the newest whose effective moment
has passed, so the switch on the effective date needs no job that could be missed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from policykeeper.store.models import Base


class PolicyVersion(Base):
    """One published declaration: its number, its date, what changed and who was told."""

    __tablename__ = "policy_versions"

    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    label: Mapped[str] = mapped_column(sa.String(64))
    """The declaration's own `version` string, as the rendered policy shows it."""
    digest: Mapped[str] = mapped_column(sa.String(64))
    declaration: Mapped[dict[str, Any]]
    effective_date: Mapped[date] = mapped_column(sa.Date)
    effective_at: Mapped[datetime] = mapped_column(index=True)
    """Midnight of the effective date in the operator's time zone, in UTC."""
    published_at: Mapped[datetime]
    published_by: Mapped[str] = mapped_column(sa.String(120))
    previous: Mapped[int | None]
    changes: Mapped[list[Any]]
    material: Mapped[bool]
    reconsent: Mapped[dict[str, Any]]
    notice_days: Mapped[int | None]
    """The notice period the version in force promised, when it applied to this change."""
    mailing_id: Mapped[str | None] = mapped_column(sa.String(32))


class PolicyText(Base):
    """A version's rendered text in one language and format, exactly as it was published."""

    __tablename__ = "policy_texts"

    number: Mapped[int] = mapped_column(
        sa.ForeignKey("policy_versions.number"), primary_key=True, autoincrement=False
    )
    lang: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    fmt: Mapped[str] = mapped_column(sa.String(4), primary_key=True)
    content: Mapped[str] = mapped_column(sa.Text)
