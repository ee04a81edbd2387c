"""On PostgreSQL, the procrastinate job-queue schema, so workers on several hosts share jobs.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op
from procrastinate.schema import SchemaManager

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Through the driver directly: the schema's '%' signs are not parameter markers.
        op.get_bind().connection.driver_connection.execute(SchemaManager.get_schema())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("events", "periodic_defers", "jobs", "workers"):
            op.execute(f"DROP TABLE IF EXISTS procrastinate_{table} CASCADE")
        for kind in ("job_status", "job_event_type", "job_to_defer_v1"):
            op.execute(f"DROP TYPE IF EXISTS procrastinate_{kind} CASCADE")
