"""PolicyKeeper's own tables: requests, verification, staff, uploads, exports, audit, jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from policykeeper.store.types import UtcDateTime


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: sa.JSON(), list[Any]: sa.JSON()}


class Request(Base):
    """A person's rights request and where it stands; `version` guards concurrent updates."""

    __tablename__ = "requests"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    state: Mapped[str] = mapped_column(sa.String(20), index=True)
    email: Mapped[str] = mapped_column(sa.String(320), index=True)
    identity_kind: Mapped[str] = mapped_column(sa.String(40))
    identity_value: Mapped[str] = mapped_column(sa.String(320))
    language: Mapped[str] = mapped_column(sa.String(2))
    jurisdictions: Mapped[list[Any]]
    details: Mapped[dict[str, Any]]
    agent: Mapped[dict[str, Any] | None]
    needs_documents: Mapped[bool] = mapped_column(default=False)
    """The person is asked to send files (documents, an agent's proof, further information)."""
    identity_checks: Mapped[list[Any]] = mapped_column(default=lambda: [])
    """Identity steps staff confirm after the code: documents, account_login,
    additional_information; `documents_verified_at` records that they did."""
    received_at: Mapped[datetime]
    acknowledge_by: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    due_at: Mapped[datetime] = mapped_column(index=True)
    max_due_at: Mapped[datetime]
    extension_reason: Mapped[str | None] = mapped_column(sa.Text)
    extended_at: Mapped[datetime | None]
    email_verified_at: Mapped[datetime | None]
    documents_verified_at: Mapped[datetime | None]
    fee_status: Mapped[str] = mapped_column(sa.String(10), default="none")
    fee_amount: Mapped[int | None]
    fee_currency: Mapped[str | None] = mapped_column(sa.String(3))
    decision: Mapped[dict[str, Any] | None]
    result: Mapped[dict[str, Any] | None]
    closed_at: Mapped[datetime | None]
    number: Mapped[int | None] = mapped_column(unique=True)
    """The short reference's serial (AIN-2026-000123), from `request_numbers`."""
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class RequestNumber(Base):
    """Hands out the serials of short references: an autoincrement key is safe when two
    requests arrive at once on every supported database, where max()+1 is not."""

    __tablename__ = "request_numbers"

    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(sa.ForeignKey("requests.id"), unique=True)


class VerificationCode(Base):
    """A one-time code and link for one request; only keyed hashes are stored."""

    __tablename__ = "verification_codes"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(sa.ForeignKey("requests.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    link_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    failed_attempts: Mapped[int] = mapped_column(default=0)


class RateEvent(Base):
    """One counted action (a code sent, a code tried) in a rate-limit bucket."""

    __tablename__ = "rate_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    bucket: Mapped[str] = mapped_column(sa.String(128), index=True)
    at: Mapped[datetime] = mapped_column(index=True)


class Upload(Base):
    """An identity document or proof of authority, purged when its retention ends."""

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(sa.ForeignKey("requests.id"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(20))
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    uploaded_at: Mapped[datetime]
    delete_after: Mapped[datetime] = mapped_column(index=True)
    purged_at: Mapped[datetime | None]


class Export(Base):
    """The file a completed access or portability request delivers, kept in the store."""

    __tablename__ = "exports"

    request_id: Mapped[str] = mapped_column(sa.ForeignKey("requests.id"), primary_key=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime]


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(sa.String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(10))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class StaffToken(Base):
    """An API token or a login session; only the SHA-256 of the secret is stored."""

    __tablename__ = "staff_tokens"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    label: Mapped[str | None] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class AuditEntry(Base):
    """One link of the hash chain; `seq` is dense, so a deleted entry leaves a gap."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(sa.String(120))
    action: Mapped[str] = mapped_column(sa.String(60))
    request_id: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    data: Mapped[str] = mapped_column(sa.Text)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))


class AuditHead(Base):
    """The chain's last link: one row, locked by every append so appends are serialised."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(sa.String(64))
    key_id: Mapped[str | None] = mapped_column(sa.String(16))
    """Which audit key the chain is keyed with (a keyed hash of a constant, not the key);
    empty for a log written before the key, until it is re-keyed."""


class Job(Base):
    """Background work, written in the same transaction as the state change that causes it."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    request_id: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    payload: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(sa.String(10), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    run_after: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class StaffAccess(Base):
    """What the console adds to a staff account: the address invitations and password resets
    go to, whether the member must replace a password an admin chose, and a TOTP second
    factor."""

    __tablename__ = "staff_access"

    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), primary_key=True)
    email: Mapped[str | None] = mapped_column(sa.String(320), unique=True)
    must_change: Mapped[bool] = mapped_column(default=False)
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    """The second factor's shared secret once confirmed with a code; none when not used."""
    totp_pending: Mapped[str | None] = mapped_column(sa.String(64))
    """A secret being set up: it counts only after the member enters a code it produces."""
    totp_step: Mapped[int | None]
    """The last time step a code was accepted for: a code works once."""


class StaffLink(Base):
    """A one-time, expiring link to set a password (an invitation or a reset); only the
    SHA-256 of its secret is stored."""

    __tablename__ = "staff_links"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(10))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
