"""jasminai reaches Hotjar through its connector (here a local server answering as Hotjar's API
documents) and its other recipients by tasks, each only where the member's data went."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from places_kit import FakeHotjar

from policykeeper.engine import Identity, places
from policykeeper.engine.runtime import release
from policykeeper.examples.generation import generate
from policykeeper.project import load_project

JASMINAI = Path(__file__).resolve().parents[3] / "examples" / "jasminai"


def test_a_member_is_passed_to_hotjar_and_to_the_recipients_that_hold_their_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hotjar_api: tuple[FakeHotjar, str]
) -> None:
    fake, url = hotjar_api
    directory = tmp_path / "jasminai"
    shutil.copytree(
        JASMINAI, directory, ignore=shutil.ignore_patterns("*.sqlite3", ".policykeeper")
    )
    database = f"sqlite:///{tmp_path / 'service.sqlite3'}"
    generate("jasminai", database, 30, progress=False)
    for name, value in {
        "JASMINAI_DATABASE_URL": database,
        "JASMINAI_HOTJAR_CLIENT_ID": fake.client_id,
        "JASMINAI_HOTJAR_CLIENT_SECRET": fake.client_secret,
        "JASMINAI_HOTJAR_ORGANIZATION_ID": fake.organization_id,
        "JASMINAI_HOTJAR_API_URL": url,
    }.items():
        monkeypatch.setenv(name, value)
    engine = sa.create_engine(database)
    with engine.connect() as connection:
        buyer, email = connection.execute(
            sa.text(
                "SELECT m.id, m.email FROM members m WHERE m.id IN"
                " (SELECT member_id FROM credit_purchases) ORDER BY m.id"
            )
        ).first()
        silent = connection.execute(
            sa.text(
                "SELECT id FROM members WHERE id NOT IN (SELECT member_id FROM credit_purchases)"
                " AND id NOT IN (SELECT member_id FROM support_tickets) ORDER BY id"
            )
        ).scalar()
        marketing = bool(
            connection.execute(
                sa.text(
                    "SELECT count(*) FROM consents WHERE member_id = :m"
                    " AND purpose = 'marketing_email' AND granted"
                ),
                {"m": buyer},
            ).scalar()
        )
    engine.dispose()
    fake.hits[email] = 4
    project = load_project(directory)
    try:
        report = places.erase(project, Identity("member_id", str(buyer))).to_json()
        quiet = places.plan(project, Identity("member_id", str(silent)))
    finally:
        release(project)
    outcome = {p["place"]: p["status"] for p in report["places"]}
    assert outcome["hotjar"] == "passed_to_recipient" and email not in fake.hits
    assert fake.lookups == [{"data_subject_email": email, "delete_all_hits": True}]
    assert outcome["escalion"] == outcome["payment_providers"] == "awaiting_recipient"
    assert outcome["fraud_checks"] == "awaiting_recipient", "every member is screened"
    assert outcome["marketing"] == ("awaiting_recipient" if marketing else "nothing_found")
    handoff = next(p["handoff"] for p in report["places"] if p["place"] == "escalion")
    assert handoff["contact"] == "privacy@escalion.example" and handoff["language"] == "en"
    planned = {p["place"]: p["counts"].get("items") for p in quiet["places"]}
    assert planned["escalion"] == planned["payment_providers"] == planned["customer_care"] == 0
