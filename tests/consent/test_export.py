"""Consent records travel with access exports: inside the ZIP and inside the JSON."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable

from policykeeper.consent.export import with_consent_records
from policykeeper.consent.service import ConsentService

Make = Callable[..., ConsentService]


def zipped(**files: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_access_exports_carry_the_consent_records(make_lite: Make) -> None:
    service = make_lite("ainema")
    subject = "email=a@example.com"
    service.ledger.record(subject, {"analytics": True}, source="banner", language="ja")
    export = ("access-1.zip", "application/zip", zipped(**{"README.txt": "hi"}))
    name, kind, content = with_consent_records(service.store, subject, export)  # type: ignore[misc]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sorted(archive.namelist()) == ["README.txt", "consent.json"]
        records = json.loads(archive.read("consent.json"))
    assert (name, kind) == ("access-1.zip", "application/zip")
    assert [(r["purpose"], r["action"], r["shown"]["label"]) for r in records] == [
        ("analytics", "given", "分析・改善")
    ]
    portable = ("portability-1.json", "application/json", b'{"tables": {}}')
    body = json.loads(with_consent_records(service.store, subject, portable)[2])  # type: ignore[index]
    assert body["tables"] == {} and body["consent"][0]["source"] == "banner"


def test_exports_without_consent_records_are_unchanged(make_lite: Make) -> None:
    service = make_lite("ainema")
    export = ("access-2.zip", "application/zip", zipped(**{"README.txt": "hi"}))
    assert with_consent_records(service.store, "email=none@example.com", export) == export
    assert with_consent_records(service.store, "email=none@example.com", None) is None
