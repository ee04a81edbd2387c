"""A person's consent records with the text they were shown: part of every access request.

The workflow does not import consent: the Keeper hands `with_consent_records` to it as one of
its export additions (`Workflow.export_additions`).
"""

from __future__ import annotations

import io
import json
import zipfile
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


def with_consent_records(
    store: Store, subject: str, export: tuple[str, str, bytes] | None
) -> tuple[str, str, bytes] | None:
    """An access export with the person's consent records added: `consent.json` inside a ZIP,
    a "consent" key in a JSON export. Unchanged when there are none."""
    if export is None:
        return None
    records = consent_export(store, subject)
    if not records:
        return export
    filename, content_type, content = export
    if content_type == "application/zip":
        buffer = io.BytesIO(content)
        with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("consent.json", json.dumps(records, ensure_ascii=False, indent=2))
        return filename, content_type, buffer.getvalue()
    body = json.loads(content)
    body["consent"] = records
    return filename, content_type, json.dumps(body, ensure_ascii=False, indent=2).encode()
