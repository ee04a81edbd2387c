"""A person's third-party provision records: part of an access request where the declaration
offers their disclosure (APPI Art. 33(5)).

It reads only the store, so the workflow can add them to exports without depending on records.
A record about several people shows each of them only the record, never the others.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from policykeeper.store import Store
from policykeeper.store.records_models import ProvisionRecord, ProvisionSubject

EXPORT_FILE = "provision_records.json"
EXPORT_KEY = "provision_records"


def normal_subject(kind: str, value: str) -> str:
    """KIND=VALUE as records store it: an email address's domain in lower case, as requests do."""
    text = value.strip()
    local, at, domain = text.rpartition("@")
    if at and local:
        text = f"{local}@{domain.lower()}"
    return f"{kind.strip()}={text}"


def provision_export(store: Store, subjects: Iterable[str]) -> list[dict[str, Any]]:
    """Every record about any of `subjects` (KIND=VALUE), oldest first; [] when none."""
    wanted = sorted({normal_subject(*s.split("=", 1)) for s in subjects if "=" in s})
    if not wanted:
        return []
    with store.transaction() as session:
        ids = sa.select(ProvisionSubject.record_id).where(ProvisionSubject.subject.in_(wanted))
        records = session.execute(
            sa.select(ProvisionRecord)
            .where(ProvisionRecord.id.in_(ids))
            .order_by(ProvisionRecord.first_at, ProvisionRecord.id)
        ).scalars()
        return [_record(r) for r in records]


def _record(record: ProvisionRecord) -> dict[str, Any]:
    counterpart = "recipient" if record.direction == "provided" else "provider"
    data: dict[str, Any] = {
        "direction": record.direction,
        "date": record.first_at.isoformat(),
        counterpart: record.counterparty_name,
        "address": record.counterparty_address,
        "representative": record.counterparty_representative,
        "items": record.items,
        "basis": record.basis,
    }
    if record.recurring:
        data["last_date"] = record.last_at.isoformat()
    if record.direction == "received":
        data["acquisition"] = record.acquisition
        if record.ppc_published is not None:
            data["published_by_commission"] = record.ppc_published
    data["kept_until"] = record.purge_after.isoformat()
    return data


def with_provision_records(
    store: Store, subjects: Iterable[str], export: tuple[str, str, bytes] | None
) -> tuple[str, str, bytes] | None:
    """An access export with the person's provision records added: `provision_records.json`
    inside a ZIP, a "provision_records" key in a JSON export. Unchanged when there are none."""
    if export is None:
        return None
    records = provision_export(store, subjects)
    if not records:
        return export
    filename, content_type, content = export
    if content_type == "application/zip":
        buffer = io.BytesIO(content)
        with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(EXPORT_FILE, json.dumps(records, ensure_ascii=False, indent=2))
        return filename, content_type, buffer.getvalue()
    body = json.loads(content)
    body[EXPORT_KEY] = records
    return filename, content_type, json.dumps(body, ensure_ascii=False, indent=2).encode()
