"""The consent ledger: notices, append-only records, the current-state view, and triggers that
refuse any UPDATE or DELETE of a record or notice.

Revision ID: 0100
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from policykeeper.store.types import UtcDateTime

revision = "0100"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("consent_records", "consent_notices")
MESSAGE = "consent ledger is append-only"

CURRENT_VIEW = """
CREATE VIEW consent_current AS
SELECT r.* FROM consent_records r
WHERE r.id = (
    SELECT MAX(l.id) FROM consent_records l
    WHERE l.subject = r.subject AND l.purpose = r.purpose
)
"""

POSTGRES_GUARD = f"""
CREATE FUNCTION consent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}';
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "consent_notices",
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("purpose", sa.String(length=100), nullable=False),
        sa.Column("text", sa.JSON(), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("hash"),
    )
    op.create_table(
        "consent_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("mechanism", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("notice_hash", sa.String(length=64), nullable=False),
        sa.Column("scope_hash", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["notice_hash"], ["consent_notices.hash"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_consent_records_subject_purpose",
        "consent_records",
        ["subject", "purpose", "id"],
        unique=False,
    )
    op.execute(CURRENT_VIEW)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_GUARD)
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION consent_append_only()"
            )
    else:
        for table in TABLES:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
                )


def downgrade() -> None:
    op.execute("DROP VIEW consent_current")
    op.drop_index("ix_consent_records_subject_purpose", table_name="consent_records")
    op.drop_table("consent_records")
    op.drop_table("consent_notices")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION consent_append_only()")
