"""The duties around the policy: published versions and their texts, mailings with one row per
person told, leak incidents, and third-party provision records.

Revision ID: 0500_duties
Revises: 0200
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from policykeeper.store.types import UtcDateTime

revision = "0500_duties"
down_revision = "0200"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("cause", sa.String(length=30), nullable=False),
        sa.Column("discovered_at", UtcDateTime(), nullable=False),
        sa.Column("occurred_from", UtcDateTime(), nullable=True),
        sa.Column("occurred_to", UtcDateTime(), nullable=True),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("persons_elsewhere", sa.Integer(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("assessment", sa.JSON(), nullable=False),
        sa.Column("appi_reportable", sa.Boolean(), nullable=False),
        sa.Column("gdpr_reportable", sa.Boolean(), nullable=True),
        sa.Column("preliminary_from", UtcDateTime(), nullable=True),
        sa.Column("preliminary_due", UtcDateTime(), nullable=True),
        sa.Column("final_due", UtcDateTime(), nullable=True),
        sa.Column("gdpr_due", UtcDateTime(), nullable=True),
        sa.Column("preliminary_reported_at", UtcDateTime(), nullable=True),
        sa.Column("final_reported_at", UtcDateTime(), nullable=True),
        sa.Column("gdpr_notified_at", UtcDateTime(), nullable=True),
        sa.Column("mailing_id", sa.String(length=32), nullable=True),
        sa.Column("announcement", sa.JSON(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incidents_discovered_at"), ["discovered_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_incidents_state"), ["state"], unique=False)
    op.create_table(
        "mailings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("fallback", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("pace", sa.Double(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=True),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("lease_until", UtcDateTime(), nullable=True),
        sa.Column("lease_holder", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mailings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mailings_ref"), ["ref"], unique=False)
        batch_op.create_index(batch_op.f("ix_mailings_state"), ["state"], unique=False)
    op.create_table(
        "policy_versions",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("declaration", sa.JSON(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("effective_at", UtcDateTime(), nullable=False),
        sa.Column("published_at", UtcDateTime(), nullable=False),
        sa.Column("published_by", sa.String(length=120), nullable=False),
        sa.Column("previous", sa.Integer(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("material", sa.Boolean(), nullable=False),
        sa.Column("reconsent", sa.JSON(), nullable=False),
        sa.Column("notice_days", sa.Integer(), nullable=True),
        sa.Column("mailing_id", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("number"),
    )
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_policy_versions_effective_at"), ["effective_at"], unique=False
        )
    op.create_table(
        "provision_records",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("recipient", sa.String(length=100), nullable=True),
        sa.Column("counterparty_name", sa.Text(), nullable=False),
        sa.Column("counterparty_address", sa.Text(), nullable=True),
        sa.Column("counterparty_representative", sa.Text(), nullable=True),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("beyond_declared", sa.JSON(), nullable=False),
        sa.Column("person_name", sa.String(length=200), nullable=True),
        sa.Column("acquisition", sa.Text(), nullable=True),
        sa.Column("ppc_published", sa.Boolean(), nullable=True),
        sa.Column("first_at", UtcDateTime(), nullable=False),
        sa.Column("last_at", UtcDateTime(), nullable=False),
        sa.Column("recurring", sa.Boolean(), nullable=False),
        sa.Column("keep", sa.String(length=20), nullable=False),
        sa.Column("purge_after", UtcDateTime(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("provision_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provision_records_purge_after"), ["purge_after"], unique=False
        )
    op.create_table(
        "mailing_recipients",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("mailing_id", sa.String(length=32), nullable=False),
        sa.Column("person", sa.String(length=255), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["mailing_id"],
            ["mailings.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("mailing_id", "person"),
    )
    with op.batch_alter_table("mailing_recipients", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mailing_recipients_queue", ["mailing_id", "state", "id"], unique=False
        )
    op.create_table(
        "policy_texts",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("fmt", sa.String(length=4), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["number"],
            ["policy_versions.number"],
        ),
        sa.PrimaryKeyConstraint("number", "lang", "fmt"),
    )
    op.create_table(
        "provision_subjects",
        sa.Column("record_id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["provision_records.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("record_id", "subject"),
    )
    with op.batch_alter_table("provision_subjects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provision_subjects_subject"), ["subject"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("provision_subjects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provision_subjects_subject"))
    op.drop_table("provision_subjects")
    op.drop_table("policy_texts")
    with op.batch_alter_table("mailing_recipients", schema=None) as batch_op:
        batch_op.drop_index("ix_mailing_recipients_queue")
    op.drop_table("mailing_recipients")
    with op.batch_alter_table("provision_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provision_records_purge_after"))
    op.drop_table("provision_records")
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_versions_effective_at"))
    op.drop_table("policy_versions")
    with op.batch_alter_table("mailings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mailings_state"))
        batch_op.drop_index(batch_op.f("ix_mailings_ref"))
    op.drop_table("mailings")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_state"))
        batch_op.drop_index(batch_op.f("ix_incidents_discovered_at"))
    op.drop_table("incidents")
