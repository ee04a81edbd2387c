"""Nicori's declared rights end to end on django-oscar's schema: disclosure asks for a copy of an
identity document and correction follows the shop's own procedure, so both arrive by post and
staff record them, check the document, approve and execute. The customer's rows change as
declared (SQL in test_nicori) and no other row of the shop changes. In Japanese and English."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from engine_kit import copy_example, snapshot
from fastapi.testclient import TestClient
from intake_kit import run_by_post
from test_nicori import CUSTOMER, CUSTOMERS, owned, query

from policykeeper.examples.nicori import populate
from policykeeper.policy import load_policy

Make = Callable[..., TestClient]


@pytest.fixture
def state_url(sqlite_state_url: str) -> str:
    """The state database on SQLite only: the shop's side is what these tests are about."""
    return sqlite_state_url


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("kind", ["access", "rectification"])
def test_every_declared_right_runs_by_post_on_oscar(
    make_client: Make,
    oscar_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    language: str,
) -> None:
    populate(oscar_url, CUSTOMERS)
    monkeypatch.setenv("NICORI_DATABASE_URL", oscar_url)
    folder = copy_example("nicori", tmp_path)
    policy = load_policy(folder)
    assert [right.kind.value for right in policy.rights] == ["access", "rectification"]
    client = make_client(policy, project=folder)
    (email,) = query(oscar_url, "SELECT email FROM auth_user WHERE id = :u", u=CUSTOMER)[0]
    before = snapshot(oscar_url)
    details = (
        {"changes": {"address_useraddress.line1": "渋谷2-21-1"}, "ground": "inaccurate"}
        if kind == "rectification"
        else {}
    )
    result = run_by_post(client, kind, email, language, details=details)
    after = snapshot(oscar_url)
    changed = {
        (t, k) for t, rows in after.items() for k, row in rows.items() if before[t].get(k) != row
    }
    if kind == "rectification":
        (address,) = owned(oscar_url, CUSTOMER)["address_useraddress"]
        assert changed == {("address_useraddress", (address,))}
        assert after["address_useraddress"][(address,)]["line1"] == "渋谷2-21-1"
    else:
        assert changed == set() and after == before
        assert result["state"] == "completed"
