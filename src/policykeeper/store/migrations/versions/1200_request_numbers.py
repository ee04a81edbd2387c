"""Short human references for requests (AIN-2026-000123): a serial per request, handed out by
an autoincrement table; existing requests are numbered in the order they were received.

Revision ID: 1200
Revises: 0700
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

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


def downgrade() -> None:
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_requests_number"), type_="unique")
        batch_op.drop_column("number")
    op.drop_table("request_numbers")
