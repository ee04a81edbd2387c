"""A person's consent records with the text they were shown: part of every access request."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from policykeeper.store import Store
from policykeeper.store.consent_models import ConsentNotice, ConsentRecord


def consent_export(store_or_session: Store | Session, subject: str) -> list[dict[str, Any]]:
    """Every record for `subject`, oldest first; an empty list when there are none."""
    if isinstance(store_or_session, Store):
        with store_or_session.transaction() as session:
            return _export(session, subject)
    return _export(store_or_session, subject)


def _export(session: Session, subject: str) -> list[dict[str, Any]]:
    rows = session.execute(
        sa.select(ConsentRecord, ConsentNotice)
        .join(ConsentNotice, ConsentNotice.hash == ConsentRecord.notice_hash)
        .where(ConsentRecord.subject == subject)
        .order_by(ConsentRecord.id)
    ).all()
    return [
        {
            "recorded_at": record.recorded_at.isoformat(),
            "subject": record.subject,
            "purpose": record.purpose,
            "action": record.action,
            "mechanism": record.mechanism,
            "source": record.source,
            "policy_version": record.policy_version,
            "language": record.language,
            "shown": notice.text,
            "notice": record.notice_hash,
        }
        for record, notice in rows
    ]
