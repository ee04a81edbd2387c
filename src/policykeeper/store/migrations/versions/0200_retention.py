"""Retention: legal holds, sweep runs, and notices sent before inactive accounts are deleted.

Revision ID: 0200
Revises: 0100
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from policykeeper.store.types import UtcDateTime

revision = "0200"
down_revision = "0100"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention_holds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("table_name", sa.String(length=255), nullable=True),
        sa.Column("row_key", sa.JSON(), nullable=True),
        sa.Column("identity_kind", sa.String(length=40), nullable=True),
        sa.Column("identity_digest", sa.String(length=64), nullable=True),
        sa.Column("roots", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("released_at", UtcDateTime(), nullable=True),
        sa.Column("released_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("retention_holds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_retention_holds_identity_digest"), ["identity_digest"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_retention_holds_released_at"), ["released_at"], unique=False
        )
    op.create_table(
        "retention_runs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("as_of", UtcDateTime(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("resumes", sa.String(length=32), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("retention_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retention_runs_as_of"), ["as_of"], unique=False)
        batch_op.create_index(batch_op.f("ix_retention_runs_state"), ["state"], unique=False)
    op.create_table(
        "retention_notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.Column("table_name", sa.String(length=255), nullable=False),
        sa.Column("row_key", sa.String(length=255), nullable=False),
        sa.Column("clock_value", sa.String(length=40), nullable=False),
        sa.Column("delete_after", UtcDateTime(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rule", "table_name", "row_key", "clock_value"),
    )


def downgrade() -> None:
    op.drop_table("retention_notices")
    with op.batch_alter_table("retention_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retention_runs_state"))
        batch_op.drop_index(batch_op.f("ix_retention_runs_as_of"))
    op.drop_table("retention_runs")
    with op.batch_alter_table("retention_holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retention_holds_released_at"))
        batch_op.drop_index(batch_op.f("ix_retention_holds_identity_digest"))
    op.drop_table("retention_holds")
