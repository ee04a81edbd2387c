"""The engine's own state in the main store: erasure journals, restrictions, held rows and
runs over places. Kept here, not in a file beside the project, so a job one worker host
started is finished by another after a crash. Identity values are never stored: journals are
keyed by a digest, subjects by their primary keys."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from policykeeper.store.models import Base


class EngineJournal(Base):
    """An erasure under way or done: its roots, the connections that committed, its report."""

    __tablename__ = "engine_journal"

    request: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    action: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    roots: Mapped[str] = mapped_column(sa.Text)
    done: Mapped[str] = mapped_column(sa.Text)
    report: Mapped[str | None] = mapped_column(sa.Text)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class EngineRestriction(Base):
    """A person whose processing is restricted, by a root row's table and key."""

    __tablename__ = "engine_restrictions"

    subject: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    since: Mapped[datetime]


class EngineHold(Base):
    """A row erasure kept (masked) because a retention rule needs it, and until when."""

    __tablename__ = "engine_holds"

    table_name: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    row_key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    rule: Mapped[str | None] = mapped_column(sa.String(100))
    reason: Mapped[str] = mapped_column(sa.Text)
    delete_after: Mapped[date | None] = mapped_column(sa.Date)
    recorded_at: Mapped[datetime]


class EnginePlaceRun(Base):
    """A run over places: the person as SQL found them (until every place settled), each
    place's result, and the report."""

    __tablename__ = "engine_place_runs"

    run_key: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    action: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    person: Mapped[str | None] = mapped_column(sa.Text)
    results: Mapped[str] = mapped_column(sa.Text)
    report: Mapped[str | None] = mapped_column(sa.Text)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
