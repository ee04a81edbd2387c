"""Promise checks: every report `policykeeper check` and the worker produce.

Revision ID: 0600_checks
Revises: 0500_duties
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from policykeeper.store.types import UtcDateTime

revision = "0600_checks"
down_revision = "0500_duties"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "check_runs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("checked_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("site", sa.String(length=500), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("check_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_runs_checked_at"), ["checked_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("check_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_runs_checked_at"))
    op.drop_table("check_runs")
