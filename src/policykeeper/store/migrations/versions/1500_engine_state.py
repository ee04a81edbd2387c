"""The engine's journals, restrictions, held rows and place runs move into the main store.

Revision ID: 1500
Revises: 1400
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from policykeeper.store.types import UtcDateTime

revision = "1500"
down_revision = "1400"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "engine_journal",
        sa.Column("request", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("roots", sa.Text(), nullable=False),
        sa.Column("done", sa.Text(), nullable=False),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("request", "action"),
    )
    op.create_table(
        "engine_restrictions",
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("since", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("subject"),
    )
    op.create_table(
        "engine_holds",
        sa.Column("table_name", sa.String(length=255), nullable=False),
        sa.Column("row_key", sa.String(length=255), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("delete_after", sa.Date(), nullable=True),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "row_key"),
    )
    op.create_table(
        "engine_place_runs",
        sa.Column("run_key", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("person", sa.Text(), nullable=True),
        sa.Column("results", sa.Text(), nullable=False),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("run_key", "action"),
    )


def downgrade() -> None:
    op.drop_table("engine_place_runs")
    op.drop_table("engine_holds")
    op.drop_table("engine_restrictions")
    op.drop_table("engine_journal")
