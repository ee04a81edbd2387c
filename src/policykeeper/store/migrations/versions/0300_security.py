"""Security: the identity checks a request waits for, labelled staff tokens, the audit key's id.

Revision ID: 0300
Revises: 0600_checks
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0300"
down_revision = "0600_checks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch_op:
        batch_op.add_column(
            sa.Column("identity_checks", sa.JSON(), nullable=False, server_default="[]")
        )
    requests = sa.table(
        "requests", sa.column("needs_documents", sa.Boolean), sa.column("identity_checks", sa.JSON)
    )
    # Before this revision every check after the code was a document check.
    op.execute(
        requests.update()
        .where(requests.c.needs_documents.is_(True))
        .values(identity_checks=["documents"])
    )
    with op.batch_alter_table("staff_tokens") as batch_op:
        batch_op.add_column(sa.Column("label", sa.String(length=100), nullable=True))
    with op.batch_alter_table("audit_head") as batch_op:
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_head") as batch_op:
        batch_op.drop_column("key_id")
    with op.batch_alter_table("staff_tokens") as batch_op:
        batch_op.drop_column("label")
    with op.batch_alter_table("requests") as batch_op:
        batch_op.drop_column("identity_checks")
