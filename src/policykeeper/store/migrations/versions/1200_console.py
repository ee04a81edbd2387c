"""The staff console: short human references for requests (AIN-2026-000123), a serial per
request handed out by an autoincrement table (existing requests numbered in the order they
were received); staff addresses, one-time links for invitations and password resets, and
the TOTP second factor.

Revision ID: 1200
Revises: 0700
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from policykeeper.store.types import UtcDateTime

revision = "1200"
down_revision = "0700"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "request_numbers",
        sa.Column("number", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["requests.id"]),
        sa.PrimaryKeyConstraint("number"),
        sa.UniqueConstraint("request_id"),
    )
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_requests_number"), ["number"])
    # Existing requests get serials in the order received; the key goes on from there.
    op.execute(
        "INSERT INTO request_numbers (request_id) SELECT id FROM requests ORDER BY received_at, id"
    )
    op.execute(
        "UPDATE requests SET number = "
        "(SELECT n.number FROM request_numbers n WHERE n.request_id = requests.id)"
    )
    op.create_table(
        "staff_access",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("must_change", sa.Boolean(), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("totp_pending", sa.String(length=64), nullable=True),
        sa.Column("totp_step", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("staff_id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "staff_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("staff_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_links_staff_id"), ["staff_id"], unique=False)


def downgrade() -> None:
    op.drop_table("staff_links")
    op.drop_table("staff_access")
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_requests_number"), type_="unique")
        batch_op.drop_column("number")
    op.drop_table("request_numbers")
