"""Requests received by post, email, phone or at the counter, recorded by staff.

Revision ID: 1400
Revises: 0700
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from policykeeper.store.types import UtcDateTime

revision = "1400"
down_revision = "1200"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intake",
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("postal_code", sa.String(length=10), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("reply_by", sa.String(length=10), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("document_check", sa.JSON(), nullable=True),
        sa.Column("payment", sa.JSON(), nullable=True),
        sa.Column("dispatch", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["requests.id"]),
        sa.PrimaryKeyConstraint("request_id"),
    )


def downgrade() -> None:
    op.drop_table("intake")
