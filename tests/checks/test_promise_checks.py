"""The issue's acceptance test: on the AInema example, a site that adds an undeclared analytics
tag and a database with a new phone-number column make the checks report exactly those two (and
the cookie set before consent); removing them makes the checks pass. Real Chromium, real
loopback servers ("third-party" on 127.0.0.2), real SQLite service database and state store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from checks_kit import (
    NOW,
    THIRD_PARTY,
    add_phone_column,
    ainema_project,
    database_url,
    drop_phone_column,
    running_site,
    state_url,
)
from servers import unavailable

from policykeeper.checks import run_checks
from policykeeper.checks.sitescan import CHROMIUM

pytestmark = pytest.mark.browser


def failing(report: Any) -> set[tuple[str, str]]:
    return {(c.kind, c.subject) for c in report.failed}


def test_an_undeclared_tag_and_a_new_phone_column_are_reported_then_pass_once_removed(
    tmp_path: Path,
) -> None:
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    project = ainema_project(tmp_path / "ainema")
    store = state_url(project.directory)
    add_phone_column(database_url(project))

    with running_site(project, store, with_tag=True) as site:
        broken = run_checks(project, store_url=store, now=NOW, site=site).report

    assert failing(broken) == {
        ("site.undeclared_cookie", "_ga"),
        ("site.before_consent", "_ga"),
        ("site.after_rejection", "_ga"),
        ("site.undeclared_host", THIRD_PARTY),
        ("data.undeclared_column", "users.tel2"),
    }
    by_id = {c.id: c for c in broken.checks}
    cookie = by_id["site.undeclared_cookie:_ga"]
    assert cookie.facts["catalogue"]["platform"] == "Google Analytics"
    assert cookie.facts["first_party"] is True
    draft = cookie.proposals[0].draft or ""
    assert "name: _ga" in draft and "provider: Google Analytics" in draft
    assert "kind: analytics" in draft and "purpose: analytics" in draft
    host = by_id[f"site.undeclared_host:{THIRD_PARTY}"]
    assert host.facts["query_keys"] == ["cid", "dl", "tid", "v"]
    assert "no_choice" in host.facts["runs"]
    column = by_id["data.undeclared_column:users.tel2"]
    assert column.facts["found"] == "user.contact.phone_number"
    assert column.facts["matched"] == column.facts["sampled"] == 20
    assert "tel2: {category: user.contact.phone_number}" in (column.proposals[0].draft or "")
    assert "key: user.contact.phone_number" in (column.proposals[1].draft or "")
    assert column.facts["example"].count("*") >= 6  # masked: only the last two digits show
    assert "090-1234-5678" not in str(broken.to_json())  # no sampled value is stored
    assert by_id["site.tracker_seen:analytics"].status == "pass"  # after "Accept all" only
    assert by_id["consent:accepted:analytics"].status == "pass"  # and the ledger has its consent

    drop_phone_column(database_url(project))
    with running_site(project, store, with_tag=False) as site:
        fixed = run_checks(project, store_url=store, now=NOW, site=site).report

    assert failing(fixed) == set()
    assert fixed.status in ("pass", "warn")
    assert {c.id for c in fixed.checks if c.status == "warn"} == set()
    kinds = {c.kind for c in fixed.checks}
    assert {"site.tracker_seen", "consent.record", "retention.rule"} <= kinds
    assert "site.gpc_json" not in kinds  # AInema's policy says nothing about GPC: no promise
